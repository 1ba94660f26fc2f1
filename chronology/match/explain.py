"""Why a record is in its cluster, or kept out of another: its scored pairs.

Example:
    >>> from chronology.synth import generate_case
    >>> from chronology.match import match_events
    >>> events, _ = generate_case(20, seed=3)
    >>> result = match_events(events)
    >>> table = explain(events["record_id"].iloc[0], result.events, result.pairs)
    >>> list(table.columns[:3])
    ['record_id', 'other_record', 'other_agency']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from chronology.match.features import FEATURES


def _wall_days(values: pd.Series) -> pd.Series:
    """Local calendar days of timestamps (timezone dropped, NaT kept)."""
    days = pd.to_datetime(values)
    if getattr(days.dt, "tz", None) is not None:
        days = days.dt.tz_localize(None)
    return days.dt.normalize()


def explain(
    record_id: str, events: pd.DataFrame, pairs: pd.DataFrame, weights: Mapping[str, Any] | None = None
) -> pd.DataFrame:
    """Every scored pair involving ``record_id``, best score first.

    Args:
        record_id: The record to explain.
        events: The events table (for the other record's agency, date and text).
        pairs: ``MatchResult.pairs``.
        weights: The m/u values estimated on the case
            (``MatchResult.estimate.as_dict()``), kept in ``attrs["weights"]``.

    Returns:
        One row per pair: record_id, the other record, its agency, start and
        description, its lag in days from this record (positive: the other
        was dated later, as a receipt or minutes are), then score,
        probability, decision, decided_by, note and, for each feature, its
        value, level and weight (``w_*``). Empty when the record had no
        candidate.
    """
    involved = pairs[(pairs["record_a"] == record_id) | (pairs["record_b"] == record_id)].copy()
    involved["other_record"] = involved["record_a"].where(
        involved["record_b"] == record_id, involved["record_b"]
    )
    info = events.set_index("record_id")[["agency", "start", "description"]]
    info.columns = ["other_agency", "other_start", "other_description"]
    involved = involved.join(info, on="other_record")
    own = _wall_days(events.loc[events["record_id"] == record_id, "start"])
    own_day = own.iloc[0] if len(own) else pd.NaT
    involved["other_lag_days"] = (_wall_days(involved["other_start"]) - own_day).dt.days.astype("Int64")
    involved.insert(0, "record_id", record_id)
    feature_columns = [c for f in FEATURES for c in (f, f"{f}_level", f"w_{f}")]
    columns = [
        "record_id",
        "other_record",
        "other_agency",
        "other_start",
        "other_description",
        "other_lag_days",
        "score",
        "probability",
        "decision",
        "decided_by",
        "note",
        *feature_columns,
        "prior",
    ]
    involved = involved.sort_values(["score", "other_record"], ascending=[False, True], kind="stable")
    table = involved[[c for c in columns if c in involved.columns]].reset_index(drop=True)
    if weights:
        table.attrs["weights"] = dict(weights)
    return table
