"""missed_handoff: something sent to another agency, and nothing shows it arrived.

Rule: a record of agency A says something went to agency B of the case,
whatever the record's type: sent, referred, notified, copied, emailed, a task
or letter to, "cc", "shared with", a closure letter to several agencies, an
ED's "Referral made to" column (:mod:`chronology.analysis.attributes`). Each
(record, recipient) is one check; a plan ("PPN to be submitted", a Plan
column) is not a handoff. B received it when, within ``window_working_days``
(5) working days of A's record, B's chronology shows receipt tied to that
event (:mod:`chronology.analysis.evidence`): a record in the event's cluster
(whatever its date), a shared reference, the event's day named in the text,
or a record from or naming A about the same kind of document or the same
concern. Any other record of B in the window is not receipt.

One finding per (event, recipient): the records of one matched event sent to
the same agency are checked together. A handoff to an agency outside the
review (no chronology to check) is not reported.

Severity: high for a referral or notification to children's social care;
medium for any other referral, notification or transfer; low otherwise.

Example:
    >>> from chronology.analysis import DETECTORS
    >>> DETECTORS["missed_handoff"].parameters["window_working_days"].default
    5
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from chronology.analysis.calendar import add_working_days_array
from chronology.analysis.context import Context, Record, fmt_date, local_midnight
from chronology.analysis.evidence import Evidence
from chronology.analysis.finding import Finding
from chronology.analysis.registry import register

NAME = "missed_handoff"
SEVERITY = "high for a referral or notification to children's social care; medium for any other referral, notification or transfer; low otherwise"


def _severity(nouns: frozenset[str], to_csc: bool) -> str:
    if nouns & {"referral", "notification"}:
        return "high" if to_csc else "medium"
    if "transfer" in nouns:
        return "medium"
    return "low"


@register(
    NAME,
    "missed_handoff",
    """Agency A records sending something to agency B (any type of record; every
    recipient checked), and B's chronology shows no receipt tied to that event
    within the window: the same cluster, a shared reference, the day named, or a
    receipt from A of the same kind.""",
    severity=SEVERITY,
)
def run(
    events: pd.DataFrame, clusters: pd.DataFrame, params: Mapping[str, Any], ctx: Context
) -> list[Finding]:
    """Find handoffs the receiving agency never records.

    Example:
        >>> run(prepared, clusters, {"window_working_days": 5}, ctx)  # doctest: +SKIP
        [Finding(kind='missed_handoff', ...)]
    """
    window = int(params["window_working_days"])
    recipients = events["recipients"].to_numpy(dtype=object)
    sent = [i for i, r in enumerate(recipients) if r]
    if not sent:
        return []
    ev = Evidence(events, ctx)
    deadlines = add_working_days_array(events["end_day"].to_numpy()[sent], window)
    done: set[tuple[str, str]] = set()
    # (sender, recipient) -> the last check: its deadline, what it sent, and its finding if any
    last: dict[tuple[str, str], tuple[np.datetime64, frozenset[str], Finding | None]] = {}
    findings: list[Finding] = []
    for i, deadline in zip(sent, deadlines, strict=True):
        a = ev.agency[i]
        for b in recipients[i]:
            if b not in ctx.agencies or b == a:
                continue
            key = (ev.cluster[i] or ctx.value("record_id", i), b)
            if key in done:
                continue
            done.add(key)
            before = last.get((a, b))
            if before is not None and ev.day[i] <= before[0] and _same_kind(before[1], ev.nouns[i]):
                # A's second record of one handoff ("letters to GP and HV" in an outcome, then the letter)
                if before[2] is not None:
                    before[2].record_ids = [*before[2].record_ids, ctx.value("record_id", i)]
                continue
            event = ev.event_of([i])
            why = ev.knew(b, event, ev.day[i], deadline, [a], ev.nouns[i], ev.topics[i], unnamed_kind=True)
            found = None if why else _finding(ctx.at(i), b, event, deadline, window, ctx)
            if found is not None:
                findings.append(found)
            last[(a, b)] = (deadline, ev.nouns[i], found)
    return findings


def _same_kind(first: frozenset[str], second: frozenset[str]) -> bool:
    """Whether two records could send one thing: the same kind of document."""
    return bool(first & second)


def _finding(
    h: Record, b: str, event: set[int], deadline: np.datetime64, window: int, ctx: Context
) -> Finding:
    a = h["agency"]
    nouns = h["nouns"]
    what = ", ".join(sorted(nouns)) if nouns else "information"
    end = local_midnight(deadline, ctx.timezone)
    own = [h["record_id"]] + sorted(
        ctx.value("record_id", j)
        for j in event
        if ctx.value("agency", j) == a and ctx.value("record_id", j) != h["record_id"]
    )[:3]
    statement = (
        f"On {fmt_date(h['day'])} {a} recorded a handoff to {b} ({what}; {ctx.cite(h['record_id'])}"
        f"{_where(h, b, ctx)}): "
        f'"{ctx.excerpt(h["record_id"])}". {b} records no receipt of it within {window} working days '
        f"(by {fmt_date(deadline)}): no {b} record of the same event, with its reference or its date, "
        f"or from {a} about it."
    )
    return Finding(
        kind="missed_handoff",
        detector=NAME,
        subject_ref=h["subject_ref"],
        severity=_severity(nouns, ctx.is_csc(b)),
        title=f"{what[:1].upper()}{what[1:]} from {a} to {b} not recorded as received",
        statement=statement,
        record_ids=own,
        start=h["start"],
        end=end,
        agencies=[a, b],
        from_agency=a,
        to_agency=b,
        params={"window_working_days": window},
    )


def _where(h: Record, b: str, ctx: Context) -> str:
    """Where the record names the recipient, when it is not the description: its referral or outcome column."""
    referral = str(h["referral_to"]) if "referral_to" in ctx.events.columns else ""
    if referral and b in ctx.mentions(referral):
        return f', its referral column: "{referral.strip()}"'
    outcome = str(h["outcome"])
    if outcome and b in ctx.mentions(outcome) and b not in ctx.mentions(str(h["description"])):
        return f', its outcome: "{" ".join(outcome.split())[:80]}"'
    return ""
