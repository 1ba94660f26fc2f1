"""timeline.html: one self-contained page for the panel, opened offline.

The page holds plotly.js inline, the timeline, a findings panel (click or
Enter zooms the timeline to a finding's period and rings its records) and the
integrated chronology as a filterable table. It makes no network request: a
Content-Security-Policy forbids any, and no asset is referenced by URL.

The page's data (the figure, the findings, the table's rows) is embedded as
gzip in base64 (``pack_data``: about a tenth of the JSON's size) and read back
in the page with the browser's ``DecompressionStream``; a browser without it
(before 2023) is told so in the page. The bytes are the same for the same run:
the gzip header holds no time stamp and a fixed OS byte.

Text from the chronologies never reaches the page as markup: what Python writes
as HTML (the title, the summary) goes through ``html.escape``; the data travels
as base64, which holds no ``<``, so an entry holding ``</script>`` cannot end
the block; the page's script sets every text with ``textContent`` and escapes
what it hands plotly as hover text.

Example:
    >>> write_report(run, Path("out/timeline.html"))  # doctest: +SKIP
"""

from __future__ import annotations

import base64
import html
import importlib.metadata
import json
import re
import zlib
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import plotly.io as pio
import plotly.offline

from chronology.views import knowledge, packs, services
from chronology.views.palette import agency_colours, lane_order
from chronology.views.records import X_FORMAT, column_lists, sort_codes, wall_times
from chronology.views.timeline import SHADED_KINDS, build_timeline

if TYPE_CHECKING:
    from chronology.pipeline import Run

ASSETS = Path(__file__).resolve().parent / "report_assets"
#: Plotly config: nothing that could reach the network (no cloud links, no MathJax, no topojson).
PLOTLY_CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "showLink": False,
    "showSendToCloud": False,
    "showEditInChartStudio": False,
    "typesetMath": False,
    "topojsonURL": "",
    "responsive": True,
    "scrollZoom": False,
    "modeBarButtonsToRemove": ["lasso2d", "select2d"],
    "toImageButtonOptions": {"filename": "timeline", "scale": 2},
}
KIND_LABELS = {
    "missed_handoff": "Missed handoff",
    "info_sharing_gap": "Information-sharing gap",
    "contact_gap": "Child not seen",
    "timescale_breach": "Timescale breach",
    "repeated_concern": "Repeated concern",
    "closure_after_concern": "Closure after concern",
    "conflicting_accounts": "Conflicting accounts",
}
_PLACEHOLDER = re.compile(r"@@([A-Z]+)@@")
#: Placeholders whose text is the same on every page (their UTF-8 is kept, not encoded per page).
_FIXED = frozenset({"CSS", "PLOTLYJS", "JS"})
#: zlib's level for the embedded data. On a 1k-record case's 0.76 MB of JSON: level 1 takes 2.8 ms
#: for 143 KB of base64, 3 takes 3.6 ms for 123 KB, 6 (zlib's default) 8.7 ms for 96 KB; on the
#: generated 10k case's 7.3 MB: 26 ms / 1.33 MB, 36 ms / 1.13 MB, 90 ms / 0.88 MB.
GZIP_LEVEL = 3


def pack_data(text: str) -> str:
    """``text`` as UTF-8, gzipped and in base64, the same bytes for the same text.

    zlib's gzip header has no time stamp but names the OS zlib was built for; it
    is set to 255 ("unknown") so that the bytes do not depend on it.

    Example:
        >>> pack_data('{"a":1}')
        'H4sIAAAAAAAA/6tWSlSyMqwFAK+sG1YHAAAA'
    """
    packed = zlib.compress(text.encode("utf-8"), GZIP_LEVEL, wbits=31)
    return base64.b64encode(packed[:9] + b"\xff" + packed[10:]).decode("ascii")


def unpack_data(text: str) -> str:
    """The text ``pack_data`` packed (for tests and checks; the page does this in JavaScript).

    Example:
        >>> unpack_data(pack_data("</script>"))
        '</script>'
    """
    return zlib.decompress(base64.b64decode(text, validate=True), wbits=31).decode("utf-8")


@lru_cache(maxsize=1)
def _version() -> str:
    try:
        return importlib.metadata.version("chronology")
    except importlib.metadata.PackageNotFoundError:
        return "(development copy)"


@lru_cache(maxsize=8)
def _encoded(name: str) -> bytes:
    """A fixed part of the page as UTF-8, encoded once."""
    return _fixed(name).encode("utf-8")


@lru_cache(maxsize=8)
def _asset(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")


@lru_cache(maxsize=4)
def _template(name: str) -> dict[str, Any]:
    """A named plotly template as the JSON plotly.js needs (it knows no template names)."""
    return pio.templates[name].to_plotly_json()


@lru_cache(maxsize=1)
def _plotly_js() -> str:
    # A "</script" inside plotly.js would end the block early; it holds none, but guard anyway.
    return plotly.offline.get_plotlyjs().replace("</script", "<\\/script")


def _fixed(name: str) -> str:
    """The text of a placeholder that is the same on every page."""
    return _plotly_js() if name == "PLOTLYJS" else _asset(f"report.{name.lower()}")


@lru_cache(maxsize=1)
def _split() -> list[str]:
    """The page's template cut at its placeholders: text, name, text, name, ..., text."""
    return _PLACEHOLDER.split(_asset("report.html"))


def _pieces(values: dict[str, str]) -> list[tuple[str | None, str]]:
    """The page as (placeholder name or None, text) pieces, in order; inserted text is never rescanned."""
    out: list[tuple[str | None, str]] = []
    for i, piece in enumerate(_split()):
        if i % 2 == 0:
            out.append((None, piece))
        else:
            out.append((piece, _fixed(piece) if piece in _FIXED else values[piece]))
    return out


def _esc(value: Any) -> str:
    return html.escape(_text(value))


def _day(value: Any) -> str:
    return "" if value is None or pd.isna(value) else f"{pd.Timestamp(value):%d/%m/%Y}"


def _live_findings(findings: pd.DataFrame | None) -> tuple[pd.DataFrame, int]:
    """Findings not dismissed by the reviewer, in date order, and how many were dismissed."""
    if findings is None or not len(findings):
        return pd.DataFrame(
            columns=["finding_id", "kind", "severity", "title", "statement", "start", "end"]
        ), 0
    if "status" in findings.columns:
        dismissed = findings["status"].fillna("").eq("dismissed").to_numpy(dtype=bool)
    else:
        dismissed = np.zeros(len(findings), dtype=bool)
    rows = np.flatnonzero(~dismissed)
    # Sorted (stably, missing starts last) as pandas sorts; np.lexsort takes the last key first.
    starts = pd.to_datetime(findings["start"].iloc[rows], utc=True)
    order = np.lexsort([sort_codes(findings["finding_id"].iloc[rows]), sort_codes(starts)])
    return findings.iloc[rows[order]], int(dismissed.sum())


def _days(values: pd.Series) -> list[str]:
    """``_day`` of each value, formatted for the whole column at once when it holds datetimes."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.strftime("%d/%m/%Y").where(values.notna(), "").tolist()
    return [_day(v) for v in values.tolist()]


def _missing(value: Any) -> bool:
    return value is None or (not isinstance(value, list | tuple) and bool(pd.isna(value)))


def _text(value: Any) -> str:
    return "" if _missing(value) else str(value)


def _findings_panel(live: pd.DataFrame) -> tuple[str, list[list[str]]]:
    """The findings panel's markup and, per finding, the texts of its button (the page builds them).

    Each button's texts: finding id, severity, kind, title, period, statement,
    and the reviewer's status (open, accepted), which the panel's filters read.
    """
    if not len(live):
        return "<p>No findings.</p>", []
    cols = column_lists(live, "finding_id", "kind", "severity", "title", "statement")
    statuses = (
        live["status"].fillna("open").astype(str).tolist() if "status" in live else ["open"] * len(live)
    )
    items = []
    for fid, kind, severity, title, statement, first, last, status in zip(
        *cols, _days(live["start"]), _days(live["end"]), statuses, strict=True
    ):
        period = first + (f" \u2013 {last}" if last not in ("", first) else "")
        items.append(
            [
                _text(fid),
                _text(severity),
                _text(KIND_LABELS.get(kind, kind)),
                _text(title),
                period,
                _text(statement),
                status or "open",
            ]
        )
    filters = (
        '<form class="ffilters" id="ffilters" onsubmit="return false">'
        '<label>Kind <select id="ff-kind"><option value="">All</option></select></label> '
        '<label>Severity <select id="ff-severity"><option value="">All</option></select></label> '
        '<label>Status <select id="ff-status"><option value="">All</option></select></label> '
        '<span id="ff-count" class="hint" role="status" aria-live="polite"></span></form>'
    )
    return filters + '<ol id="finding-list"></ol>', items


def _panel_groups(live: pd.DataFrame) -> list[list[Any]]:
    """The panel's lines of several findings (one concern or handoff, one finding per agency).

    Each: [finding ids, severity, kind label, the line's title, period]; the page
    shows each under one line that opens to its findings (``panel_lines``).
    """
    from chronology.analysis.panel import panel_lines

    if not len(live):
        return []
    lines = panel_lines(live)
    lines = lines[lines["finding_ids"].map(len) > 1]
    out = []
    for line, first, last in zip(
        lines.to_dict("records"), _days(lines["start"]), _days(lines["end"]), strict=True
    ):
        period = first + (f" \u2013 {last}" if last not in ("", first) else "")
        label = KIND_LABELS.get(line["kind"], line["kind"])
        out.append(
            [list(line["finding_ids"]), _text(line["severity"]), _text(label), _text(line["title"]), period]
        )
    return out


def _small_table(headers: Sequence[str], rows: list[list[Any]], numeric: set[int] | None = None) -> str:
    numeric = numeric or set()
    head = "".join(f'<th scope="col">{_esc(h)}</th>' for h in headers)
    body = "".join(
        "<tr>"
        + "".join(f"<td{' class=n' if i in numeric else ''}>{_esc(v)}</td>" for i, v in enumerate(r))
        + "</tr>"
        for r in rows
    )
    return f'<table class="small"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _summary(run: Run, live: pd.DataFrame, dismissed: int) -> str:
    parts = []
    src = run.sources if run.sources is not None else pd.DataFrame()
    if len(src.columns):
        cols = [c for c in src.columns if c not in ("raw",)]
        rows = [
            [(str(v)[:12] + "\u2026") if c == "sha256" else v for c, v in zip(cols, r, strict=True)]
            for r in src[cols].itertuples(index=False)
        ]
        numeric = {i for i, c in enumerate(cols) if pd.api.types.is_numeric_dtype(src[c])}
        parts.append(f"<div><h3 class=hint>Sources</h3>{_small_table(cols, rows, numeric)}</div>")
    statuses = run.events["status"].value_counts() if len(run.events) else pd.Series(dtype=int)
    counts = [[s, int(statuses.get(s, 0))] for s in ("event", "continuation", "rejected")]
    counts.append(["real events (matched)", len(run.clusters) if run.clusters is not None else 0])
    parts.append(f"<div><h3 class=hint>Records</h3>{_small_table(['', 'count'], counts, {1})}</div>")
    if len(live):
        # Findings per kind and severity (those missing either are not counted).
        pairs = Counter(
            (k, s)
            for k, s in zip(*column_lists(live, "kind", "severity"), strict=True)
            if not (_missing(k) or _missing(s))
        )
        sev_cols = [s for s in ("high", "medium", "low") if any(sev == s for _, sev in pairs)]
        totals: Counter[str] = Counter()
        for (k, _), n in pairs.items():
            totals[k] += n
        rows = [
            [KIND_LABELS.get(k, k), *[pairs.get((k, s), 0) for s in sev_cols], totals[k]]
            for k in sorted(totals)
        ]
        table = _small_table(["finding", *sev_cols, "total"], rows, set(range(1, len(sev_cols) + 2)))
    else:
        table = "<p>No findings.</p>"
    note = (
        f"<p class=hint>{dismissed} finding(s) dismissed by the reviewer are not shown.</p>"
        if dismissed
        else ""
    )
    parts.append(f"<div><h3 class=hint>Findings</h3>{table}{note}</div>")
    if run.warnings:
        items = "".join(f"<li>{_esc(w)}</li>" for w in run.warnings)
        parts.append(
            f"<div><details><summary>Warnings ({len(run.warnings)})</summary><ul>{items}</ul></details></div>"
        )
    return '<div class="summary-grid">' + "".join(parts) + "</div>"


def _zoom_one(low: pd.Timestamp, high: pd.Timestamp, shaded: bool) -> tuple[str, str]:
    """The x-range to zoom to for a finding spanning ``low`` to ``high``."""
    if shaded:
        high = max(high, high.normalize() + pd.Timedelta(days=1))
    pad = max(pd.Timedelta(days=3), (high - low) * 0.08)
    return (low - pad).strftime(X_FORMAT), (high + pad).strftime(X_FORMAT)


def _zoom_ranges(
    rec_lo: np.ndarray, rec_hi: np.ndarray, live: pd.DataFrame
) -> tuple[list[str | None], list[str | None]]:
    """Each finding's zoom range from its records' bounds and its own start and end (None: nothing to zoom to).

    The range runs from the earliest to the latest of these (a shaded gap to at
    least the end of its last day), padded by 8% of its length and at least 3 days.
    """
    starts, ends = live["start"], live["end"]
    shaded = live["kind"].isin(list(SHADED_KINDS)).to_numpy()
    unit = np.datetime_data(rec_lo.dtype)[0]
    if not all(pd.api.types.is_datetime64_any_dtype(c) and c.dt.unit == unit for c in (starts, ends)):
        # Text or mixed values: one finding at a time, as each value may carry its own timezone and unit.
        x0: list[str | None] = []
        x1: list[str | None] = []
        for lo, hi, start, end, shade in zip(
            pd.DatetimeIndex(rec_lo),
            pd.DatetimeIndex(rec_hi),
            starts.tolist(),
            ends.tolist(),
            shaded,
            strict=True,
        ):
            bounds = [] if pd.isna(lo) else [lo, hi]
            for v in (start, end):
                if v is not None and not pd.isna(v):
                    t = pd.Timestamp(v)
                    bounds.append(t.tz_localize(None) if t.tzinfo else t)
            a, b = _zoom_one(min(bounds), max(bounds), bool(shade)) if bounds else (None, None)
            x0.append(a)
            x1.append(b)
        return x0, x1
    # All bounds share one unit, so the arithmetic below is that of _zoom_one, for every finding at once.
    every = np.stack([rec_lo, rec_hi, wall_times(starts).to_numpy(), wall_times(ends).to_numpy()])
    nat = np.isnat(every)
    some = ~nat.all(axis=0)
    ticks = every.view("i8")
    big = np.iinfo(np.int64)
    low_i = np.where(some, np.where(nat, big.max, ticks).min(axis=0), 0)
    high_i = np.where(some, np.where(nat, big.min, ticks).max(axis=0), 0)
    low = pd.DatetimeIndex(low_i.view(rec_lo.dtype))
    high = pd.DatetimeIndex(high_i.view(rec_lo.dtype))
    day_end = high.normalize() + pd.Timedelta(days=1)
    high = pd.DatetimeIndex(np.where(shaded & (day_end > high), day_end, high))
    span = (high - low) * 0.08
    pad = span.where(span > pd.Timedelta(days=3), pd.Timedelta(days=3))
    return (
        [a if ok else None for a, ok in zip((low - pad).strftime(X_FORMAT).tolist(), some, strict=True)],
        [b if ok else None for b, ok in zip((high + pad).strftime(X_FORMAT).tolist(), some, strict=True)],
    )


def _finding_zoom(live: pd.DataFrame, recs: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Per finding: the x-range to zoom to and the positions of its plotted records.

    One pass over (finding, record) pairs: each finding's cited records are
    looked up by record_id, and the earliest and latest bound of its plotted
    records taken per finding at once (no pandas indexing per finding).
    """
    if not len(live):
        return {}
    rows: dict[str, list[int]] = {}
    for i, rid in enumerate(recs["record_id"].tolist()):
        rows.setdefault(rid, []).append(i)
    xs = recs["x"].tolist()
    ys = recs["y"].round(3).tolist()
    # The plotted bounds x0 and x1 (to the minute), in the findings' unit where they have one.
    unit = live["start"].dt.unit if pd.api.types.is_datetime64_any_dtype(live["start"]) else "us"
    bound0, bound1 = (
        recs[c].to_numpy().astype("datetime64[m]").astype(f"datetime64[{unit}]") for c in ("start", "x1_ts")
    )
    ids, cited = column_lists(live, "finding_id", "record_ids")
    # (finding, plotted record) pairs, in the order each finding cites its records.
    pair_f: list[int] = []
    pair_r: list[int] = []
    for n, rids in enumerate(cited):
        for r in rids if rids is not None else []:
            for i in rows.get(str(r), ()):
                pair_f.append(n)
                pair_r.append(i)
    rec_lo = np.full(len(ids), np.datetime64("NaT"), dtype=bound0.dtype)
    rec_hi = rec_lo.copy()
    if pair_f:
        f_of = np.asarray(pair_f)
        r_of = np.asarray(pair_r)
        at = np.flatnonzero(np.r_[True, f_of[1:] != f_of[:-1]])  # pairs are grouped by finding already
        rec_lo[f_of[at]] = np.minimum.reduceat(np.minimum(bound0[r_of], bound1[r_of]), at)
        rec_hi[f_of[at]] = np.maximum.reduceat(np.maximum(bound0[r_of], bound1[r_of]), at)
    px: dict[int, list[Any]] = {}
    py: dict[int, list[Any]] = {}
    for n, i in zip(pair_f, pair_r, strict=True):
        px.setdefault(n, []).append(xs[i])
        py.setdefault(n, []).append(ys[i])
    zoom_x0, zoom_x1 = _zoom_ranges(rec_lo, rec_hi, live)
    out: dict[str, dict[str, Any]] = {}
    for n, (fid, x0, x1) in enumerate(zip(ids, zoom_x0, zoom_x1, strict=True)):
        if x0 is None:
            continue
        out[str(fid)] = {"x0": x0, "x1": x1, "px": px.get(n, []), "py": py.get(n, [])}
    return out


def _in_scope(recs: pd.DataFrame, scope: Any) -> list[bool] | None:
    """Per plotted record, whether the period it may refer to meets the review's scope (None: no scope)."""
    if not scope:
        return None
    begin, finish = scope
    inside = np.ones(len(recs), dtype=bool)
    if begin is not None:
        inside &= recs["last"].to_numpy() >= np.datetime64(begin)
    if finish is not None:
        inside &= recs["start"].to_numpy() < np.datetime64(finish) + np.timedelta64(1, "D")
    return inside.tolist()


def lanes_of(run: Run) -> list[str]:
    """Agencies top to bottom, in the order that also sets their colours.

    ``palette.lane_order``: first the agencies in the order they first appear
    among dated event records (the timeline's own default, and the workbook's
    order), then the case.toml sources with no dated record (an empty lane
    says so), then any other.

    Example:
        >>> lanes_of(run)  # doctest: +SKIP
        ['Police', "Children's Social Care", 'School', 'GP']
    """
    return lane_order(run.events, [s.agency for s in run.config.sources])


def _page(run: Run) -> list[tuple[str | None, str]]:
    """The page of one run as pieces (see ``_pieces``)."""
    live, dismissed = _live_findings(run.findings)
    parts = build_timeline(
        run.events,
        run.clusters,
        live,
        date_of_birth=run.config.date_of_birth,
        agencies=lanes_of(run),
        record_hover=False,  # the page builds each marker's hover text from the table's rows
        scope=getattr(run.config, "scope", None),
    )
    recs = parts.records
    highlight = next(i for i, t in enumerate(parts.data) if t["meta"]["role"] == "highlight")
    layout = {**parts.layout, "template": _template(parts.layout.get("template", "plotly_white"))}
    panel, buttons = _findings_panel(live)
    table = recs[
        [
            "date_text",
            "time_text",
            "age_text",
            "agency",
            "type_text",
            "description",
            "outcome",
            "practitioner",
            "citation",
        ]
    ]
    data = {
        # Plain JSON of plain dicts: a plotly Figure would deep-copy and re-validate every point.
        "figure": {"data": parts.data, "layout": layout},
        "config": PLOTLY_CONFIG,
        "highlight": highlight,
        "dob": run.config.date_of_birth.isoformat() if run.config.date_of_birth else None,
        "findings": _finding_zoom(live, recs),
        "panel": buttons,
        "groups": _panel_groups(live),
        "agencies": [[a, c] for a, c in agency_colours(parts.lanes).items()],
        "types": sorted(set(recs["type_text"].tolist())),
        "rows": table.astype(str).to_numpy().tolist(),
        "lag": recs["lag_text"].tolist() if "lag_text" in recs else [],
        "precision": recs["precision"].tolist(),
        "inScope": _in_scope(recs, getattr(run.config, "scope", None)),
    }
    name = run.config.name
    lanes = len(parts.lanes)
    dob = f"; child born {run.config.date_of_birth:%d/%m/%Y}" if run.config.date_of_birth else ""
    period = f", {_day(recs['start'].min())} to {_day(recs['last'].max())}" if len(recs) else ""
    lede = (
        f"{len(recs)} dated record{'' if len(recs) == 1 else 's'} from {lanes} agenc{'y' if lanes == 1 else 'ies'}"
        f"{period}{dob}; {len(live)} finding{'' if len(live) == 1 else 's'}."
    )
    return _pieces(
        {
            "TITLE": html.escape(name),
            "LEDE": html.escape(lede),
            "SUMMARY": _summary(run, live, dismissed),
            "KNOWLEDGE": knowledge.html_section(run),
            "SERVICES": services.html_section(run),
            "PACKS": packs.html_section(run),
            "FINDINGS": panel,
            "DATA": pack_data(json.dumps(data, ensure_ascii=False, separators=(",", ":"))),
            "VERSION": html.escape(_version()),
        }
    )


def report_html(run: Run) -> str:
    """The whole self-contained page for one run.

    Args:
        run: The pipeline's Run (config, events, sources, clusters, findings, warnings).

    Returns:
        The HTML text; the same run gives the same text, byte for byte.

    Example:
        >>> page = report_html(run)  # doctest: +SKIP
        >>> "<script src=" in page  # doctest: +SKIP
        False
    """
    return "".join(text for _, text in _page(run))


def write_report(run: Run, path: Path) -> None:
    """Write ``report_html(run)`` to ``path`` as UTF-8.

    The parts that are the same on every page (plotly.js, the CSS and script)
    are written from UTF-8 encoded once, not joined and encoded per page.

    Example:
        >>> write_report(run, Path("out/child_h/timeline.html"))  # doctest: +SKIP
    """
    with Path(path).open("wb") as out:
        for name, text in _page(run):
            out.write(_encoded(name) if name in _FIXED else text.encode("utf-8"))
