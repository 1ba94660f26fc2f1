"""validate checks [match] and [rules] as merge does, and names the case file."""

from __future__ import annotations

from pathlib import Path

import pytest

from chronology.cli import main


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("[match]\ntreshold = 3.0\n", "unknown key 'treshold' in [match]; did you mean 'threshold'?"),
        (
            "[rules.contact_gap]\nmax_day = 60\n",
            "unknown parameter 'max_day' in [rules.contact_gap]; did you mean 'max_days'?",
        ),
    ],
)
def test_misspelt_setting_named_by_validate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], table: str, expected: str
) -> None:
    (tmp_path / "gp.csv").write_text("Date,Details\n03/04/2019,Seen in clinic\n", encoding="utf-8")
    case = tmp_path / "bad.toml"
    case.write_text('[[sources]]\npath = "gp.csv"\nagency = "GP"\n' + table, encoding="utf-8")
    assert main(["validate", str(case)]) == 2
    err = capsys.readouterr().err.strip()
    # One line, naming this case file (not a generic "case.toml") and the closest valid key.
    assert err == f"chronology: {case}: {expected}"
