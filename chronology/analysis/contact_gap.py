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
For an approximate date the gap is measured from the last day the earlier
record may refer to, to the first day the later one may: a gap is never
overstated.

Severity: high when the gap is at least twice ``max_days``; medium otherwise.

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

NAME = "contact_gap"
SEVERITY = "high when the gap is at least twice max_days; medium otherwise"


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
    not); reported with the records at both ends.""",
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
    seen = np.flatnonzero(child_seen(events, ctx, params))
    if seen.size < 2:
        return []
    days = events["day"].to_numpy()[seen]
    ends = events["end_day"].to_numpy()[seen]
    # Latest day reached by any earlier sighting, so overlapping approximate dates never make a gap.
    reach = np.maximum.accumulate(ends)
    gap = (days[1:] - reach[:-1]).astype("timedelta64[D]").astype(int)
    findings = []
    all_days = events["day"].to_numpy()
    for k in np.flatnonzero(gap > max_days):
        # The earlier end: the sighting that reached furthest (the latest of the ones before).
        last = k - int(np.argmax(ends[: k + 1][::-1] == reach[k]))
        i, j = seen[last], seen[k + 1]
        between = slice(
            np.searchsorted(all_days, reach[k], "right"), np.searchsorted(all_days, days[k + 1], "left")
        )
        findings.append(_finding(events, i, j, int(gap[k]), events.iloc[between], max_days, params, ctx))
    return findings


def _finding(
    ev: pd.DataFrame,
    i: int,
    j: int,
    gap: int,
    between: pd.DataFrame,
    max_days: int,
    params: Mapping[str, Any],
    ctx: Context,
) -> Finding:
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
    statement = (
        f"No agency recorded seeing the child for {gap} days, between {fmt_date(a['end_day'])} "
        f"({a['agency']}: {ctx.type_name(a['event_type'])}, {ctx.cite(a['record_id'])}) and "
        f"{fmt_date(b['day'])} ({b['agency']}: {ctx.type_name(b['event_type'])}, "
        f"{ctx.cite(b['record_id'])}). The rule applied is that a professional sees the child at least "
        f"every {max_days} days (local practice).{others}"
    )
    return Finding(
        kind="contact_gap",
        detector=NAME,
        subject_ref=a["subject_ref"],
        severity="high" if gap >= 2 * max_days else "medium",
        title=f"Child not seen by any agency for {gap} days",
        statement=statement,
        record_ids=[a["record_id"], b["record_id"]],
        start=a["start"],
        end=b["start"],
        agencies=sorted({a["agency"], b["agency"]}),
        params={
            "max_days": max_days,
            "not_seen_phrases": list(params["not_seen_phrases"]),
            "seen_phrases": list(params["seen_phrases"]),
        },
    )
