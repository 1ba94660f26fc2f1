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
from chronology.analysis.context import (
    Context,
    Record,
    as_date,
    as_day,
    fmt_date,
    local_midnight,
    one_per_event,
)
from chronology.analysis.finding import Finding
from chronology.analysis.registry import DETECTORS, register
from chronology.errors import ConfigError

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
PLAN_ENDS = ("cp_plan_end", "case_closure")


def occurrences(ev: pd.DataFrame, types: tuple[str, ...], csc_only: bool = False) -> pd.DataFrame:
    """One row per real event of the given types: by cluster, else by type and day.

    The representative is CSC's record where there is one, else the first by
    source file and row. ``csc_only`` keeps events CSC recorded.

    Example:
        >>> occurrences(prepared, ("initial_conference",))["day"].tolist()  # doctest: +SKIP
        [numpy.datetime64('2019-04-02')]
    """
    return ev.iloc[occurrence_positions(ev, types, csc_only)]


def occurrence_positions(ev: pd.DataFrame, types: tuple[str, ...], csc_only: bool = False) -> np.ndarray:
    """Row positions of :func:`occurrences` (no frame made)."""
    return one_per_event(ev, ev["event_type"].isin(types).to_numpy(), csc_only=csc_only)


class _Series:
    """Records of some types in day order, with fast lookup of the first on or after a day."""

    def __init__(self, ev: pd.DataFrame, positions: np.ndarray, ctx: Context) -> None:
        # positions come in day order: subsets of the prepared events, or one_per_event's choice.
        self.days = ev["day"].to_numpy()[positions].astype("datetime64[D]")
        self.pos = ev.index.to_numpy()[positions]
        self.ctx = ctx

    def __len__(self) -> int:
        return len(self.days)

    def rec(self, k: int) -> Record:
        """The k-th record."""
        return self.ctx.at(int(self.pos[k]))

    def first_from(self, day: np.datetime64, strict: bool = False, not_pos: int | None = None) -> int | None:
        """Index of the first record on (or, strict, after) ``day``, skipping position ``not_pos``."""
        k = int(np.searchsorted(self.days, day, "right" if strict else "left"))
        while k < len(self.days) and self.pos[k] == not_pos:
            k += 1
        return k if k < len(self.days) else None


def _severity(limit: float, actual: float | None) -> str:
    if actual is None or actual > 2 * limit:
        return "high"
    return "medium" if actual > 1.2 * limit else "low"


def _source(param: str) -> str:
    source = DETECTORS[NAME].parameters[param].source
    return source.split(" (")[0]


class _Check:
    """Builds the findings of one subkind for one subject."""

    def __init__(self, ev: pd.DataFrame, params: Mapping[str, Any], ctx: Context) -> None:
        self.ev, self.params, self.ctx = ev, params, ctx
        self.data_end = as_day(ev["day"].max())
        self.stops = ev["day"].to_numpy()[occurrence_positions(ev, PLAN_ENDS)].astype("datetime64[D]")

    def stopped(self, after: np.datetime64, by: np.datetime64) -> bool:
        """True when a plan ended or the case closed in (after, by]."""
        return bool(((self.stops > after) & (self.stops <= by)).any())

    def finding(
        self,
        subkind: str,
        param: str,
        anchor: Mapping[str, Any],
        outcome: Mapping[str, Any] | None,
        deadline: np.datetime64,
        limit_text: str,
        actual_text: str,
        limit: float,
        actual: float | None,
        title: str,
    ) -> Finding:
        ctx = self.ctx
        source = _source(param)
        expected = f"{source[:1].upper()}{source[1:]} expects {limit_text} (by {fmt_date(deadline)})."
        if outcome is not None:
            happened = (
                f" {outcome['agency']} records {ctx.type_label(outcome['event_type'])} on "
                f"{fmt_date(outcome['day'])} ({ctx.cite(outcome['record_id'])}), {actual_text}."
            )
        else:
            happened = f" {actual_text}"
        what = ctx.type_label(anchor["event_type"])
        if (
            ctx.vocab.types.get(anchor["event_type"])
            and ctx.vocab.types[anchor["event_type"]].group == "receipt"
        ):
            sender = anchor["from_agency"] or "another agency"
            what = f"receiving a referral or notification from {sender}"
        statement = (
            f"On {fmt_date(anchor['day'])} {anchor['agency']} recorded {what} "
            f"({ctx.cite(anchor['record_id'])}). {expected}{happened}"
        )
        records = [anchor["record_id"]] + ([outcome["record_id"]] if outcome is not None else [])
        end = outcome["start"] if outcome is not None else local_midnight(deadline, ctx.timezone)
        agencies = {anchor["agency"]} | ({outcome["agency"]} if outcome is not None else set())
        return Finding(
            kind="timescale_breach",
            detector=NAME,
            subject_ref=anchor["subject_ref"],
            severity=_severity(limit, actual),
            title=title,
            statement=statement,
            record_ids=records,
            start=anchor["start"],
            end=end,
            agencies=sorted(agencies),
            subkind=subkind,
            params={param: self.params[param]},
        )

    def working_day_check(
        self,
        subkind: str,
        param: str,
        anchor: Mapping[str, Any],
        outcome: Mapping[str, Any] | None,
        what: str,
        title_what: str,
    ) -> Finding | None:
        """A step expected within N working days of the anchor."""
        n = int(self.params[param])
        day = as_day(anchor["day"])
        deadline = as_day(add_working_days(as_date(day), n))
        limit_text = f"{what} within {n} working day{'s' if n != 1 else ''}"
        if outcome is not None:
            taken = working_days_between(as_date(day), as_date(outcome["day"]))
            if taken <= n:
                return None
            return self.finding(
                subkind,
                param,
                anchor,
                outcome,
                deadline,
                limit_text,
                f"{taken} working days after",
                n,
                taken,
                f"{title_what} after {taken} working days",
            )
        if self.data_end <= deadline or self.stopped(day, deadline):
            return None
        actual = f"No record of {what} follows."
        return self.finding(
            subkind,
            param,
            anchor,
            None,
            deadline,
            limit_text,
            actual,
            n,
            None,
            f"No {title_what.lower()} recorded",
        )

    def month_check(
        self,
        subkind: str,
        param: str,
        anchor: Mapping[str, Any],
        outcome: Mapping[str, Any] | None,
        what: str,
        title_what: str,
    ) -> Finding | None:
        """A step expected within N calendar months of the anchor."""
        months = int(self.params[param])
        day = as_day(anchor["day"])
        deadline = as_day((pd.Timestamp(day) + pd.DateOffset(months=months)).date())
        limit_text = f"{what} within {months} months"
        limit_days = float((deadline - day).astype(int))
        if outcome is not None:
            if as_day(outcome["day"]) <= deadline:
                return None
            taken = int((as_day(outcome["day"]) - day).astype(int))
            return self.finding(
                subkind,
                param,
                anchor,
                outcome,
                deadline,
                limit_text,
                f"{taken} days after",
                limit_days,
                taken,
                f"{title_what} after {taken} days",
            )
        if self.data_end <= deadline or self.stopped(day, deadline):
            return None
        return self.finding(
            subkind,
            param,
            anchor,
            None,
            deadline,
            limit_text,
            f"No record of {what} follows.",
            limit_days,
            None,
            f"No {title_what.lower()} recorded",
        )


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
    check = _Check(events, params, ctx)
    out: list[Finding | None] = []
    enabled = set(params["subkinds"])
    if "referral_decision" in enabled:
        out += _referral_decision(events, check, ctx)
    icpcs = _Series(events, occurrence_positions(events, ("initial_conference",)), ctx)
    if "strategy_to_icpc" in enabled:
        out += _strategy_to_icpc(events, icpcs, check)
    if "icpc_to_core_group" in enabled:
        core = _Series(events, occurrence_positions(events, ("core_group",)), ctx)
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
    reviews = _Series(events, occurrence_positions(events, ("review_conference",)), ctx)
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


def _referral_decision(ev: pd.DataFrame, check: _Check, ctx: Context) -> list[Finding | None]:
    types = tuple(check.params["referral_types"])
    is_csc = ev["is_csc"].to_numpy()
    typed = ev["event_type"].isin(types).to_numpy()
    to_csc = ev["to_agency"].isin(ctx.csc).to_numpy()
    # Sent to CSC: a referral or notification whose to_agency is CSC (or CSC's own record of one).
    sent = typed & (to_csc | (is_csc & (ev["to_agency"] == "").to_numpy()))
    # Received: CSC's record of it (its own referral record, or a CSC record matched to the sender's).
    sent_clusters = set(ev["cluster_id"].to_numpy()[sent]) - {""}
    received_mask = is_csc & ((sent & typed) | ev["cluster_id"].isin(sent_clusters).to_numpy())
    if not received_mask.any():
        return []
    received = _Series(ev, one_per_event(ev, received_mask, by_type=False), ctx)
    decided = ev["event_type"].isin(DECISION_TYPES) & (
        ev["is_csc"] | (ev["event_type"] == "strategy_discussion")
    )
    decisions = _Series(ev, np.flatnonzero(decided.to_numpy()), ctx)
    out: list[Finding | None] = []
    for k in range(len(received)):
        j = decisions.first_from(received.days[k])
        if j is not None and k + 1 < len(received) and decisions.days[j] >= received.days[k + 1]:
            j = None  # the next decision belongs to the next referral
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


def _strategy_to_icpc(ev: pd.DataFrame, icpcs: _Series, check: _Check) -> list[Finding | None]:
    strategies = _Series(ev, occurrence_positions(ev, ("strategy_discussion",)), check.ctx)
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
    anchors: _Series,
    targets: _Series,
    icpcs: _Series,
    check: _Check,
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


def _assessments(ev: pd.DataFrame, check: _Check, ctx: Context) -> list[Finding | None]:
    starts = _Series(ev, occurrence_positions(ev, ("assessment",), csc_only=bool(ctx.csc)), ctx)
    done = _Series(ev, occurrence_positions(ev, ("assessment_completed",)), ctx)
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


def _cp_visits(ev: pd.DataFrame, check: _Check, ctx: Context) -> list[Finding | None]:
    """Gaps over N working days between CSC visits that saw a child on a plan."""
    from chronology.analysis.contact_gap import child_seen

    starts = _Series(ev, occurrence_positions(ev, ("initial_conference", "cp_plan_start")), ctx)
    if not len(starts):
        return []
    n = int(check.params["cp_visit_working_days"])
    seen = child_seen(ev, ctx, ctx.rules.get("contact_gap") or DETECTORS["contact_gap"].defaults())
    visits = _Series(ev, np.flatnonzero(seen & ev["is_csc"].to_numpy()), ctx)
    ends = _Series(ev, occurrence_positions(ev, PLAN_ENDS), ctx)
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
