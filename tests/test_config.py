"""The case file: what is accepted, and one clear line for each mistake."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chronology.config import CANONICAL_FIELDS, CASE_KEYS, SOURCE_KEYS, TOP_KEYS, load_config
from chronology.errors import ConfigError

SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "schemas" / "case.schema.json").read_text())


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "case.toml"
    path.write_text(text, encoding="utf-8")
    return path


MINIMAL = """
[[sources]]
path = "police.csv"
agency = "Police"
"""


def test_minimal_case_gets_defaults(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, MINIMAL))
    assert cfg.name == tmp_path.name  # the folder's name when [case] name is absent
    assert cfg.timezone == "Europe/London"
    assert [s.agency for s in cfg.sources] == ["Police"]
    assert cfg.sources[0].resolved == (tmp_path / "police.csv").resolve()
    assert len(cfg.sha256) == 64


def test_full_case(tmp_path: Path) -> None:
    cfg = load_config(
        write(
            tmp_path,
            """
[case]
name = "Child H review"
date_of_birth = 2017-06-02
pseudonymise = true
[[sources]]
path = "police.xlsx"
agency = "Police"
sheet = "Chronology"
header_row = 3
aliases = ["Constabulary"]
[sources.columns]
date = "Date/Time"
[names]
"Jodie Brennan" = "Mother"
[rules.contact_gap]
max_days = 45
""",
        )
    )
    assert cfg.date_of_birth.isoformat() == "2017-06-02"
    assert cfg.pseudonymise is True
    src = cfg.sources[0]
    assert (src.sheet, src.header_row, src.aliases) == ("Chronology", 3, ("Constabulary",))
    assert src.columns == {"date": "Date/Time"}
    assert cfg.names == {"Jodie Brennan": "Mother"}
    assert cfg.rules == {"contact_gap": {"max_days": 45}}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A typo in a source key is named with the closest valid key.
        (MINIMAL + 'agnecy_label = "x"\n', "unknown key 'agnecy_label'"),
        (MINIMAL.replace("agency", "agncy"), "did you mean 'agency'?"),
        ("[case]\nnmae = 'x'\n" + MINIMAL, "did you mean 'name'?"),
        (MINIMAL + "[sources.columns]\ndatee = 'Date'\n", "did you mean 'date'?"),
        ("[case]\ntimezone = 'Mars/Olympus'\n" + MINIMAL, "unknown timezone 'Mars/Olympus'"),
        ("[case]\ndate_of_birth = '2017-13-01'\n" + MINIMAL, "is not a date"),
        ("[case]\nname = 'x'\n", "names no [[sources]]"),
        (MINIMAL.replace("police.csv", "../elsewhere/police.csv"), "outside the case folder"),
        (MINIMAL + "header_row = 0\n", "whole number from 1"),
        ("[[sources]\n", "not valid TOML"),
    ],
)
def test_mistakes_are_one_line(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    line = info.value.line()
    assert expected in line
    assert "\n" not in line
    assert line.startswith(str(tmp_path / "case.toml"))


def test_missing_case_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="case file not found"):
        load_config(tmp_path / "nope.toml")


def test_keys_agree_with_the_json_schema() -> None:
    props = SCHEMA["properties"]
    assert set(props) == set(TOP_KEYS)
    assert set(props["case"]["properties"]) == set(CASE_KEYS)
    source = props["sources"]["items"]["properties"]
    assert set(source) == set(SOURCE_KEYS)
    assert set(source["columns"]["properties"]) == set(CANONICAL_FIELDS)
