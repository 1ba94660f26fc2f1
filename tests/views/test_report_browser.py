"""The report in headless Chromium: offline, scripted behaviour, hostile entries inert.

Uses Debian's chromium driven by playwright (no browser download). Where either
is missing the tests skip with the reason, except in CI (CI set), where they fail.
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from chronology.views.report import lanes_of, write_report
from chronology.views.timeline import build_timeline

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PLOT = "document.querySelector('.js-plotly-plot')"
COUNT_RECORDS = f"""() => {PLOT}.data
    .filter(t => t.meta && t.meta.role === 'records')
    .reduce((n, t) => n + t.x.length, 0)"""


def _missing() -> str:
    reasons = []
    if not CHROMIUM.exists():
        reasons.append(f"{CHROMIUM} not found (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        reasons.append("the playwright Python package is not installed (pip install -e '.[dev]')")
    return "; ".join(reasons)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module."""
    reason = _missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run in CI: {reason}")
        pytest.skip(f"browser tests skipped: {reason}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


class Opened:
    """A report opened from disk, with every console error and request attempt recorded.

    ``before`` is a script run in the page before its own (to take a browser
    feature away); with ``ready=False`` the plot is not waited for.
    """

    def __init__(self, browser: Any, path: Path, *, before: str | None = None, ready: bool = True) -> None:
        self.path = path
        self.url = path.resolve().as_uri()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page = browser.new_page(viewport={"width": 1366, "height": 768})
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.route("**/*", self._route)
        if before:
            self.page.add_init_script(before)
        self.page.goto(self.url)
        if ready:
            self.page.wait_for_function("window.__plotReady !== null", timeout=20_000)

    def _route(self, route: Any) -> None:
        if route.request.url == self.url:
            route.continue_()
        else:
            self.requests.append(route.request.url)
            route.abort()

    def x_range(self) -> list[str]:
        return self.page.evaluate(f"() => {PLOT}.layout.xaxis.range.map(String)")


@pytest.fixture(scope="module")
def first_look(browser: Any, small_report: Path) -> Iterator[Opened]:
    """The small case's report as first opened, shared by the tests that only look."""
    view = Opened(browser, small_report)
    yield view
    view.page.close()


@pytest.fixture
def opened(browser: Any, small_report: Path) -> Iterator[Opened]:
    """The small case's report, opened afresh for a test that clicks or types."""
    view = Opened(browser, small_report)
    yield view
    view.page.close()


def test_loads_offline_without_errors_and_plots_every_event(first_look, tmp_path):
    first_look.page.screenshot(path=str(tmp_path / "report_1366x768.png"))
    first_look.page.screenshot(path=str(tmp_path / "report_full.png"), full_page=True)
    assert first_look.requests == []
    assert first_look.errors == []
    # The small case has 10 event rows (plus a continuation and a rejected row, not plotted).
    assert first_look.page.evaluate(COUNT_RECORDS) == 10


def test_hostile_entry_shows_as_text_and_never_runs(first_look, kit):
    page = first_look.page
    assert page.evaluate("() => window.__pwned") is None
    cell = page.locator("#chronology td.desc", has_text="window.__pwned=1")
    assert cell.count() == 1
    assert cell.text_content() == kit.HOSTILE
    assert cell.is_visible()
    assert page.locator("#chronology img").count() == 0
    assert first_look.errors == []


def test_hover_shows_citation_and_hostile_text_as_text(first_look, tmp_path):
    page = first_look.page
    # Hover the GP appointment whose entry is hostile markup.
    curve = page.evaluate(
        f"() => {PLOT}.data.findIndex(t => t.meta && t.meta.role === 'records' && t.meta.event_type === 'appointment')"
    )
    page.evaluate(f"c => Plotly.Fx.hover({PLOT}, [{{curveNumber: c, pointNumber: 0}}])", curve)
    label = page.locator(".hoverlayer .hovertext")
    label.wait_for()
    text = label.text_content()
    assert "gp.xlsx, sheet Chronology, row 10" in text and "02/12/2019 14:30" in text and "age 1y 6m" in text
    assert "<script>window.__pwned=1</script>" in text  # shown as text, not parsed
    assert page.locator(".hoverlayer img, .hoverlayer script").count() == 0
    page.screenshot(path=str(tmp_path / "report_hover.png"))
    assert page.evaluate("() => window.__pwned") is None


def test_clicking_a_finding_zooms_to_its_period_and_rings_its_records(opened, tmp_path):
    opened.page.click("button[data-finding='F-MISS1']")
    opened.page.wait_for_function(f"() => {PLOT}.layout.xaxis.range[0].startsWith('2019-06-07')")
    lo, hi = opened.x_range()
    # F-MISS1 covers 10/06/2019-17/06/2019.
    assert lo[:10] <= "2019-06-10" and hi[:10] >= "2019-06-17" and hi[:10] < "2019-07-01"
    ringed = opened.page.evaluate(f"() => {PLOT}.data.find(t => t.meta.role === 'highlight').x")
    assert ringed == ["2019-06-10 11:30"]
    assert opened.page.get_attribute("button[data-finding='F-MISS1']", "aria-pressed") == "true"
    opened.page.screenshot(path=str(tmp_path / "report_finding.png"))
    opened.page.click("#show-all")
    opened.page.wait_for_function(f"() => {PLOT}.layout.xaxis.autorange === true")


def test_keyboard_tab_to_a_finding_and_enter_zooms(opened):
    before = opened.x_range()
    for _ in range(10):
        opened.page.keyboard.press("Tab")
        if opened.page.evaluate("() => document.activeElement.classList.contains('finding')"):
            break
    focused = opened.page.evaluate("() => document.activeElement.getAttribute('data-finding')")
    assert focused == "F-INFO1"  # the first finding in date order
    outline = opened.page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # a visible focus ring
    opened.page.keyboard.press("Enter")
    opened.page.wait_for_function(f"() => {PLOT}.layout.xaxis.range[0].startsWith('2019-02-28')")
    assert opened.x_range() != before
    opened.page.keyboard.press("Tab")
    opened.page.keyboard.press("Space")
    opened.page.wait_for_function(f"() => {PLOT}.layout.xaxis.range[0].startsWith('2019-06-07')")


def test_table_filters_and_the_one_marker_per_event_switch(opened):
    rows = opened.page.locator("#chronology tbody tr")
    assert rows.count() == 10
    opened.page.select_option("#f-agency", "School")
    assert rows.count() == 3
    opened.page.select_option("#f-type", "Neglect concern")
    assert rows.count() == 1
    opened.page.select_option("#f-agency", "")
    opened.page.select_option("#f-type", "")
    opened.page.fill("#f-text", "ppn")
    opened.page.wait_for_function("() => document.querySelectorAll('#chronology tbody tr').length === 3")
    # The plot's switch: every record -> one marker per real event (8 in this case).
    opened.page.locator(".updatemenu-button", has_text="One marker per real event").click()
    visible = f"""role => {PLOT}.data.filter(t => t.meta && t.meta.role === role).map(t => t.visible)"""
    opened.page.wait_for_function(f"() => ({visible})('records').every(v => v === false)")
    assert all(v is True for v in opened.page.evaluate(visible, "events"))


def _visits(kit, start: pd.Timestamp, n: int) -> pd.DataFrame:
    """``n`` invented home visits, seven hours apart, alternating Police and GP."""
    rows = [
        kit.event(i, "Police" if i % 2 else "GP", "2019-01-01", "home_visit", f"visit {i}") for i in range(n)
    ]
    for i, row in enumerate(rows):
        row["start"] = row["end"] = start + pd.Timedelta(hours=7 * i)
    return kit.make_events(rows)


def test_many_records_draw_with_webgl_offline(browser, run, kit, tmp_path):
    # 2,500 invented home visits: above the scattergl threshold.
    start = pd.Timestamp("2019-01-01", tz="Europe/London")
    run.events = _visits(kit, start, 2500)
    path = tmp_path / "many.html"
    write_report(run, path)
    view = Opened(browser, path)
    try:
        assert (
            view.page.evaluate(f"() => {PLOT}.data.find(t => t.meta.role === 'records').type") == "scattergl"
        )
        assert view.page.evaluate(COUNT_RECORDS) == 2500
        assert view.page.locator(".gl-canvas-context").count() == 1
        assert view.requests == [] and view.errors == []
        view.page.screenshot(path=str(tmp_path / "report_webgl.png"))
    finally:
        view.page.close()


def hover_gap_label(view: Opened, kind: str, point: int) -> str:
    """Move the mouse onto a shaded gap's label (just inside its corner) and return the hover box's text."""
    x, y = view.page.evaluate(
        f"""([kind, point]) => {{
            const gd = {PLOT}, full = gd._fullLayout, box = gd.getBoundingClientRect();
            const t = gd.data.find(t => t.meta && t.meta.role === 'gap_labels' && t.meta.kind === kind);
            const xa = full.xaxis, ya = full.yaxis;
            return [box.left + full._size.l + xa.l2p(xa.d2l(t.x[point])),
                    box.top + full._size.t + ya.l2p(ya.d2l(t.y[point]))];
        }}""",
        [kind, point],
    )
    view.page.mouse.move(x + 3, y + 3)
    label = view.page.locator(".hoverlayer .hovertext")
    label.wait_for()
    return label.text_content()


def test_gaps_are_shaded_and_their_labels_name_them_on_hover(opened, tmp_path):
    page = opened.page
    page.click("button[data-finding='F-INFO1']")
    page.wait_for_function(f"() => {PLOT}.layout.xaxis.range[0].startsWith('2019-02-28')")
    # The info-sharing gap: one filled rectangle (a trace under the markers), no layout shape of its own.
    fills = page.evaluate(
        f"""() => Array.from({PLOT}.querySelectorAll('.scatterlayer .trace .js-fill'))
            .map(p => [p.getAttribute('d') || '', getComputedStyle(p).fill, getComputedStyle(p).fillOpacity])
            .filter(([d]) => d.length > 0)"""
    )
    # The contact gap (grey) is drawn too: it is off to the right, clipped.
    assert [f[1:] for f in fills] == [["rgb(119, 119, 119)", "0.18"], ["rgb(204, 102, 119)", "0.18"]]
    assert page.evaluate(f"() => {PLOT}.layout.shapes.every(s => s.name.startsWith('lane:'))")
    assert page.locator(".textpoint", has_text="F-INFO1 info gap").count() == 1
    text = hover_gap_label(opened, "info_sharing_gap", 0)
    assert "F-INFO1" in text and "Information-sharing gap" in text and "03/03/2019 \u2013 17/03/2019" in text
    page.screenshot(path=str(tmp_path / "report_gap_hover.png"))
    # One legend entry per kind hides (and shows) its shading and labels together.
    page.locator(".legend .traces", has_text="Information-sharing gap").click()
    hidden = f"""() => {PLOT}.data.filter(t => t.meta.kind === 'info_sharing_gap').map(t => t.visible)"""
    page.wait_for_function(f"() => ({hidden})().every(v => v === 'legendonly')")
    assert page.locator(".textpoint", has_text="F-INFO1 info gap").count() == 0
    assert opened.errors == []


def test_many_gaps_draw_quickly_with_webgl_labels(browser, run, kit, tmp_path):
    # 2,500 records and 600 overlapping information-sharing gaps (two weeks each, one every day).
    start = pd.Timestamp("2019-01-01", tz="Europe/London")
    run.events = _visits(kit, start, 2500)
    gaps = [
        kit.finding(f"F-G{i:04d}", "info_sharing_gap", f"{start + pd.Timedelta(days=i):%Y-%m-%d}",
                    f"{start + pd.Timedelta(days=i + 13):%Y-%m-%d}", [f"r{i:03d}"])
        for i in range(600)
    ]  # fmt: skip
    run.findings = pd.DataFrame(gaps, columns=run.findings.columns)
    path = tmp_path / "gaps.html"
    write_report(run, path)
    view = Opened(browser, path)
    try:
        roles = view.page.evaluate(f"() => {PLOT}.data.map(t => [t.meta.role, t.type, (t.x || []).length])")
        fills = [n for role, _, n in roles if role == "gaps"]
        assert len(fills) == 14 and sum(fills) == 600 * 5  # 14 layers: no gap overlaps another of its layer
        assert [t for role, t, _ in roles if role == "gap_labels"] == ["scattergl"]
        assert view.page.evaluate(f"() => {PLOT}.layout.shapes.every(s => s.name.startsWith('lane:'))")
        assert view.page.locator(".gl-canvas-context").count() == 1
        view.page.click("button[data-finding='F-G0100']")
        view.page.wait_for_function(f"() => {PLOT}.layout.xaxis.autorange === false")
        # Labels that would overprint show on hover only: the label is found by its hover text.
        n = view.page.evaluate(
            f"() => {PLOT}.data.find(t => t.meta.role === 'gap_labels').hovertext"
            ".findIndex(h => h.indexOf('F-G0100<') >= 0)"
        )
        text = hover_gap_label(view, "info_sharing_gap", n)
        assert "F-G0100" in text and "11/04/2019 \u2013 24/04/2019" in text
        view.page.screenshot(path=str(tmp_path / "report_many_gaps.png"))
        assert view.requests == [] and view.errors == []
    finally:
        view.page.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    """The demo case's run and its timeline.html, made once for the module."""
    case = Path(__file__).resolve().parents[2] / "data_samples" / "child_h" / "case.toml"
    if not case.exists():
        pytest.skip(f"the demo case is not in this checkout ({case})")
    from chronology.config import load_config
    from chronology.pipeline import run_case

    run = run_case(load_config(case))
    path = tmp_path_factory.mktemp("demo") / "demo_timeline.html"
    write_report(run, path)
    return run, path


def test_demo_case_report(browser, demo, tmp_path):
    demo, path = demo
    view = Opened(browser, path)
    try:
        view.page.screenshot(path=str(tmp_path / "demo_1366x768.png"))
        events = int(((demo.events["status"] == "event") & demo.events["start"].notna()).sum())
        assert view.page.evaluate(COUNT_RECORDS) == events
        assert view.requests == [] and view.errors == []
        first = view.page.locator("button.finding").first
        if first.count():
            before = view.x_range()
            first.click()
            view.page.wait_for_function(f"r => String({PLOT}.layout.xaxis.range[0]) !== r", arg=before[0])
    finally:
        view.page.close()


def test_demo_report_prints_every_finding_and_record(browser, demo, tmp_path):
    """Chromium's print to PDF (A4 landscape): the whole findings list and table, the timeline on its page."""
    if not (shutil.which("pdftotext") and shutil.which("pdftoppm")):
        pytest.skip("pdftotext and pdftoppm (poppler-utils) are needed to read the PDF")
    run, path = demo
    records = run.events[(run.events["status"] == "event") & run.events["start"].notna()]
    view = Opened(browser, path)
    try:
        view.page.emulate_media(media="print")  # as printing does: the page renders every row
        view.page.wait_for_function(
            "n => document.querySelectorAll('#chronology tbody tr').length === n", arg=len(records)
        )
        width = view.page.evaluate(f"() => {PLOT}._fullLayout.width")
        pdf = tmp_path / "demo_timeline.pdf"
        view.page.pdf(
            path=str(pdf), format="A4", landscape=True, print_background=True, prefer_css_page_size=True
        )
        assert view.requests == [] and view.errors == []
    finally:
        view.page.close()
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    print(f"demo timeline.html printed: {pages} A4 landscape pages for {len(records)} records")
    # Findings (a page or two), the timeline, summary, who knew what, then the table: 249 records need ~20.
    assert 8 <= pages <= 60
    assert width <= 1100  # the plot drawn at the page's width (A4 landscape is about 1,050 px at 96 dpi)
    raw = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True)
    text = " ".join(raw.stdout.split())
    live = run.findings[run.findings["status"] != "dismissed"]
    for fid, title in zip(live["finding_id"], live["title"], strict=True):
        assert fid in text and " ".join(str(title).split()) in text, fid
    sheet = records["source_sheet"].fillna("").astype(str)
    citations = records["source_file"] + sheet.where(sheet == "", ", sheet " + sheet) + ", row "
    citations = citations + records["source_row"].astype(str)
    for cite, n in citations.value_counts().items():
        assert text.count(f"{cite} ") + text.endswith(cite) >= n, cite  # every record's row, once at least
    assert "Who knew what, when" in text
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "3", str(pdf), str(tmp_path / "print")], check=True
    )
    assert (tmp_path / "print-01.png").stat().st_size > 0  # the first page, kept to be looked at


def hover_texts_of(view: Opened, role: str) -> list[str]:
    """The hover texts the page gave a role's markers, trace by trace."""
    return view.page.evaluate(
        f"role => {PLOT}.data.filter(t => t.meta && t.meta.role === role).flatMap(t => t.text)", role
    )


def test_hover_texts_built_in_the_page_are_those_of_the_jupyter_figure(first_look, run):
    # The page builds every marker's hover from the table rows; Python builds them for Jupyter.
    figure = build_timeline(
        run.events, run.clusters, run.findings, date_of_birth=run.config.date_of_birth, agencies=lanes_of(run)
    )
    for role in ("records", "events"):
        python = [s for t in figure.data if t["meta"]["role"] == role for s in t["text"]]
        # Python's html.escape also writes quotes as entities; plotly shows both alike.
        assert [html.unescape(s) for s in hover_texts_of(first_look, role)] == [
            html.unescape(s) for s in python
        ]
    assert any(
        "Recorded by Children's Social Care, Police (2 records)" in s
        for s in hover_texts_of(first_look, "events")
    )


def test_a_late_record_of_an_event_says_how_late(demo, browser):
    # The demo's PPN receipts and minutes are dated days after their event's first record:
    # joining them must keep the delay visible in the hover of the record and of the event.
    _, path = demo
    view = Opened(browser, path)
    try:
        records = hover_texts_of(view, "records")
        assert any("after this event's first record" in s for s in records)
        assert any(" d)" in s and "Recorded by" in s for s in hover_texts_of(view, "events"))
        assert view.errors == []
    finally:
        view.page.close()


def test_the_one_marker_per_event_hover_shows(opened):
    opened.page.locator(".updatemenu-button", has_text="One marker per real event").click()
    curve = opened.page.evaluate(
        f"() => {PLOT}.data.findIndex(t => t.meta && t.meta.role === 'events' && t.visible === true && "
        "t.text.some(s => s.includes('2 records')))"
    )
    point = opened.page.evaluate(f"c => {PLOT}.data[c].text.findIndex(s => s.includes('2 records'))", curve)
    opened.page.evaluate(
        f"([c, p]) => Plotly.Fx.hover({PLOT}, [{{curveNumber: c, pointNumber: p}}])", [curve, point]
    )
    label = opened.page.locator(".hoverlayer .hovertext")
    label.wait_for()
    assert "Recorded by" in label.text_content() and "2 records" in label.text_content()
    assert opened.errors == []


def test_hostile_finding_texts_show_as_text(browser, run, kit, tmp_path):
    # The findings panel is built by the page's script from the data: still text, never markup.
    run.findings.loc[run.findings["finding_id"] == "F-MISS1", ["title", "statement"]] = [
        kit.HOSTILE,
        kit.HOSTILE,
    ]
    path = tmp_path / "hostile.html"
    write_report(run, path)
    view = Opened(browser, path)
    try:
        button = view.page.locator("button[data-finding='F-MISS1']")
        assert button.locator(".ftitle").text_content() == kit.HOSTILE
        assert button.locator(".fstatement").text_content() == kit.HOSTILE
        button.click()
        assert kit.HOSTILE in view.page.locator("#status").text_content()
        assert view.page.locator("#findings img, #findings script").count() == 0
        assert view.page.evaluate("() => window.__pwned") is None
        assert view.requests == [] and view.errors == []
    finally:
        view.page.close()


def test_findings_panel_looks_as_before(first_look):
    # The buttons the script builds: id, severity, kind, then title, period and statement.
    buttons = first_look.page.locator("#finding-list li > button.finding")
    assert buttons.count() == 3
    first = buttons.nth(1)
    assert first.get_attribute("class") == "finding sev-high" and first.get_attribute("type") == "button"
    assert first.get_attribute("aria-pressed") == "false"
    assert first.inner_html() == (
        '<span class="fid">F-MISS1</span> <span class="sev">high</span> \u00b7 Missed handoff'
        '<span class="ftitle">missed handoff F-MISS1</span><span class="fperiod">10/06/2019 \u2013 17/06/2019</span>'
        '<span class="fstatement">Statement of F-MISS1.</span>'
    )
    assert first_look.page.locator("#status").text_content() == ""  # "Reading the chronology..." is gone


def test_findings_sorted_by_severity_and_filtered_by_kind_severity_and_status(opened):
    page = opened.page
    ids = page.locator("#finding-list li:not([hidden]) .fid").all_text_contents()
    assert ids == ["F-INFO1", "F-MISS1", "F-GAP01"]  # high (by date), then medium
    assert page.locator("#ff-count").text_content() == "3 findings"
    page.select_option("#ff-severity", "medium")
    assert page.locator("#finding-list li:not([hidden]) .fid").all_text_contents() == ["F-GAP01"]
    assert page.locator("#ff-count").text_content() == "Showing 1 of 3 findings"
    page.select_option("#ff-severity", "")
    page.select_option("#ff-kind", "Missed handoff")
    assert page.locator("#finding-list li:not([hidden]) .fid").all_text_contents() == ["F-MISS1"]
    page.select_option("#ff-kind", "")
    assert page.locator("#ff-status option").all_text_contents() == [
        "All",
        "open",
    ]  # the dismissed one is not listed
    page.select_option("#ff-kind", "Missed handoff")
    page.emulate_media(media="print")  # paper shows every finding, whatever the filters
    page.evaluate("() => window.__preparePrint()")
    assert page.locator("#finding-list li:not([hidden])").count() == 3


def test_table_shows_only_the_review_scope_when_asked(browser, run, tmp_path):
    from dataclasses import replace
    from datetime import date

    run.config = replace(run.config, scope=(date(2019, 6, 1), date(2019, 12, 31)))
    path = tmp_path / "scoped.html"
    write_report(run, path)
    view = Opened(browser, path)
    try:
        assert view.page.locator("#f-scope").is_visible()
        assert view.page.locator("#chronology tbody tr").count() == 10
        view.page.check("#f-scope")
        # Inside 01/06-31/12/2019: the 10 June PPN, the strategy meeting (2), September, the GP's 2 December
        # and 3 December letter: 6 of 10.
        assert view.page.locator("#chronology tbody tr").count() == 6
        assert view.page.locator("#f-count").text_content() == "Showing 6 of 6 records (filtered from 10)"
        assert view.page.evaluate(f"() => {PLOT}.data.some(t => t.meta && t.meta.role === 'scope')")
        assert view.errors == []
    finally:
        view.page.close()


def test_many_records_show_a_density_until_zoomed_in(browser, run, kit, tmp_path):
    # 3,200 visits seven hours apart (about 2.5 years): more than the 3,000 drawn one by one.
    start = pd.Timestamp("2019-01-01", tz="Europe/London")
    run.events = _visits(kit, start, 3200)
    run.findings = run.findings.iloc[:0]
    path = tmp_path / "dense.html"
    write_report(run, path)
    view = Opened(browser, path)
    try:
        shown = f"role => {PLOT}.data.filter(t => t.meta && t.meta.role === role).map(t => t.visible)"
        assert view.page.evaluate(shown, "density") == [True]
        assert set(view.page.evaluate(shown, "records")) == {False}
        view.page.evaluate(f"() => Plotly.relayout({PLOT}, {{'xaxis.range': ['2019-03-01', '2019-04-01']}})")
        view.page.wait_for_function(
            f"() => {PLOT}.data.find(t => t.meta.role === 'density').visible === false"
        )
        assert set(view.page.evaluate(shown, "records")) == {True}  # about 100 records in that month
        view.page.evaluate(f"() => Plotly.relayout({PLOT}, {{'xaxis.autorange': true}})")
        view.page.wait_for_function(
            f"() => {PLOT}.data.find(t => t.meta.role === 'density').visible === true"
        )
        view.page.screenshot(path=str(tmp_path / "dense.png"))
        assert view.requests == [] and view.errors == []
    finally:
        view.page.close()


def test_a_browser_without_decompression_says_so(browser, small_report):
    # Browsers before 2023 (Firefox 113, Safari 16.4) have no DecompressionStream: a message, not a blank page.
    view = Opened(browser, small_report, before="delete window.DecompressionStream;", ready=False)
    try:
        status = view.page.locator("#status")
        status.wait_for()
        view.page.wait_for_function("() => document.getElementById('status').textContent.includes('too old')")
        assert "Open the file in a current Edge, Chrome, Firefox" in status.text_content()
        assert status.is_visible() and "failed" in status.get_attribute("class")
        assert view.page.evaluate("() => window.__plotReady") is None
        assert view.requests == [] and view.errors == []
    finally:
        view.page.close()


def test_damaged_data_says_so(browser, small_report, tmp_path):
    page = small_report.read_text(encoding="utf-8")
    start = page.index('data-encoding="base64">') + len('data-encoding="base64">')
    cut = tmp_path / "cut.html"
    cut.write_text(
        page[:start] + page[start : start + 400] + page[page.index("</script>", start) :], encoding="utf-8"
    )
    view = Opened(browser, cut, ready=False)
    try:
        view.page.wait_for_function(
            "() => document.getElementById('status').textContent.includes('could not be read')"
        )
        assert "ask for it again" in view.page.locator("#status").text_content()
        assert view.requests == []
    finally:
        view.page.close()


def test_findings_of_one_concern_sit_under_one_line_that_opens(browser, run, kit, tmp_path):
    # Two agencies show no knowledge of one concern: the panel reads one line naming both, which opens
    # to the two findings a reviewer cites, zooms to their period and rings both their records.
    from dataclasses import replace

    extra = pd.DataFrame(
        [
            kit.finding(
                "F-INFO2",
                "info_sharing_gap",
                "2019-03-03",
                "2019-03-17",
                ["r001"],
                from_agency="Police",
                to_agency="GP",
                title="GP shows no knowledge of the injury recorded by Police",
            ),
            kit.finding(
                "F-INFO3",
                "info_sharing_gap",
                "2019-03-03",
                "2019-03-24",
                ["r001", "r002"],
                from_agency="Police",
                to_agency="School",
                severity="medium",
                title="School shows no knowledge of the injury recorded by Police",
            ),
        ]  # fmt: skip
    )
    grouped = replace(run, findings=pd.concat([run.findings, extra], ignore_index=True))
    path = tmp_path / "grouped.html"
    write_report(grouped, path)
    view = Opened(browser, path)
    try:
        page = view.page
        head = page.locator("#finding-list button.finding-group")
        assert head.count() == 1
        assert head.locator(".ftitle").text_content() == (
            "The injury recorded by Police on 03/03/2019: GP, School show no knowledge of it"
        )
        assert head.locator(".fcount").text_content() == "2 findings" and head.get_attribute(
            "class"
        ).endswith("high")
        members = page.locator("#finding-list li.group ol.members")
        assert members.is_hidden() and head.get_attribute("aria-expanded") == "false"
        assert page.locator("#ff-count").text_content() == "5 findings"  # findings, not lines
        head.click()
        assert members.is_visible() and head.get_attribute("aria-expanded") == "true"
        assert members.locator("button.finding .fid").all_text_contents() == ["F-INFO2", "F-INFO3"]
        assert "Showing 2 findings" in page.locator("#status").text_content()
        assert "(2 records ringed)" in page.locator("#status").text_content()  # r001 once, and r002
        page.screenshot(path=str(tmp_path / "grouped_screen.png"))
        assert view.x_range()[1] >= "2019-03-24"  # the later finding's end is in view
        page.select_option("#ff-kind", "Missed handoff")
        assert page.locator("#finding-list li.group").is_hidden()  # none of its findings shown
        page.select_option("#ff-kind", "")
        page.select_option("#ff-severity", "medium")
        assert head.locator(".fcount").text_content() == "1 of 2 findings"
        head.click()  # closes it: the plot stays where it was
        head.click()  # opens it again, on the finding the filters show
        assert "Showing 1 finding:" in page.locator("#status").text_content()
        page.select_option("#ff-severity", "")
        head.focus()
        page.keyboard.press("Enter")  # a button: the keyboard opens and closes it too
        assert head.get_attribute("aria-expanded") == "false"
        page.emulate_media(media="print")
        page.evaluate("() => window.__preparePrint()")
        assert members.is_visible()  # paper shows every finding, each line open
        assert view.errors == [] and view.requests == []
        page.screenshot(path=str(tmp_path / "grouped.png"), full_page=False)
    finally:
        view.page.close()
