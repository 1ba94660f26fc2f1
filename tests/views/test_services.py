"""The panel's summary of decisions and services: which records, which categories, in which outputs."""

from __future__ import annotations

import io

import docx

from chronology.views.document import chronology_docx
from chronology.views.services import decisions_and_services, html_section
from chronology.views.workbook import build_workbook

CSC = "Children's Social Care"


def _with_decisions(run, kit):
    extra = [
        kit.event(
            20, CSC, "2019-03-05 10:00", "referral_decision", "MASH decision: threshold met", outcome="S47"
        ),
        kit.event(21, CSC, "2019-08-01", "case_closure", "Closed; NFA, step down to early help"),
        kit.event(22, "GP", "2019-10-01", "missed_appointment", "WNB for eczema review"),
        kit.event(23, "School", "2019-10-02", "school_contact", "Mum declined parenting course offered"),
    ]
    run.events = kit.make_events([*run.events.to_dict("records"), *extra])
    return run


def test_each_record_is_placed_in_its_categories(run, kit) -> None:
    summary = decisions_and_services(_with_decisions(run, kit))
    placed = {(r["citation"], r["what"]) for r in summary.to_dict("records")}
    assert (f"{CSC} chronology, row 21", "Threshold or screening decision") in placed  # its type
    assert (f"{CSC} chronology, row 21", "Strategy discussion or section 47 decision") in placed  # "S47"
    for what in ("Case closed", "No further action", "Step up or step down"):  # one record, three decisions
        assert (f"{CSC} chronology, row 22", what) in placed
    assert ("GP chronology, row 23", "Not brought or did not attend") in placed
    assert ("School chronology, row 24", "Declined or refused by the family") in placed
    assert ("School chronology, row 24", "Service offered") in placed
    assert set(summary["kind"]) == {"Decision", "Service"}
    # Agencies in the colour order (Police, CSC, School, GP), each by date.
    assert list(dict.fromkeys(summary["agency"])) == [
        a for a in ["Police", CSC, "School", "GP"] if a in set(summary["agency"])
    ]


def test_summary_in_word_workbook_and_report(run, kit) -> None:
    run = _with_decisions(run, kit)
    doc = docx.Document(io.BytesIO(chronology_docx(run)))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert "Decisions and services" in headings and f"{CSC} (6)" in headings
    sheet = build_workbook(run)["Decisions and services"]
    assert [c.value for c in sheet[1]] == [
        "Agency", "Date", "Kind", "Decision or service", "Entry", "Outcome", "Who", "Citation",
    ]  # fmt: skip
    assert sheet.max_row == len(decisions_and_services(run)) + 1
    page = html_section(run)
    assert (
        "Threshold or screening decision" in page
        and '<th scope="row">Children&#x27;s Social Care</th>' in page
    )
