"""The interactive timeline: one swimlane per agency, every record a marker.

The same function serves Jupyter (it returns a plotly Figure) and the HTML
report. Traces carry ``meta={"role": ...}`` so that code and tests can find them:
``records`` (one marker per plotted event row, one trace per event type),
``events`` (one marker per real event), ``ranges`` (approximate dates drawn from
start to end), ``connectors`` (records of one real event), ``handoffs``,
``missed`` (missed handoffs), ``gaps`` (shaded contact and information-sharing
gaps, first so that they are drawn under the rest), ``gap_labels`` (their
finding ids) and ``highlight`` (filled by the report).

Example:
    >>> fig = timeline(events, clusters, findings)  # doctest: +SKIP
    >>> fig.show()  # doctest: +SKIP
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from chronology.views.palette import GROUP_COLOURS, MISSED_COLOUR, agency_colours, group_colour, type_symbols
from chronology.views.records import (
    X_FORMAT,
    age_text,
    column_lists,
    format_times,
    hover_texts,
    per_event_records,
    plotted_records,
    wall_times,
)
from chronology.vocabulary import load_vocabulary

__all__ = [
    "GAP_LABEL_GL_THRESHOLD",
    "GL_THRESHOLD",
    "OUTSIDE_LANE",
    "SHADED_KINDS",
    "TimelineParts",
    "age_text",
    "build_timeline",
    "plotted_records",
    "timeline",
]

#: Above this many plotted records the markers are drawn with WebGL (scattergl).
GL_THRESHOLD = 2000
#: Lane label for handoff targets that are not one of the case's agencies.
OUTSIDE_LANE = "Outside the review"
#: Finding kinds shaded as periods on the timeline, with their fill colours.
SHADED_KINDS = {"contact_gap": "#777777", "info_sharing_gap": "#CC6677"}
#: The shaded kinds' legend names and the word after the finding id in their labels.
SHADED_NAMES = {"contact_gap": "Contact gap (child not seen)", "info_sharing_gap": "Information-sharing gap"}
SHADED_LABELS = {"contact_gap": "contact gap", "info_sharing_gap": "info gap"}
#: Opacity of one shaded gap (overlapping gaps darken).
SHADE_OPACITY = 0.18
#: Above this many shaded gaps their labels are drawn with WebGL (as are the records above GL_THRESHOLD).
GAP_LABEL_GL_THRESHOLD = 300


@dataclass
class TimelineParts:
    """A timeline as plain plotly data and layout, and the records it plots.

    Attributes:
        data: The traces, as plotly JSON dicts (each with ``meta.role``).
        layout: The layout, as a plotly JSON dict.
        records: One row per plotted record (sorted as plotted) with columns
            ``record_id``, ``agency``, ``x`` (plotted date text), ``y`` (lane
            position), ``x0``/``x1`` (the period it may refer to) and the text
            columns ``date_text``, ``time_text``, ``age_text``, ``type_text``,
            ``citation``.
        lanes: Agency labels from top to bottom.
        validate: Check the figure against plotly's schema when it is built
            (off for large figures: it costs seconds).
    """

    data: list[dict[str, Any]]
    layout: dict[str, Any]
    records: pd.DataFrame
    lanes: list[str]
    validate: bool = True

    @property
    def figure(self) -> go.Figure:
        """The plotly Figure."""
        return go.Figure(data=self.data, layout=self.layout, _validate=self.validate)


def _type_order(present: Sequence[str]) -> list[str]:
    """Types grouped as in GROUP_COLOURS, in vocabulary order within a group; unknown types last."""
    vocab = load_vocabulary()
    groups = list(GROUP_COLOURS)
    here = set(present)
    known = [t for t in vocab.types.values() if t.name in here]
    known.sort(key=lambda t: groups.index(t.group) if t.group in groups else len(groups))
    return [t.name for t in known] + sorted(here - {t.name for t in known})


def _marker_traces(
    recs: pd.DataFrame,
    text: list[str] | None,
    role: str,
    gl: bool,
    visible: bool,
    extra: dict[str, list[Any]] | None = None,
) -> list[dict[str, Any]]:
    """One trace per event type (and a second, open-marker trace for its approximate dates).

    Without ``text`` a trace names its records in ``meta.rows`` instead (their
    positions in the plotted records: ``recs``' index), with its points' values
    of each ``extra`` list in ``meta`` beside them.
    """
    order = _type_order(recs["event_type"].unique().tolist())
    symbols = type_symbols(order)
    traces = []
    positions = recs.groupby(["event_type", "ranged"], sort=False).indices
    xs, ys = recs["x"].to_numpy(dtype=object), recs["y"].round(3).to_numpy()
    labels = recs["type_text"].to_numpy(dtype=object)
    texts = None if text is None else pd.Series(text, dtype=object).to_numpy()
    rows = recs.index.to_numpy()
    for t in order:
        for ranged in (False, True):
            where = positions.get((t, ranged))
            if where is None:
                continue
            traces.append(
                {
                    "type": "scattergl" if gl else "scatter",
                    "x": xs[where].tolist(),
                    "y": ys[where].tolist(),
                    "mode": "markers",
                    "name": html.escape(labels[where[0]], quote=False),
                    # One legend entry per type: the exact-date trace's, else the approximate one's; the
                    # entries in family order (the vocabulary's groups), a family's types in its colour.
                    "showlegend": not ranged or (t, False) not in positions,
                    "meta": {"role": role, "event_type": t}
                    | (
                        {}
                        if texts is not None
                        else {"rows": rows[where].tolist()}
                        | {k: [v[i] for i in where.tolist()] for k, v in (extra or {}).items()}
                    ),
                    "visible": visible,
                    "text": texts[where].tolist() if texts is not None else None,
                    "hovertemplate": "%{text}<extra></extra>",
                    "marker": {
                        "color": group_colour(t),
                        "symbol": symbols[t] + ("-open" if ranged else ""),
                        "size": 10,
                        "line": {"color": "#333333", "width": 2.0 if ranged else 0.6},
                    },
                }
            )
    return traces


def _segments(pairs: Sequence[tuple[Any, Any, Any, Any]]) -> tuple[list[Any], list[Any]]:
    xs: list[Any] = []
    ys: list[Any] = []
    for x0, y0, x1, y1 in pairs:
        xs += [x0, x1, None]
        ys += [y0, y1, None]
    return xs, ys


def _age_ticks(born: date, first: pd.Timestamp, last: pd.Timestamp) -> tuple[list[str], list[str]]:
    span_years = (last - first).days / 365.25
    step = 3 if span_years <= 3 else 6 if span_years <= 8 else 12
    vals, texts = [], []
    months = 0
    while True:
        y, m = divmod(born.month - 1 + months, 12)
        try:
            when = pd.Timestamp(born.year + y, m + 1, min(born.day, 28))
        except ValueError:
            break
        if when > last + pd.Timedelta(days=31):
            break
        if when >= first - pd.Timedelta(days=31):
            vals.append(when.strftime(X_FORMAT))
            texts.append("birth" if months == 0 else f"age {months // 12}y {months % 12}m")
        months += step
    return vals, texts


def _shade_bounds(shaded: pd.DataFrame) -> tuple[list[str | None], list[str | None]]:
    """Each shaded finding's x0 (its start) and x1 (the day after its end, else its start), as X_FORMAT text.

    Wall-clock times, converted for the whole column at once; ``None`` where the
    finding has no start.
    """
    start, end = shaded["start"], shaded["end"]
    if not (pd.api.types.is_datetime64_any_dtype(start) and pd.api.types.is_datetime64_any_dtype(end)):
        # Text or mixed values: one at a time, as each may carry its own timezone.
        def text(v: Any, days: int) -> str | None:
            if pd.isna(v):
                return None
            return (wall_times(pd.Series([v])).iloc[0] + pd.Timedelta(days=days)).strftime(X_FORMAT)

        x0 = [text(v, 0) for v in start]
        ends = [e if not pd.isna(e) else s for s, e in zip(start, end, strict=True)]
        return x0, [None if a is None else text(e, 1) for a, e in zip(x0, ends, strict=True)]
    missing = start.isna().tolist()
    # Wall times of each column in its own timezone; a finding with no end ends on its start.
    first = wall_times(start).reset_index(drop=True)
    last = wall_times(end).reset_index(drop=True).fillna(first) + pd.Timedelta(days=1)
    return (
        [None if m else v for m, v in zip(missing, format_times(first, X_FORMAT).tolist(), strict=True)],
        [None if m else v for m, v in zip(missing, format_times(last, X_FORMAT).tolist(), strict=True)],
    )


def _layers(x0: Sequence[str], x1: Sequence[str]) -> list[int]:
    """A layer per period, such that periods of one layer do not overlap (the fewest layers, greedily).

    The periods are taken in order of their start (X_FORMAT text sorts as time).
    A filled trace draws overlapping rectangles of one path no darker than one,
    so each layer is its own trace: overlapping gaps darken as separate shapes did.
    """
    ends: list[str] = []
    layer = [0] * len(x0)
    for i in sorted(range(len(x0)), key=lambda i: (x0[i], i)):
        free = next((k for k, end in enumerate(ends) if end <= x0[i]), len(ends))
        if free == len(ends):
            ends.append(x1[i])
        else:
            ends[free] = x1[i]
        layer[i] = free
    return layer


#: Label rows for shaded gaps: along the top and along the bottom of the plot, outside the lanes.
LABEL_ROWS = 2
#: The first view's plot width in pixels and a label character's width, to tell which labels would touch.
PLOT_PX = 650
LABEL_CHAR_PX = 6.2


#: Above this many records in view the timeline shows how many records each lane holds each week (a
#: density strip) instead of the markers, which at 20,000 records are a solid block; zooming in to
#: fewer brings the markers back (in the page; in Jupyter, plot a shorter period with start and end).
DENSITY_THRESHOLD = 3000
#: The roles hidden while the density is shown.
DENSE_HIDDEN = frozenset({"records", "events", "connectors", "ranges"})


def _density_trace(recs: pd.DataFrame, n_lanes: int) -> dict[str, Any]:
    """Records per lane and week as a heatmap strip along each lane (weeks from Monday; empty weeks blank)."""
    starts = pd.Series(recs["start"].to_numpy())
    monday = (starts - pd.to_timedelta(starts.dt.day_of_week, unit="D")).dt.normalize()
    lane_y = (n_lanes - 1 - recs["lane"].to_numpy()).tolist()
    counts = pd.DataFrame({"week": monday, "y": lane_y}).value_counts()
    weeks = sorted({w for w, _ in counts.index})
    ys = list(range(n_lanes - 1, -1, -1))
    where = {w: i for i, w in enumerate(weeks)}
    z: list[list[Any]] = [[None] * len(weeks) for _ in ys]
    for (week, y), n in counts.items():
        z[n_lanes - 1 - int(y)][where[week]] = int(n)
    middle = [(w + pd.Timedelta(days=3, hours=12)).strftime(X_FORMAT) for w in weeks]
    return {
        "type": "heatmap",
        "x": middle,
        "y": ys,
        "z": z,
        "zmin": 0,
        "colorscale": [[0, "#deebf7"], [1, "#08306b"]],
        "showscale": False,
        "ygap": 6,
        "xgap": 0,
        "name": "Records per week",
        "showlegend": True,
        "legendrank": 900,
        "hovertemplate": "%{z} records in the week of %{x|%d/%m/%Y}<extra></extra>",
        "meta": {"role": "density", "threshold": DENSITY_THRESHOLD},
        "visible": True,
    }


SCOPE_FILL = "rgba(60,60,60,0.10)"


def _scope_traces(
    scope: tuple[date | None, date | None], recs: pd.DataFrame, low: float, high: float
) -> list[dict[str, Any]]:
    """The periods before and after the review's terms of reference, shaded across every lane (one trace)."""
    first = pd.Timestamp(recs["start"].min()).normalize()
    last = pd.Timestamp(recs["x1_ts"].max())
    xs: list[Any] = []
    ys: list[Any] = []
    begin, finish = scope
    if begin is not None and first < pd.Timestamp(begin):
        a, b = first.strftime(X_FORMAT), pd.Timestamp(begin).strftime(X_FORMAT)
        xs += [a, b, b, a, None]
        ys += [low, low, high, high, None]
    if finish is not None and pd.Timestamp(finish) + pd.Timedelta(days=1) < last:
        a, b = (pd.Timestamp(finish) + pd.Timedelta(days=1)).strftime(X_FORMAT), last.strftime(X_FORMAT)
        xs += [a, b, b, a, None]
        ys += [low, low, high, high, None]
    if not xs:
        return []
    return [
        {
            "type": "scatter",
            "x": xs,
            "y": ys,
            "mode": "lines",
            "fill": "toself",
            "fillcolor": SCOPE_FILL,
            "line": {"width": 0},
            "name": "Outside the review's scope",
            "legendrank": 1200,
            "hoverinfo": "skip",
            "meta": {"role": "scope"},
        }
    ]


def _legend_height(traces: Sequence[dict[str, Any]]) -> int:
    """Pixels the legend takes under the plot: its entries in rows of about four."""
    entries = sum(
        1 for t in traces if t.get("showlegend", True) is not False and t["meta"]["role"] != "events"
    )
    return 50 + 22 * -(-entries // 4)


def label_rows(starts: Sequence[float], lengths: Sequence[int], span_days: float) -> list[int]:
    """A row for each label (0 top, 1 bottom), or -1 where both are taken: that label shows on hover only.

    In order of start, each label takes the first row whose last label ends
    before it starts (a label's length in days at the first view's scale:
    ``span_days`` over PLOT_PX pixels), so no label overprints another; a
    label with no free row keeps its hover box (and its finding's place in the
    findings panel) but draws no text.

    Example:
        >>> label_rows([0, 5, 10, 200], [10, 10, 10, 10], span_days=650)  # 10 chars: 62 days wide
        [0, 1, -1, 0]
    """
    per_char = max(span_days, 1.0) / PLOT_PX * LABEL_CHAR_PX
    ends = [float("-inf")] * LABEL_ROWS
    out = [-1] * len(starts)
    for n in sorted(range(len(starts)), key=lambda n: starts[n]):
        free = [r for r in range(LABEL_ROWS) if ends[r] < starts[n]]
        if free:
            out[n] = free[0]
            ends[free[0]] = starts[n] + lengths[n] * per_char
    return out


def _gap_traces(
    live: pd.DataFrame, low: float, high: float, gl: bool, span_days: float | None = None
) -> list[dict[str, Any]]:
    """The shaded gaps as traces: per kind, filled rectangles (one trace per layer) and one trace of labels.

    Thousands of layout shapes, each with a label, cost plotly seconds at every
    draw and zoom; a few traces cost little. Each rectangle spans the lanes'
    whole height (``low`` to ``high``, the fixed y range); its label (finding id
    and kind) sits at its top or bottom left corner, top and bottom in turn in
    order of start (of both kinds) so that neighbouring labels do not overprint;
    hovering a label shows the finding's id, kind, period and title (which names
    the agencies). Labels are drawn with WebGL when the records are (``gl``) or
    when there are more than GAP_LABEL_GL_THRESHOLD of them.
    """
    used = [c for c in ("finding_id", "kind", "title", "start", "end") if c in live.columns]
    shaded = live[used][live["kind"].isin(list(SHADED_KINDS)).to_numpy(dtype=bool)].sort_values("finding_id")
    gap_x0, gap_x1 = _shade_bounds(shaded)
    keep = [i for i, x in enumerate(gap_x0) if x is not None]
    if not keep:
        return []
    ids, kinds = ([v[i] for i in keep] for v in column_lists(shaded, "finding_id", "kind"))
    ids = [str(v) for v in ids]
    titles = (
        shaded["title"].fillna("").astype(str).tolist() if "title" in shaded.columns else [""] * len(shaded)
    )
    titles = [titles[i] for i in keep]
    x0 = [str(gap_x0[i]) for i in keep]
    x1 = [str(gap_x1[i]) for i in keep]
    # The period as the panel writes it: first day to last day (x1 is the day after the last).
    first = np.array([x[:10] for x in x0], dtype="datetime64[D]")
    last = np.maximum(np.array([x[:10] for x in x1], dtype="datetime64[D]") - 1, first)
    periods = [
        f"{a[8:10]}/{a[5:7]}/{a[:4]}" + ("" if a == b else f" \u2013 {b[8:10]}/{b[5:7]}/{b[:4]}")
        for a, b in zip(first.astype(str).tolist(), last.astype(str).tolist(), strict=True)
    ]
    # Each label's row, top or bottom, so that labels close in time do not overprint (else hover only).
    day0 = first.astype("int64").astype(float)
    texts = [f"{ids[n]} {SHADED_LABELS.get(kinds[n], '')}" for n in range(len(keep))]
    if span_days is None:
        span_days = float((last.max() - first.min()).astype("timedelta64[D]").astype(np.int64)) + 1.0
    order = sorted(range(len(keep)), key=lambda n: (x0[n], ids[n]))
    # (k * 1e-6: gaps starting the same day keep the order of their ids)
    rows = label_rows(
        [day0[n] + k * 1e-6 for k, n in enumerate(order)], [len(texts[n]) for n in order], span_days
    )
    row_of = {n: rows[k] for k, n in enumerate(order)}
    traces: list[dict[str, Any]] = []
    labelled = len(keep) > GAP_LABEL_GL_THRESHOLD
    for fkind, colour in SHADED_KINDS.items():
        mine = [n for n, k in enumerate(kinds) if k == fkind]
        if not mine:
            continue
        layer = _layers([x0[n] for n in mine], [x1[n] for n in mine])
        red, green, blue = (int(colour[k : k + 2], 16) for k in (1, 3, 5))
        name = SHADED_NAMES[fkind]
        for depth in range(max(layer) + 1):
            xs: list[Any] = []
            ys: list[Any] = []
            for n, at in zip(mine, layer, strict=True):
                if at == depth:
                    xs += [x0[n], x1[n], x1[n], x0[n], None]
                    ys += [low, low, high, high, None]
            traces.append(
                {
                    "type": "scatter",
                    "x": xs,
                    "y": ys,
                    "mode": "lines",
                    "fill": "toself",
                    "fillcolor": f"rgba({red},{green},{blue},{SHADE_OPACITY})",
                    "line": {"width": 0},
                    "name": name,
                    "legendgroup": fkind,
                    "legendrank": 1100,  # after the records' entries
                    "showlegend": depth == 0,
                    "hoverinfo": "skip",
                    "meta": {"role": "gaps", "kind": fkind},
                }
            )
        top = [row_of[n] != 1 for n in mine]
        traces.append(
            {
                "type": "scattergl" if gl or labelled else "scatter",
                "x": [x0[n] for n in mine],
                "y": [high if t else low for t in top],
                "mode": "text",
                "text": [
                    html.escape(f"{ids[n]} {SHADED_LABELS[fkind]}", quote=False) if row_of[n] >= 0 else ""
                    for n in mine
                ],
                "textposition": ["bottom right" if t else "top right" for t in top],
                "textfont": {"size": 10, "color": "#333333"},
                "hovertext": [
                    f"<b>{html.escape(ids[n], quote=False)}</b> {name}<br>{periods[n]}"
                    + (f"<br>{html.escape(titles[n], quote=False)}" if titles[n] else "")
                    for n in mine
                ],
                "hovertemplate": "%{hovertext}<extra></extra>",
                "name": name,
                "legendgroup": fkind,
                "showlegend": False,
                "meta": {"role": "gap_labels", "kind": fkind},
            }
        )
    return traces


def build_timeline(
    events: pd.DataFrame,
    clusters: pd.DataFrame | None = None,
    findings: pd.DataFrame | None = None,
    *,
    date_of_birth: date | None = None,
    agencies: Sequence[str] | None = None,
    start: Any = None,
    end: Any = None,
    types: Sequence[str] | None = None,
    per_event: bool = False,
    record_hover: bool = True,
    scope: tuple[date | None, date | None] | None = None,
) -> TimelineParts:
    """Build the timeline figure and keep the placed records (for the report).

    Arguments are those of ``timeline``; with ``record_hover=False`` the records
    and events traces carry ``meta.rows`` (their rows in ``records``) instead of
    hover text, for a page that builds the text itself. An events trace then
    also carries, per marker, ``meta.members`` (the rows of the real event's
    records, its own first) and ``meta.desc`` (the event's description: the row
    whose description it is, or else the text).

    Example:
        >>> parts = build_timeline(events)  # doctest: +SKIP
        >>> len(parts.records) == (events["status"] == "event").sum()  # doctest: +SKIP
        True
    """
    recs, lanes = plotted_records(
        events, date_of_birth=date_of_birth, agencies=agencies, start=start, end=end, types=types
    )
    gl = len(recs) > GL_THRESHOLD
    live = findings
    if live is not None and "status" in live.columns:
        dismissed = (live["status"].fillna("") == "dismissed").to_numpy(dtype=bool)
        if dismissed.any():
            live = live[~dismissed]
    # Handoffs: sender lane -> receiver lane; missed when a missed_handoff finding cites the sender.
    missed_by: dict[str, str] = {}
    if live is not None and len(live):
        for kind_of, fid, rids in zip(*column_lists(live, "kind", "finding_id", "record_ids"), strict=True):
            if kind_of != "missed_handoff":
                continue
            for rid in rids if rids is not None else []:
                missed_by.setdefault(str(rid), str(fid))
    # The records' columns as lists, once (indexing small frames by masks costs more than the loops).
    rec_ids, cluster_ids, rec_agencies, to_agencies, rec_xs, rec_ys, date_texts, citations = column_lists(
        recs, "record_id", "cluster_id", "agency", "to_agency", "x", "y", "date_text", "citation"
    )
    handed = [i for i, to in enumerate(to_agencies) if to != ""]
    clustered = [i for i, cid in enumerate(cluster_ids) if cid != ""]
    n_lanes = len(lanes)
    outside = any(to_agencies[i] not in lanes for i in handed)
    lane_y = {a: n_lanes - 1 - i for i, a in enumerate(lanes)}
    where = {(cluster_ids[i], rec_agencies[i]): rec_xs[i] for i in clustered}
    sent: list[tuple[Any, ...]] = []
    missed: list[tuple[Any, ...]] = []
    labels = []
    for i in handed:
        rid, cid, sender, to = rec_ids[i], cluster_ids[i], rec_agencies[i], to_agencies[i]
        x, y, when, cite = rec_xs[i], rec_ys[i], date_texts[i], citations[i]
        y1 = lane_y.get(to, -1)
        what = f"{html.escape(sender)} \u2192 {html.escape(to)}, {html.escape(when)}<br><i>{html.escape(cite)}</i>"
        if rid in missed_by:
            missed.append(
                (
                    x,
                    y,
                    where.get((cid, to), x) if cid else x,
                    y1,
                    f"<b>Missed handoff {missed_by[rid]}</b><br>{what}",
                )
            )
            labels.append((x, (y + y1) / 2, missed_by[rid]))
        else:
            sent.append((x, y, where.get((cid, to), x) if cid else x, y1, f"<b>Handoff</b> {what}"))
    colours = agency_colours(lanes)
    kind = "scattergl" if gl else "scatter"
    traces: list[dict[str, Any]] = []
    # Approximate dates as ranges from their first to their last day.
    rx0, rx1, is_ranged = column_lists(recs, "x0", "x1", "ranged")
    xs, ys = _segments([(rx0[i], rec_ys[i], rx1[i], rec_ys[i]) for i, r in enumerate(is_ranged) if r])
    traces.append(
        {
            "type": kind,
            "x": xs,
            "y": ys,
            "mode": "lines",
            "name": "Approximate date (range)",
            "meta": {"role": "ranges"},
            "line": {"color": "rgba(90,90,90,0.45)", "width": 7},
            "hoverinfo": "skip",
            "visible": not per_event,
        }
    )
    # Connectors between the records of one real event, top lane to bottom.
    ordered = sorted(clustered, key=lambda i: (cluster_ids[i], -rec_ys[i], rec_xs[i]))
    pairs = []
    previous = None
    for cid, x, y in ((cluster_ids[i], rec_xs[i], rec_ys[i]) for i in ordered):
        if previous is not None and previous[0] == cid:
            pairs.append((previous[1], previous[2], x, y))
        previous = (cid, x, y)
    xs, ys = _segments(pairs)
    traces.append(
        {
            "type": kind,
            "x": xs,
            "y": ys,
            "mode": "lines",
            "name": "Same real event",
            "meta": {"role": "connectors"},
            "line": {"color": "#555555", "width": 1.2, "dash": "dot"},
            "hoverinfo": "skip",
            "visible": True,  # in both views: one real event's markers in several lanes are joined
        }
    )
    # Handoff arrows: a line and an arrowhead at the receiving end.
    for role, segs, colour, dash, name in (
        ("handoffs", sent, "#444444", "solid", "Handoff (sender \u2192 receiver)"),
        ("missed", missed, MISSED_COLOUR, "dash", "Missed handoff"),
    ):
        xs, ys = _segments([seg[:4] for seg in segs])
        heads, hover = [], []
        for _x0, y0, _x1, y1, text in segs:
            heads += ["circle", "triangle-down" if y1 < y0 else "triangle-up", "circle"]
            hover += [text, text, ""]
        traces.append(
            {
                "type": kind if role == "handoffs" else "scatter",
                "x": xs,
                "y": ys,
                "mode": "lines+markers",
                "name": name,
                "meta": {"role": role},
                "line": {"color": colour, "width": 2.2 if role == "missed" else 1.2, "dash": dash},
                "marker": {"symbol": heads, "size": [0, 11, 0] * len(segs), "color": colour},
                "text": hover,
                "hovertemplate": "%{text}<extra></extra>",
                "visible": True if segs else "legendonly",
            }
        )
    record_text = hover_texts(recs) if record_hover else None
    traces += _marker_traces(recs, record_text, "records", gl, visible=not per_event)
    reps, rep_text = per_event_records(recs, clusters, hover=record_hover)
    extra = None
    if rep_text is None:
        described = recs["description"].tolist()
        members = reps["members"].tolist()
        desc = [
            next((i for i in rows if described[i] == text), text)
            for rows, text in zip(members, reps["event_text"].tolist(), strict=True)
        ]
        extra = {"members": members, "desc": desc}
    traces += _marker_traces(reps, rep_text, "events", gl, visible=per_event, extra=extra)
    traces.append(
        {
            "type": "scatter",
            "x": [],
            "y": [],
            "mode": "markers",
            "name": "Highlighted records",
            "meta": {"role": "highlight"},
            "marker": {"size": 22, "color": "rgba(0,0,0,0)", "line": {"color": "#000000", "width": 3}},
            "hoverinfo": "skip",
            "showlegend": False,
        }
    )
    # The lanes' fixed y range (the outside lane below the agencies').
    y_range = [-1.6 if outside else -0.6, n_lanes - 0.4]
    if live is not None and len(live):
        # Under everything else: the first traces are drawn first.
        span = (recs["x1_ts"].max() - recs["start"].min()) / np.timedelta64(1, "D") if len(recs) else None
        traces[:0] = _gap_traces(live, y_range[0], y_range[1], gl, span_days=span)
    if scope is not None and len(recs):
        traces[:0] = _scope_traces(scope, recs, y_range[0], y_range[1])
    dense = len(recs) > DENSITY_THRESHOLD
    if dense:
        at = next(
            (i for i, t in enumerate(traces) if t["meta"]["role"] not in ("scope", "gaps", "gap_labels")), 0
        )
        traces.insert(at, _density_trace(recs, n_lanes))
    per_record = {"records", "ranges"}
    vis_records: list[Any] = []
    vis_events: list[Any] = []
    for t in traces:
        role = t["meta"]["role"]
        if role == "density":  # shown by the page when the view holds too many records (see report.js)
            vis_records.append(False)
            vis_events.append(False)
        elif t.get("visible") == "legendonly":
            vis_records.append("legendonly")
            vis_events.append("legendonly")
        else:
            vis_records.append(role in per_record or role not in per_record | {"events"})
            vis_events.append(role == "events" or role not in per_record | {"events"})
    if dense:  # the first view is the density; the markers come back when a zoom holds few enough
        for t in traces:
            if t["meta"]["role"] in DENSE_HIDDEN:
                t["visible"] = False
    shapes: list[dict[str, Any]] = []
    for i, agency in enumerate(lanes):
        y = n_lanes - 1 - i
        shapes.append(
            {
                "type": "rect",
                "xref": "paper",
                "yref": "y",
                "x0": 0,
                "x1": 1,
                "y0": y - 0.5,
                "y1": y + 0.5,
                "fillcolor": colours[agency],
                "opacity": 0.08 if i % 2 == 0 else 0.14,
                "line": {"width": 0},
                "layer": "below",
                "name": f"lane:{agency}",
            }
        )
    annotations = [
        {
            "x": x,
            "y": y,
            "xref": "x",
            "yref": "y",
            "text": f"<b>missed {html.escape(fid)}</b>",
            "showarrow": False,
            "font": {"color": MISSED_COLOUR, "size": 10},
            "bgcolor": "rgba(255,255,255,0.8)",
            "xanchor": "left",
        }
        for x, y, fid in labels[:200]
    ]
    ticktext = [f"<span style='color:{colours[a]}'>\u25a0</span> {html.escape(a)}" for a in lanes]
    tickvals = [lane_y[a] for a in lanes]
    if outside:
        tickvals.append(-1)
        ticktext.append(OUTSIDE_LANE)
    layout: dict[str, Any] = {
        "template": "plotly_white",
        # The lanes, and under them the legend in rows across the page (a side legend is cut off).
        "height": max(420, min(760, 150 + 60 * (n_lanes + outside))) + _legend_height(traces),
        "margin": {"l": 10, "r": 10, "t": 50, "b": 40},
        "hovermode": "closest",
        "dragmode": "zoom",
        # In rows under the plot, every entry in view; a click shows or hides one, a double-click all but it.
        # No gap between legend groups: the shaded gaps' layers share one entry (a group), the rest none.
        "legend": {
            "font": {"size": 11},
            "title": {"text": "Click to show or hide", "side": "top"},
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            "y": -0.06,
            "yanchor": "top",
            "tracegroupgap": 0,
        },
        "shapes": shapes,
        "annotations": annotations,
        "yaxis": {
            "tickvals": tickvals,
            "ticktext": ticktext,
            "range": y_range,
            "fixedrange": True,
            "showgrid": False,
            "zeroline": False,
            "automargin": True,
        },
        "xaxis": {
            "type": "date",
            "showgrid": True,
            "rangeslider": {"visible": False},
            "rangeselector": {
                "buttons": [
                    {"count": 1, "label": "1m", "step": "month", "stepmode": "backward"},
                    {"count": 6, "label": "6m", "step": "month", "stepmode": "backward"},
                    {"count": 1, "label": "1y", "step": "year", "stepmode": "backward"},
                    {"step": "all", "label": "all"},
                ],
                "x": 0,
                "y": 1.02,
                "yanchor": "bottom",
            },
        },
        "updatemenus": [
            {
                "type": "buttons",
                "direction": "right",
                "x": 1,
                "xanchor": "right",
                "y": 1.02,
                "yanchor": "bottom",
                "active": 1 if per_event else 0,
                "showactive": True,
                "buttons": [
                    {"label": "Every record", "method": "restyle", "args": [{"visible": vis_records}]},
                    {
                        "label": "One marker per real event",
                        "method": "restyle",
                        "args": [{"visible": vis_events}],
                    },
                ],
            }
        ],
    }
    if date_of_birth is not None and len(recs):
        vals, texts = _age_ticks(date_of_birth, recs["start"].min(), recs["x1_ts"].max())
        layout["xaxis2"] = {
            "overlaying": "x",
            "matches": "x",
            "side": "top",
            "tickmode": "array",
            "tickvals": vals,
            "ticktext": texts,
            "showgrid": False,
            "tickfont": {"size": 10, "color": "#555555"},
        }
        layout["margin"]["t"] = 75
        layout["xaxis"]["rangeselector"]["y"] = 1.09
        layout["updatemenus"][0]["y"] = 1.09
        traces.append(
            {
                "type": "scatter",
                "x": vals[:1],
                "y": [None],
                "xaxis": "x2",
                "mode": "markers",
                "showlegend": False,
                "hoverinfo": "skip",
                "meta": {"role": "age_axis"},
            }
        )
        for button in layout["updatemenus"][0]["buttons"]:
            button["args"][0]["visible"].append(True)
    # Plotly's validation costs seconds on 100k points; the small figures the tests build are validated.
    return TimelineParts(data=traces, layout=layout, records=recs, lanes=lanes, validate=not gl)


def timeline(
    events: pd.DataFrame,
    clusters: pd.DataFrame | None = None,
    findings: pd.DataFrame | None = None,
    *,
    date_of_birth: date | None = None,
    agencies: Sequence[str] | None = None,
    start: Any = None,
    end: Any = None,
    types: Sequence[str] | None = None,
    per_event: bool = False,
    scope: tuple[date | None, date | None] | None = None,
) -> go.Figure:
    """The merged chronology as a swimlane figure, one lane per agency.

    Args:
        events: Events with EVENT_COLUMNS; only status ``event`` rows are plotted.
        clusters: Real events (CLUSTER_COLUMNS), for the one-marker-per-event view.
        findings: Findings (FINDING_COLUMNS): missed handoffs are drawn red and
            dashed, info-sharing and contact gaps shaded with their ids.
        date_of_birth: The child's date of birth: adds an age axis and ages in hovers.
        agencies: Lanes to show, top first (default: every agency, in order of appearance).
        start: Plot only records that may fall on or after this date.
        end: Plot only records that may fall on or before this date (a bare date
            includes the whole day).
        types: Plot only these event types.
        per_event: Start with one marker per real event instead of every record.
        scope: The review's terms of reference (``[case] scope``): what lies
            outside them is shaded.

    Returns:
        A plotly Figure (scattergl when there are more than GL_THRESHOLD records).

    Example:
        >>> fig = timeline(run.events, run.clusters, run.findings,
        ...                date_of_birth=run.config.date_of_birth)  # doctest: +SKIP
    """
    return build_timeline(
        events,
        clusters,
        findings,
        date_of_birth=date_of_birth,
        agencies=agencies,
        start=start,
        end=end,
        types=types,
        per_event=per_event,
        scope=scope,
    ).figure
