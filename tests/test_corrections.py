"""corrections.csv: one row corrected without touching the agency's file, on every run, in every output."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from chronology import load_case
from chronology.cli import main
from chronology.config import load_config
from chronology.corrections import apply_corrections, read_corrections
from chronology.errors import ConfigError, InputError
from chronology.ingest import ingest_case
from chronology.pipeline import ingest_only
from chronology.pseudonyms import output_texts

HEADER = "record_id,field,value,reason,who\n"


def small_case(folder: Path) -> Path:
    """Two agencies, five rows; the CSC row dated 'TBC' is rejected on reading."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "police.csv").write_text(
        "Date,Incident type,Summary,Officer\n"
        "10/03/2019,Domestic incident,Call re shouting at the home; child present,PC 1\n"
        "11/03/2019,PPN,PPN submitted to MASH,PC 1\n",
        encoding="utf-8",
    )
    (folder / "csc.csv").write_text(
        "Date,Type,Details,Worker\n"
        "11/03/2019,Contact,PPN received from police,SW A\n"
        "TBC,Meeting,Strategy meeting held with police,SW A\n"
        "20/03/2019,Visit,Home visit; child seen,SW A\n",
        encoding="utf-8",
    )
    case = folder / "case.toml"
    case.write_text(
        '[case]\nname = "Small"\n\n[[sources]]\npath = "police.csv"\nagency = "Police"\n\n'
        '[[sources]]\npath = "csc.csv"\nagency = "Children\'s Social Care"\n',
        encoding="utf-8",
    )
    return case


def record(case: Path, file: str, row: int) -> str:
    events = ingest_only(load_config(case)).events
    hit = events[(events["source_file"] == file) & (events["source_row"] == row)]
    return str(hit["record_id"].iloc[0])


def test_a_rejected_row_given_a_date_becomes_an_event(tmp_path: Path) -> None:
    case = small_case(tmp_path / "case")
    tbc = record(case, "csc.csv", 3)
    before = ingest_only(load_config(case)).events.set_index("record_id").loc[tbc]
    assert before["status"] == "rejected"  # "TBC" is not a date
    (case.parent / "corrections.csv").write_text(
        HEADER + f"{tbc},date,12/03/2019,date from the minutes,Analyst\n", encoding="utf-8"
    )
    ingested = ingest_only(load_config(case))
    after = ingested.events.set_index("record_id").loc[tbc]
    assert after["status"] == "event"
    assert after["start"] == pd.Timestamp("2019-03-12", tz="Europe/London")
    assert after["event_type"] == "strategy_discussion"  # classified like any event
    assert after["reason"].startswith("date corrected from 'no date' by Analyst: date from the minutes")
    assert "was rejected: not a date: 'TBC'" in after["reason"]
    assert json.loads(after["raw"])["Date"] == "TBC"  # the original cell, verbatim
    csc = ingested.sources.set_index("source_file").loc["csc.csv"]
    assert (csc["events"], csc["rejected"]) == (3, 0)  # the counts follow


def test_missing_record_is_reported_and_later_lines_win(tmp_path: Path) -> None:
    case = small_case(tmp_path / "case")
    rid = record(case, "police.csv", 2)
    (case.parent / "corrections.csv").write_text(
        HEADER
        + "0000000000000000,date,w/c 04/03/2019,gone,Analyst\n"
        + f"{rid},description,First try,typo,Analyst\n"
        + f"{rid},description,Second try,typo again,Analyst\n",
        encoding="utf-8",
    )
    events = ingest_case(load_config(case)).events  # as read, before corrections
    fixed = apply_corrections(events, read_corrections(case.parent / "corrections.csv"))
    assert fixed.warnings == [
        "corrections.csv row 2: record 0000000000000000 no longer exists (its file changed, "
        "or it is not in this case); correction not applied"
    ]
    assert fixed.events.set_index("record_id").loc[rid, "description"] == "Second try"
    assert fixed.table["applied"].tolist()[0].startswith("not applied")
    assert fixed.table["original"].tolist()[1:] == [
        "Call re shouting at the home; child present",
        "First try",
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("a1,dat,01/02/2019,r,who", "row 2, column 'field': unknown field 'dat'; did you mean 'date'?"),
        ("a1,date,31/02/2019,r,who", "row 2, column 'value': impossible date '31/02/2019'"),
        ("a1,date,soon,r,who", "row 2, column 'value': not a date: 'soon'"),
        ("a1,type,strategy_discusion,r,who", "did you mean 'strategy_discussion'?"),
        ("a1,time,25:61,r,who", "row 2, column 'value': invalid time '25:61'"),
        ("a1,description,x,,who", "row 2, column 'reason': a correction needs a reason"),
        ("a1,description,x,r,", "row 2, column 'who': a correction needs the name or role"),
        (",description,x,r,who", "row 2, column 'record_id': empty record id"),
    ],
)
def test_bad_lines_are_named_by_row_and_column(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "corrections.csv"
    path.write_text(HEADER + line + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        read_corrections(path)
    assert exc.value.line().startswith("corrections.csv, ") and message in exc.value.line()


def test_a_type_may_be_named_by_its_label(tmp_path: Path) -> None:
    path = tmp_path / "corrections.csv"
    path.write_text(HEADER + "a1,Type,Strategy discussion or meeting,r,who\na1,type,Core group,r,who\n")
    assert read_corrections(path)["value"].tolist() == ["strategy_discussion", "core_group"]


def test_corrected_row_in_every_output_and_on_a_rerun(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    case = small_case(tmp_path / "case")
    tbc, call = record(case, "csc.csv", 3), record(case, "police.csv", 2)
    (case.parent / "corrections.csv").write_text(
        HEADER
        + f"{tbc},date,12/03/2019,date from the minutes,Analyst\n"
        + f"{call},description,Call re shouting ZQXW; child present,typo in the entry,Analyst\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["merge", str(case), "--out", str(out)]) == 0
    assert "Corrections: 2 of 2 applied (corrections.csv)." in capsys.readouterr().out
    events = pd.read_parquet(out / "events.parquet").set_index("record_id")
    assert events.loc[tbc, "status"] == "event" and events.loc[tbc, "cluster_id"]
    assert events.loc[call, "description"] == "Call re shouting ZQXW; child present"
    assert "Call re shouting at the home" in events.loc[call, "raw"]  # the original kept in raw
    for name in ("timeline.html", "chronology.xlsx"):
        assert any("ZQXW" in text for text in output_texts(out / name)), name
    book = openpyxl.load_workbook(out / "chronology.xlsx", read_only=True)
    chronology = [r for r in book["Chronology"].iter_rows(values_only=True)]
    assert any("Strategy meeting held with police" in r for r in chronology)  # the rejected row, now an event
    corrected = list(book["Corrected"].iter_rows(values_only=True))
    assert corrected[0][:7] == ("File", "Sheet", "Row", "Agency", "Field", "Original", "Corrected")
    assert corrected[2][4:7] == (
        "description",
        "Call re shouting at the home; child present",
        corrected[2][6],
    )
    first = (out / "events.parquet").read_bytes()
    assert main(["merge", str(case), "--out", str(out)]) == 0  # applied again on the re-run, identically
    assert (out / "events.parquet").read_bytes() == first
    capsys.readouterr()


def test_case_correct_writes_a_line_and_rerun_applies_it(tmp_path: Path) -> None:
    case = load_case(small_case(tmp_path / "case"))
    tbc = case.rejected["record_id"].iloc[0]
    case.correct(tbc, "date", "Spring term 2020", "the school confirmed the term", who="Analyst")
    lines = (tmp_path / "case" / "corrections.csv").read_text(encoding="utf-8").splitlines()
    assert lines == [HEADER.strip(), f"{tbc},date,Spring term 2020,the school confirmed the term,Analyst"]
    row = case.rerun().events.set_index("record_id").loc[tbc]
    assert (row["status"], row["date_precision"]) == ("event", "term")
    assert case.corrections["applied"].tolist() == ["applied"]
    with pytest.raises(InputError, match="did you mean 'date'"):
        case.correct(tbc, "dat", "01/02/2019", "r", who="A")
    with pytest.raises(InputError, match="no record 'nope'"):
        case.correct("nope", "date", "01/02/2019", "r", who="A")


def test_the_original_is_pseudonymised_with_the_rest(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    case = small_case(tmp_path / "case")
    case.write_text(
        case.read_text().replace('name = "Small"', 'name = "Small"\npseudonymise = true')
        + '\n[names]\n"Kayla" = "Child H"\n'
    )
    call = record(case, "police.csv", 2)
    (case.parent / "corrections.csv").write_text(
        HEADER + f"{call},description,Call re shouting; Kayla present,the child was named,Analyst\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["merge", str(case), "--out", str(out)]) == 0  # the outputs are read back for real names
    capsys.readouterr()
    book = openpyxl.load_workbook(out / "chronology.xlsx", read_only=True)
    corrected = list(book["Corrected"].iter_rows(values_only=True))[1]
    assert corrected[6] == "Call re shouting; Child H present"


def test_a_time_goes_only_on_a_day(tmp_path: Path) -> None:
    case = small_case(tmp_path / "case")
    (case.parent / "csc.csv").write_text(
        "Date,Type,Details\nMarch 2019,Contact,PPN received from police\n15/03/2019,Visit,Home visit\n"
    )
    month, day = record(case, "csc.csv", 2), record(case, "csc.csv", 3)
    corrections = tmp_path / "corrections.csv"
    corrections.write_text(HEADER + f"{month},time,14:30,r,A\n{day},time,14:30,r,A\n")
    fixed = apply_corrections(ingest_case(load_config(case)).events, read_corrections(corrections))
    assert fixed.warnings[0].startswith("corrections.csv row 2: the record is dated to a month, not a day")
    row = fixed.events.set_index("record_id").loc[day]
    assert (row["start"], row["date_precision"]) == (
        pd.Timestamp("2019-03-15 14:30", tz="Europe/London"),
        "time",
    )
