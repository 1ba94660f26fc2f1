"""Accuracy measures, and the labelled generator they are used with."""

from __future__ import annotations

import pandas as pd
import pytest

from chronology.match.metrics import cluster_scores
from chronology.schema import DATE_PRECISIONS, EVENT_COLUMNS, event_schema
from chronology.synth import generate_case
from chronology.vocabulary import load_vocabulary


def test_pairwise_and_bcubed_on_a_small_example():
    # truth: {1,2,3} one event, {4} another; predicted: {1,2} {3,4}
    scores = cluster_scores(["a", "a", "b", "b"], ["e", "e", "e", "f"])
    # predicted pairs 1-2 (right) and 3-4 (wrong): precision 1/2
    assert scores["pairwise_precision"] == 0.5
    # true pairs 1-2, 1-3, 2-3: one found
    assert scores["pairwise_recall"] == pytest.approx(1 / 3)
    # B-cubed precision: records 1, 2 fully right (1), 3 and 4 half (0.5): 0.75
    assert scores["bcubed_precision"] == 0.75
    # B-cubed recall: 1 and 2 have 2 of 3 (2/3), 3 has 1 of 3, 4 has 1 of 1
    assert scores["bcubed_recall"] == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1) / 4)


def test_perfect_and_all_singletons():
    truth = ["e", "e", "f"]
    assert cluster_scores(["x", "x", "y"], truth)["pairwise_f1"] == 1.0
    singletons = cluster_scores(["x", "y", "z"], truth)
    # nothing predicted together: precision has nothing to measure (1.0), recall 0
    assert singletons["pairwise_precision"] == 1.0 and singletons["pairwise_recall"] == 0.0


def test_generated_events_follow_the_schema_and_are_deterministic():
    events, truth = generate_case(120, seed=4, n_subjects=3)
    again, truth_again = generate_case(120, seed=4, n_subjects=3)
    pd.testing.assert_frame_equal(events, again)
    pd.testing.assert_series_equal(truth, truth_again)
    assert list(events.columns) == list(EVENT_COLUMNS)
    assert events["record_id"].is_unique
    assert set(events["date_precision"]) <= set(DATE_PRECISIONS)
    assert set(events["event_type"]) <= set(load_vocabulary().types)
    assert set(events["subject_ref"]) == {"S0000", "S0001", "S0002"}
    assert str(events["start"].dt.tz) == "Europe/London"
    assert (events["end"] >= events["start"]).all()
    # fits events.parquet's schema
    import pyarrow as pa

    pa.Table.from_pandas(events, schema=event_schema(), preserve_index=False)


def test_generated_events_hold_the_variation_and_the_traps():
    events, truth = generate_case(600, seed=2)
    per_event = truth.value_counts()
    # one to five agencies per real event, and several records of one agency
    # (an attendance's triage and clinician rows, a meeting's minutes)
    assert per_event.max() <= 12 and (per_event > 1).mean() > 0.3
    per_agency = events.groupby([truth.to_numpy(), events["agency"].to_numpy()]).size()
    assert (per_agency > 1).mean() > 0.1
    text = events["description"]
    assert text.str.contains("rec'd|received", regex=True).any()
    assert text.str.contains(r"\d{1,2}/\d{1,2}", regex=True).any()
    assert (events["date_precision"] == "time").any() and (events["date_precision"] == "day").any()
    # weekly visits with the same words on different days
    visits = events[text.str.startswith("Routine home visit")]
    assert visits["start"].dt.date.nunique() > 10
