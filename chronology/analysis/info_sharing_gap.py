"""info_sharing_gap: one agency knew of a concern, another agency working with the family did not.

Rule: agency A records a *new* concern (the record's ``concern`` attribute,
:mod:`chronology.analysis.attributes`: injury, disclosure, domestic abuse,
neglect, missing episode, self-harm, read from its type and every text
column; not history, a denial, a risk assessment, a follow-up or a receipt).
The records of one concern (one matched cluster, one reference of one
agency, or one day) are one concern, and every agency with a record of it
knew. For each other agency B actively involved (a record within
``involvement_days`` (60) days before the concern and another within 60 days
after), the concern was shared when, within ``knew_within_days`` (14) days
(:mod:`chronology.analysis.evidence`):

- B has a record of the same event (its cluster), with its reference, or
  naming its day;
- B records it from an agency that knew, speaking of the same concern;
- an agency that recorded the concern sent something to B (a handoff in any
  column);
- B took part in a strategy discussion or section 47 enquiry after it.

Otherwise it is a finding: one per (concern, agency).

Concerns with a date no closer than a month (month, term, year) are skipped:
the windows cannot be placed.

Severity: high when the concern is an injury or a disclosure, or B is
children's social care; medium otherwise.

Example:
    >>> from chronology.analysis import DETECTORS
    >>> DETECTORS["info_sharing_gap"].parameters["knew_within_days"].default
    14
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from chronology.analysis.context import Context, fmt_date, local_midnight
from chronology.analysis.evidence import Evidence
from chronology.analysis.finding import Finding
from chronology.analysis.registry import register

NAME = "info_sharing_gap"
SEVERITY = "high when the concern is an injury or a disclosure, or the agency that did not know is children's social care; medium otherwise"
IMPRECISE = ("month", "term", "year")
CONCERN_WORDS = {
    "injury": "an injury",
    "disclosure": "a disclosure",
    "domestic_abuse": "domestic abuse",
    "neglect": "neglect",
    "missing": "a missing episode",
    "self_harm": "self-harm",
}


@register(
    NAME,
    "info_sharing_gap",
    """Agency A records a new concern while agency B is actively involved (records
    within the involvement window before and after), and nothing tied to that
    concern shows B knew within the window: no record of B in its cluster, with
    its reference or its date, or from A about it; no handoff from A to B; no
    strategy discussion B took part in after it. One finding per (concern, agency).""",
    severity=SEVERITY,
)
def run(
    events: pd.DataFrame, clusters: pd.DataFrame, params: Mapping[str, Any], ctx: Context
) -> list[Finding]:
    """Find concerns that an involved agency shows no sign of knowing.

    Example:
        >>> run(prepared, clusters, DETECTORS["info_sharing_gap"].defaults(), ctx)  # doctest: +SKIP
        [Finding(kind='info_sharing_gap', ...)]
    """
    involve = np.timedelta64(int(params["involvement_days"]), "D")
    knew = np.timedelta64(int(params["knew_within_days"]), "D")
    is_concern = (events["concern"] != "").to_numpy() & ~events["date_precision"].isin(IMPRECISE).to_numpy()
    if not is_concern.any():
        return []
    ev = Evidence(events, ctx)
    recipients = events["recipients"].to_numpy(dtype=object)
    response = events["response"].to_numpy()
    findings: list[Finding] = []
    for group in _concern_events(np.flatnonzero(is_concern), ev):
        event = ev.event_of(group)
        told = {ev.agency[i] for i in event}  # every agency with a record of the event knew
        raised = {ev.agency[i] for i in group}  # the agencies that recorded the concern itself
        d = min(ev.day[i] for i in group)
        last = max(ev.day[i] for i in group)
        first = min(group, key=lambda i: (ev.day[i], i))
        a = ev.agency[first]
        category = str(ctx.value("concern", first))
        topics = frozenset(str(ctx.value("concern", i)) for i in group)
        for b in ctx.agencies:
            if b in told:
                continue
            earlier = ev.rows_between(b, d - involve, d - np.timedelta64(1, "D"))
            later = ev.rows_between(b, last + np.timedelta64(1, "D"), d + involve)
            if not (len(earlier) and len(later)):
                continue  # b was not working with the family then
            if _told(ev, b, raised, told, event, d, d + knew, recipients, response, topics):
                continue
            before, after = earlier[-1], later[0]
            findings.append(_finding(sorted(group), a, category, b, int(before), int(after), params, ctx))
    return findings


def _concern_events(positions: np.ndarray, ev: Evidence) -> list[list[int]]:
    """The concern records grouped into real events: one cluster, one reference, or one day."""
    parent = {int(i): int(i) for i in positions}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(i: int, j: int) -> None:
        parent[root(i)] = root(j)

    by_key: dict[object, int] = {}
    for i in parent:
        keys: list[object] = [("day", ev.day[i])]
        if ev.cluster[i]:
            keys.append(("cluster", ev.cluster[i]))
        keys += [("ref", ev.agency[i], r) for r in ev.refs[i]]
        for k in keys:
            if k in by_key:
                join(i, by_key[k])
            else:
                by_key[k] = i
    groups: dict[int, list[int]] = {}
    for i in parent:
        groups.setdefault(root(i), []).append(i)
    return sorted(groups.values(), key=lambda g: (min(ev.day[i] for i in g), min(g)))


def _told(
    ev: Evidence,
    b: str,
    raised: set[str],
    told: set[str],
    event: set[int],
    lo: np.datetime64,
    hi: np.datetime64,
    recipients: np.ndarray,
    response: np.ndarray,
    topics: frozenset[str],
) -> bool:
    """Whether anything tied to the concern shows b knew of it by day hi."""
    for a in raised:  # a handoff to b, in the window, from an agency that recorded the concern
        if any(b in recipients[j] for j in ev.rows_between(a, lo, hi)):
            return True
    if any(response[j] and ev.day[j] > lo for j in ev.rows_between(b, lo, hi)):
        return True  # b took part in a strategy discussion or enquiry after it
    return bool(ev.knew(b, event, lo, hi, told, frozenset(), topics))


def _finding(
    group: list[int],
    a: str,
    cat: str,
    b: str,
    before: int,
    after: int,
    params: Mapping[str, Any],
    ctx: Context,
) -> Finding:
    c = ctx.at(group[0])
    rb, ra = ctx.at(before), ctx.at(after)
    knew_days = int(params["knew_within_days"])
    by = c["day"] + np.timedelta64(knew_days, "D")
    words = CONCERN_WORDS.get(cat, cat.replace("_", " "))
    what = (
        ctx.type_label(c["event_type"])
        if ctx.vocab.concern_of(c["event_type"]) == cat
        else f"{words} (a new concern, read from its text)"
    )
    cited = [ctx.value("record_id", i) for i in group[:4]]
    others = sorted({ctx.value("agency", i) for i in group} - {a})
    also = f" ({', '.join(others)} also recorded it)" if others else ""
    statement = (
        f"On {fmt_date(c['day'])} {a} recorded {what} ({ctx.cite(c['record_id'])}): "
        f'"{ctx.excerpt(c["record_id"])}"{also}. {b} was working with the family at the time '
        f"(records on {fmt_date(rb['day'])}, {ctx.cite(rb['record_id'])}, and on "
        f"{fmt_date(ra['day'])}, {ctx.cite(ra['record_id'])}), but nothing shows {b} knew of it "
        f"within {knew_days} days (by {fmt_date(by)}): no {b} record of the same event, its reference "
        f"or its date, nothing sent to {b} about it, and no strategy discussion {b} took part in."
    )
    severity = "high" if cat in ("injury", "disclosure") or ctx.is_csc(b) else "medium"
    return Finding(
        kind="info_sharing_gap",
        detector=NAME,
        subject_ref=c["subject_ref"],
        severity=severity,
        title=f"{b} shows no knowledge of {words} recorded by {a}",
        statement=statement,
        record_ids=[*cited, rb["record_id"], ra["record_id"]],
        start=c["start"],
        end=local_midnight(by, ctx.timezone),
        agencies=sorted({a, b, *others}),
        from_agency=a,
        to_agency=b,
        params={k: params[k] for k in ("involvement_days", "knew_within_days")},
    )
