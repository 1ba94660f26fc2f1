"""timescale_breach: a statutory or local timescale not met, one subkind per check.

Subkinds (each on or off through ``subkinds``):

- ``referral_decision``: children's social care records receiving a referral
  or notification (``referral_types``: its own record of one, or any CSC
  record matched to the sender's referral or notification to CSC) and no
  decision (a decision, strategy discussion, s47 enquiry or assessment)
  within 1 working day of that receipt (Working Together 2023).
- ``strategy_to_icpc``: an initial conference more than 15 working days after
  the earliest strategy discussion in the 90 days before it (and after any
  earlier conference).
- ``icpc_to_core_group``: the first core group more than 10 working days after
  the initial conference, or none.
- ``icpc_to_review``: the first review conference more than 3 months after the
  initial conference, or none.
- ``review_interval``: more than 6 months to the next review conference.
- ``assessment_duration``: an assessment not completed within 45 working days.
- ``cp_visits``: children's social care visits that saw a child on a plan (from
  an initial conference or plan start to the plan's end or case closure) more
  than 10 working days apart (a local setting).

One real event recorded by several agencies counts once (by cluster, else by
type and day; CSC's record is cited where there is one). "None" is reported
only when the subject's records go on past the deadline, and not when the plan
ended or the case closed first.

Severity: high when the expected step never happened or took more than twice
the timescale; medium when over by more than a fifth; low otherwise.

Example:
    >>> from chronology.analysis import DETECTORS
    >>> DETECTORS["timescale_breach"].parameters["strategy_to_icpc_working_days"].default
    15
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from chronology.analysis.calendar import add_working_days, working_days_between
from chronology.analysis.context import Context, as_date, as_day, one_per_event
from chronology.analysis.finding import Finding
from chronology.analysis.phrases import matches
from chronology.analysis.registry import DETECTORS, register
from chronology.analysis.timescale_checks import (
    Check,
    Series,
    occurrence_positions,
    occurrences,
    plan_end_positions,
)
from chronology.errors import ConfigError

__all__ = ["occurrences", "run"]

NAME = "timescale_breach"
SEVERITY = "high when the expected step never happened or took more than twice the timescale; medium when over by more than a fifth; low otherwise"
SUBKINDS = (
    "referral_decision",
    "strategy_to_icpc",
    "icpc_to_core_group",
    "icpc_to_review",
    "review_interval",
    "assessment_duration",
    "cp_visits",
)
DECISION_TYPES = ("referral_decision", "strategy_discussion", "s47_enquiry", "assessment")


@register(
    NAME,
    "timescale_breach",
    """Statutory and local timescales: referral decision, strategy discussion to
    initial conference, initial conference to first core group and to first
    review, interval between reviews, assessment duration, and visits to a child
    on a child protection plan.""",
    severity=SEVERITY,
)
def run(
    events: pd.DataFrame, clusters: pd.DataFrame, params: Mapping[str, Any], ctx: Context
) -> list[Finding]:
    """Run each enabled timescale check for one subject.

    Example:
        >>> run(prepared, clusters, DETECTORS["timescale_breach"].defaults(), ctx)  # doctest: +SKIP
        [Finding(kind='timescale_breach', subkind='icpc_to_core_group', ...)]
    """
    for s in params["subkinds"]:
        if s not in SUBKINDS:
            raise ConfigError(
                f"unknown subkind '{s}' in [rules.timescale_breach] subkinds",
                file="case.toml",
                hint="valid: " + ", ".join(SUBKINDS),
            )
    if events.empty:
        return []
    check = Check(events, params, ctx)
    out: list[Finding | None] = []
    enabled = set(params["subkinds"])
    if "referral_decision" in enabled:
        out += _referral_decision(events, check, ctx)
    icpcs = Series(events, occurrence_positions(events, ("initial_conference",)), ctx)
    if "strategy_to_icpc" in enabled:
        out += _strategy_to_icpc(events, icpcs, check)
    if "icpc_to_core_group" in enabled:
        core = Series(events, occurrence_positions(events, ("core_group",)), ctx)
        out += _first_after(
            icpcs,
            core,
            icpcs,
            check,
            "icpc_to_core_group",
            "icpc_to_core_group_working_days",
            "a first core group meeting",
            "First core group",
        )
    reviews = Series(events, occurrence_positions(events, ("review_conference",)), ctx)
    if "icpc_to_review" in enabled:
        out += _first_after(
            icpcs,
            reviews,
            icpcs,
            check,
            "icpc_to_review",
            "icpc_to_review_months",
            "a first review conference",
            "First review conference",
        )
    if "review_interval" in enabled:
        out += _first_after(
            reviews,
            reviews,
            icpcs,
            check,
            "review_interval",
            "review_interval_months",
            "the next review conference",
            "Next review conference",
            strict=True,
        )
    if "assessment_duration" in enabled:
        out += _assessments(events, check, ctx)
    if "cp_visits" in enabled:
        out += _cp_visits(events, check, ctx)
    return [f for f in out if f is not None]


def _referral_decision(ev: pd.DataFrame, check: Check, ctx: Context) -> list[Finding | None]:
    """A decision within N working days of each contact CSC receives that needs one.

    The records of one contact (CSC's "contact received" and "MASH screening"
    rows of one day, or of one cluster) count once; a contact about a case
    already open and passed to its allocated worker (``no_decision_phrases``)
    needs no decision. The decision is the first on or after the contact's day
    and before the next contact's day.
    """
    types = tuple(check.params["referral_types"])
    is_csc = ev["is_csc"].to_numpy()
    typed = ev["event_type"].isin(types).to_numpy()
    to_csc = ev["to_agency"].isin(ctx.csc).to_numpy()
    # Sent to CSC: a referral or notification whose to_agency is CSC (or CSC's own record of one).
    sent = typed & (to_csc | (is_csc & (ev["to_agency"] == "").to_numpy()))
    # Received: CSC's record of it (its own referral record, or a CSC record matched to the sender's).
    sent_clusters = set(ev["cluster_id"].to_numpy()[sent]) - {""}
    received_mask = is_csc & ((sent & typed) | ev["cluster_id"].isin(sent_clusters).to_numpy())
    # CSC's own record of receiving a referral, matched to the sender's record or not
    asked = np.array(["referral" in n for n in ev["nouns"]], dtype=bool)
    from_other = np.array([any(a not in ctx.csc for a in s) for s in ev["senders"]], dtype=bool)
    received_mask |= is_csc & ev["receipt"].to_numpy(dtype=bool) & asked & from_other
    received_mask &= ~ev["event_type"].isin(DECISION_TYPES).to_numpy()
    if not received_mask.any():
        return []
    phrases = check.params.get("no_decision_phrases", [])
    no_decision = matches(ev["text"], phrases) if phrases else np.zeros(len(ev), dtype=bool)
    contacts = one_per_event(ev, received_mask, by_type=False, one_per_day=True)
    # A contact's day needs no decision when any CSC record of it that day says the case is open and allocated.
    day = ev["day"].to_numpy().astype("datetime64[D]")
    open_days = set(day[received_mask & no_decision])
    received = Series(ev, contacts, ctx)
    decided = ev["event_type"].isin(DECISION_TYPES) & (
        ev["is_csc"] | (ev["event_type"] == "strategy_discussion")
    )
    decisions = Series(ev, np.flatnonzero(decided.to_numpy() & ~ev["planned"].to_numpy(dtype=bool)), ctx)
    out: list[Finding | None] = []
    for k in range(len(received)):
        if received.days[k] in open_days:
            continue
        j = decisions.first_from(received.days[k])
        later = received.days[received.days > received.days[k]]
        if j is not None and len(later) and decisions.days[j] >= later[0]:
            j = None  # the next decision belongs to the next contact
        outcome = decisions.rec(j) if j is not None else None
        out.append(
            check.working_day_check(
                "referral_decision",
                "referral_decision_working_days",
                received.rec(k),
                outcome,
                "a decision on the referral",
                "Referral decision",
            )
        )
    return out


def _strategy_to_icpc(ev: pd.DataFrame, icpcs: Series, check: Check) -> list[Finding | None]:
    strategies = Series(ev, occurrence_positions(ev, ("strategy_discussion",)), check.ctx)
    lookback = np.timedelta64(int(check.params["strategy_lookback_days"]), "D")
    out: list[Finding | None] = []
    previous = None
    for k in range(len(icpcs)):
        day = icpcs.days[k]
        lo = day - lookback if previous is None else max(day - lookback, previous + np.timedelta64(1, "D"))
        previous = day
        j = strategies.first_from(lo)
        if j is None or strategies.days[j] > day:
            continue
        out.append(
            check.working_day_check(
                "strategy_to_icpc",
                "strategy_to_icpc_working_days",
                strategies.rec(j),
                icpcs.rec(k),
                "an initial child protection conference",
                "Initial conference",
            )
        )
    return out


def _first_after(
    anchors: Series,
    targets: Series,
    icpcs: Series,
    check: Check,
    subkind: str,
    param: str,
    what: str,
    title_what: str,
    strict: bool = False,
) -> list[Finding | None]:
    """For each anchor, the first target after it (before the next initial conference)."""
    out: list[Finding | None] = []
    for k in range(len(anchors)):
        day = anchors.days[k]
        j = targets.first_from(day, strict=strict, not_pos=int(anchors.pos[k]))
        n = int(np.searchsorted(icpcs.days, day, "right"))
        if j is not None and n < len(icpcs) and targets.days[j] >= icpcs.days[n]:
            j = None  # a new conference came first
        outcome = targets.rec(j) if j is not None else None
        anchor = anchors.rec(k)
        if param.endswith("_months"):
            out.append(check.month_check(subkind, param, anchor, outcome, what, title_what))
        else:
            out.append(check.working_day_check(subkind, param, anchor, outcome, what, title_what))
    return out


def _assessments(ev: pd.DataFrame, check: Check, ctx: Context) -> list[Finding | None]:
    starts = Series(ev, occurrence_positions(ev, ("assessment",), csc_only=bool(ctx.csc)), ctx)
    done = Series(ev, occurrence_positions(ev, ("assessment_completed",)), ctx)
    out: list[Finding | None] = []
    open_until = None
    for k in range(len(starts)):
        if open_until is not None and starts.days[k] <= open_until:
            continue  # a further record of an assessment already under way
        j = done.first_from(starts.days[k])
        outcome = done.rec(j) if j is not None else None
        open_until = done.days[j] if j is not None else check.data_end
        out.append(
            check.working_day_check(
                "assessment_duration",
                "assessment_working_days",
                starts.rec(k),
                outcome,
                "the assessment completed",
                "Assessment completed",
            )
        )
    return out


def _cp_visits(ev: pd.DataFrame, check: Check, ctx: Context) -> list[Finding | None]:
    """Gaps over N working days between CSC visits that saw a child on a plan."""
    from chronology.analysis.contact_gap import child_seen

    starts = Series(ev, occurrence_positions(ev, ("initial_conference", "cp_plan_start")), ctx)
    if not len(starts):
        return []
    n = int(check.params["cp_visit_working_days"])
    seen = child_seen(ev, ctx, ctx.rules.get("contact_gap") or DETECTORS["contact_gap"].defaults())
    visits = Series(ev, np.flatnonzero(seen & ev["is_csc"].to_numpy()), ctx)
    ends = Series(ev, plan_end_positions(ev), ctx)
    out: list[Finding | None] = []
    plan_until = None
    for k in range(len(starts)):
        day = starts.days[k]
        if plan_until is not None and day <= plan_until:
            continue  # the plan is already running (a conference and a plan start of one plan)
        e = ends.first_from(day, strict=True)
        plan_until = ends.days[e] if e is not None else check.data_end
        lo, hi = np.searchsorted(visits.days, [day, plan_until], "right")
        chain = [starts.rec(k), *(visits.rec(i) for i in range(lo, hi))]
        if e is not None:
            chain.append(ends.rec(e))
        # A plan that runs past the end of the records has no trailing gap claimed.
        for a, b in zip(chain, chain[1:], strict=False):
            taken = working_days_between(as_date(a["day"]), as_date(b["day"]))
            if taken <= n:
                continue
            deadline = as_day(add_working_days(as_date(a["day"]), n))
            out.append(
                check.finding(
                    "cp_visits",
                    "cp_visit_working_days",
                    a,
                    b,
                    deadline,
                    f"a child on a child protection plan to be seen by a social worker at least every {n} working days",
                    f"{taken} working days later, with no {ctx.csc_label()} visit that saw the child in between",
                    n,
                    taken,
                    f"Child on a plan not seen by a social worker for {taken} working days",
                )
            )
    return out
