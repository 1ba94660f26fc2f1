"""Matching on the demo case, scored against its truth (data_samples/child_h/truth/rows.csv).

The truth gives every row that records the same real event one ``true_event``
id; a blank id is an event recorded once. The truth follows the reference
cases' meaning of one real event (shared/cases/README.md): a notification
(the sender's record and its receipt) is an event apart from the incident it
reports, an onward notification with its receipts another, a call to one
agency recorded only by it an event of one record. Under that truth the
target of issue 13 (pairwise F1 0.95, the precision target being the
reference case's) is asserted: measured precision 0.963, recall 0.963, F1
0.963 (the matcher's rules are set by the independent reference case). The
demo's wrong merges left are CSC's separate calls to the health visitor and
the police 30 minutes apart (receipts of one sender by different recipients,
which the reference case's truth joins when they report one ED attendance)
and a school contact joined to its own referral of that day; its splits are
receipts of one MASH share recorded on consecutive days. The floors sit a little below, so
that a change that loses accuracy fails. (Under the earlier truth, which joined each incident with all its
notifications, the earlier matcher measured F1 0.960.)
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from chronology.config import load_config
from chronology.match.metrics import cluster_scores
from chronology.pipeline import run_case

DEMO = Path(__file__).resolve().parents[2] / "data_samples" / "child_h"
KEY = ["source_file", "source_sheet", "source_row"]


@pytest.fixture(scope="module")
def scores() -> dict[str, float]:
    events = run_case(load_config(DEMO / "case.toml")).events
    events = events[events["status"] == "event"]
    truth = pd.read_csv(DEMO / "truth" / "rows.csv", dtype=str, keep_default_na=False)
    truth = truth[truth["status"] == "event"]
    truth["source_row"] = truth["source_row"].astype(int)
    joined = events[[*KEY, "cluster_id"]].merge(truth[[*KEY, "true_event"]], on=KEY, how="inner")
    # Every event row has its truth line: the join loses nothing.
    assert len(joined) == len(events) == len(truth)
    # A blank true_event is an event of its own.
    alone = joined["true_event"] == ""
    joined.loc[alone, "true_event"] = (
        "alone:" + joined.loc[alone, "source_file"] + ":" + joined.loc[alone, "source_row"].astype(str)
    )
    return cluster_scores(joined["cluster_id"].tolist(), joined["true_event"].tolist())


def test_precision_floor(scores: dict[str, float]) -> None:
    assert scores["pairwise_precision"] >= 0.94


def test_f1_floor(scores: dict[str, float]) -> None:
    assert scores["pairwise_f1"] >= 0.95


def test_bcubed_floor(scores: dict[str, float]) -> None:
    assert scores["bcubed_f1"] >= 0.97
