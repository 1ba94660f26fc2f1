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

from chronology.views.layers import (
    DENSE_HIDDEN,
    DENSITY_THRESHOLD,
    GAP_LABEL_GL_THRESHOLD,
    SHADED_KINDS,
    _density_trace,
    _gap_traces,
    _legend_height,
    _scope_traces,
    label_rows,
)
from chronology.views.palette import GROUP_COLOURS, MISSED_COLOUR, agency_colours, group_colour, type_symbols
from chronology.views.records import (
    X_FORMAT,
    age_text,
    column_lists,
    hover_texts,
    per_event_records,
    plotted_records,
)
from chronology.vocabulary import load_vocabulary

__all__ = [
    "DENSITY_THRESHOLD",
    "GAP_LABEL_GL_THRESHOLD",
    "GL_THRESHOLD",
    "OUTSIDE_LANE",
    "SHADED_KINDS",
    "TimelineParts",
    "age_text",
    "build_timeline",
    "label_rows",
    "plotted_records",
    "timeline",
]

#: Above this many plotted records the markers are drawn with WebGL (scattergl).
GL_THRESHOLD = 2000
#: Lane label for handoff targets that are not one of the case's agencies.
OUTSIDE_LANE = "Outside the review"


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
                # in the middle: at the right the plotly toolbar, shown on hover, would cover it
                "x": 0.5,
                "xanchor": "center",
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
