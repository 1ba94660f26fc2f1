"""Finding the chronology: header row, column synonyms, sheet choice."""

from __future__ import annotations

import pytest

from chronology.errors import InputError
from chronology.ingest.files import Book, Sheet
from chronology.ingest.layout import (
    choose_sheet,
    detect_layout,
    find_header,
    match_field,
    normalise_header,
    recognise_columns,
)


def test_normalise_header() -> None:
    assert normalise_header("  Date/Time: ") == "date time"
    assert normalise_header("Date_of_Contact") == "date of contact"


@pytest.mark.parametrize(
    ("header", "field", "strength"),
    [
        ("Date of contact", "date", 2),  # exact synonym
        ("DATE/TIME", "date", 2),
        ("Time", "time", 2),
        ("Contact type", "event_type", 2),
        ("Narrative", "description", 2),
        ("Action taken", "action", 2),  # its own field; it also fills outcome when there is none
        ("Recorded by", "recorded_by", 2),
        ("Referral made to", "referral_to", 2),
        ("Child seen (Y/N)", "child_seen", 1),  # contains "child seen"
        ("Date recorded", "entry_date", 2),
        ("Incident", "description", 2),  # CPOMS' narrative column
        ("Patient Ref", "subject_ref", 2),
        ("Date of strategy meeting", "date", 1),  # contains "date"
        ("Practitioner name and role", "practitioner", 1),
        ("End date", "end_date", 2),  # not "date"
        ("Significance", "significance", 2),
        ("Code", None, 0),
    ],
)
def test_match_field(header: str, field: str | None, strength: int) -> None:
    assert match_field(header) == (field, strength)


def test_exact_beats_contains_and_extra_descriptions() -> None:
    columns, extras = recognise_columns(["Date of visit notes", "Date", "Details", "Notes", "Summary"])
    assert columns["date"] == 1  # the exact "Date" wins over the contained one
    assert columns["description"] == 2  # first description column
    assert extras == [3, 4]  # Notes and Summary are appended to it


def test_configured_columns_win() -> None:
    columns, _ = recognise_columns(
        ["When", "Date", "Text"], configured={"date": "when", "description": "Text"}
    )
    assert columns == {"date": 0, "description": 2}  # "Date" is left unused


def test_header_below_title_rows() -> None:
    rows = [["Police IMR chronology - Child H"], [], ["Prepared by DC Example"], ["Date", "Type", "Details"]]
    assert find_header(rows) == 3  # fourth row


def test_header_fallback_above_dates() -> None:
    rows = [["Chronology"], ["When", "What"], ["01/02/2019", "x"], ["02/02/2019", "y"]]
    assert find_header(rows) == 1  # the row above the first run of dates
    layout = detect_layout(Sheet("", True, rows), file="x.csv")
    assert layout.columns["date"] == 0  # taken from the dates below


def test_no_date_column_names_columns_seen() -> None:
    rows = [["Type", "Details"], ["Visit", "Seen"]]
    with pytest.raises(InputError) as err:
        detect_layout(Sheet("", True, rows), file="gp.csv", header_row=1)
    assert "'Type', 'Details'" in str(err.value)
    assert "[sources.columns] date" in str(err.value)


def test_header_only_is_an_error() -> None:
    with pytest.raises(InputError, match="no rows below the header"):
        detect_layout(Sheet("", True, [["Date", "Details"], ["", ""]]), file="gp.csv")


def test_configured_column_missing() -> None:
    with pytest.raises(InputError, match="'When' named in"):
        detect_layout(
            Sheet("", True, [["Date", "Details"], ["01/02/2019", "x"]]),
            file="a.csv",
            configured={"date": "When"},
        )


def test_header_row_configured() -> None:
    rows = [["Date", "x"], ["Date of event", "Details"], ["01/02/2019", "Seen"]]
    assert detect_layout(Sheet("", True, rows), file="a.csv", header_row=2).header_row == 2


def book(*sheets: Sheet) -> Book:
    return Book(path=None, kind="xlsx", sha256="0", sheets=list(sheets))  # type: ignore[arg-type]


def test_sheet_choice_skips_notes_and_hidden() -> None:
    notes = Sheet("Notes", True, [["About this chronology"], ["Prepared for the panel"]])
    hidden = Sheet("Old", False, [["Date", "Details"], *[["01/02/2019", "x"]] * 10])
    chron = Sheet("Chronology", True, [["Date", "Details"], ["01/02/2019", "Seen"], ["02/02/2019", "Seen"]])
    sheet, layout, warnings = choose_sheet(book(notes, hidden, chron), file="p.xlsx")
    assert sheet.name == "Chronology"
    assert warnings == ["p.xlsx: hidden sheet 'Old' skipped"]  # one warning, for the hidden sheet


def test_sheet_named_in_case_wins() -> None:
    a = Sheet("A", True, [["Date", "Details"], ["01/02/2019", "x"], ["02/02/2019", "y"]])
    b = Sheet("B", False, [["Date", "Details"], ["01/02/2019", "x"]])
    assert choose_sheet(book(a, b), file="p.xlsx", sheet="B")[0].name == "B"
    with pytest.raises(InputError, match="no sheet named 'C'"):
        choose_sheet(book(a, b), file="p.xlsx", sheet="C")


def test_sheet_with_more_dates_wins() -> None:
    summary = Sheet("Summary", True, [["Date", "Details"], ["see chronology", "x"]])
    chron = Sheet("Chron", True, [["Date", "Details"], ["01/02/2019", "x"]])
    sheet, _, warnings = choose_sheet(book(summary, chron), file="p.xlsx")
    assert sheet.name == "Chron"
    assert len(warnings) == 1  # the other table, named
