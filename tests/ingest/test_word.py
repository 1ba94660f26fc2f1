"""Word documents: the chronology table of a template-style .docx read row for row, as its .xlsx twin.

Every document is built here with python-docx: a preamble, a details table, the
chronology split over two pages with its header repeated, merged cells (a date
spanning two rows, an entry spanning two columns), cells of several paragraphs,
a glossary and a signature table.
"""

from __future__ import annotations

import json
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.enum.text import WD_BREAK
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chronology.config import CaseConfig, SourceConfig
from chronology.errors import InputError
from chronology.ingest import read_source
from chronology.ingest.files import open_book
from chronology.ingest.readers import reader_for
from chronology.ingest.readers.word import _body, _tables

HEADER = [
    "Date",
    "Time",
    "Source of information",
    "Event / contact",
    "Significance or analysis",
    "Action taken",
]
#: The chronology as a reader sees it: row 1 is the header; None marks a cell merged into its neighbour
#: (the date of row 4 is row 3's, vertically merged; row 5's entry spans two columns).
PAGE_1 = [
    ["03/03/2019", "10:15", "PC 123", "Domestic incident at the home address.\nMother said Partner had left.",
     "First DA call", "DASH completed; PPN to MASH"],
    ["05/03/2019", "", "MASH", "Strategy discussion held.", "", "S47 enquiry agreed"],
    [None, "", "MASH", "Minutes sent to GP and HV.", "", "None"],
    ["12/03/2019", "14:00", "PC 456", "Home visit: Child H seen and spoken to alone.", None, "None"],
]  # fmt: skip
PAGE_2 = [
    ["20/03/2019", "", "DS 7", "Call to the school DSL.\n\nDSL to monitor attendance.", "", "None"],
    ["", "", "", "continued: Mother not at home when called back", "", ""],
    ["02/04/2019", "09:00", "PC 123", "Second DA incident; Partner arrested.", "Pattern of DA", "MARAC referral"],
]  # fmt: skip
ROWS = [HEADER, *PAGE_1, *PAGE_2]


def _fill(table, rows: list[list[str | None]], first: int) -> None:  # noqa: ANN001
    """Write rows from table row ``first``, merging each None into the cell above (column 0) or left."""
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if value is None:
                continue
            cell = table.cell(first + i, j)
            paragraphs = value.split("\n")
            cell.text = paragraphs[0]
            for text in paragraphs[1:]:
                cell.add_paragraph(text)
        for j, value in enumerate(row):
            if value is None and j == 0:
                table.cell(first + i - 1, 0).merge(table.cell(first + i, 0))
            elif value is None:
                left = table.cell(first + i, j - 1)
                text = left.text
                merged = left.merge(table.cell(first + i, j))
                for p in merged.paragraphs[1:]:  # merging appends the (empty) right cell's paragraph
                    p._p.getparent().remove(p._p)
                merged.text = text


def _table(document, rows: list[list[str | None]], header: list[str] | None = None):  # noqa: ANN001, ANN202
    width = len(header or rows[0])
    table = document.add_table(rows=len(rows) + (1 if header else 0), cols=width)
    if header:
        _fill(table, [header], 0)
    _fill(table, rows, 1 if header else 0)
    return table


def template_docx(path: Path, *, second_chronology: bool = False) -> Path:
    """A partnership template as an agency fills it in."""
    document = docx.Document()
    document.add_heading("Police chronology: Child H practice review", level=1)
    document.add_paragraph("Agency: Police. Period covered: 01/01/2019 to 30/04/2019.")
    _table(document, [["Review", "Child H"], ["Author", "DS Example"], ["Date completed", "14/02/2020"]])
    document.add_paragraph("Chronology of contacts")
    _table(document, PAGE_1, HEADER)
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)  # the table goes on over the page
    _table(document, PAGE_2, HEADER)
    if second_chronology:
        document.add_paragraph("Contacts with Partner")
        _table(document, [["15/04/2019", "", "PC 9", "Partner interviewed.", "", "None"]], HEADER)
    document.add_paragraph("Glossary")
    _table(document, [["PPN", "Public protection notice"]], ["Term", "Meaning"])
    document.add_paragraph("Sign-off")
    _table(document, [["DS Example", "Author", "", "14/02/2020"]], ["Name", "Role", "Signature", "Date"])
    document.save(path)
    return path


def twin_xlsx(path: Path) -> Path:
    """The same chronology as a workbook: the same rows, the same merged cells."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Chronology"
    for row in ROWS:
        ws.append(["" if v is None else v for v in row])
    ws.merge_cells("A3:A4")  # the date spanning two rows
    ws.merge_cells("D5:E5")  # the entry spanning two columns
    wb.save(path)
    return path


def _read(folder: Path, name: str, **kw: object):  # noqa: ANN202
    src = SourceConfig(path=name, agency="Police", resolved=folder / name, **kw)  # type: ignore[arg-type]
    return read_source(src, CaseConfig(path=folder / "case.toml", name="t", sources=(src,)))


def test_template_read_row_for_row(tmp_path: Path) -> None:
    book = open_book(template_docx(tmp_path / "police.docx"), label="police.docx")
    assert book.kind == "docx"
    [sheet] = book.sheets  # the details, glossary and signature tables are not the chronology
    assert sheet.name == ""
    # the page-2 table continues page 1: its repeated header is not a row
    assert [[c for c in r] for r in sheet.rows] == [["" if v is None else v for v in r] for r in ROWS]
    assert sorted(sheet.merged) == [(2, 0, 3, 0), (4, 3, 4, 4)]  # 0-based, as calamine gives them
    assert any("3 other table(s) not read" in w for w in book.warnings)


def test_template_events(tmp_path: Path) -> None:
    r = _read(tmp_path, template_docx(tmp_path / "police.docx").name)
    ev = r.events
    assert r.sheet == "" and r.header_row == 1
    # rows as a reader counts them: header row 1, the repeated header on page 2 not counted
    assert ev["source_row"].tolist() == [2, 3, 4, 5, 6, 7, 8]
    assert set(ev["source_sheet"]) == {""}
    assert ev["status"].tolist() == ["event"] * 5 + ["continuation", "event"]
    assert ev["reason"][2] == "date from merged cell"  # row 4's date is row 3's
    assert ev["start"][2].date().isoformat() == "2019-03-05"
    assert ev["start"][0].isoformat() == "2019-03-03T10:15:00+00:00"
    assert "Domestic incident at the home address.\nMother said Partner had left." in ev["description"][0]
    assert "continued: Mother not at home" in ev["description"][4]  # the continuation joins row 6
    assert (
        json.loads(ev["raw"][4])["Event / contact"] == "Call to the school DSL.\n\nDSL to monitor attendance."
    )


def test_record_ids_stable(tmp_path: Path) -> None:
    template_docx(tmp_path / "police.docx")
    first = _read(tmp_path, "police.docx").events["record_id"].tolist()
    assert _read(tmp_path, "police.docx").events["record_id"].tolist() == first
    assert len(set(first)) == 7


def test_docx_gives_the_events_of_its_xlsx_twin(tmp_path: Path) -> None:
    word = _read(tmp_path, template_docx(tmp_path / "police.docx").name).events
    excel = _read(tmp_path, twin_xlsx(tmp_path / "police.xlsx").name).events
    assert len(word) == len(excel) == 7
    differ = {"record_id", "source_file", "source_sheet"}  # the file's name and hash, the sheet's name
    for column in word.columns:
        if column not in differ:
            assert word[column].tolist() == excel[column].tolist(), column
    assert set(excel["source_sheet"]) == {"Chronology"}


def test_several_chronology_tables_are_named(tmp_path: Path) -> None:
    book = open_book(template_docx(tmp_path / "police.docx", second_chronology=True))
    # tables counted as a reader counts them: details 1, chronology (over two pages) 2, partner 3
    assert [s.name for s in book.sheets] == ["table 2", "table 3"]
    r = _read(tmp_path, "police.docx", sheet="table 3")
    assert r.events["source_sheet"].tolist() == ["table 3"]
    assert r.events["source_row"].tolist() == [2]


def test_nested_table_kept_and_reported(tmp_path: Path) -> None:
    document = docx.Document()
    table = _table(document, [["01/02/2019", "Strategy meeting", ""]], ["Date", "Event", "Attendees"])
    inner = table.cell(1, 2).add_table(rows=2, cols=2)
    for (i, j), text in {(0, 0): "Police", (0, 1): "DS 7", (1, 0): "CSC", (1, 1): "SW Jones"}.items():
        inner.cell(i, j).text = text
    document.save(tmp_path / "gp.docx")
    book = open_book(tmp_path / "gp.docx", label="gp.docx")
    assert book.sheets[0].rows[1][2] == "Police | DS 7\nCSC | SW Jones"
    assert book.warnings == [
        "gp.docx, row 2, column 3: a table nested in the cell; its text is kept in the cell, a line per row"
    ]


def test_docm_is_read(tmp_path: Path) -> None:
    """A macro-enabled document: python-docx's Document() refuses its content type, the reader does not."""
    import zipfile

    template_docx(tmp_path / "a.docx")
    with zipfile.ZipFile(tmp_path / "a.docx") as src, zipfile.ZipFile(tmp_path / "police.docm", "w") as out:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml"
                )
            out.writestr(item, data)
    assert open_book(tmp_path / "police.docm").sheets[0].rows == open_book(tmp_path / "a.docx").sheets[0].rows


def test_refusals(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Chronology to follow.")
    document.save(tmp_path / "none.docx")
    with pytest.raises(InputError, match="^none.docx: the document holds no table"):
        open_book(tmp_path / "none.docx", label="none.docx")
    document = docx.Document()
    _table(document, [["Visit", "Seen"]], ["Type", "Details"])
    document.save(tmp_path / "nodate.docx")
    with pytest.raises(
        InputError, match=r"^nodate.docx, sheet 'table 1': no date column found.*'Type', 'Details'"
    ):
        _read(tmp_path, "nodate.docx")


def test_legacy_doc_refused(tmp_path: Path) -> None:
    ole = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 504
        + "WordDocument".encode("utf-16-le")
        + b"\x00" * 64
    )
    assert reader_for(ole, "gp.doc").NAME == "doc"
    (tmp_path / "gp.doc").write_bytes(ole)
    with pytest.raises(InputError) as info:
        open_book(tmp_path / "gp.doc", label="gp.doc")
    assert info.value.line().startswith("gp.doc: a Word 97-2003 document (.doc)")
    assert "save it as .docx" in info.value.line()


def test_init_drafts_word_sources(tmp_path: Path) -> None:
    from chronology.config import load_config
    from chronology.ingest.draft import draft_case

    template_docx(tmp_path / "police_chronology.docx")
    template_docx(tmp_path / "hv.docx", second_chronology=True)
    (tmp_path / "gp.doc").write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "WordDocument".encode("utf-16-le")
    )
    text = draft_case(tmp_path)
    assert 'path = "police_chronology.docx"' in text and 'path = "hv.docx"' in text
    assert '# sheet = "table 2"  # chosen from 2 tables' in text  # only the document with two is named
    assert text.count("# sheet =") == 1
    assert "# Could not read gp.doc: gp.doc: a Word 97-2003 document (.doc)" in text
    (tmp_path / "case.toml").write_text(text, encoding="utf-8")
    assert [s.path for s in load_config(tmp_path / "case.toml").sources] == [
        "hv.docx",
        "police_chronology.docx",
    ]


def test_guards_run_before_python_docx(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The archive guards the workbooks pass cover a .docx too, before python-docx parses a byte."""
    import docx.package

    from chronology.ingest import guards

    def refuse(*_a: object, **_k: object) -> None:
        raise AssertionError("python-docx reached")

    path = template_docx(tmp_path / "police.docx")
    monkeypatch.setattr(docx.package.Package, "open", refuse)
    monkeypatch.setattr(guards, "MAX_DOCUMENT_XML", 1000)
    with pytest.raises(
        InputError, match=r"^police.docx: refused: the document's text part is .* MB uncompressed"
    ):
        open_book(path, label="police.docx")
    monkeypatch.setattr(guards, "MAX_DOCUMENT_XML", 512 * 1024**2)
    monkeypatch.setattr(guards, "MAX_TABLE_COLUMNS", 1)  # the template's merged entry spans 2
    with pytest.raises(InputError, match="refused: a table cell spans 2 columns"):
        open_book(path, label="police.docx")


def test_content_controls_and_tracked_changes(tmp_path: Path) -> None:
    """Templates wrap rows and cell text in content controls; deleted text is not the cell's."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    table = _table(document, [["01/02/2019", "Home visit"], ["02/02/2019", "Call"]], ["Date", "Event"])
    row = table.rows[2]._tr
    sdt = parse_xml(f"<w:sdt {nsdecls('w')}><w:sdtPr/><w:sdtContent/></w:sdt>")
    row.addprevious(sdt)
    sdt[1].append(row)  # the third row inside a content control
    paragraph = table.cell(1, 1).paragraphs[0]._p
    paragraph.append(
        parse_xml(
            f'<w:del {nsdecls("w")} w:id="1" w:author="A"><w:r><w:delText> (struck)</w:delText></w:r></w:del>'
        )
    )
    paragraph.append(
        parse_xml(
            f'<w:ins {nsdecls("w")} w:id="2" w:author="A"><w:r><w:t>, child seen</w:t><w:tab/><w:t>HV</w:t></w:r></w:ins>'
        )
    )
    document.save(tmp_path / "hv.docx")
    rows = open_book(tmp_path / "hv.docx").sheets[0].rows
    assert rows == [["Date", "Event"], ["01/02/2019", "Home visit, child seen\tHV"], ["02/02/2019", "Call"]]


_TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=12).map(str.strip)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.lists(st.lists(_TEXT, min_size=1, max_size=3), min_size=3, max_size=3), min_size=1, max_size=6
    )
)
def test_cells_read_back_as_written(tmp_path: Path, cells: list[list[list[str]]]) -> None:
    """Any cell text, in any number of paragraphs, reads back joined by line breaks (empty ends dropped)."""
    document = docx.Document()
    table = document.add_table(rows=len(cells) + 1, cols=3)
    for j, head in enumerate(("Date", "Event", "Outcome")):
        table.cell(0, j).text = head
    for i, row in enumerate(cells, start=1):
        for j, paragraphs in enumerate(row):
            cell = table.cell(i, j)
            cell.text = paragraphs[0]
            for text in paragraphs[1:]:
                cell.add_paragraph(text)
    document.save(tmp_path / "a.docx")
    body = _body((tmp_path / "a.docx").read_bytes(), "a.docx")
    [read] = list(_tables(body))
    assert read.rows[1:] == [["\n".join(p).strip("\n") for p in row] for row in cells]
