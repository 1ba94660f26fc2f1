"""match_events: the contract with the pipeline, determinism and stable ids."""

from __future__ import annotations

import pandas as pd
import pytest

from chronology.errors import ConfigError
from chronology.match import match_events
from chronology.schema import CLUSTER_COLUMNS, EVENT_COLUMNS
from chronology.synth import generate_case


@pytest.fixture(scope="module")
def case():
    events, truth = generate_case(300, seed=21)
    return events, truth, match_events(events)


def test_every_event_row_is_in_exactly_one_cluster(case):
    events, _, result = case
    assert list(result.events.columns) == list(EVENT_COLUMNS)
    assert result.events["record_id"].tolist() == events["record_id"].tolist()
    members = [r for ids in result.clusters["record_ids"] for r in ids]
    assert sorted(members) == sorted(events["record_id"])
    assert list(result.clusters.columns) == list(CLUSTER_COLUMNS)
    assert (result.clusters["size"] == result.clusters["record_ids"].str.len()).all()
    # clusters sorted by start, then id
    starts = result.clusters["start"]
    assert starts.is_monotonic_increasing
    # every pair has record_a < record_b and a decision
    assert (result.pairs["record_a"] < result.pairs["record_b"]).all()
    assert set(result.pairs["decision"]) <= {"same", "different"}


def test_continuation_and_rejected_rows_get_no_cluster(make_events):
    events = make_events(
        [
            {"record_id": "a", "agency": "CSC", "when": "2021-03-05", "description": "Home visit"},
            {
                "record_id": "b",
                "agency": "CSC",
                "when": "2021-03-05",
                "description": "more text",
                "status": "continuation",
            },
            {
                "record_id": "c",
                "agency": "CSC",
                "when": "2021-03-05",
                "description": "End of chronology",
                "status": "rejected",
            },
        ]
    )
    result = match_events(events)
    assert result.events["cluster_id"].tolist()[1:] == ["", ""]
    assert result.events["cluster_id"].iloc[0].startswith("C-")
    assert result.clusters["record_ids"].tolist() == [["a"]]


def test_same_input_gives_identical_output(case):
    events, _, first = case
    again = match_events(events.copy())
    pd.testing.assert_frame_equal(first.clusters, again.clusters)
    pd.testing.assert_frame_equal(first.pairs, again.pairs)
    pd.testing.assert_frame_equal(first.events, again.events)


def test_input_row_order_does_not_change_clusters(case):
    events, _, first = case
    shuffled = events.sample(frac=1.0, random_state=7)
    again = match_events(shuffled)
    ids = again.events.set_index("record_id")["cluster_id"]
    assert (ids.reindex(events["record_id"]).to_numpy() == first.events["cluster_id"].to_numpy()).all()


def test_cluster_ids_stay_when_an_unrelated_agency_is_added(case):
    # With the weights held (estimate = false): the ids depend on the members
    # only. (Estimated weights follow the case's pairs, so another agency's
    # records may move a borderline pair.)
    events, _, _ = case
    first = match_events(events, {"estimate": False})
    housing = events.head(25).copy()
    housing["record_id"] = "H-" + housing["record_id"]
    housing["agency"] = "Housing"
    housing["event_type"] = "other"
    housing["description"] = "Housing officer: rent arrears letter sent, tenancy review booked."
    housing["start"] = housing["start"] + pd.Timedelta(days=3000)
    housing["end"] = housing["start"]
    result = match_events(pd.concat([events, housing], ignore_index=True), {"estimate": False})
    before = first.events.set_index("record_id")["cluster_id"]
    after = result.events.set_index("record_id")["cluster_id"].reindex(before.index)
    assert (before == after).all()


def test_an_unknown_setting_names_the_closest_key():
    events, _ = generate_case(5, seed=1)
    with pytest.raises(ConfigError, match="did you mean 'threshold'"):
        match_events(events, {"treshold": 4})
    with pytest.raises(ConfigError, match="window_days"):
        match_events(events, {"window_days": "two"})


def test_a_wider_window_finds_more_candidates(case):
    events, _, first = case
    wider = match_events(events, {"window_days": 3})
    assert len(wider.pairs) > len(first.pairs)


def test_no_event_rows_and_undated_events(make_events):
    events = make_events(
        [
            {"record_id": "a", "agency": "CSC", "when": "2021-03-05", "description": "Home visit"},
            {"record_id": "b", "agency": "GP", "when": "2021-03-05", "description": "Home visit"},
        ]
    )
    undated = events.copy()
    undated.loc[1, ["start", "end"]] = pd.NaT
    result = match_events(undated)
    # an event without a date has no candidates: it is a cluster of its own, sorted last
    assert result.clusters["record_ids"].tolist() == [["a"], ["b"]]
    assert result.pairs.empty
    nothing = match_events(events.assign(status="rejected"))
    assert nothing.clusters.empty and list(nothing.clusters.columns) == list(CLUSTER_COLUMNS)
    assert nothing.events["cluster_id"].tolist() == ["", ""]
