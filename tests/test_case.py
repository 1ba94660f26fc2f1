"""The Case API: what the analyst types in Jupyter."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import chronology
from chronology.errors import InputError

DEMO = Path(__file__).resolve().parent.parent / "data_samples" / "child_h"


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> chronology.Case:
    work = tmp_path_factory.mktemp("case") / "child_h"
    shutil.copytree(DEMO, work, ignore=shutil.ignore_patterns("truth"))
    return chronology.load_case(work / "case.toml")


def test_tables(case: chronology.Case) -> None:
    # The demo: 256 rows read, 250 events (the impossible 31/02/2020 dated by its month), 4 continuations, 2 rejected.
    assert int(case.sources["rows_read"].sum()) == 256
    assert len(case.rejected) == 2
    assert case.summary()["events"] == 250
    assert set(case.findings["kind"]) <= set(chronology.schema.FINDING_KINDS)


def test_chronology_reads_day_first(case: chronology.Case) -> None:
    table = case.chronology()
    assert list(table.columns[:3]) == ["date", "agency", "event_type"]
    # Day-first: 01/01/2019 is the demo's first dated record.
    assert re.fullmatch(r"\d\d/\d\d/\d{4}( \d\d:\d\d)?", table["date"].iloc[0])
    assert table["start"].is_monotonic_increasing


def test_finding_with_its_records(case: chronology.Case) -> None:
    first = case.findings.iloc[0]
    finding = case.finding(first["finding_id"])
    assert finding.finding_id == first["finding_id"]
    assert sorted(finding.records["record_id"]) == sorted(first["record_ids"])
    assert first["finding_id"] in finding._repr_html_()


def test_explain_lists_scored_pairs(case: chronology.Case) -> None:
    multi = case.clusters[case.clusters["size"] > 1].iloc[0]
    why = case.explain(multi["record_ids"][0])
    assert len(why) >= 1
    assert "score" in why.columns


def test_unknown_ids_are_clear_errors(case: chronology.Case) -> None:
    with pytest.raises(InputError, match="no record 'nope'"):
        case.explain("nope")
    with pytest.raises(InputError, match="no finding 'F-XXXXX'"):
        case.finding("F-XXXXX")
    with pytest.raises(InputError, match="'same' or 'different'"):
        case.override("a", "b", "maybe")
    with pytest.raises(InputError, match="'accepted' or 'dismissed'"):
        case.decide(case.findings.iloc[0]["finding_id"], "ignored", "why", reviewer="Analyst")
    with pytest.raises(InputError, match="reviewer's name or role"):
        case.decide(case.findings.iloc[0]["finding_id"], "dismissed", "why", reviewer=" ")


def test_summary_html_escapes_the_case_name(case: chronology.Case) -> None:
    html = case._repr_html_()
    assert "<h3>Child H review</h3>" in html
    assert "Findings" in html


def test_decision_recorded_with_its_hash_and_applied(tmp_path) -> None:  # noqa: ANN001
    work = tmp_path / "child_h"
    shutil.copytree(DEMO, work, ignore=shutil.ignore_patterns("truth"))
    case = chronology.load_case(work / "case.toml")
    first = case.findings.iloc[0]
    case.decide(first["finding_id"], "dismissed", "seen in the minutes", reviewer="Analyst")
    # The line carries the finding's cited_hash, so a changed citation is flagged later.
    assert first["cited_hash"] in (work / "decisions.csv").read_text(encoding="utf-8")
    case.rerun()
    assert case.findings.set_index("finding_id").loc[first["finding_id"], "status"] == "dismissed"
