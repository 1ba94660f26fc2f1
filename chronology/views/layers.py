"""The timeline's layers under the records: shaded gaps and their labels, the review's scope, the density.

``chronology.views.timeline`` draws the lanes and the records; this module
draws what lies under or instead of them: the contact and information-sharing
gaps as filled rectangles with labels that never overprint (``label_rows``),
the periods outside the review's terms of reference (``[case] scope``), and,
above DENSITY_THRESHOLD records, how many records each lane holds each week.

Example:
    >>> label_rows([0, 5, 10, 200], [10, 10, 10, 10], span_days=650)
    [0, 1, -1, 0]
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from chronology.views.records import X_FORMAT, column_lists, format_times, wall_times

#: Finding kinds shaded as periods on the timeline, with their fill colours.
SHADED_KINDS = {"contact_gap": "#777777", "info_sharing_gap": "#CC6677"}
#: The shaded kinds' legend names and the word after the finding id in their labels.
SHADED_NAMES = {"contact_gap": "Contact gap (child not seen)", "info_sharing_gap": "Information-sharing gap"}
SHADED_LABELS = {"contact_gap": "contact gap", "info_sharing_gap": "info gap"}
#: Opacity of one shaded gap (overlapping gaps darken).
SHADE_OPACITY = 0.18
#: Above this many shaded gaps their labels are drawn with WebGL (as are the records above GL_THRESHOLD).
GAP_LABEL_GL_THRESHOLD = 300


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
