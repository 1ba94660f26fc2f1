"""Candidate pairs: a sweep over time, by subject; never all pairs."""

from __future__ import annotations

import numpy as np

from chronology.match import match_events
from chronology.match.candidates import candidate_pairs, sweep
from chronology.match.records import prepare_records
from chronology.match.settings import load_settings
from chronology.synth import generate_case


def _pairs(events, window=1):
    records = prepare_records(events, load_settings())
    a, b = candidate_pairs(records, window)
    return {(records.record_id[i], records.record_id[j]) for i, j in zip(a, b, strict=True)}


def test_sweep_pairs_only_dates_within_the_window():
    first = np.array([0, 1, 2, 10])
    i, j = sweep(np.zeros(4, int), first, first, window=1)
    # 0-1 and 1-2 are a day apart; 0-2 is two days; 10 is alone
    assert sorted(zip(i.tolist(), j.tolist(), strict=True)) == [(0, 1), (1, 2)]


def test_an_approximate_record_meets_its_whole_range(make_events):
    events = make_events(
        [
            {
                "record_id": "w",
                "agency": "School",
                "when": "2021-03-01",
                "end": "2021-03-07",
                "date_precision": "week",
                "description": "w/c concern",
            },
            {"record_id": "x", "agency": "GP", "when": "2021-03-06", "description": "seen"},
            {"record_id": "y", "agency": "GP", "when": "2021-03-09", "description": "seen"},
            {"record_id": "z", "agency": "GP", "when": "2021-03-10", "description": "seen"},
        ]
    )
    # w covers 1-7 March, widened by a day to 8 March: it meets x (6th) but not y (9th);
    # y and z are a day apart
    assert _pairs(events) == {("w", "x"), ("y", "z")}


def test_a_record_naming_an_earlier_date_meets_that_days_events(make_events):
    events = make_events(
        [
            {"record_id": "a", "agency": "CSC", "when": "2021-04-20", "description": "CIN meeting held"},
            {
                "record_id": "b",
                "agency": "HV",
                "when": "2021-04-28",
                "description": "Minutes rec'd: CIN meeting 20/04/21",
            },
            {
                "record_id": "c",
                "agency": "GP",
                "when": "2021-04-28",
                "description": "ED letter re attendance on 12/03",
            },
            {"record_id": "d", "agency": "ED", "when": "2021-03-12 10:00", "description": "Attended ED"},
        ]
    )
    # b names 20/04/21 (a's day); c names 12/03 of its own year (d's day); b and c share a day
    assert _pairs(events) == {("a", "b"), ("c", "d"), ("b", "c")}


def test_records_of_different_subjects_are_never_compared(make_events):
    events = make_events(
        [
            {
                "record_id": "a",
                "agency": "CSC",
                "when": "2021-04-20",
                "description": "Strategy meeting",
                "subject_ref": "S1",
            },
            {
                "record_id": "b",
                "agency": "Police",
                "when": "2021-04-20",
                "description": "Strategy meeting",
                "subject_ref": "S2",
            },
            {
                "record_id": "c",
                "agency": "Police",
                "when": "2021-04-20",
                "description": "Strategy meeting",
                "subject_ref": "S1",
            },
        ]
    )
    # only a and c are about subject S1
    assert _pairs(events) == {("a", "c")}
    result = match_events(events)
    assert set(result.pairs["record_a"] + result.pairs["record_b"]) == {"ac"}


def test_spread_out_events_give_far_fewer_pairs_than_all_pairs():
    events, _ = generate_case(1250, seed=5)
    n = len(events)
    pairs = _pairs(events)
    # about 2,000 records (1.6 per event) over five years: each meets the
    # records of three days, so the pairs are a tiny fraction of n^2/2
    assert n > 1900
    assert len(pairs) < n * (n - 1) / 2 / 100
