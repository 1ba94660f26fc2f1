"""The cheap checks: agency labels against the case's, and the output folder, before any file is read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from chronology.errors import InputError
from chronology.preflight import check_output_folder, closest_label

LABELS = ["Police", "Children's Social Care", "GP", "Oakfield Primary School"]


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("Childrens Social Care", "Children's Social Care"),  # punctuation aside
        ("children's social care", "Children's Social Care"),  # case aside
        ("Polce", "Police"),  # a typo
        ("Oakfield Primary", "Oakfield Primary School"),  # a shortened name
        ("Probation", None),  # nothing close: the labels are listed instead
    ],
)
def test_closest_label(written: str, meant: str | None) -> None:
    assert closest_label(written, LABELS) == meant


def test_output_folder_checks(tmp_path: Path) -> None:
    check_output_folder(tmp_path / "new" / "deeper")  # may be created: fine
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="the output folder is a file"):
        check_output_folder(tmp_path / "file")
    with pytest.raises(InputError, match="cannot create the output folder: .* is a file"):
        check_output_folder(tmp_path / "file" / "out")
    if os.geteuid() == 0:
        pytest.skip("root may write anywhere")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(InputError, match="cannot be written"):
        check_output_folder(locked / "out")
