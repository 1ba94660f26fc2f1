"""The HTML report as text: self-contained, escaped, deterministic.

That the page fetches nothing and runs no hostile entry is checked in a real
browser by test_report_browser.py; here we check the text the browser gets.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
from dataclasses import replace

import pandas as pd
import plotly.offline

from chronology.views.report import pack_data, report_html, unpack_data, write_report

HOSTILE_RAW = "<script>window.__pwned=1</script>"


def page_without_plotly(page: str) -> str:
    """The page with the inlined plotly.js removed (plotly.js holds URL strings as text)."""
    js = plotly.offline.get_plotlyjs()
    assert page.count(js[:2000]) == 1
    start = page.index(js[:2000])
    end = page.index("</script>", start)
    return page[:start] + page[end:]


def data_block(page: str) -> str:
    """The page's data block as it stands: gzip in base64."""
    m = re.search(
        r'<script id="report-data" type="application/gzip" data-encoding="base64">(.*?)</script>', page, re.S
    )
    assert m
    return m.group(1)


def embedded_data(page: str) -> dict:
    """The page's data, unpacked and parsed."""
    return json.loads(unpack_data(data_block(page)))


def test_no_external_reference_outside_plotly(run):
    rest = page_without_plotly(report_html(run))
    assert "http://" not in rest and "https://" not in rest
    assert not re.search(r"<(script|img|link|iframe)[^>]*\s(src|href)=", rest, re.I)
    assert "<link" not in rest and "@import" not in rest and "url(" not in rest
    assert "default-src 'none'" in rest


def test_plotly_config_reaches_for_nothing(run):
    config = embedded_data(report_html(run))["config"]
    assert config["typesetMath"] is False and config["topojsonURL"] == ""
    assert config["displaylogo"] is False and config["showLink"] is False


def test_three_script_blocks_and_no_hostile_markup(run):
    page = report_html(run)
    # plotly.js, the data, the report's own script: a "</script>" in an entry would add one.
    assert page.count("</script>") == 3
    assert HOSTILE_RAW not in page and "<img src=x" not in page
    assert "\u2028" not in page  # a raw line separator would break older JS parsers
    assert "<h1>Child T &lt;test&gt; review</h1>" in page
    # The data travels as base64 (no "<", so it cannot end its block) and holds the hostile entry.
    assert re.fullmatch(r"[A-Za-z0-9+/]+=*", data_block(page))
    assert HOSTILE_RAW in unpack_data(data_block(page))


def test_hostile_entry_survives_as_text_in_the_data(run, kit):
    rows = embedded_data(report_html(run))["rows"]
    gp = next(r for r in rows if r[-1] == "gp.xlsx, sheet Chronology, row 10")
    assert gp[5] == kit.HOSTILE and gp[6] == "<b>bold?</b>"


def test_packed_data_is_base64_gzip_with_fixed_header_bytes():
    text = "</script><!-- & \u2028\u2029 Zo\u00eb " * 50
    packed = pack_data(text)
    assert re.fullmatch(r"[A-Za-z0-9+/]+=*", packed)
    assert unpack_data(packed) == text
    raw = base64.b64decode(packed)
    # gzip magic, deflate, no flags, no time stamp, OS "unknown": nothing from the clock or the platform.
    assert raw[:4] == b"\x1f\x8b\x08\x00" and raw[4:8] == b"\0\0\0\0" and raw[9] == 255
    assert gzip.decompress(raw).decode("utf-8") == text
    assert len(packed) < len(text) / 4


def test_findings_panel_lists_live_findings_as_buttons(run):
    page = report_html(run)
    panel = embedded_data(page)["panel"]
    # Date order; the dismissed F-DISM1 is left out and counted in the summary.
    assert [f[0] for f in panel] == ["F-INFO1", "F-MISS1", "F-GAP01"]
    assert '<ol id="finding-list"></ol>' in page  # the page's script makes the buttons
    assert "1 finding(s) dismissed" in page
    # Id, severity, kind, title, period, statement: the texts of each button.
    missed = panel[1]
    assert missed[:3] == ["F-MISS1", "high", "Missed handoff"] and missed[4] == "10/06/2019 \u2013 17/06/2019"


def test_findings_zoom_to_their_period_and_ring_their_records(run):
    data = embedded_data(report_html(run))
    missed = data["findings"]["F-MISS1"]
    # Period 10/06/2019-17/06/2019, padded by three days each side.
    assert (missed["x0"], missed["x1"]) == ("2019-06-07 00:00", "2019-06-20 00:00")
    assert missed["px"] == ["2019-06-10 11:30"]  # r004, the sending record
    highlight = data["figure"]["data"][data["highlight"]]
    assert highlight["meta"]["role"] == "highlight" and highlight["x"] == []


def test_gaps_are_shaded_by_traces_and_their_hover_escapes_the_title(run, kit):
    run.findings.loc[run.findings["finding_id"] == "F-INFO1", "title"] = kit.HOSTILE
    figure = embedded_data(report_html(run))["figure"]
    # A few traces, drawn first (under the markers), instead of a layout shape and label per gap.
    roles = [t["meta"]["role"] for t in figure["data"]]
    assert roles[:4] == ["gaps", "gap_labels", "gaps", "gap_labels"]
    assert all(s["name"].startswith("lane:") for s in figure["layout"]["shapes"])
    labels = {t["meta"]["kind"]: t for t in figure["data"] if t["meta"]["role"] == "gap_labels"}
    assert labels["contact_gap"]["text"] == ["F-GAP01 contact gap"]
    (hover,) = labels["info_sharing_gap"]["hovertext"]
    assert "<br>&lt;script&gt;window.__pwned=1&lt;/script&gt;&lt;img src=x" in hover
    assert "<script" not in hover and "<img" not in hover


def test_table_holds_every_event_in_date_order(run):
    rows = embedded_data(report_html(run))["rows"]
    assert len(rows) == 10
    assert [r[0] for r in rows[:3]] == ["03/03/2019", "04/03/2019", "04/03/2019"]
    assert rows[0][1:5] == ["22:15", "0y 9m", "Police", "Domestic abuse incident"]


def test_summary_counts_sources_records_and_findings(run):
    page = report_html(run)
    assert "police.xlsx" in page and "Missed handoff" in page
    assert re.search(r"<td>continuation</td><td class=n>1</td>", page)


def test_same_run_same_bytes_whatever_the_findings_order(run, tmp_path):
    first = report_html(run)
    run.findings = run.findings.iloc[::-1]
    run.clusters = run.clusters.iloc[::-1]
    assert report_html(run) == first
    write_report(run, tmp_path / "timeline.html")
    assert (tmp_path / "timeline.html").read_bytes() == first.encode("utf-8")


def test_lanes_follow_first_dated_record_then_sources_without_one(run):
    # A source with no dated record still gets a lane, after those with records.
    run.config = replace(
        run.config, sources=(*run.config.sources[1:], replace(run.config.sources[0], agency="Probation"))
    )
    page = report_html(run)
    lanes = embedded_data(page)["agencies"]
    assert [a for a, _ in lanes] == ["Police", "Children's Social Care", "School", "GP", "Probation"]


def test_renders_with_no_findings_and_no_clusters(run):
    run.findings = pd.DataFrame()
    run.clusters = pd.DataFrame()
    page = report_html(run)
    assert "No findings." in page and embedded_data(page)["findings"] == {}


def test_renders_with_no_dated_event(run):
    # Only the continuation and the rejected row: nothing to plot, nothing to list.
    run.events = run.events[run.events["status"] != "event"]
    data = embedded_data(report_html(run))
    assert data["rows"] == []
    assert [t for t in data["figure"]["data"] if t["meta"]["role"] == "records"] == []
    assert "0 dated records from 4 agencies; child born 21/05/2018; 3 findings." in report_html(run)


def test_records_in_the_review_scope_are_marked_for_the_table_filter(run):
    from dataclasses import replace
    from datetime import date

    run.config = replace(run.config, scope=(date(2019, 6, 1), date(2019, 12, 31)))
    data = embedded_data(report_html(run))
    dates = [r[0] for r in data["rows"]]
    inside = dict(zip(dates, data["inScope"], strict=True))
    # Before the scope; the September month and the 10 June PPN inside; the spring term 2020 after it.
    assert inside["03/03/2019"] is False and inside["September 2019"] is True and inside["10/06/2019"] is True
    assert inside["06/01/2020\u201303/04/2020"] is False
    assert "Only the review&#x27;s scope" in report_html(run) or "Only the review's scope" in report_html(run)
