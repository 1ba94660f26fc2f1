"""chronology init: a starting case.toml drafted from a folder of mixed files."""

from __future__ import annotations

import tomllib
from pathlib import Path

import openpyxl

from chronology.config import load_config
from chronology.ingest import ingest_case
from chronology.ingest.draft import draft_case, guess_agency


def test_guess_agency() -> None:
    assert guess_agency("child_h_police_IMR") == "Police"
    assert guess_agency("HV chronology") == "Health Visiting"
    assert guess_agency("Childrens_Social_Care") == "Children's Social Care"
    assert guess_agency("export_2020") is None


def test_draft_mixed_folder(tmp_path: Path) -> None:
    (tmp_path / "police.csv").write_text(
        "Police chronology\nDate/Time,Incident type,Summary\n01/02/2019 10:00,DA,x\n"
    )
    wb = openpyxl.Workbook()
    wb.active.title = "Notes"
    wb.active.append(["About this file"])
    ws = wb.create_sheet("Chronology")
    ws.append(["Midwifery IMR chronology - Child H"])
    ws.append(["Date", "Details", "Midwife"])
    ws.append(["01/02/2019", "Booking visit", "MW 1"])
    wb.save(tmp_path / "export_07.xlsx")
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04not a zip")
    (tmp_path / "readme.md").write_text("not a chronology")

    text = draft_case(tmp_path)
    doc = tomllib.loads(text)  # valid TOML
    assert [s["path"] for s in doc["sources"]] == ["export_07.xlsx", "police.csv"]  # broken one commented out
    assert [s["agency"] for s in doc["sources"]] == ["Midwifery", "Police"]  # title row, then file name
    assert "# Could not read broken.xlsx" in text
    assert '# sheet = "Chronology"' in text
    assert '# date = "Date/Time"' in text and "# header_row = 2" in text

    (tmp_path / "broken.xlsx").unlink()
    (tmp_path / "case.toml").write_text(text)
    got = ingest_case(load_config(tmp_path / "case.toml"))
    assert got.sources["events"].tolist() == [1, 1]  # the draft runs as written
