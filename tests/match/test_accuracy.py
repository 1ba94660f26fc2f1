"""Accuracy on labelled synthetic cases, with the floors actually reached.

The generator shares the code's assumptions, so these floors are a guard
against losing accuracy, not a measure of it (that is the reference case,
tests/match/test_ref1_accuracy.py). Since the generator records one event
several times by one agency (an attendance's rows, minutes days later,
write-ups) and notifications as events of their own, it is much harder than
it was. Measured (pairwise precision / recall / F1, B-cubed F1): seed 31:
0.954 / 0.753 / 0.841, 0.923; twenty subjects, seed 33: 0.984 / 0.759 / 0.857,
0.927 (when written: 0.944 / 0.724 / 0.819 and 0.984 / 0.640 / 0.776). The
floors sit a little below.
"""

from __future__ import annotations

import pytest

from chronology.match import match_events
from chronology.match.metrics import cluster_scores
from chronology.synth import generate_case


@pytest.mark.parametrize(("seed", "n_subjects"), [(31, 1), (33, 20)])
def test_accuracy_floors_on_generated_cases(seed, n_subjects):
    events, truth = generate_case(1000, seed=seed, n_subjects=n_subjects)
    scores = cluster_scores(match_events(events).events["cluster_id"], truth)
    # precision first: a wrong merge hides that an agency did not know
    assert scores["pairwise_precision"] >= 0.93
    assert scores["pairwise_recall"] >= 0.72
    assert scores["pairwise_f1"] >= 0.82
    assert scores["bcubed_f1"] >= 0.90


def test_no_cluster_mixes_two_subjects():
    events, _ = generate_case(400, seed=8, n_subjects=10)
    result = match_events(events)
    subject = events.set_index("record_id")["subject_ref"]
    for ids in result.clusters["record_ids"]:
        assert subject[ids].nunique() == 1


def test_routine_traps_are_not_chained():
    events, truth = generate_case(600, seed=12)
    result = match_events(events)
    routine = events["event_type"].isin(["home_visit", "missed_appointment", "core_group"])
    # a cluster never holds two real routine events (a visit and next week's)
    clusters = result.events.loc[routine, "cluster_id"]
    mixed = truth[routine].groupby(clusters.to_numpy()).nunique()
    assert (mixed == 1).mean() >= 0.98
    # and never spans more than the window: routine records are a week or more apart
    spans = result.clusters.loc[result.clusters["event_type"].isin(["home_visit", "missed_appointment"])]
    for ids in spans["record_ids"]:
        starts = events.set_index("record_id").loc[ids, "start"]
        assert (starts.max() - starts.min()).days <= 1
