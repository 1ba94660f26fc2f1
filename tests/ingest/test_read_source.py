"""read_source and ingest_case end to end: real files made in the test, every quirk and error."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pyarrow as pa
import pytest

from chronology.config import CaseConfig, SourceConfig
from chronology.errors import InputError
from chronology.ingest import ingest_case, read_source
from chronology.schema import EVENT_COLUMNS, event_schema


def source(folder: Path, name: str, agency: str = "Police", **kw: object) -> SourceConfig:
    return SourceConfig(path=name, agency=agency, resolved=folder / name, **kw)  # type: ignore[arg-type]


def case(folder: Path, *sources: SourceConfig) -> CaseConfig:
    return CaseConfig(path=folder / "case.toml", name="test", sources=sources)


def read(folder: Path, name: str, **kw: object):  # noqa: ANN201
    src = source(folder, name, **kw)
    return read_source(src, case(folder, src))


def test_csv_with_title_rows_and_quirks(tmp_path: Path) -> None:
    (tmp_path / "police.csv").write_bytes(
        (
            "Police IMR chronology - Child H\r\n"
            "Prepared by DC Example\r\n"
            "\r\n"
            "Date/Time;Incident type;Summary;Action taken;Officer\r\n"
            '03/04/2019 14:30;DA incident;"Officers attended; mother\'s partner\r\narrested";PPN to MASH;PC 1\r\n'
            ";;continued: child asleep upstairs;;\r\n"
            "31/02/2020;Welfare check;impossible date;;\r\n"
            "End of chronology\r\n"
        ).encode("cp1252")
    )
    r = read(tmp_path, "police.csv")
    assert r.header_row == 4  # below two title rows and a blank
    assert r.sheet == ""
    assert r.columns["date"] == "Date/Time" and r.columns["outcome"] == "Action taken"
    # the impossible 31/02/2020 is kept, dated by its month and flagged
    assert r.counts == {"rows_read": 4, "events": 2, "continuations": 1, "rejected": 1}
    ev = r.events
    assert ev["source_row"].tolist() == [5, 6, 7, 8]  # the quoted two-line cell is one row
    assert (
        ev["description"][0]
        == "Officers attended; mother's partner\r\narrested\ncontinued: child asleep upstairs"
    )
    assert ev["start"][0].isoformat() == "2019-04-03T14:30:00+01:00"  # BST
    assert ev["event_type"][0] != ""  # classified
    assert ev["reason"][2].startswith("date as written is impossible") and ev["date_precision"][2] == "month"
    assert any("cannot exist as written" in w for w in r.warnings)  # listed for the analyst
    assert ev["reason"][3] == "footer line"
    assert json.loads(ev["raw"][0])["Officer"] == "PC 1"
    assert len(r.sha256) == 64


def test_schema_exact(tmp_path: Path) -> None:
    (tmp_path / "gp.csv").write_text("Date,Entry\n01/02/2019,Seen\n,more\n32/13/2019,x\n")
    r = read(tmp_path, "gp.csv")
    assert tuple(r.events.columns) == EVENT_COLUMNS
    table = pa.Table.from_pandas(r.events, schema=event_schema("Europe/London"), preserve_index=False)
    assert table.num_rows == 3  # event, continuation, rejected
    assert r.events["cluster_id"].eq("").all()


def excel(path: Path, sheets: dict[str, list[list[object]]], hidden: tuple[str, ...] = (), merged=()) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        if name in hidden:
            ws.sheet_state = "hidden"
    for sheet_name, ref in merged:
        wb[sheet_name].merge_cells(ref)
    wb.save(path)
    return path


CHRON = [
    ["Health Visiting chronology - Child H"],
    [],
    ["Date of contact", "Time", "Contact type", "Details", "Practitioner"],
    [dt.datetime(2019, 3, 4), dt.time(10, 0), "Home visit", "Child seen", "HV 1"],
    [None, None, "Phone call", "Call to mother", "HV 1"],
    [43600, None, "Clinic", "Serial number date", "HV 2"],
    ["w/c 04/03/2019", None, "Letter", "Letter to GP", "HV 2"],
]


def test_xlsx_notes_sheet_hidden_sheet_merged_dates(tmp_path: Path) -> None:
    excel(
        tmp_path / "hv.xlsx",
        {"Notes": [["About this chronology"], ["Written for the panel"]], "Old": CHRON, "Chronology": CHRON},
        hidden=("Old",),
        merged=[("Chronology", "A4:A5")],
    )
    r = read(tmp_path, "hv.xlsx", agency="Health Visiting")
    assert r.sheet == "Chronology" and r.header_row == 3
    assert any("hidden sheet 'Old' skipped" in w for w in r.warnings)
    ev = r.events
    assert ev["status"].tolist() == ["event"] * 4
    assert ev["reason"][1] == "date from merged cell"
    assert ev["start"][0].isoformat() == "2019-03-04T10:00:00+00:00"  # Excel date cell plus time cell
    assert ev["start"][2].date() == dt.date(2019, 5, 15)  # serial 43600 (43528 is 04/03/2019)
    assert ev["date_precision"][3] == "week"
    assert json.loads(ev["raw"][2])["Date of contact"] == "43600"  # int cell verbatim
    assert (
        json.loads(ev["raw"][0])["Date of contact"] == "2019-03-04"
    )  # a date-formatted cell reads as a date
    assert ev["source_sheet"].eq("Chronology").all()


def test_hidden_sheet_read_when_named(tmp_path: Path) -> None:
    excel(tmp_path / "a.xlsx", {"Visible": CHRON, "Old": CHRON}, hidden=("Old",))
    r = read(tmp_path, "a.xlsx", sheet="Old")
    assert r.sheet == "Old"
    assert r.counts["rows_read"] == 4  # four rows below the header


def test_1904_date_system(tmp_path: Path) -> None:
    path = excel(tmp_path / "mac.xlsx", {"S": [["Date", "Details"], [dt.datetime(2019, 3, 4), "x"]]})
    wb = openpyxl.load_workbook(path)
    wb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    wb.save(path)
    r = read(tmp_path, "mac.xlsx")
    assert r.events["start"][0].date() == dt.date(2019, 3, 4)  # calamine honours the 1904 flag


def test_formula_without_cached_value(tmp_path: Path) -> None:
    # openpyxl writes formulas with no cached value; calamine then reads the cell as empty
    excel(tmp_path / "f.xlsx", {"S": [["Date", "Details", "N"], ["01/02/2019", "x", "=1+2"]]})
    r = read(tmp_path, "f.xlsx")
    assert json.loads(r.events["raw"][0])["N"] == ""
    assert r.counts["events"] == 1


def test_month_first_warning(tmp_path: Path) -> None:
    (tmp_path / "us.csv").write_text("Date,Details\n04/13/2019,a\n04/02/2019,b\n")
    r = read(tmp_path, "us.csv")
    assert any("month-first" in w for w in r.warnings)
    assert r.events["status"].tolist() == ["rejected", "event"]  # 13th month impossible; never guessed


def test_configured_columns_and_header_row(tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_text("a,b\nWhen,What happened\n01/02/2019,Seen\n")
    r = read(tmp_path, "x.csv", header_row=2, columns={"date": "When", "description": "What happened"})
    assert r.columns == {"date": "When", "description": "What happened"}
    assert r.events["description"][0] == "Seen"


def test_xlsx_that_is_csv(tmp_path: Path) -> None:
    (tmp_path / "x.xlsx").write_text("Date,Details\n01/02/2019,Seen\n")
    r = read(tmp_path, "x.xlsx")
    assert r.counts["events"] == 1
    assert any("really CSV" in w for w in r.warnings)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"Date,Details\n", "no rows below the header"),
        (b"Type,Details\nVisit,Seen\n", "no date column found"),
        (b"PK\x03\x04garbage", "corrupt"),
    ],
)
def test_errors(tmp_path: Path, content: bytes, message: str) -> None:
    (tmp_path / "bad.csv").write_bytes(content)
    with pytest.raises(InputError, match=message) as err:
        read(tmp_path, "bad.csv")
    assert "bad.csv" in str(err.value)  # the file is named


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="police.csv: file not found"):
        read(tmp_path, "police.csv")


def test_ingest_case_order_counts_and_checks(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("Date,Details\n01/02/2019,a\n02/02/2019,b\n")
    (tmp_path / "b.csv").write_text("Date,Details\n03/02/2019,c\n,more\n")
    a, b = source(tmp_path, "a.csv", "Police"), source(tmp_path, "b.csv", "Police")
    got = ingest_case(case(tmp_path, b, a))
    assert got.events["source_file"].tolist() == ["b.csv", "b.csv", "a.csv", "a.csv"]  # case.toml order
    assert got.sources["rows_read"].tolist() == [2, 2]
    assert got.sources["events"].tolist() == [1, 2]
    assert any("2 sources have the agency 'Police'" in w for w in got.warnings)
    assert got.events["record_id"].is_unique
    with pytest.raises(InputError, match="listed twice"):
        ingest_case(case(tmp_path, a, source(tmp_path, "./a.csv", "GP")))


def test_record_ids_survive_another_source(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("Date,Details\n01/02/2019,a\n")
    (tmp_path / "b.csv").write_text("Date,Details\n03/02/2019,c\n")
    a, b = source(tmp_path, "a.csv"), source(tmp_path, "b.csv", "GP")
    alone = ingest_case(case(tmp_path, a)).events["record_id"].tolist()
    both = ingest_case(case(tmp_path, b, a)).events
    assert both.loc[both["source_file"] == "a.csv", "record_id"].tolist() == alone


def write_ods(path: Path, rows: list[list[str]], sheet: str = "Chronology") -> Path:
    """A minimal OpenDocument spreadsheet (mimetype, manifest, content), text cells only."""
    import zipfile

    def cell(v: str) -> str:
        return f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'

    body = "".join("<table:table-row>" + "".join(cell(v) for v in r) + "</table:table-row>" for r in rows)
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{sheet}">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>'
    )
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("META-INF/manifest.xml", manifest)
        zf.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return path


def test_ods(tmp_path: Path) -> None:
    write_ods(tmp_path / "school.ods", [["School chronology"], ["Date", "Details"], ["01/02/2019", "Seen"]])
    r = read(tmp_path, "school.ods", agency="School")
    assert (r.sheet, r.header_row, r.counts["events"]) == ("Chronology", 2, 1)  # title row skipped


def test_case_classified_at_once_as_each_source_alone() -> None:
    """ingest_case classifies all sources in one call; each file read alone gives the same types."""
    import pandas as pd

    from chronology.config import load_config

    config = load_config(Path(__file__).parents[2] / "data_samples" / "child_h" / "case.toml")
    together = ingest_case(config).events
    alone = pd.concat([read_source(s, config).events for s in config.sources], ignore_index=True)
    assert len(together) == len(alone) > 200
    for column in ("record_id", "event_type", "from_agency", "to_agency"):
        assert together[column].tolist() == alone[column].tolist(), column
    assert (together.loc[together["status"] == "event", "event_type"] != "").all()


YEAR_HEADER = ["Date", "Contact type", "Details", "Worker"]


def test_chronology_over_several_sheets_read_as_one_source(tmp_path: Path) -> None:
    # One sheet a year with the same header, and a notes sheet that is not a chronology.
    excel(
        tmp_path / "csc.xlsx",
        {
            "2019": [YEAR_HEADER, ["01/02/2019", "Visit", "Child seen", "SW 1"]],
            "Notes": [["Key information"], ["Allocated worker: SW 1"]],
            "2020": [
                YEAR_HEADER,
                ["01/02/2020", "Visit", "Child seen", "SW 2"],
                ["02/02/2020", "Call", "x", ""],
            ],
        },
    )
    r = read(tmp_path, "csc.xlsx")
    assert r.events["source_sheet"].tolist() == ["2019", "2020", "2020"]  # each row keeps its own sheet
    assert r.events["source_row"].tolist() == [2, 2, 3]
    assert r.events["record_id"].nunique() == 3  # the sheet is part of the id
    assert r.sheet == "2019, 2020"
    assert any("as one chronology" in w for w in r.warnings)


def test_sheets_named_as_a_list(tmp_path: Path) -> None:
    excel(
        tmp_path / "csc.xlsx",
        {
            "2019": [YEAR_HEADER, ["01/02/2019", "Visit", "Child seen", "SW 1"]],
            "2020": [["Date of contact", "Details"], ["01/02/2020", "Seen"]],  # another header
        },
    )
    r = read(tmp_path, "csc.xlsx", sheet=("2019", "2020"))
    assert r.events["source_sheet"].tolist() == ["2019", "2020"]
    assert read(tmp_path, "csc.xlsx").events["source_sheet"].tolist() == ["2019"]  # headers differ


def test_case_toml_sheet_list(tmp_path: Path) -> None:
    from chronology.config import load_config

    excel(tmp_path / "csc.xlsx", {"2019": [YEAR_HEADER, ["01/02/2019", "Visit", "Seen", "SW"]]})
    (tmp_path / "case.toml").write_text(
        '[case]\nname = "x"\n[[sources]]\npath = "csc.xlsx"\nagency = "CSC"\nsheet = ["2019"]\n'
    )
    assert load_config(tmp_path / "case.toml").sources[0].sheet == ("2019",)


def _saved_on(path: Path, day: str) -> None:
    """Rewrite a workbook's docProps/core.xml so that it says it was created and saved on ``day``."""
    import re
    import zipfile

    parts = {}
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            parts[name] = archive.read(name)
    parts["docProps/core.xml"] = re.sub(
        rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*",
        rb"\g<1>" + day.encode() + b"T09:00:00Z",
        parts["docProps/core.xml"],
    )
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def test_date_after_the_workbook_was_saved_is_implausible(tmp_path: Path) -> None:
    # The last entry says 2029 in a workbook saved in 2021: never placed in the future.
    rows = [YEAR_HEADER] + [[f"{d:02d}/02/2020", "Visit", f"visit {d}", "SW"] for d in range(1, 11)]
    rows.append(["11/02/2029", "Visit", "typo year", "SW"])
    excel(tmp_path / "csc.xlsx", {"Chronology": rows})
    _saved_on(tmp_path / "csc.xlsx", "2021-01-12")
    ev = read(tmp_path, "csc.xlsx").events
    last = ev.iloc[-1]
    assert "after the file was saved (12/01/2021)" in last["reason"] and "likely 11/02/2020" in last["reason"]
    assert last["start"].year == 2020  # dated by the entry above it (no entry below)
