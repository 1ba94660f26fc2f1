"""packs.docx and the report's agency packs: each agency's records in context, findings and open questions."""

from __future__ import annotations

import io

import docx
import pytest
from docx.oxml.ns import qn

from chronology.views.packs import html_section, packs_docx

CSC = "Children's Social Care"


@pytest.fixture
def packs(run) -> docx.document.Document:
    return docx.Document(io.BytesIO(packs_docx(run)))


def _sections(doc: docx.document.Document) -> dict[str, list[str]]:
    """Each pack's paragraphs and table texts, by the agency its heading names."""
    out: dict[str, list[str]] = {}
    current = None
    body = doc.element.body
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            text = "".join(t.text or "" for t in child.iter(qn("w:t")))
            if text.endswith(": pack for the practitioner event"):
                current = text.split(":")[0]
                out[current] = []
            elif current:
                out[current].append(text)
        elif child.tag == qn("w:tbl") and current:
            for tr in child.iter(qn("w:tr")):
                out[current].append(
                    " | ".join(
                        "".join(t.text or "" for t in tc.iter(qn("w:t"))) for tc in tr.iter(qn("w:tc"))
                    )
                )
    return out


def test_one_section_per_agency_numbered_from_one(packs) -> None:
    # Four agencies: Police, CSC, School, GP (the colour order); each its own section and header.
    assert len(packs.sections) == 4
    for section, agency in zip(packs.sections, ["Police", CSC, "School", "GP"], strict=True):
        assert round(section.page_width.mm) == 297
        header = section.header.paragraphs[0].text
        assert header.startswith(f"{agency} pack") and "OFFICIAL-SENSITIVE" in header
        footer = section.footer.paragraphs[0]
        assert [t.text.strip() for t in footer._p.iter(qn("w:instrText"))] == ["PAGE"]
        assert section._sectPr.find(qn("w:pgNumType")).get(qn("w:start")) == "1"


def test_records_are_shown_with_the_other_agencies_records_of_the_same_events(packs) -> None:
    police = _sections(packs)["Police"]
    rows = [r for r in police if r.count(" | ") == 7 and not r.startswith("Date |")]
    # Police's 3 records, and CSC's receipt of its PPN (event E1), marked as another agency's record.
    assert len(rows) == 4
    csc = next(r for r in rows if CSC in r)
    assert "other agency" in csc and "row 4" in csc
    school = _sections(packs)["School"]
    assert any("other agency" in r and CSC in r for r in school)  # the strategy meeting CSC recorded too


def test_open_questions_are_asked_of_each_agency_in_its_role(packs) -> None:
    sections = _sections(packs)
    # F-MISS1: Police's PPN not recorded as received by CSC.
    assert any(t.startswith("missed handoff F-MISS1") and "Was it received?" in t for t in sections[CSC])
    assert any(t.startswith("missed handoff F-MISS1") and "How was it sent" in t for t in sections["Police"])
    # The dismissed finding (F-DISM1) asks nothing.
    assert not any("F-DISM1" in t for t in sections["Police"] if "?" in t)


def test_same_run_same_bytes(run) -> None:
    assert packs_docx(run) == packs_docx(run)


def test_html_section_lists_each_agency_with_escaped_text(run) -> None:
    run.findings.loc[0, "title"] = "<b>not markup</b>"
    page = html_section(run)
    assert page.count('<details class="pack">') == 4
    assert "&lt;b&gt;not markup&lt;/b&gt;" in page and "<b>not markup</b>" not in page
    assert 'data-agency="Children&#x27;s Social Care"' in page
