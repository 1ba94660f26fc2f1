"""The independent reference case ../shared/cases/ref1: recall and control floors of issue 15.

Only these assertions read the truth; no code does. Skips cleanly when the case is not there.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

CASE = Path(__file__).resolve().parents[2].parent / "shared" / "cases" / "ref1"
SCORER = CASE.parent / "tools" / "score_case.py"


@pytest.fixture(scope="module")
def scores(tmp_path_factory: pytest.TempPathFactory) -> dict:
    if not (CASE / "case.toml").exists() or not SCORER.exists():
        pytest.skip("../shared/cases/ref1 is not there")
    out = tmp_path_factory.mktemp("ref1")
    subprocess.run(
        [sys.executable, "-m", "chronology", "merge", str(CASE / "case.toml"), "--out", str(out)],
        check=True,
        capture_output=True,
    )
    spec = importlib.util.spec_from_file_location("score_case", SCORER)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    records = pd.read_parquet(out / "events.parquet")
    findings = pd.read_csv(out / "findings.csv", dtype=str, keep_default_na=False)
    return module.score(str(CASE), records, findings)["findings"]


def test_missed_handoff_recall(scores):
    assert scores["missed_handoff"]["recall"] >= 0.9


def test_info_sharing_gap_recall_and_controls(scores):
    s = scores["info_sharing_gap"]
    assert s["recall"] >= 0.8
    assert s["controls_flagged(FP)"] <= 3


NOT_YET = pytest.mark.xfail(
    reason="issue 15: contact-gap sightings and timescale anchors not rebuilt yet", strict=False
)


@NOT_YET
def test_contact_gap_recall_and_controls(scores):
    s = scores["contact_gap"]
    assert s["recall"] == 1.0
    assert s["controls_flagged(FP)"] <= 1


@NOT_YET
def test_timescale_breach_recall_and_controls(scores):
    s = scores["timescale_breach"]
    assert s["recall"] == 1.0
    assert s["controls_flagged(FP)"] <= 1


@pytest.mark.parametrize("kind", ["missed_handoff", "info_sharing_gap", "contact_gap", "timescale_breach"])
def test_findings_matching_nothing_are_at_most_a_fifth(scores, kind):
    if kind in ("contact_gap", "timescale_breach"):
        pytest.xfail("issue 15: contact-gap sightings and timescale anchors not rebuilt yet")
    s = scores[kind]
    assert s["predicted_not_matching_planted(FP)"] <= s["predicted"] / 5
