"""Finding ids, citations and the cited records; decisions; findings.json, findings.md, summary."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pandas as pd
import pytest

from chronology.analysis import analyse, cited_hash, findings_json, findings_markdown, read_decisions, summary
from chronology.analysis.finding import short_ids
from chronology.errors import ConfigError
from chronology.schema import FINDING_COLUMNS

CSC = "Children's Social Care"
SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "schemas" / "finding.schema.json").read_text())


def _case(ev, frames, *extra):
    events_frame, clusters_frame = frames
    events = events_frame(
        ev("Police", "2019-03-04", "notification", "DA incident; PPN to MASH", rid="p1", to_agency=CSC),
        ev("Health Visiting", "2019-01-10", "home_visit", "Child seen and weighed", rid="h1"),
        ev(CSC, "2019-06-10", "home_visit", "Child seen at home", rid="c1"),
        *extra,
    )
    return events, clusters_frame(events)


def test_findings_frame_has_the_contract_columns_and_order(ev, frames):
    events, clusters = _case(ev, frames)
    found = analyse(events, clusters).findings
    assert tuple(found.columns) == FINDING_COLUMNS
    assert list(found["kind"]) == ["contact_gap", "missed_handoff"]  # sorted by start: 10/01 then 04/03
    handoff = found[found["kind"] == "missed_handoff"].iloc[0]
    assert handoff.citations == "police.csv::2"  # Police's first row; CSV has no sheet
    cited = json.loads(handoff.cited)
    assert cited[0] | {"excerpt": ""} == {
        "record_id": "p1",
        "agency": "Police",
        "source_file": "police.csv",
        "source_sheet": "",
        "source_row": 2,
        "date": "04/03/2019",
        "excerpt": "",
    }
    assert json.loads(handoff.rule) == {"name": "missed_handoff", "parameters": {"window_working_days": 5}}
    assert handoff.status == "open"
    assert str(found["start"].dt.tz) == "Europe/London"


def test_ids_are_short_and_stable_across_reruns_row_order_and_an_unrelated_source(ev, frames):
    events, clusters = _case(ev, frames)
    first = analyse(events, clusters).findings
    assert all(len(i) == 7 and i.startswith("F-") for i in first["finding_id"])
    shuffled = events.iloc[::-1].reset_index(drop=True)
    assert list(analyse(shuffled, clusters).findings["finding_id"]) == list(first["finding_id"])
    # An unrelated source (Housing, a repair visit) changes nothing the findings cite.
    more, more_clusters = _case(ev, frames, ev("Housing", "2019-02-01", "other", "Repair visit", rid="x1"))
    again = analyse(more, more_clusters).findings
    assert set(first["finding_id"]) <= set(again["finding_id"])


def test_colliding_ids_are_lengthened_deterministically():
    keys = [
        f"k{i}" for i in range(20000)
    ]  # among 32^5 prefixes, these keys clash 5 times (10 ids lengthened)
    ids = short_ids(keys)
    assert len(set(ids.values())) == len(keys)  # all distinct
    assert sum(len(v) > 7 for v in ids.values()) == 10
    assert short_ids(list(reversed(keys))) == ids  # independent of order


def test_findings_json_is_deterministic_and_valid(ev, frames):
    events, clusters = _case(ev, frames)
    found = analyse(events, clusters).findings
    text = findings_json(found)
    assert text == findings_json(analyse(events, clusters).findings)
    records = json.loads(text)
    assert len(records) == 2
    for rec in records:
        jsonschema.validate(rec, SCHEMA)
    assert records[1]["cited_hash"] == cited_hash(found.iloc[1].cited)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**records[0], "severity": "urgent"}, SCHEMA)  # the schema does reject


def test_markdown_groups_by_kind_with_citations(ev, frames):
    events, clusters = _case(ev, frames)
    md = findings_markdown(analyse(events, clusters).findings, "Child H review")
    assert md.startswith("# Findings: Child H review")
    assert md.index("## Referrals and notifications") < md.index(
        "## Periods when no professional saw the child"
    )
    assert "- Police chronology, row 2 (04/03/2019)" in md


def test_summary_counts_per_kind_and_severity(ev, frames):
    events, clusters = _case(ev, frames)
    lines = summary(analyse(events, clusters).findings).splitlines()
    assert lines[0].split() == ["kind", "high", "medium", "low", "total"]
    assert lines[1].split() == ["missed_handoff", "1", "0", "0", "1"]  # PPN to CSC: high
    assert lines[2].split() == ["contact_gap", "1", "0", "0", "1"]  # 151 days: twice 60 and more
    assert lines[3].split() == ["all", "2", "0", "0", "2"]


def _write(tmp_path, text):
    path = tmp_path / "decisions.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_decisions_are_applied_and_flagged(ev, frames, tmp_path):
    events, clusters = _case(ev, frames)
    found = analyse(events, clusters).findings
    gap, handoff = found.iloc[0], found.iloc[1]
    text = (
        "finding_id,status,reason,reviewer,cited_hash\n"
        f"{gap.finding_id},accepted,,Reviewer A,{cited_hash(gap.cited)}\n"
        f"{handoff.finding_id},dismissed,PPN phoned through,Reviewer A,000000000000\n"
        "F-ZZZZZ,dismissed,duplicate,Reviewer B,\n"
    )
    decisions = read_decisions(_write(tmp_path, text))
    result = analyse(events, clusters, decisions=decisions)
    assert list(result.findings["status"]) == ["accepted", "re-review"]  # the handoff's hash differs
    assert result.findings.iloc[1].decision_reason == "PPN phoned through"
    assert result.warnings == [
        f"decisions.csv row 3: finding {handoff.finding_id} cites records that changed; flagged for re-review",
        "decisions.csv row 4: finding F-ZZZZZ no longer exists (its cited records changed or the rule no "
        "longer finds it); its decision is not applied",
    ]


def test_absent_decisions_file_is_none(tmp_path):
    assert read_decisions(tmp_path / "decisions.csv") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "finding_id,status,reviewer\n",
            "decisions.csv, row 1: no 'reason' column (its header has: finding_id, status, reviewer)",
        ),
        ("finding_id,status,reason,reviewer\nF-12,accepted,,A\n", "row 2, column 'finding_id'"),
        ("finding_id,status,reason,reviewer\nF-ABCDE,maybe,,A\n", "row 2, column 'status'"),
        (
            "finding_id,status,reason,reviewer\n\nF-ABCDE,dismissed,,A\n",
            "row 3, column 'reason': a dismissal needs a reason",
        ),
        ("finding_id,status,reason,reviewer\nF-ABCDE,accepted,,\n", "row 2, column 'reviewer'"),
        ("finding_id,status,reason,reviewer\nF-ABCDE,accepted,,A\nF-ABCDE,accepted,,B\n", "decided twice"),
    ],
)
def test_malformed_decisions_name_file_row_and_column(tmp_path, text, message):
    with pytest.raises(ConfigError) as err:
        read_decisions(_write(tmp_path, text))
    assert message in str(err.value)


def test_no_events_gives_an_empty_frame(frames):
    events_frame, clusters_frame = frames
    empty = events_frame()
    result = analyse(empty, clusters_frame(empty))
    assert tuple(result.findings.columns) == FINDING_COLUMNS and len(result.findings) == 0
    assert findings_json(result.findings) == "[]\n"
    assert isinstance(result.findings["start"].dtype, pd.DatetimeTZDtype)


@pytest.mark.parametrize("zone", ["Europe/London", "America/St_Johns", "UTC", None])
def test_iso_dates_of_a_column_as_of_each_value(zone: str | None) -> None:
    """findings.json's start/end, written a column at a time, read as pandas writes each value."""
    import numpy as np

    from chronology.analysis.report import _iso, _iso_column

    naive = pd.to_datetime(
        pd.Series(
            ["2021-03-28 00:30:00", "2021-07-01 12:00:00.25", None, "1969-12-31 23:59:59", "2021-10-31 01:30"]
        ),
        format="ISO8601",
    )
    values = naive
    if zone:
        values = naive.dt.tz_localize(
            "Europe/London", ambiguous=np.array([False] * 4 + [True])
        ).dt.tz_convert(zone)
    values = values.astype(f"datetime64[us{', ' + zone if zone else ''}]")
    assert _iso_column(values) == [_iso(v) for v in values.astype(object)]
    assert _iso_column(values)[2] == ""
