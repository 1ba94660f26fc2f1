"""Tests of chronology.xlsx: read back with openpyxl, as the panel's Excel would see it."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter

from chronology.config import CaseConfig, SourceConfig
from chronology.pipeline import Run
from chronology.views.pages import print_scale
from chronology.views.workbook import CELL_LIMIT, citation, tint, write_workbook

TZ = "Europe/London"
CSC = "Children's Social Care"


def _record(row: int, agency: str, file: str, when: str | None, **cells: object) -> dict:
    """One event record; ``cells`` override the defaults."""
    start = pd.Timestamp(when, tz=TZ) if when else pd.NaT
    record = {
        "record_id": f"{file}-{row}",
        "subject_ref": "",
        "agency": agency,
        "source_file": file,
        "source_sheet": "Chronology" if file.endswith(".xlsx") else "",
        "source_row": row,
        "status": "event",
        "reason": "",
        "start": start,
        "end": start,
        "date_precision": ("time" if " " in when else "day") if when else None,
        "event_type": "home_visit",
        "type_label": "HV",
        "description": f"entry {file} {row}",
        "outcome": "",
        "practitioner": "",
        "from_agency": "",
        "to_agency": "",
        "cluster_id": "",
        "raw": "{}",
    }
    record.update(cells)
    return record


def make_run(tmp_path: Path, born: date | None = date(2018, 5, 21)) -> Run:
    """Police, CSC and a school; one cluster whose members are a day apart."""
    events = pd.DataFrame(
        [
            # CSC lists the strategy discussion on the 5th, Police the same meeting on the 6th (cluster K1).
            _record(30, CSC, "csc.csv", "2019-03-05", cluster_id="K1", event_type="strategy_discussion"),
            _record(
                14,
                "Police",
                "police.xlsx",
                "2019-03-06 10:30",
                cluster_id="K1",
                event_type="strategy_discussion",
            ),
            # Between them in time, a school entry that is not part of the cluster.
            _record(
                7, "School", "school.xlsx", "2019-03-05 15:00", description='=HYPERLINK("http://x","open")'
            ),
            # Same day as the CSC entry but earlier in case.toml order (Police first).
            _record(12, "Police", "police.xlsx", "2019-03-05"),
            # An approximate date: March 2019.
            _record(
                40,
                CSC,
                "csc.csv",
                "2019-03-01",
                date_precision="month",
                end=pd.Timestamp("2019-03-31", tz=TZ),
            ),
            _record(41, CSC, "csc.csv", None, status="continuation", reason="joined to row 40"),
            _record(
                42,
                CSC,
                "csc.csv",
                None,
                status="rejected",
                reason="impossible date 31/02/2020",
                raw=json.dumps({"Date": "31/02/2020", "Entry": "=1+1"}),
            ),
        ]
    )
    findings = pd.DataFrame(
        [
            {
                "finding_id": "F-0001",
                "kind": "info_sharing_gap",
                "severity": "high",
                "title": "@SUM(A1) looks like a formula",
                "statement": "School saw a bruise on 05/03/2019; CSC shows no sign of knowing.",
                "agencies": ["School", CSC],
                "start": pd.Timestamp("2019-03-05", tz=TZ),
                "end": pd.Timestamp("2019-03-19", tz=TZ),
                "citations": "school.xlsx:Chronology:7",
                "status": "accepted",
                "decision_reason": "agreed at panel",
                "reviewer": "AB",
            }
        ]
    )
    sources = pd.DataFrame(
        [
            {"source_file": f, "agency": a, "sheet": s, "header_row": 1, "sha256": h * 64,
             "rows_read": n, "events": e, "continuations": c, "rejected": r}
            for f, a, s, h, n, e, c, r in [
                ("police.xlsx", "Police", "Chronology", "a", 2, 2, 0, 0),
                ("csc.csv", CSC, "", "b", 4, 2, 1, 1),
                ("school.xlsx", "School", "Chronology", "c", 1, 1, 0, 0),
            ]
        ]
    )  # fmt: skip
    config = CaseConfig(
        path=tmp_path / "case.toml",
        name="Child H review",
        timezone=TZ,
        date_of_birth=born,
        sources=tuple(
            SourceConfig(f, a, tmp_path / f)
            for f, a in [("police.xlsx", "Police"), ("csc.csv", CSC), ("school.xlsx", "School")]
        ),
    )
    return Run(config, events, sources, pd.DataFrame(), pd.DataFrame(), findings)


@pytest.fixture
def book(tmp_path: Path) -> openpyxl.Workbook:
    path = tmp_path / "chronology.xlsx"
    write_workbook(make_run(tmp_path), path)
    return openpyxl.load_workbook(path)  # data_only=False: a formula would read back as one


def _rows(ws) -> list[dict]:
    header = [c.value for c in ws[1]]
    return [dict(zip(header, row, strict=True)) for row in ws.iter_rows(min_row=2)]


def test_sheets_and_chronology_header(book) -> None:
    assert book.sheetnames == [
        "Chronology",
        "Findings",
        "Findings by concern",
        "Who knew what",
        "Decisions and services",
        "Sources",
        "Rejected",
        "Continuations",
    ]
    header = [c.value for c in book["Chronology"][1]]
    assert header == [
        "Date", "Time", "Precision", "Age", "Agency", "Type", "Description", "Outcome",
        "Practitioner", "Cluster", "Days after first record", "Same event as", "Citation",
    ]  # fmt: skip


def test_no_age_column_without_date_of_birth(tmp_path: Path) -> None:
    path = tmp_path / "chronology.xlsx"
    write_workbook(make_run(tmp_path, born=None), path)
    assert "Age" not in [c.value for c in openpyxl.load_workbook(path)["Chronology"][1]]


def test_order_by_date_then_source_order_with_clusters_together(book) -> None:
    cites = [r["Citation"].value for r in _rows(book["Chronology"])]
    assert cites == [
        "csc.csv::40",  # March 2019 starts on the 1st
        "police.xlsx:Chronology:12",  # the 5th, Police before CSC in case.toml
        "csc.csv::30",  # the 5th, and its cluster member from the 6th follows at once
        "police.xlsx:Chronology:14",
        "school.xlsx:Chronology:7",  # 15:00 on the 5th, moved after the cluster
    ]


def test_dates_times_precision_and_age(book) -> None:
    rows = {r["Citation"].value: r for r in _rows(book["Chronology"])}
    timed = rows["police.xlsx:Chronology:14"]
    assert timed["Date"].is_date and timed["Date"].value == datetime(2019, 3, 6)
    assert timed["Time"].is_date and timed["Time"].value == time(10, 30)
    assert timed["Age"].value == "0y 9m"
    day = rows["csc.csv::30"]
    assert day["Time"].value is None  # a day-precision entry has no time
    assert rows["csc.csv::40"]["Precision"].value == "month"
    assert day["Precision"].value is None


def test_cluster_marked(book) -> None:
    rows = {r["Citation"].value: r for r in _rows(book["Chronology"])}
    member = rows["csc.csv::30"]
    assert member["Cluster"].value == "K1"
    assert member["Same event as"].value == "police.xlsx:Chronology:14"
    # csc.csv::30 is of the 5th, its cluster's police record of the 6th: one day after the first
    assert member["Days after first record"].value == 0
    assert rows["police.xlsx:Chronology:14"]["Days after first record"].value == 1
    assert member["Date"].border.left.style == "thick"
    alone = rows["school.xlsx:Chronology:7"]
    assert alone["Cluster"].value is None and alone["Date"].border.left.style is None


def test_rows_filled_with_agency_tint(book) -> None:
    palette = pytest.importorskip("chronology.views.palette")
    # The timeline's order: agencies as dated event records first name them.
    colours = palette.agency_colours([CSC, "Police", "School"])
    for row in _rows(book["Chronology"]):
        expected = tint(colours[row["Agency"].value])
        assert {c.fill.fgColor.rgb for c in row.values()} == {expected}
    assert tint("#E69F00") == "FFF9E7BF"  # a quarter of orange on white


def test_formula_looking_text_stays_text(book) -> None:
    school = next(r for r in _rows(book["Chronology"]) if r["Agency"].value == "School")
    assert school["Description"].value == '=HYPERLINK("http://x","open")'
    assert school["Description"].data_type == "s"
    title = book["Findings"]["D2"]
    assert (title.value, title.data_type) == ("@SUM(A1) looks like a formula", "s")
    raw = book["Rejected"]["F2"]
    assert raw.value == "Date: 31/02/2020\nEntry: =1+1" and raw.data_type == "s"


def test_layout_for_screen_and_print(book) -> None:
    for ws in book.worksheets:
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
        assert ws.page_setup.orientation == "landscape"
        assert ws.print_title_rows == "$1:$1"
    ws = book["Chronology"]
    assert ws.auto_filter.ref == "A1:M6"
    assert ws["G2"].alignment.wrap_text  # Description wraps
    widths = [ws.column_dimensions[get_column_letter(c)].width for c in range(1, ws.max_column + 1)]
    assert max(widths) == ws.column_dimensions["G"].width  # narrowed to print, Description stays the widest


def test_print_settings_read_back(book) -> None:
    """Every sheet prints on A4 landscape at 80 % or more, with the case, marking and page numbers."""
    for ws in book.worksheets:
        setup = ws.page_setup
        assert setup.orientation == "landscape" and int(setup.paperSize) == int(ws.PAPERSIZE_A4)
        assert not ws.sheet_properties.pageSetUpPr.fitToPage  # an explicit scale, not "fit to width"
        assert int(setup.scale) >= 80, ws.title
        widths = [ws.column_dimensions[get_column_letter(c)].width for c in range(1, ws.max_column + 1)]
        assert print_scale(widths) >= int(setup.scale)  # the columns do fit the page's width at that scale
        assert ws.oddHeader.left.text == "Child H review, 01/03/2019 to 06/03/2019"
        assert ws.oddHeader.center.text == "OFFICIAL-SENSITIVE"
        assert ws.oddFooter.center.text == "OFFICIAL-SENSITIVE"
        assert ws.oddFooter.right.text == "Page &P of &N"
        assert ws.print_title_rows == "$1:$1"


def test_findings_sources_rejected_and_continuations(book) -> None:
    finding = _rows(book["Findings"])[0]
    assert finding["Agencies"].value == "School; Children's Social Care"
    assert finding["Period"].value == "05/03/2019 \u2013 19/03/2019"
    assert finding["Decision"].value == "agreed at panel (AB)"
    sources = _rows(book["Sources"])
    assert [s["File"].value for s in sources] == ["police.xlsx", "csc.csv", "school.xlsx"]
    assert sources[1]["Rejected"].value == 1 and sources[1]["sha256"].value == "b" * 64
    rejected = _rows(book["Rejected"])
    assert [(r["Row"].value, r["Reason"].value) for r in rejected] == [(42, "impossible date 31/02/2020")]
    continuation = _rows(book["Continuations"])
    assert [(r["Row"].value, r["Reason"].value) for r in continuation] == [(41, "joined to row 40")]


def test_control_characters_and_long_cells(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    run.events.loc[0, "description"] = "NUL\x00here"  # Excel refuses control characters
    run.events.loc[1, "description"] = "x" * (CELL_LIMIT + 10)  # longer than an Excel cell holds
    path = tmp_path / "chronology.xlsx"
    write_workbook(run, path)
    rows = {r["Citation"].value: r for r in _rows(openpyxl.load_workbook(path)["Chronology"])}
    assert rows["csc.csv::30"]["Description"].value == "NUL\ufffdhere"
    long = rows["police.xlsx:Chronology:14"]["Description"].value
    assert len(long) == CELL_LIMIT and "events.parquet" in long


def test_same_run_same_bytes(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    write_workbook(run, tmp_path / "a.xlsx")
    write_workbook(run, tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    assert openpyxl.load_workbook(tmp_path / "a.xlsx").properties.modified == datetime(2000, 1, 1)


def test_citation_format() -> None:
    assert citation("police.xlsx", "Chronology", 14) == "police.xlsx:Chronology:14"
    assert citation("gp.csv", "", 22) == "gp.csv::22"  # as findings' citations write a CSV's


def test_dates_before_1900_are_text(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    # A mistyped year: Excel shows a date before 1900 as "#####", so it is written as text.
    run.events.loc[0, ["start", "end"]] = pd.Timestamp("1850-03-05", tz=TZ)
    path = tmp_path / "chronology.xlsx"
    write_workbook(run, path)
    first = _rows(openpyxl.load_workbook(path)["Chronology"])[0]
    assert (first["Date"].value, first["Date"].data_type) == ("05/03/1850", "s")


def test_agency_tints_follow_the_timeline_colours(tmp_path: Path) -> None:
    timeline = pytest.importorskip("chronology.views.timeline")
    palette = pytest.importorskip("chronology.views.palette")
    run = make_run(tmp_path)
    # The timeline colours agencies in its lane order; the workbook must agree.
    _, lanes = timeline.plotted_records(run.events)
    colours = palette.agency_colours(lanes)
    path = tmp_path / "chronology.xlsx"
    write_workbook(run, path)
    for row in _rows(openpyxl.load_workbook(path)["Chronology"]):
        assert row["Agency"].fill.fgColor.rgb == tint(colours[row["Agency"].value])


def test_subject_column_only_when_a_file_holds_several(tmp_path: Path) -> None:
    run = make_run(tmp_path)
    run.events["subject_ref"] = ["H", "H", "S", "H", "S", "", ""]  # two children in these files
    path = tmp_path / "chronology.xlsx"
    write_workbook(run, path)
    rows = {r["Citation"].value: r for r in _rows(openpyxl.load_workbook(path)["Chronology"])}
    assert rows["school.xlsx:Chronology:7"]["Subject"].value == "S"


def test_findings_by_concern_sheet_has_one_line_per_concern(book) -> None:
    lines = _rows(book["Findings by concern"])
    findings = _rows(book["Findings"])
    assert 0 < len(lines) <= len(findings)  # one line per concern or handoff, never more than findings
    assert [r["Line"].value for r in lines] == list(range(1, len(lines) + 1))
    listed = [f for r in lines for f in str(r["Findings"].value).split(", ")]
    assert sorted(listed) == sorted(f["Finding"].value for f in findings)  # every finding on exactly one line


def test_findings_by_concern_marks_lines_outside_the_review_period(tmp_path: Path) -> None:
    from dataclasses import replace

    run = make_run(tmp_path)
    run = replace(run, config=replace(run.config, scope=(date(2030, 1, 1), None)))  # after every finding
    path = tmp_path / "chronology.xlsx"
    write_workbook(run, path)
    lines = _rows(openpyxl.load_workbook(path)["Findings by concern"])
    assert lines and {r["In the review's period"].value for r in lines} == {"no"}
