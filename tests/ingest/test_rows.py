"""Rows below the header to records: statuses, reasons, continuations, raw, ids."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pyarrow as pa
import pytest

from chronology.ingest.files import Sheet
from chronology.ingest.layout import detect_layout
from chronology.ingest.rows import FOOTER, RowContext, raw_json, record_ids, sheet_records, unique_headers
from chronology.schema import event_schema

TZ = "Europe/London"


def records(rows: list[list[object]], *, typed: bool = False, merged=None, name: str = ""):  # noqa: ANN201
    sheet = Sheet(name, True, rows, merged or [])
    layout = detect_layout(sheet, file="x.csv")
    return sheet_records(sheet, layout, RowContext("x.csv", "Police", name, "f" * 64, TZ, typed=typed))


HEADER = ["Date", "Type", "Details", "Outcome", "Officer"]


def test_statuses_and_reasons() -> None:
    frame = records(
        [
            ["Police chronology - Child H"],
            HEADER,
            ["01/02/2019", "Visit", "Seen child", "NFA", "PC A"],
            ["", "", "more of the visit", "", ""],
            ["", "", "", "", ""],  # blank: not a record
            ["31/13/2019", "Visit", "impossible", "", ""],
            ["", "Call", "typed but undated", "", ""],
            ["02/02/2019", "", "", "", ""],
            ["End of chronology", "", "", "", ""],
        ]
    )
    assert frame["source_row"].tolist() == [3, 4, 6, 7, 8, 9]  # spreadsheet rows; row 5 blank
    assert frame["status"].tolist() == [
        "event",
        "continuation",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
    ]
    reasons = frame["reason"].tolist()
    assert reasons[1] == "continues the entry at row 3"
    assert "31/13/2019" in reasons[2] and "column 'Date'" in reasons[2]
    assert reasons[3:] == ["no date", "a date and nothing else", "footer line"]
    assert frame["description"][0] == "Seen child\nmore of the visit"  # the continuation joined
    assert frame["outcome"][0] == "NFA"
    assert frame["practitioner"][0] == "PC A"
    assert frame["start"].isna().tolist() == [False, True, True, True, True, True]  # only the event is dated


def test_continuation_without_entry_above() -> None:
    frame = records([HEADER, ["", "", "orphan text", "", ""], ["01/02/2019", "Visit", "x", "", ""]])
    assert frame["status"].tolist() == ["rejected", "event"]
    assert frame["reason"][0] == "text with no date and no entry above"


def test_continuation_of_rejected_entry_is_rejected() -> None:
    frame = records([HEADER, ["32/13/2019", "Visit", "x", "", ""], ["", "", "more", "", ""]])
    assert frame["status"].tolist() == ["rejected", "rejected"]
    assert frame["reason"][1] == "carries on row 2, which is rejected"


def test_text_below_closing_line_is_not_a_continuation() -> None:
    frame = records(
        [HEADER, ["01/02/2019", "Visit", "x", "", ""], ["*** End ***"], ["", "", "a note", "", ""]]
    )
    assert frame["status"].tolist() == ["event", "rejected", "rejected"]
    assert frame["reason"][2] == "below the closing line at row 3"
    assert frame["description"][0] == "x"  # nothing appended


def test_repeated_header_rejected() -> None:
    frame = records(
        [HEADER, ["01/02/2019", "Visit", "x", "", ""], HEADER, ["02/02/2019", "Visit", "y", "", ""]]
    )
    assert frame["status"].tolist() == ["event", "rejected", "event"]
    assert frame["reason"][1] == "repeated header"


@pytest.mark.parametrize(
    "line",
    [
        "End of chronology",
        "End of report",
        "Total entries: 123",
        "*** end ***",
        "Page 3 of 4",
        "Signed: A. Person",
        "Chronology completed by J Example",
        "Printed on 03/03/2020",
        "--- END ---",
    ],
)
def test_footer_lines(line: str) -> None:
    assert FOOTER.match(line)


@pytest.mark.parametrize(
    "text", ["Signed the safety plan with mother", "Endoscopy appointment", "Page boy outfit"]
)
def test_not_footer(text: str) -> None:
    assert not FOOTER.match(text)


def test_merged_date_cell() -> None:
    rows = [HEADER, ["01/02/2019", "Visit", "a", "", ""], ["", "Call", "b", "", ""], ["", "", "c", "", ""]]
    frame = records(rows, merged=[(1, 0, 2, 0)])  # A2:A3 merged
    assert frame["status"].tolist() == ["event", "event", "continuation"]
    assert frame["reason"][1] == "date from merged cell"
    assert frame["start"][1] == frame["start"][0]
    assert frame["reason"][2] == "continues the entry at row 3"  # the nearest event is row 3 now


def test_several_description_columns() -> None:
    frame = records(
        [["Date", "Details", "Notes"], ["01/02/2019", "Seen", "Home tidy"], ["02/02/2019", "", "Only"]]
    )
    assert frame["description"].tolist() == ["Seen\nNotes: Home tidy", "Notes: Only"]  # searchable text


def test_no_description_column_uses_other_columns() -> None:
    # No narrative column: the columns no field names are the description, as "Header: text".
    frame = records([["Date", "Significance", "Code"], ["01/02/2019", "High", "X12"]])
    assert frame["description"][0] == "Code: X12"
    assert frame["significance"][0] == "High"  # a named field keeps its own column


def test_named_fields_and_other_fields() -> None:
    frame = records(
        [
            [
                "Date",
                "Details",
                "Action taken",
                "Plan",
                "Referral made to",
                "Child seen (Y/N)",
                "Code",
                "Venue",
            ],
            ["01/02/2019", "Seen at home", "Advice", "Review", "CSC", "Y", "X12", "Home"],
        ]
    )
    row = frame.iloc[0]
    assert (row["action"], row["outcome"]) == ("Advice", "Advice")  # no Outcome column: action fills it
    assert (row["plan"], row["referral_to"], row["child_seen"], row["setting"]) == (
        "Review",
        "CSC",
        "Y",
        "Home",
    )
    assert row["other_fields"] == "Code: X12"  # unknown columns kept and shown
    assert row["description"] == "Seen at home"


def test_entry_date_beside_event_date() -> None:
    # The event date is the date; the entry date is kept as written.
    frame = records(
        [
            ["Date recorded", "Event date", "Recorded by", "Worker", "Details"],
            ["09/02/2019", "01/02/2019", "AB", "CD", "Visit"],
        ]
    )
    assert str(frame["start"][0].date()) == "2019-02-01"
    assert frame["entry_date"][0] == "09/02/2019"
    assert (frame["recorded_by"][0], frame["practitioner"][0]) == ("AB", "CD")


def test_entry_date_alone_is_the_date() -> None:
    frame = records([["Date recorded", "Recorded by", "Details"], ["09/02/2019", "AB", "Visit"]])
    assert str(frame["start"][0].date()) == "2019-02-09"
    assert frame["practitioner"][0] == "AB"  # recorded_by fills practitioner when there is none


def test_narrative_column_chosen_by_content() -> None:
    # "Setting" repeats one short label; "Concern / Event" (named like a type) holds the entries.
    rows = [["Date", "Setting", "Concern / Event", "Action taken"]]
    texts = [
        "Child arrived hungry and without a coat",
        "Mother shouted at staff at pick-up",
        "Bruise on arm seen",
    ]
    rows += [
        [f"0{i + 1}/02/2019", "Northbridge Primary (Nursery)", t, "DSL informed"] for i, t in enumerate(texts)
    ]
    frame = records(rows)
    assert frame["description"].tolist() == texts
    assert frame["setting"].tolist() == ["Northbridge Primary (Nursery)"] * 3
    assert frame["type_label"].tolist() == ["", "", ""]  # the cell was the entry, not a type


def test_label_column_named_as_description_gives_way() -> None:
    # "Notes" (a description name) repeats one short label; the unnamed "Account" holds the entries.
    rows = [["Date", "Notes", "Account"]]
    texts = [
        "Police called to the address after neighbours heard shouting",
        "Child seen at school, no marks visible",
    ]
    rows += [[f"0{i + 1}/02/2019", "CP", t] for i, t in enumerate(texts)]
    frame = records(rows)
    assert frame["description"].tolist() == texts
    assert frame["other_fields"].tolist() == ["Notes: CP", "Notes: CP"]  # kept and shown


def test_short_type_column_stays_the_type() -> None:
    rows = [
        ["Date", "Type", "Team"],
        ["01/02/2019", "Home visit", "CIN"],
        ["02/02/2019", "Home visit", "CIN"],
    ]
    frame = records(rows)
    assert frame["type_label"].tolist() == ["Home visit", "Home visit"]  # short and repeated: a label


def test_raw_is_verbatim_json() -> None:
    frame = records(
        [["Date", "", "Date", "Details"], ["01/02/2019", " x ", "y", 'said "no", 😀 שלום', "extra"]]
    )
    raw = json.loads(frame["raw"][0])
    assert list(raw) == ["Date", "Column B", "Date (2)", "Details", "Column E"]  # unique, lettered
    assert raw["Column B"] == " x "  # whitespace kept
    assert raw["Details"] == 'said "no", 😀 שלום'
    assert raw["Column E"] == "extra"  # a cell beyond the header kept


def test_raw_json_matches_json_dumps() -> None:
    import pandas as pd

    cells = pd.DataFrame({0: ["a\nb", "\t\\"], 1: ["é", ""]})
    got = raw_json(cells, ["K", "L"]).tolist()
    want = [json.dumps({"K": a, "L": b}, ensure_ascii=False) for a, b in [("a\nb", "é"), ("\t\\", "")]]
    assert got == want


def test_excel_cells_as_text() -> None:
    rows = [
        ["Date", "Time", "Details", "Count", "Flag"],
        [dt.datetime(2019, 3, 4, 0, 0), dt.time(14, 30), "Seen", 3.0, True],
        [43528.0, "", "serial", 2.5, False],
    ]
    frame = records(rows, typed=True, name="Chronology")
    raw = [json.loads(r) for r in frame["raw"]]
    assert raw[0] == {
        "Date": "2019-03-04T00:00:00",
        "Time": "14:30:00",
        "Details": "Seen",
        "Count": "3",
        "Flag": "TRUE",
    }
    assert raw[1]["Date"] == "43528" and raw[1]["Count"] == "2.5"
    assert frame["start"][0].isoformat() == "2019-03-04T14:30:00+00:00"  # date cell plus time cell
    assert frame["start"][1].date() == dt.date(2019, 3, 4)  # serial 43528 in the 1900 system
    assert frame["source_sheet"].tolist() == ["Chronology", "Chronology"]


def test_record_id_formula() -> None:
    want = hashlib.sha256(b"abc\x1fSheet1\x1f4").hexdigest()[:16]
    assert record_ids("abc", "Sheet1", [4]) == [want]


def test_record_ids_unique_and_stable() -> None:
    rows = [HEADER] + [["01/02/2019", "Visit", f"x{i}", "", ""] for i in range(20)]
    a, b = records(rows), records(rows)
    assert a["record_id"].is_unique
    assert a["record_id"].tolist() == b["record_id"].tolist()


def test_unique_headers() -> None:
    assert unique_headers(["A", "A", "A (2)", ""], 5) == ["A", "A (2)", "A (2) (2)", "Column D", "Column E"]


def test_schema_conforms() -> None:
    frame = records([HEADER, ["01/02/2019", "Visit", "x", "", ""], ["", "", "y", "", ""]])
    table = pa.Table.from_pandas(frame, schema=event_schema(TZ), preserve_index=False)
    assert table.num_rows == 2  # event and continuation


def test_implausible_late_date_is_windowed_by_its_neighbours() -> None:
    # Ten entries in February 2019 and one typed 2029: kept, dated between the entries either side.
    rows = [["Date", "Details"]] + [[f"{d:02d}/02/2019", f"visit {d}"] for d in range(1, 11)]
    rows.insert(6, ["05/02/2029", "typo year"])
    frame = records(rows)
    row = frame.iloc[5]
    assert row["status"] == "event"
    assert (str(row["start"].date()), str(row["end"].date())) == ("2019-02-05", "2019-02-06")
    assert row["date_precision"] == "week"  # the window's width
    assert "implausible" in row["reason"] and "likely 05/02/2019" in row["reason"]
    assert frame["start"].max().year == 2019  # never placed in the future


def test_history_long_before_is_not_implausible() -> None:
    rows = [["Date", "Details"], ["01/01/1998", "Mother known to CSC as a child"]]
    rows += [[f"{d:02d}/02/2019", f"visit {d}"] for d in range(1, 11)]
    assert records(rows)["reason"].eq("").all()


def test_start_and_end_date_columns() -> None:
    frame = records([["Start date", "End date", "Details"], ["01/02/2019", "05/02/2019", "Admitted"]])
    assert (str(frame["start"][0].date()), str(frame["end"][0].date())) == ("2019-02-01", "2019-02-05")
    assert frame["end_date"][0] == "05/02/2019"  # kept as written too


def test_workflow_start_and_completed() -> None:
    # A workflow step: the start is the event's date; the completion is kept.
    frame = records(
        [["Step", "Start", "Completed", "Assigned to"], ["Assessment", "01/02/2019", "20/03/2019", "AB"]]
    )
    assert str(frame["start"][0].date()) == "2019-02-01"
    assert frame["completed_date"][0] == "20/03/2019"
    assert (frame["type_label"][0], frame["practitioner"][0]) == ("Assessment", "AB")


def test_continuation_below_an_entry_in_a_narrative_type_column() -> None:
    # The narrative sits in a column named like a type; a text row with no date below carries on the entry.
    rows = [["Date", "Concern / Event", "By whom"]]
    rows += [
        [f"0{i}/02/2019", f"Concern number {i}: child late and hungry, spoke to mother", "DSL"]
        for i in (1, 2)
    ]
    rows.append(["", "Mother said the car had broken down", ""])
    frame = records(rows)
    assert frame["status"].tolist() == ["event", "event", "continuation"]
    assert frame["description"][1].endswith("\nMother said the car had broken down")


def test_declared_no_contact_period_is_a_record_of_its_own() -> None:
    # Not a continuation of the visit above: dated by the period its text states.
    from chronology.ingest.classify import classify_events
    from chronology.vocabulary import load_vocabulary

    text = "No contact during this period (01/03/2020 - 30/06/2020)"
    frame = records([["Date", "Details"], ["12/02/2020", "Home visit, child seen"], ["", text]])
    row = frame.iloc[1]
    assert row["status"] == "event"
    assert (str(row["start"].date()), str(row["end"].date())) == ("2020-03-01", "2020-06-30")
    assert row["date_precision"] == "term"  # 121 days: the narrowest precision that covers it
    assert frame["description"][0] == "Home visit, child seen"  # not joined onto the visit
    assert classify_events([""], [text], load_vocabulary()) == ["no_contact_period"]
    assert classify_events([""], ["Mother reports no contact with father"], load_vocabulary()) != [
        "no_contact_period"
    ]


def test_dash_in_the_date_cell_is_no_date() -> None:
    # A dash or ditto mark is nothing written: the text below the entry carries on it.
    frame = records(
        [["Date", "Details"], ["01/02/2019", "Visit"], ["-", "more of the visit"], ['"', "and more"]]
    )
    assert frame["status"].tolist() == ["event", "continuation", "continuation"]
    assert frame["description"][0] == "Visit\nmore of the visit\nand more"


def test_word_template_layout() -> None:
    # A partnership template: no "Details" column; "Event / contact" holds the entries.
    header = [
        "Date",
        "Time",
        "Source of information",
        "Event / contact",
        "Significance or analysis",
        "Action taken",
    ]
    rows = [
        header,
        [
            "01/02/2019",
            "10:00",
            "Case file",
            "Strategy discussion held with police and health",
            "Risk rising",
            "S47",
        ],
        [
            "04/02/2019",
            "",
            "Case file",
            "Home visit: mother refused entry, child heard crying",
            "High",
            "None",
        ],
    ]
    frame = records(rows)
    assert frame["description"][1] == "Home visit: mother refused entry, child heard crying"
    assert (frame["information_source"][0], frame["analysis"][0], frame["action"][0]) == (
        "Case file",
        "Risk rising",
        "S47",
    )


def test_cpoms_layout() -> None:
    # CPOMS-style: the narrative in "Incident", categories as the type.
    rows = [
        ["Student", "Incident", "Categories", "Action Taken", "Date/Time", "Status"],
        [
            "Child H",
            "Arrived without breakfast, said mum was asleep",
            "Neglect",
            "DSL informed",
            "03/03/2020 08:50",
            "Open",
        ],
        [
            "Child H",
            "Bruise on left cheek, said he fell off the sofa",
            "Physical",
            "Body map",
            "05/03/2020 09:10",
            "Open",
        ],
    ]
    frame = records(rows)
    assert frame["description"][0] == "Arrived without breakfast, said mum was asleep"
    assert frame["type_label"].tolist() == ["Neglect", "Physical"]
    assert frame["other_fields"][0] == "Student: Child H\nStatus: Open"  # unknown columns kept and shown


def test_late_entries_closing_the_file_stand() -> None:
    # A case reopened three years on: in sequence at the end of the file, not a typo.
    rows = [["Date", "Details"]] + [[f"{d:02d}/02/2016", f"visit {d}"] for d in range(1, 21)]
    rows += [["01/03/2019", "Referral: case reopened"]]
    frame = records(rows)
    assert frame["reason"].eq("").all() and frame["start"].max().year == 2019


def test_sentence_in_the_date_column_carries_on_the_entry() -> None:
    # Text pasted across a row (from a Word table) lands in the date column: a continuation, not a bad date.
    frame = records(
        [
            ["Date", "Type", "Details"],
            ["01/02/2019", "Visit", "Seen at home"],
            ["Mother said the partner had left", "", ""],
        ]
    )
    assert frame["status"].tolist() == ["event", "continuation"]
    assert frame["description"][0] == "Seen at home\nMother said the partner had left"


def test_a_short_non_date_stays_rejected() -> None:
    frame = records([["Date", "Type", "Details"], ["01/02/2019", "Visit", "Seen"], ["TBC", "", "more"]])
    assert frame["status"].tolist() == ["event", "rejected"]  # "TBC" is a date not given, not text


def test_empty_event_date_takes_the_entry_date() -> None:
    # The event date is left empty when it is the entry's own: dated by the entry date, not a continuation.
    frame = records(
        [
            ["Event date", "Date recorded", "Details"],
            ["01/02/2019", "03/02/2019", "Strategy discussion"],
            ["", "05/02/2019", "Phone call to mother"],
        ]
    )
    assert frame["status"].tolist() == ["event", "event"]
    assert str(frame["start"][0].date()) == "2019-02-01"  # the event date wins where given
    assert str(frame["start"][1].date()) == "2019-02-05"
    assert frame["reason"][1] == "no event date given; dated by the entry date"
