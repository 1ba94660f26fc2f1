"""closure_after_concern: children's social care closed the case around a new concern.

Rule: children's social care records closing the case (the record's
``closure`` attribute: a ``case_closure`` type, or "case closed" in any text
column, whatever the type: "Case closed ... assessment concluded"; a plan to
close is not a closure), and another agency recorded a new concern (the
record's ``concern`` attribute: not history, a denial, a follow-up or a
receipt) within ``window_days`` (30) days before or after the closure. One finding per
closure, citing the closure and every such concern. Concerns with a date no
closer than a month are not used. Closures by other agencies (a health visitor
discharging a family) are not this pattern and are not reported.

Severity: high when a cited concern is an injury, a disclosure or self-harm;
medium otherwise.

Example:
    >>> from chronology.analysis import DETECTORS
    >>> DETECTORS["closure_after_concern"].parameters["window_days"].default
    30
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from chronology.analysis.context import Context, Record, as_day, fmt_date, one_per_event
from chronology.analysis.finding import Finding
from chronology.analysis.registry import register

NAME = "closure_after_concern"
SEVERITY = "high when a cited concern is an injury, a disclosure or self-harm; medium otherwise"
IMPRECISE = ("month", "term", "year")
SERIOUS = ("injury", "disclosure", "self_harm")


@register(
    NAME,
    "closure_after_concern",
    """Children's social care closes the case while another agency recorded a
    new concern in the window before or after the closure.""",
    severity=SEVERITY,
)
def run(
    events: pd.DataFrame, clusters: pd.DataFrame, params: Mapping[str, Any], ctx: Context
) -> list[Finding]:
    """Find CSC closures with another agency's concern close by.

    Example:
        >>> run(prepared, clusters, {"window_days": 30}, ctx)  # doctest: +SKIP
        [Finding(kind='closure_after_concern', ...)]
    """
    window = np.timedelta64(int(params["window_days"]), "D")
    closing = events["closure"].to_numpy(dtype=bool) & events["is_csc"].to_numpy(dtype=bool)
    closing &= ~events["planned"].to_numpy(dtype=bool)
    closures = events.iloc[one_per_event(events, closing, by_type=False, one_per_day=True)]
    if closures.empty:
        return []
    concerns = events[
        (events["concern"] != "") & ~events["is_csc"] & ~events["date_precision"].isin(IMPRECISE)
    ]
    days = concerns["day"].to_numpy().astype("datetime64[D]")
    closure_days = closures["day"].to_numpy().astype("datetime64[D]")
    lo = np.searchsorted(days, closure_days - window, "left")
    hi = np.searchsorted(days, closure_days + window, "right")
    findings = []
    for k, position in enumerate(closures.index):
        if hi[k] > lo[k]:
            findings.append(_finding(ctx.at(int(position)), concerns.iloc[lo[k] : hi[k]], params, ctx))
    return findings


def _finding(closure: Record, near: pd.DataFrame, params: Mapping[str, Any], ctx: Context) -> Finding:
    # One line per concern: an agency's several records of one concern on one day (an ED attendance's rows) once.
    near = near.drop_duplicates(["agency", "day", "concern"])
    c = as_day(closure["day"])
    parts = []
    for r in near.itertuples(index=False):
        delta = int((as_day(r.day) - c).astype(int))
        when = (
            "the same day"
            if delta == 0
            else f"{abs(delta)} day{'s' if abs(delta) != 1 else ''} {'before' if delta < 0 else 'after'}"
        )
        parts.append(
            f"{r.agency} recorded {_concern_words(r.event_type, r.concern, ctx)} on {fmt_date(r.day)} "
            f"({ctx.cite(r.record_id)}), {when}"
        )
    window = int(params["window_days"])
    statement = (
        f"On {fmt_date(closure['day'])} {closure['agency']} closed the case ({ctx.cite(closure['record_id'])}). "
        f"Within {window} days of the closure (local practice) another agency recorded a new concern: "
        f"{'; '.join(parts)}."
    )
    categories = set(near["concern"])
    agencies = sorted({closure["agency"], *near["agency"]})
    return Finding(
        kind="closure_after_concern",
        detector=NAME,
        subject_ref=closure["subject_ref"],
        severity="high" if categories & set(SERIOUS) else "medium",
        title=f"Case closed by {closure['agency']} within {window} days of a concern from {', '.join(sorted(set(near['agency'])))}",
        statement=statement,
        record_ids=[closure["record_id"], *near["record_id"]],
        start=min(ctx.instant(closure["start"]), near["start"].min()),
        end=max(ctx.instant(closure["start"]), near["start"].max()),
        agencies=agencies,
        params={"window_days": window},
    )


def _concern_words(event_type: str, category: str, ctx: Context) -> str:
    """The record's type where it names the concern ("a domestic abuse incident"), else the concern read from its text."""
    if ctx.vocab.concern_of(event_type) == category:
        return ctx.type_label(event_type)
    return f"a concern of {category.replace('_', ' ')} (read from its text)"
