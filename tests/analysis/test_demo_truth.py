"""The demo case's planted findings: every one found, no control fires (data_samples/child_h/truth)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

CASE = Path(__file__).resolve().parents[2] / "data_samples" / "child_h"


@pytest.fixture(scope="module")
def demo_findings() -> pd.DataFrame:
    if not (CASE / "truth" / "findings.csv").exists():
        pytest.skip("the demo case is not there")
    pytest.importorskip("chronology.ingest")
    pytest.importorskip("chronology.match")
    from chronology.config import load_config
    from chronology.pipeline import run_case

    return run_case(load_config(CASE / "case.toml")).findings


def _truth() -> list[dict[str, str]]:
    path = CASE / "truth" / "findings.csv"
    if not path.exists():
        return []
    return pd.read_csv(path, dtype=str, keep_default_na=False).to_dict("records")


def _matches(planted: dict[str, str], finding: pd.Series) -> bool:
    """The truth README's rule: kind (and timescale subkind), start within the period, a shared citation."""
    if finding.kind != planted["kind"]:
        return False
    if planted["kind"] == "timescale_breach" and finding.subkind != planted["subkind"]:
        return False
    day = finding.start.tz_convert("Europe/London").date().isoformat()
    if not planted["start"] <= day <= planted["end"]:
        return False
    return bool(set(planted["cites"].split(";")) & set(finding.citations.split(";")))


@pytest.mark.parametrize("planted", _truth(), ids=lambda p: f"{p['planted_id']}-{p['kind']}")
def test_planted_findings_fire_and_controls_do_not(demo_findings, planted):
    hits = [f.finding_id for _, f in demo_findings.iterrows() if _matches(planted, f)]
    if planted["expect"] == "fire":
        assert hits, planted["note"]
    else:
        assert not hits, planted["note"]


def test_no_finding_outside_the_truth(demo_findings):
    truth = [p for p in _truth() if p["expect"] == "fire"]
    extra = [f.title for _, f in demo_findings.iterrows() if not any(_matches(p, f) for p in truth)]
    assert extra == []  # every finding on the demo is a planted one
