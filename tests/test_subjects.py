"""Subject references: agencies' references mapped to one per child."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from chronology.errors import ConfigError
from chronology.subjects import apply_subject_map, read_subject_map


def test_map_by_agency_and_for_all(tmp_path: Path) -> None:
    path = tmp_path / "subjects.csv"
    path.write_text("agency,subject_ref,maps_to\nGP,NHS-1,H1\n,UPN-7,H1\nGP,X,H2\n", encoding="utf-8")
    mapping = read_subject_map(path)
    events = pd.DataFrame(
        {
            "agency": ["GP", "School", "Police", "Police"],
            "subject_ref": ["NHS-1", "UPN-7", "X", "OCC-9"],
        }
    )
    out = apply_subject_map(events, mapping)
    # GP's NHS-1 and everyone's UPN-7 become H1; "X" maps only for GP, so
    # Police's X stays; OCC-9 is not in the table and stays.
    assert out["subject_ref"].tolist() == ["H1", "H1", "X", "OCC-9"]


def test_conflicting_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "subjects.csv"
    path.write_text("agency,subject_ref,maps_to\nGP,NHS-1,H1\nGP,NHS-1,H2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="row 3, column 'maps_to'"):
        read_subject_map(path)


def test_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "subjects.csv"
    path.write_text("agency,ref,maps_to\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="no 'subject_ref' column"):
        read_subject_map(path)
