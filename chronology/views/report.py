"""timeline.html: one self-contained page for the panel, opened offline.

The page holds plotly.js inline, the timeline, a findings panel (click or
Enter zooms the timeline to a finding's period and rings its records) and the
integrated chronology as a filterable table. It makes no network request: a
Content-Security-Policy forbids any, and no asset is referenced by URL.

Text from the chronologies is escaped twice over: ``html.escape`` for what the
page shows as HTML, and ``<``, ``>``, ``&``, U+2028 and U+2029 written as JSON
escapes in the embedded data, so an entry holding ``</script>`` cannot end the
script block; the page's script then sets it with ``textContent``.

Example:
    >>> write_report(run, Path("out/timeline.html"))  # doctest: +SKIP
"""

from __future__ import annotations

import html
import importlib.metadata
import json
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import plotly.io as pio
import plotly.offline

from chronology.views.palette import agency_colours, lane_order
from chronology.views.records import X_FORMAT, column_lists, wall_times
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
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_PLACEHOLDER = re.compile(r"@@([A-Z]+)@@")


def script_json(value: Any) -> str:
    """JSON that is safe inside a ``<script>`` block.

    Example:
        >>> script_json({"a": "</script>"})
        '{"a":"\\\\u003c/script\\\\u003e"}'
    """
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in _JSON_ESCAPES.items():
        text = text.replace(char, escaped)
    return text


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


def _fill(template: str, values: dict[str, str]) -> str:
    """Replace @@NAME@@ placeholders in one pass (inserted text is never rescanned)."""
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def _esc(value: Any) -> str:
    return html.escape(
        "" if value is None or (not isinstance(value, list | tuple) and pd.isna(value)) else str(value)
    )


def _day(value: Any) -> str:
    return "" if value is None or pd.isna(value) else f"{pd.Timestamp(value):%d/%m/%Y}"


def _live_findings(findings: pd.DataFrame | None) -> tuple[pd.DataFrame, int]:
    """Findings not dismissed by the reviewer, in date order, and how many were dismissed."""
    if findings is None or not len(findings):
        return pd.DataFrame(
            columns=["finding_id", "kind", "severity", "title", "statement", "start", "end"]
        ), 0
    if "status" in findings.columns:
        dismissed = findings["status"].fillna("").eq("dismissed")
    else:
        dismissed = pd.Series(False, index=findings.index)
    live = findings[~dismissed].copy()
    live["_start"] = pd.to_datetime(live["start"], utc=True)
    live = live.sort_values(["_start", "finding_id"], kind="stable", na_position="last")
    return live.drop(columns="_start"), int(dismissed.sum())


def _days(values: pd.Series) -> list[str]:
    """``_day`` of each value, formatted for the whole column at once when it holds datetimes."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.strftime("%d/%m/%Y").where(values.notna(), "").tolist()
    return [_day(v) for v in values.tolist()]


def _findings_panel(live: pd.DataFrame) -> str:
    if not len(live):
        return "<p>No findings.</p>"
    items = []
    cols = column_lists(live, "finding_id", "kind", "severity", "title", "statement")
    for fid, kind, severity, title, statement, first, last in zip(
        *cols, _days(live["start"]), _days(live["end"]), strict=True
    ):
        sev = str(severity) if severity in ("high", "medium", "low") else "low"
        period = first + (f" \u2013 {last}" if last not in ("", first) else "")
        items.append(
            f'<li><button type="button" class="finding sev-{sev}" data-finding="{_esc(fid)}" '
            f'aria-pressed="false"><span class="fid">{_esc(fid)}</span> '
            f'<span class="sev">{_esc(severity)}</span> \u00b7 {_esc(KIND_LABELS.get(kind, kind))}'
            f'<span class="ftitle">{_esc(title)}</span><span class="fperiod">{_esc(period)}</span>'
            f'<span class="fstatement">{_esc(statement)}</span></button></li>'
        )
    return "<ol>" + "".join(items) + "</ol>"


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
        by_kind = live.groupby("kind")["severity"].value_counts().unstack(fill_value=0)
        sev_cols = [s for s in ("high", "medium", "low") if s in by_kind.columns]
        rows = [
            [KIND_LABELS.get(k, k), *[int(by_kind.loc[k, s]) for s in sev_cols], int(by_kind.loc[k].sum())]
            for k in sorted(by_kind.index)
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
    bound0 = pd.to_datetime(recs["x0"], format=X_FORMAT).to_numpy()
    bound1 = pd.to_datetime(recs["x1"], format=X_FORMAT).to_numpy()
    ids, titles, cited = column_lists(live, "finding_id", "title", "record_ids")
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
    for n, (fid, title, x0, x1) in enumerate(zip(ids, titles, zoom_x0, zoom_x1, strict=True)):
        if x0 is None:
            continue
        out[str(fid)] = {"x0": x0, "x1": x1, "px": px.get(n, []), "py": py.get(n, []), "label": str(title)}
    return out


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
    try:
        version = importlib.metadata.version("chronology")
    except importlib.metadata.PackageNotFoundError:
        version = "(development copy)"
    live, dismissed = _live_findings(run.findings)
    parts = build_timeline(
        run.events,
        run.clusters,
        live,
        date_of_birth=run.config.date_of_birth,
        agencies=lanes_of(run),
        record_hover=False,  # the page builds each record's hover text from its table row
    )
    recs = parts.records
    highlight = next(i for i, t in enumerate(parts.data) if t["meta"]["role"] == "highlight")
    layout = {**parts.layout, "template": _template(parts.layout.get("template", "plotly_white"))}
    # Plain JSON of plain dicts: a plotly Figure would deep-copy and re-validate every point.
    fig_json = json.dumps({"data": parts.data, "layout": layout}, ensure_ascii=False, separators=(",", ":"))
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
    types = sorted(set(recs["type_text"].tolist()))
    rest = {
        "config": PLOTLY_CONFIG,
        "highlight": highlight,
        "dob": run.config.date_of_birth.isoformat() if run.config.date_of_birth else None,
        "findings": _finding_zoom(live, recs),
        "agencies": [[a, c] for a, c in agency_colours(parts.lanes).items()],
        "types": types,
        "rows": table.astype(str).to_numpy().tolist(),
        "precision": recs["precision"].tolist(),
    }
    data = '{"figure":' + fig_json + "," + json.dumps(rest, ensure_ascii=False, separators=(",", ":"))[1:]
    name = run.config.name
    lanes = len(parts.lanes)
    dob = f"; child born {run.config.date_of_birth:%d/%m/%Y}" if run.config.date_of_birth else ""
    period = f", {_day(recs['start'].min())} to {_day(recs['last'].max())}" if len(recs) else ""
    lede = (
        f"{len(recs)} dated record{'' if len(recs) == 1 else 's'} from {lanes} agenc{'y' if lanes == 1 else 'ies'}"
        f"{period}{dob}; {len(live)} finding{'' if len(live) == 1 else 's'}."
    )
    return _fill(
        _asset("report.html"),
        {
            "TITLE": html.escape(name),
            "LEDE": html.escape(lede),
            "SUMMARY": _summary(run, live, dismissed),
            "FINDINGS": _findings_panel(live),
            "CSS": _asset("report.css"),
            "PLOTLYJS": _plotly_js(),
            "DATA": script_json(data),
            "JS": _asset("report.js"),
            "VERSION": html.escape(version),
        },
    )


def write_report(run: Run, path: Path) -> None:
    """Write ``report_html(run)`` to ``path`` as UTF-8.

    Example:
        >>> write_report(run, Path("out/child_h/timeline.html"))  # doctest: +SKIP
    """
    Path(path).write_text(report_html(run), encoding="utf-8", newline="\n")
