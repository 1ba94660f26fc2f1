"""Analyst overrides: read, applied on every run, unknown ids reported."""

from __future__ import annotations

import pandas as pd
import pytest

from chronology.errors import ConfigError
from chronology.match import match_events, read_overrides


def _events(make_events):
    return make_events(
        [
            {
                "record_id": "pol",
                "agency": "Police",
                "when": "2021-03-05 10:00",
                "event_type": "strategy_discussion",
                "description": "Strategy discussion with CSC, joint S47 agreed.",
            },
            {
                "record_id": "csc",
                "agency": "CSC",
                "when": "2021-03-05 10:00",
                "event_type": "strategy_discussion",
                "description": "Strategy discussion held with police, S47 agreed.",
            },
            {
                "record_id": "gp",
                "agency": "GP",
                "when": "2021-03-05",
                "event_type": "appointment",
                "description": "Seen with mum for cough and cold.",
            },
        ]
    )


def _overrides(*rows):
    return pd.DataFrame(list(rows), columns=["record_a", "record_b", "decision", "note"])


def _together(result, a, b):
    ids = result.events.set_index("record_id")["cluster_id"]
    return ids[a] == ids[b]


def test_without_overrides_the_meeting_joins_and_the_appointment_does_not(make_events):
    result = match_events(_events(make_events))
    assert _together(result, "pol", "csc")
    assert not _together(result, "csc", "gp")


def test_different_forbids_a_join_and_same_forces_one(make_events):
    overrides = _overrides(
        ("csc", "pol", "different", "two meetings"), ("gp", "csc", "same", "GP joined by phone")
    )
    result = match_events(_events(make_events), overrides=overrides)
    assert not _together(result, "pol", "csc")
    assert _together(result, "csc", "gp")
    pairs = result.pairs.set_index(["record_a", "record_b"])
    # record_a < record_b, whatever order the analyst wrote
    assert pairs.loc[("csc", "gp"), "decided_by"] == "override"
    assert pairs.loc[("csc", "gp"), "note"] == "GP joined by phone"
    assert pairs.loc[("csc", "pol"), "decision"] == "different"
    # the forced join is in the cluster's evidence
    evidence = result.clusters.loc[result.clusters["size"] == 2, "evidence"].iloc[0]
    assert '"decided_by": "override"' in evidence


def test_an_override_naming_a_missing_record_is_a_warning(make_events):
    overrides = _overrides(("csc", "gone-123", "same", ""))
    result = match_events(_events(make_events), overrides=overrides)
    # one line, naming the row and the missing id; nothing else changes
    assert len(result.warnings) == 1
    assert "gone-123" in result.warnings[0] and "row 2" in result.warnings[0]
    assert _together(result, "pol", "csc")


def test_read_overrides(tmp_path):
    path = tmp_path / "overrides.csv"
    assert read_overrides(path) is None
    path.write_text(
        "record_a,record_b,decision,note\nR-1,R-2,Same,checked\n\nR-3,R-4,different,\n", encoding="utf-8"
    )
    table = read_overrides(path)
    # two rows (the blank line is skipped); decisions lower-cased
    assert table["decision"].tolist() == ["same", "different"]
    assert table["note"].tolist() == ["checked", ""]


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("record_a,record_b,note\nR-1,R-2,x\n", "row 1"),
        ("record_a,record_b,decision\nR-1,R-2,maybe\n", "row 2, column 'decision'"),
        ("record_a,record_b,decision\nR-1,R-2,same\n,R-2,same\n", "row 3, column 'record_a'"),
    ],
)
def test_a_malformed_overrides_file_is_one_line_naming_row_and_column(tmp_path, text, where):
    path = tmp_path / "overrides.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        read_overrides(path)
    assert where in str(caught.value) and "overrides.csv" in str(caught.value)
    assert "\n" not in str(caught.value)
