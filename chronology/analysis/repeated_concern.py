"""repeated_concern: the same worry raised again and again, and no one convened.

Rule: ``threshold`` (3) or more concerns of one category within
``window_months`` (12) months of the first of them, and no strategy
discussion, section 47 enquiry, conference or assessment (``response_types``,
recorded by any agency) in the window from that first concern. Categories are
the vocabulary's concern categories (domestic abuse, injury, neglect...) and
``missed_appointment`` for the child's missed appointments. One real event
recorded by several agencies counts once (by cluster and by day: two
concerns of one category on one day count once).
Overlapping windows make one finding, citing every concern in them.

Severity: high for injuries, disclosures and self-harm, or when the run holds
two or more concerns beyond the threshold; medium otherwise.

Example:
    >>> from chronology.analysis import DETECTORS
    >>> DETECTORS["repeated_concern"].parameters["threshold"].default
    3
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from chronology.analysis.context import Context, fmt_date, one_per_event
from chronology.analysis.finding import Finding
from chronology.analysis.registry import register

NAME = "repeated_concern"
SEVERITY = "high for injuries, disclosures and self-harm, or two or more concerns beyond the threshold; medium otherwise"
PLURALS = {
    "domestic_abuse": "domestic abuse incidents",
    "missed_appointment": "missed appointments of the child",
    "injury": "injuries",
    "neglect": "neglect concerns",
    "missing": "missing episodes",
    "self_harm": "self-harm incidents",
    "disclosure": "disclosures",
}
SERIOUS = ("injury", "disclosure", "self_harm")


def _category_rows(ev: pd.DataFrame, category: str) -> pd.DataFrame:
    """One row per real event of a category, sorted by day."""
    return ev.iloc[_category_positions(ev, category)]


def _category_positions(ev: pd.DataFrame, category: str, at_least: int = 0) -> np.ndarray:
    """Row positions of :func:`_category_rows`; none when fewer than ``at_least`` records are of the category."""
    if category == "missed_appointment":
        mask = (ev["event_type"] == "missed_appointment").to_numpy()
    else:
        mask = (ev["concern"] == category).to_numpy()
    if np.count_nonzero(mask) < at_least:  # one per real event leaves no more than there are records
        return np.zeros(0, dtype=np.intp)
    # One real event: a cluster, or records of one day (a cluster and an unmatched record of its day too).
    return one_per_event(ev, mask, by_type=False, one_per_day=True, prefer_csc=False)


@register(
    NAME,
    "repeated_concern",
    """Three or more concerns of one category (domestic abuse, missed
    appointments of the child, injuries...) within 12 months, with no strategy
    discussion, conference or assessment in that window.""",
    severity=SEVERITY,
)
def run(
    events: pd.DataFrame, clusters: pd.DataFrame, params: Mapping[str, Any], ctx: Context
) -> list[Finding]:
    """Find runs of repeated concerns that never led to a strategy discussion, conference or assessment.

    Example:
        >>> run(prepared, clusters, DETECTORS["repeated_concern"].defaults(), ctx)  # doctest: +SKIP
        [Finding(kind='repeated_concern', ...)]
    """
    k = int(params["threshold"])
    months = int(params["window_months"])
    response_days = np.sort(
        events.loc[
            events["event_type"].isin(params["response_types"]) & ~events["planned"].astype(bool), "day"
        ]
        .to_numpy()
        .astype("datetime64[D]")
    )
    findings = []
    for category in params["categories"]:
        positions = _category_positions(events, category, at_least=max(k, 1))
        if len(positions) < max(k, 1):
            continue
        days = events["day"].to_numpy()[positions].astype("datetime64[D]")
        ends = (pd.DatetimeIndex(days) + pd.DateOffset(months=months)).to_numpy().astype("datetime64[D]")
        j = np.searchsorted(days, ends, "right")
        count = j - np.arange(len(days))
        responded = np.searchsorted(response_days, ends, "right") > np.searchsorted(
            response_days, days, "left"
        )
        qualifying = np.flatnonzero((count >= k) & ~responded)
        for lo, hi in _runs(qualifying, j):
            findings.append(
                _finding(
                    events.iloc[positions[lo:hi]],
                    category,
                    ends[qualifying[(qualifying >= lo) & (qualifying < hi)]].max(),
                    params,
                    ctx,
                )
            )
    return findings


def _runs(starts: np.ndarray, ends: np.ndarray) -> list[tuple[int, int]]:
    """Merge the windows [i, ends[i]) of the qualifying starts into maximal runs."""
    runs: list[tuple[int, int]] = []
    for i in starts:
        e = int(ends[i])
        if runs and i < runs[-1][1]:
            runs[-1] = (runs[-1][0], max(runs[-1][1], e))
        else:
            runs.append((int(i), e))
    return runs


def _finding(
    rows: pd.DataFrame, category: str, window_end: np.datetime64, params: Mapping[str, Any], ctx: Context
) -> Finding:
    k, months = int(params["threshold"]), int(params["window_months"])
    what = PLURALS.get(category, category.replace("_", " ") + " concerns")
    listed = "; ".join(
        f"{r.agency} on {fmt_date(r.day)} ({ctx.cite(r.record_id)})" for r in rows.itertuples(index=False)
    )
    first, last = rows.iloc[0], rows.iloc[-1]
    agencies = sorted(set(rows["agency"]))
    statement = (
        f"Between {fmt_date(first['day'])} and {fmt_date(last['day'])} {', '.join(agencies)} recorded "
        f"{len(rows)} {what}: {listed}. The review looks for {k} or more of one kind within {months} months "
        f"(local practice); no agency records a strategy discussion, section 47 enquiry, child protection "
        f"conference or assessment between {fmt_date(first['day'])} and {fmt_date(window_end)}."
    )
    severity = "high" if category in SERIOUS or len(rows) >= k + 2 else "medium"
    return Finding(
        kind="repeated_concern",
        detector=NAME,
        subject_ref=first["subject_ref"],
        severity=severity,
        title=f"{len(rows)} {what} with no strategy discussion, conference or assessment",
        statement=statement,
        record_ids=list(rows["record_id"]),
        start=first["start"],
        end=last["start"],
        agencies=agencies,
        params={
            "threshold": k,
            "window_months": months,
            "category": category,
            "response_types": list(params["response_types"]),
        },
    )
