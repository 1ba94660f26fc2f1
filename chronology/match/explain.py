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

import pandas as pd

from chronology.match.features import FEATURES


def explain(record_id: str, events: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """Every scored pair involving ``record_id``, best score first.

    Args:
        record_id: The record to explain.
        events: The events table (for the other record's agency, date and text).
        pairs: ``MatchResult.pairs``.

    Returns:
        One row per pair: record_id, the other record, its agency, start and
        description, then score, probability, decision, decided_by, note and,
        for each feature, its value, level and weight (``w_*``). Empty when
        the record had no candidate.
    """
    involved = pairs[(pairs["record_a"] == record_id) | (pairs["record_b"] == record_id)].copy()
    involved["other_record"] = involved["record_a"].where(
        involved["record_b"] == record_id, involved["record_b"]
    )
    info = events.set_index("record_id")[["agency", "start", "description"]]
    info.columns = ["other_agency", "other_start", "other_description"]
    involved = involved.join(info, on="other_record")
    involved.insert(0, "record_id", record_id)
    feature_columns = [c for f in FEATURES for c in (f, f"{f}_level", f"w_{f}")]
    columns = [
        "record_id",
        "other_record",
        "other_agency",
        "other_start",
        "other_description",
        "score",
        "probability",
        "decision",
        "decided_by",
        "note",
        *feature_columns,
        "prior",
    ]
    involved = involved.sort_values(["score", "other_record"], ascending=[False, True], kind="stable")
    return involved[columns].reset_index(drop=True)
