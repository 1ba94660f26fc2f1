"""missed_handoff: a referral or notification sent, and nothing shows it arrived.

Rule: agency A records sending a referral, notification, letter, transfer or
request (a type of the vocabulary's ``handoff`` group) to agency B of the case
(``to_agency``), and B's chronology for the same subject has no receipt,
decision or action on it within ``window_working_days`` (default 5) working
days of A's record (B's records count by their first day). What counts as B
acting on it: a matched cluster holding
A's record and a record of B (whatever its date); or a record of B in the
window that is a receipt or decision, a strategy discussion, section 47
enquiry, assessment or conference, names A as its sender (``from_agency``), or
mentions A in its text. B's routine contacts in the window do not count.

A handoff to an agency outside the review (no chronology to check) is not
reported. For an approximate date the window starts at the last day A's record
may refer to.

Severity: high for a referral or notification to children's social care;
medium for any other referral, notification or transfer; low for a letter or
request for information.

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
from chronology.analysis.finding import Finding
from chronology.analysis.registry import register

NAME = "missed_handoff"
SEVERITY = "high for a referral or notification to children's social care; medium for any other referral, notification or transfer; low for a letter or request for information"

#: Types of the receiving agency that count as acting on a handoff, beyond receipts and decisions.
ACTION_TYPES = frozenset(
    {
        "strategy_discussion",
        "s47_enquiry",
        "assessment",
        "initial_conference",
        "referral_decision",
        "information_shared",
    }
)


def _severity(event_type: str, to_csc: bool) -> str:
    if event_type in ("referral", "notification"):
        return "high" if to_csc else "medium"
    if event_type == "transfer":
        return "medium"
    return "low"


@register(
    NAME,
    "missed_handoff",
    """Agency A records a referral, notification, letter, transfer or request to
    agency B, and B's chronology shows no receipt, decision or action on it
    within the window (a matched cluster with B's record counts as received).""",
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
    ev = events
    agency = ev["agency"].to_numpy()
    to_agency = ev["to_agency"].to_numpy()
    handoff = (
        (ev["group"] == "handoff").to_numpy()
        & ev["to_agency"].isin(ctx.agencies).to_numpy()
        & (to_agency != agency)
    )
    if not handoff.any():
        return []
    responsive = (ev["group"].isin(["receipt", "decision"]) | ev["event_type"].isin(ACTION_TYPES)).to_numpy()
    sender = ev["from_agency"].to_numpy()
    days = ev["day"].to_numpy()
    deadlines = add_working_days_array(ev["end_day"].to_numpy(), window)
    sent = np.flatnonzero(handoff)
    findings: list[Finding] = []
    for b in sorted(set(to_agency[sent])):
        h = sent[to_agency[sent] == b]
        rows_b = np.flatnonzero(agency == b)  # in day order, as events are
        days_b = days[rows_b]
        lo = np.searchsorted(days_b, days[h], "left")
        hi = np.searchsorted(days_b, deadlines[h].astype(days_b.dtype), "right")
        acted = _any_between(responsive[rows_b], lo, hi)
        for a in sorted(set(agency[h])):
            from_a = agency[h] == a
            acted[from_a] |= _any_between(sender[rows_b] == a, lo[from_a], hi[from_a])
        for k in np.flatnonzero(~acted):
            i, record = int(h[k]), ctx.at(int(h[k]))
            if b in ctx.cluster_agencies(record["cluster_id"]):
                continue  # B's record of it is matched to A's
            if any(record["agency"] in ctx.mentions_at(int(j)) for j in rows_b[lo[k] : hi[k]]):
                continue  # B's record in the window names A
            findings.append(_finding(record, deadlines[i], window, params, ctx))
    return findings


def _any_between(flags: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """For each window [lo, hi) of ``flags``, whether any flag is set (by prefix sums)."""
    cum = np.concatenate([[0], np.cumsum(flags)])
    return (cum[hi] - cum[lo]) > 0


def _finding(
    h: Record, deadline: np.datetime64, window: int, params: Mapping[str, Any], ctx: Context
) -> Finding:
    a, b = h["agency"], h["to_agency"]
    what = ctx.type_label(h["event_type"])
    start = h["start"]
    end = local_midnight(deadline, ctx.timezone)
    statement = (
        f"On {fmt_date(h['day'])} {a} recorded {what} to {b} ({ctx.cite(h['record_id'])}): "
        f'"{ctx.excerpt(h["record_id"])}". {b} records no receipt, decision or action on it '
        f"within {window} working days (by {fmt_date(deadline)}), the window this review applies "
        f"to a handoff between agencies."
    )
    label = ctx.vocab.types[h["event_type"]].label if h["event_type"] in ctx.vocab.types else "Handoff"
    return Finding(
        kind="missed_handoff",
        detector=NAME,
        subject_ref=h["subject_ref"],
        severity=_severity(h["event_type"], ctx.is_csc(b)),
        title=f"{label} from {a} to {b} not recorded as received",
        statement=statement,
        record_ids=[h["record_id"]],
        start=start,
        end=end,
        agencies=[a, b],
        from_agency=a,
        to_agency=b,
        params={"window_working_days": window},
    )
