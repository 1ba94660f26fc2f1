"""contact_gap: a long period when no professional saw the child.

Rule: between two days on which a professional of any agency saw the child,
more than ``max_days`` (60) days passed. Whether a record saw the child is the
record's ``seen`` attribute (:mod:`chronology.analysis.attributes`): a "Child
seen (Y/N)" cell where there is one; else its type (home visit, appointment, ED
attendance) or its text ("H seen", "seen and spoken to"), or the child at
school or nursery (arrived, attended, a concern the setting noticed); never a
parent's own appointment (probation, antenatal), a doorstep visit, a video or
phone contact, a letter or a missed appointment. ``seen_phrases`` and
``not_seen_phrases`` add to those rules for one case.

Each gap is reported with its start and end and the records at both ends.
Gaps are measured between sightings dated to a day. A sighting dated only
approximately ("March 2019", "Summer term 2020", an impossible date read as
its month) may fall anywhere in its window, so it is placed where it would
shorten the gap most: when, wherever it falls, more than ``max_days`` still
pass without a sighting, the gap is reported at that least length ("at least
65 days"); when it could close the gap, the gap is still reported, as
possible, at low severity, with the longest stretch it could be, naming the
record whose date it rests on; when wherever it falls it closes the gap,
there is none. A gap
is never overstated and never hidden by a date nobody wrote down.

Severity: high when the gap is at least twice ``max_days``; medium otherwise;
low when an approximately dated sighting could close it.

Example:
    >>> from chronology.analysis import DETECTORS
    >>> DETECTORS["contact_gap"].parameters["max_days"].default
    60
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from chronology.analysis.context import Context, fmt_date
from chronology.analysis.finding import Finding
from chronology.analysis.phrases import matches
from chronology.analysis.registry import register
from chronology.analysis.source_order import neighbour_window

NAME = "contact_gap"
#: Date precisions that name the day: a record of any other (a week, month, term, year) is dated
#: only approximately.
DATED_PRECISIONS = ("time", "day")
SEVERITY = (
    "high when the gap is at least twice max_days; medium otherwise; low when an approximately "
    "dated sighting could close it"
)


def child_seen(events: pd.DataFrame, ctx: Context, params: Mapping[str, Any]) -> np.ndarray:
    """Boolean array: which records mean a professional saw the child.

    The record's ``seen`` attribute (:func:`chronology.analysis.attributes.child_seen`:
    a "Child seen" cell, the type, the text, school attendance; never a parent's
    own appointment, a doorstep, video or phone contact), with this detector's
    extra ``seen_phrases`` and ``not_seen_phrases``.

    Example:
        >>> child_seen(prepared, ctx, DETECTORS["contact_gap"].defaults())  # doctest: +SKIP
        array([ True, False, ...])
    """
    seen = events["seen"].to_numpy(dtype=bool)
    if params.get("seen_phrases"):
        seen = seen | matches(events["text"], params["seen_phrases"])
    if params.get("not_seen_phrases"):
        seen = seen & ~matches(events["text"], params["not_seen_phrases"])
    return seen


@register(
    NAME,
    "contact_gap",
    """A period longer than max_days when no agency saw the child: only records
    that saw the child count (a phone call, a letter or a missed appointment do
    not); reported with the records at both ends; a sighting dated only
    approximately shortens a gap only as far as its window proves.""",
    severity=SEVERITY,
)
def run(
    events: pd.DataFrame, clusters: pd.DataFrame, params: Mapping[str, Any], ctx: Context
) -> list[Finding]:
    """Find the periods between sightings of the child longer than max_days.

    Example:
        >>> run(prepared, clusters, {"max_days": 60, ...}, ctx)  # doctest: +SKIP
        [Finding(kind='contact_gap', ...)]
    """
    max_days = int(params["max_days"])
    seen_mask = child_seen(events, ctx, params)
    days = events["day"].to_numpy()
    ends = events["end_day"].to_numpy()
    approximate = ~events["date_precision"].astype(str).isin(DATED_PRECISIONS).to_numpy()
    loose = np.flatnonzero(seen_mask & approximate & (ends > days))
    first, last, bounds = neighbour_window(events) if loose.size else (days, ends, [None] * len(days))
    # Anchors: sightings dated to a day (a stated period, as a stay in hospital, covers its span),
    # and approximately dated ones beyond the first and last of those, which bound the gaps at the
    # ends of the chronology by the whole of their window.
    anchored = seen_mask.copy()
    anchored[loose] = False
    if anchored.any():
        low, high = days[anchored].min(), ends[anchored].max()
        outside = loose[(last[loose] < low) | (first[loose] > high)]
        anchored[outside] = True
        loose = np.setdiff1d(loose, outside)
    else:
        anchored[loose] = True
        loose = loose[:0]
    anchor = np.flatnonzero(anchored)
    if anchor.size < 2:
        return []
    start, reach = first[anchor], np.maximum.accumulate(last[anchor])
    gap = (start[1:] - reach[:-1]).astype("timedelta64[D]").astype(int)
    findings = []
    for k in np.flatnonzero(gap > max_days):
        # the earlier end: of the anchors before, the one whose window reached furthest
        before = last[anchor[: k + 1]]
        i, j = int(anchor[k - int(np.argmax(before[::-1] == reach[k]))]), int(anchor[k + 1])
        lo, hi = reach[k], start[k + 1]
        # Approximately dated sightings whose window reaches into the gap.
        inside = [int(p) for p in loose if first[p] < hi and last[p] > lo]
        windows = [(max(0, _days(first[p] - lo)), min(int(gap[k]), _days(last[p] - lo))) for p in inside]
        least, most = least_gap(int(gap[k]), windows), most_gap(int(gap[k]), windows)
        if most <= max_days:
            continue  # wherever the approximately dated sightings fall, they close the gap
        between = np.flatnonzero((days > lo) & (days < hi) & ~seen_mask)
        findings.append(
            _finding(
                events,
                (i, j, lo, hi),
                int(gap[k]),
                (least, most),
                [(p, bounds[p]) for p in inside],
                events.iloc[between],
                max_days,
                params,
                ctx,
            )
        )
    return findings


def _days(delta: np.timedelta64) -> int:
    return int(delta.astype("timedelta64[D]").astype(int))


def least_gap(length: int, windows: list[tuple[int, int]]) -> int:
    """The longest stretch without a sighting that must remain, wherever each window's sighting falls.

    ``length`` is the days between two dated sightings; each window is the
    (first, last) day, counted from the earlier one, on which an approximately
    dated sighting may have happened. The sightings are placed to make the
    longest stretch as short as it can be.

    Example:
        >>> least_gap(130, [(50, 80)])  # 10/01 to 20/05, a sighting some day of March
        65
        >>> least_gap(74, [(39, 74)])  # a term that may fall late in the gap: it could close it
        39
        >>> least_gap(95, [])
        95
    """
    lo, hi = 0, length
    while lo < hi:  # the least longest stretch, by bisection on what can be reached
        mid = (lo + hi) // 2
        if _reachable(length, windows, mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def most_gap(length: int, windows: list[tuple[int, int]]) -> int:
    """The longest stretch without a sighting there could be, wherever each window's sighting falls.

    A stretch runs from the earlier dated sighting or one window's first day
    to the later one or another window's last day, with every other window's
    sighting able to fall outside it.

    Example:
        >>> most_gap(61, [(9, 29)])  # a sighting some day between 11/07 and 31/07, in a 61-day gap
        52
        >>> most_gap(90, [(22, 49)])
        68
    """
    starts = [(0, -1)] + [(w[0], n) for n, w in enumerate(windows)]
    ends = [(length, -1)] + [(w[1], n) for n, w in enumerate(windows)]
    best = 0
    for x, i in starts:
        for y, k in ends:
            if y - x <= best or (i == k and i >= 0):
                continue
            others = (w for n, w in enumerate(windows) if n not in (i, k))
            if all(w[0] <= x or w[1] >= y for w in others):
                best = y - x
    return best


def _reachable(length: int, windows: list[tuple[int, int]], step: int) -> bool:
    """Whether one sighting per window can be placed so that no stretch is longer than ``step`` days.

    Greedy, earliest deadline first: of the windows that can move the last
    sighting on, use the one that closes soonest, as late as the step allows;
    a window that has closed can no longer help.
    """
    at, left = 0, list(windows)
    while length - at > step:
        open_ = [w for w in left if w[0] <= at + step and w[1] > at]
        if not open_:
            return False
        use = min(open_, key=lambda w: (w[1], w[0]))
        at = min(use[1], at + step)
        left.remove(use)
    return True


def _approximate(ctx: Context, p: int, rows: tuple[int, int] | None) -> str:
    """How a finding names an approximately dated sighting, and what its neighbours add."""
    r = ctx.at(p)
    said = (
        f"{ctx.cite(r['record_id'])}, dated only to a {r['date_precision']} "
        f"({fmt_date(r['day'])} to {fmt_date(r['end_day'])})"
    )
    if rows is None:
        return said
    return (
        f"{said}, written between its rows {rows[0]} and {rows[1]}, so not before the one nor after the other"
    )


def _finding(
    ev: pd.DataFrame,
    ends_of: tuple[int, int, Any, Any],
    gap: int,
    stretch: tuple[int, int],
    loose: list[tuple[int, tuple[int, int] | None]],
    between: pd.DataFrame,
    max_days: int,
    params: Mapping[str, Any],
    ctx: Context,
) -> Finding:
    i, j, lo, hi = ends_of
    a, b = ctx.at(i), ctx.at(j)
    others = ""
    if len(between):
        kinds = sorted(
            {ctx.vocab.types[t].label.lower() if t in ctx.vocab.types else t for t in between["event_type"]}
        )
        agencies = sorted(set(between["agency"]))
        others = (
            f" In between, {len(between)} record{'s' if len(between) != 1 else ''} of "
            f"{', '.join(agencies)} did not see the child ({'; '.join(kinds[:5])})."
        )
    ends = (
        f"between {fmt_date(lo)} ({a['agency']}: {ctx.type_name(a['event_type'])}, "
        f"{ctx.cite(a['record_id'])}) and {fmt_date(hi)} ({b['agency']}: "
        f"{ctx.type_name(b['event_type'])}, {ctx.cite(b['record_id'])})"
    )
    rule = f" The rule applied is that a professional sees the child at least every {max_days} days (local practice)."
    approx = "; ".join(_approximate(ctx, p, rows) for p, rows in loose)
    many = len(loose) != 1
    least, most = stretch
    if not loose:
        title = f"Child not seen by any agency for {gap} days"
        severity = "high" if gap >= 2 * max_days else "medium"
        statement = f"No agency recorded seeing the child for {gap} days, {ends}.{rule}{others}"
    elif least > max_days:
        title = f"Child not seen by any agency for at least {least} days"
        severity = "high" if least >= 2 * max_days else "medium"
        statement = (
            f"No agency recorded seeing the child on a known day for {gap} days, {ends}. "
            f"{'Sightings' if many else 'A sighting'} dated only approximately may fall within it "
            f"({approx}), but wherever {'they fall' if many else 'it falls'}, at least {least} days "
            f"passed without the child being seen.{rule}{others}"
        )
    else:
        title = f"Child possibly not seen by any agency for up to {most} days"
        severity = "low"
        statement = (
            f"No agency recorded seeing the child on a known day for {gap} days, {ends}. Whether "
            f"more than {max_days} days passed without a sighting rests on the day of "
            f"{'sightings' if many else 'a sighting'} dated only approximately ({approx}): placed as "
            f"favourably as {'their windows allow' if many else 'its window allows'}, the longest "
            f"stretch is {least} days; as unfavourably, {most} days.{rule}{others}"
        )
    return Finding(
        kind="contact_gap",
        detector=NAME,
        subject_ref=a["subject_ref"],
        severity=severity,
        title=title,
        statement=statement,
        record_ids=[a["record_id"], b["record_id"], *(ctx.at(p)["record_id"] for p, _ in loose)],
        start=a["end"],  # the earlier end: its window's last day (prepare_events fills end)
        end=b["start"],
        agencies=sorted({a["agency"], b["agency"]}),
        params={
            "max_days": max_days,
            "not_seen_phrases": list(params["not_seen_phrases"]),
            "seen_phrases": list(params["seen_phrases"]),
        },
    )
