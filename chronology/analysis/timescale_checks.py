"""The parts of the timescale checks: events of a kind in day order, and how a check builds its finding.

:func:`occurrences` counts one real event once (by cluster, else by type and
day), leaving out write-ups and plans ("ICPC minutes typed", "ICPC to be
convened"); :class:`Check` turns "step expected within N working days or
months of an anchor" into a finding with its ``subkind`` and the ``start`` and
``end`` of the period it judges.

Example:
    >>> occurrences(prepared, ("initial_conference",))["day"].tolist()  # doctest: +SKIP
    [numpy.datetime64('2019-04-02')]
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
from chronology.analysis.registry import DETECTORS

NAME = "timescale_breach"
PLAN_ENDS = ("cp_plan_end", "case_closure")
#: How many days after the one before a record's day may be and still extend the data (a typo year does not).
PLAUSIBLE_GAP_DAYS = 366


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
    """Row positions of :func:`occurrences` (no frame made): write-ups and plans left out."""
    mask = ev["event_type"].isin(types).to_numpy().copy()
    for flag in ("write_up", "planned"):
        if flag in ev.columns:
            mask &= ~ev[flag].to_numpy(dtype=bool)
    return one_per_event(ev, mask, csc_only=csc_only)


def plan_end_positions(ev: pd.DataFrame) -> np.ndarray:
    """Row positions of one record per plan end or case closure, in day order.

    A plan end is a record of type ``cp_plan_end``, a closure of the case by
    children's social care (the ``closure`` attribute, from any text column),
    or a record whose text ends the plan (``plan_end`` attribute: "CP plan
    ended" in a review conference's outcome).
    """
    mask = ev["event_type"].isin(PLAN_ENDS).to_numpy().copy()
    for flag in ("closure", "plan_end"):
        if flag in ev.columns:
            mask |= ev[flag].to_numpy(dtype=bool) & ev["is_csc"].to_numpy(dtype=bool)
    return one_per_event(ev, mask, by_type=False)


def data_end(days: np.ndarray) -> np.datetime64:
    """The last day of a subject's records, not counting records far past all others (a typo year).

    Example:
        >>> data_end(np.array(["2019-01-02", "2019-03-01", "2091-03-01"], dtype="datetime64[D]"))
        np.datetime64('2019-03-01')
    """
    ordered = np.sort(days.astype("datetime64[D]"))
    k = len(ordered) - 1
    while k > 0 and (ordered[k] - ordered[k - 1]).astype(int) > PLAUSIBLE_GAP_DAYS:
        k -= 1
    return ordered[k]


class Series:
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


class Check:
    """Builds the findings of one subkind for one subject."""

    def __init__(self, ev: pd.DataFrame, params: Mapping[str, Any], ctx: Context) -> None:
        self.ev, self.params, self.ctx = ev, params, ctx
        self.data_end = data_end(ev["day"].to_numpy())
        self.stops = ev["day"].to_numpy()[plan_end_positions(ev)].astype("datetime64[D]")

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
