"""chronology.docx opened with python-docx, as Word would read it: pages, table, groups, findings, names."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import replace
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from chronology.pseudonyms import check_files, output_texts
from chronology.views.document import abbreviations_used, chronology_docx, write_document
from chronology.views.findings_text import findings_markdown, plain_citation
from chronology.views.knowledge import knowledge_matrix

FORMULA = '=HYPERLINK("http://x","open")'
DDE = '{ DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc" }'


def _open(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def _chronology_table(doc: docx.document.Document) -> docx.table.Table:
    return next(t for t in doc.tables if t.rows[0].cells[0].text == "Date")


def _texts(doc: docx.document.Document) -> str:
    """Every text of the body, tables, headers and footers."""
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [c.text for row in table.rows for c in row.cells]
    for section in doc.sections:
        parts += [p.text for p in section.header.paragraphs + section.footer.paragraphs]
    return "\n".join(parts)


@pytest.fixture
def document(run) -> docx.document.Document:
    return _open(chronology_docx(run))


def test_pages_are_a4_landscape_with_marking_and_page_numbers(document) -> None:
    assert len(document.sections) == 1
    section = document.sections[0]
    assert round(section.page_width.mm) == 297 and round(section.page_height.mm) == 210
    assert section.orientation == docx.enum.section.WD_ORIENT.LANDSCAPE
    assert "OFFICIAL-SENSITIVE" in section.header.paragraphs[0].text
    assert "Child T <test> review" in section.header.paragraphs[0].text
    footer = section.footer.paragraphs[0]
    assert "OFFICIAL-SENSITIVE" in footer.text and "Page" in footer.text
    fields = [t.text.strip() for t in footer._p.iter(qn("w:instrText"))]
    assert fields == ["PAGE", "NUMPAGES"]  # "Page n of m", kept up to date by Word


def test_marking_is_set_in_the_case_file(run) -> None:
    run.config = replace(run.config, marking="OFFICIAL")
    header = _open(chronology_docx(run)).sections[0].header.paragraphs[0].text
    assert "OFFICIAL" in header and "SENSITIVE" not in header


def test_first_page_names_the_case_and_period(document) -> None:
    first = [p.text for p in document.paragraphs[:4]]
    assert first[0] == "Child T <test> review"  # the title, as text (not markup)
    # The period runs from the first dated record (03/03/2019) to the last day of the latest (term to 03/04/2020).
    assert "Period: 03/03/2019 to 06/01/2020" in first[2] or "Period: 03/03/2019 to 03/04/2020" in first[2]
    assert "10 records from 4 agencies" in first[2]


def test_table_header_repeats_and_every_record_is_there_once(document, run) -> None:
    table = _chronology_table(document)
    header = table.rows[0]._tr
    assert header.trPr is not None and header.trPr.find(qn("w:tblHeader")) is not None
    assert [c.text for c in table.rows[0].cells] == [
        "Date", "Time", "Agency", "Type", "Description", "Outcome", "Event", "Citation",
    ]  # fmt: skip
    body = table.rows[1:]
    # 10 event records; the continuation and the rejected footer are not chronology entries.
    assert len(body) == 10
    citations = [r.cells[7].text for r in body]
    expected = [
        f"{a} chronology, row {n}"
        for a, n in zip(run.events["agency"], run.events["source_row"], strict=True)
    ][:10]
    assert sorted(citations) == sorted(expected) and len(set(citations)) == 10


def test_approximate_dates_show_their_period_and_times_their_own_column(document) -> None:
    rows = {r.cells[7].text: r for r in _chronology_table(document).rows[1:]}
    assert rows["School chronology, row 8"].cells[0].text == "September 2019"  # month precision
    assert rows["School chronology, row 9"].cells[0].text == "06/01/2020\u201303/04/2020"  # a term
    police = rows["Police chronology, row 2"]
    assert (police.cells[0].text, police.cells[1].text) == ("03/03/2019", "22:15")


def test_records_of_one_event_are_together_and_marked(document) -> None:
    body = _chronology_table(document).rows[1:]
    marks = [(r.cells[7].text, r.cells[6].text.split("\n")[0]) for r in body]
    # c1: Police's PPN (row 3, 09:00) and its receipt by CSC (row 4, a day-only date: first);
    # c2: the strategy meeting of School (day only: first) and CSC (10:00).
    grouped = [(cite, mark) for cite, mark in marks if mark]
    assert grouped == [
        ("Children's Social Care chronology, row 4", "E1"),
        ("Police chronology, row 3", "E1"),
        ("School chronology, row 7", "E2"),
        ("Children's Social Care chronology, row 6", "E2"),
    ]
    positions = [i for i, (_, mark) in enumerate(marks) if mark == "E2"]
    assert positions[1] == positions[0] + 1  # adjacent in the table
    assert body[positions[0]].cells[6].text == "E2\n1 of 2"
    assert body[positions[1]].cells[6].text.startswith("E2\n2 of 2; same day")


def test_agency_cells_carry_their_colour(document) -> None:
    body = _chronology_table(document).rows[1:]
    police = next(r for r in body if r.cells[2].text == "Police")
    shading = police.cells[2]._tc.tcPr.find(qn("w:shd"))
    assert shading is not None and shading.get(qn("w:fill")) != "FFFFFF"
    key = next(t for t in document.tables if t.rows[0].cells[0].text == "Colour")
    assert [r.cells[1].text for r in key.rows[1:]] == ["Police", "Children's Social Care", "School", "GP"]


def test_formula_like_and_hostile_text_stays_text(run, kit) -> None:
    run.events.loc[0, "description"] = FORMULA
    run.events.loc[1, "description"] = DDE
    data = chronology_docx(run)
    doc = _open(data)
    texts = _texts(doc)
    assert FORMULA in texts and DDE in texts and kit.HOSTILE.split("\u2028")[0] in texts
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        body = z.read("word/document.xml").decode()
        footer = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("word/footer"))
    # No field, hyperlink or embedded object comes from the data: the only fields are the footer's page numbers.
    assert "instrText" not in body and "fldSimple" not in body and "w:hyperlink" not in body
    assert footer.count("<w:instrText") == 2
    assert "<script>" not in body and "&lt;script&gt;" in body


def test_same_run_same_bytes(run, tmp_path: Path) -> None:
    write_document(run, tmp_path / "a.docx")
    write_document(run, tmp_path / "b.docx")
    assert (tmp_path / "a.docx").read_bytes() == (tmp_path / "b.docx").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.docx") as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert "2000-01-01T00:00:00Z" in core and "<cp:revision>1<" in core


def test_findings_in_plain_words(run) -> None:
    cited = [{"agency": "Police", "source_row": 5, "date": "10/06/2019", "source_file": "police.xlsx",
              "source_sheet": "Chronology", "excerpt": "PPN to MASH after second incident", "record_id": "r004"}]  # fmt: skip
    run.findings.loc[0, "cited"] = json.dumps(cited)
    run.findings.loc[0, "rule"] = json.dumps(
        {"name": "missed_handoff", "parameters": {"window_working_days": 5}}
    )
    text = _texts(_open(chronology_docx(run)))
    start = text.index("\nFindings\n")
    findings = text[start : text.index("Who knew what, when", start)]
    assert "Referrals and notifications not recorded as received" in findings
    assert 'Police chronology, row 5, 10/06/2019: "PPN to MASH after second incident"' in findings
    for code in ("missed_handoff", "contact_gap", "info_sharing_gap", "window_working_days", "{"):
        assert code not in findings
    assert "Dismissed by the reviewer" in findings  # F-DISM1, last


def test_findings_markdown_has_no_codes() -> None:
    record = {"finding_id": "F-1", "kind": "timescale_breach", "subkind": "icpc_to_core_group", "severity": "medium",
              "title": "First core group after 18 working days", "statement": "On 22/03/2019 ...",
              "start": "2019-03-22T10:00:00+00:00", "end": "2019-04-17T13:30:00+01:00", "agencies": ["CSC"],
              "rule": {"name": "timescale_breach", "parameters": {"icpc_to_core_group_working_days": 10}},
              "status": "open", "cited_hash": "865c07000443",
              "cited": [{"agency": "CSC", "source_row": 13, "date": "22/03/2019", "excerpt": "ICPC"}]}  # fmt: skip
    md = findings_markdown([record], "Child H review")
    assert "## Timescales not met (1)" in md
    assert "Timescale: first core group within 10 working days of the initial conference." in md
    assert '- CSC chronology, row 13, 22/03/2019: "ICPC"' in md
    assert "timescale_breach" not in md and "icpc_to_core_group" not in md and "{" not in md
    assert "F-1" in md and "865c07000443" in md  # kept for decisions.csv


def test_plain_citation_names_the_file_when_an_agency_sent_several() -> None:
    cited = {"agency": "GP", "source_row": 17, "date": "24/06/2021", "source_file": "gp_b.csv"}
    assert plain_citation(cited) == "GP chronology, row 17, 24/06/2021"
    assert plain_citation(cited, {"GP": 2}) == "GP chronology (gp_b.csv), row 17, 24/06/2021"


def test_who_knew_what(run) -> None:
    run.events.loc[2, "description"] = "PPN received from Police: domestic abuse incident, child present"
    matrix = knowledge_matrix(run)
    cell = {(r["agency"], r["concern"]): r for r in matrix.to_dict("records")}
    assert cell[("Police", "domestic_abuse")]["how"] == "recorded"  # its own DA incident, 03/03/2019
    assert cell[("Police", "domestic_abuse")]["lag_days"] == 0
    # CSC's receipt of the PPN speaks of the incident a day later (a receipt: not a new concern).
    assert cell[("Children's Social Care", "domestic_abuse")]["how"] == "mentioned"
    assert cell[("Children's Social Care", "domestic_abuse")]["lag_days"] == 1
    assert cell[("GP", "domestic_abuse")]["how"] == "never"
    assert list(dict.fromkeys(matrix["label"])) == [
        "Injury",
        "Disclosure by the child",
        "Domestic abuse",
        "Neglect",
    ]
    doc = _open(chronology_docx(run))
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Agency" and len(t.columns) == 5)
    gp = next(r for r in table.rows if r.cells[0].text == "GP")
    assert gp.cells[3].text == "never recorded"


def test_glossary_lists_the_abbreviations_used(document) -> None:
    assert abbreviations_used(["PPN to MASH", "HVs visit", "A&E"], None) == {
        "A&E": "accident and emergency department",
        "MASH": "multi-agency safeguarding hub",
        "PPN": "public protection notice (police notification)",
    }
    table = document.tables[-1]
    terms = [r.cells[0].text for r in table.rows[1:]]
    assert "PPN" in terms and "MASH" in terms and "DSL" in terms and "DA" in terms


def test_pseudonymised_docx_leaks_no_listed_name(run, tmp_path: Path) -> None:
    from chronology.outputs import write_outputs

    names = {"Kayla Brennan": "Child T", "Kayla": "Child T", "Brennan": "Mother"}
    run.events.loc[0, "description"] = "Kayla Brennan at home; BRENNAN shouting"
    run.events.loc[4, "outcome"] = "Kayla seen"
    run.config = replace(run.config, names=names, name="Kayla review")
    plain = tmp_path / "plain.docx"
    write_document(run, plain)
    assert check_files({"plain.docx": plain}, names)  # the check reads a .docx: the real names are found
    paths = write_outputs(run, tmp_path / "out", pseudonymise=True)
    doc = docx.Document(str(paths["chronology.docx"]))
    text = _texts(doc)
    assert "Child T" in text
    for name in ("Kayla", "Brennan", "BRENNAN"):
        assert name not in text
    assert not check_files({"chronology.docx": paths["chronology.docx"]}, names)
    assert not any("Kayla" in t for t in output_texts(paths["chronology.docx"]))
