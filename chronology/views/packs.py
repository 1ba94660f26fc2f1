"""packs.docx and the report's "Agency packs" section: each agency's part, for the practitioner event.

At a practitioner event each agency talks about its own involvement. Its pack
holds, on pages of its own (a Word section per agency, its name in the header
beside the protective marking):

1. its records in date order, each real event it recorded shown with the other
   agencies' records of the same event (marked "other agency": the context
   of what it knew and when);
2. the findings that involve it, in the reviewer's words with their citations;
3. the open questions for it: one per open finding, asked of it in its role
   (the agency that sent, the one that did not receive, the one that closed).

The report's section lists each agency's open questions and findings with a
button that filters the integrated chronology to its records.

Example:
    >>> write_packs(run, Path("out/packs.docx"))  # doctest: +SKIP
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docx.enum.section import WD_SECTION

from chronology.views.document import (
    CHRONOLOGY_COLUMNS,
    add_findings,
    chronology_cells,
    marking_of,
    running_title,
)
from chronology.views.findings_text import PlainFinding, files_per_agency, plain_findings
from chronology.views.palette import agency_colours
from chronology.views.word import Cell, add_table, bullet, clean, document_bytes, mark_pages, new_document
from chronology.views.workbook import agency_order

if TYPE_CHECKING:
    from chronology.pipeline import Run

#: Most open questions and findings listed per agency in the HTML section (all are in packs.docx).
HTML_LIMIT = 40


def involves(finding: PlainFinding, agency: str) -> bool:
    """Whether a finding is about the agency: among its agencies, or its sender or receiver."""
    return agency in finding.agencies or agency in (finding.from_agency, finding.to_agency)


def question(finding: PlainFinding, agency: str) -> str:
    """The open question a finding puts to one agency, in its role.

    Example:
        >>> f = PlainFinding("F-1", "missed_handoff", "", "low", "Letter from GP to HV not recorded as received",
        ...                  "", "16/06/2020", ["GP", "HV"], "", "open", "", from_agency="GP", to_agency="HV")
        >>> question(f, "HV")
        'Was it received? If so, where is it recorded and what was done with it; if not, why not?'
    """
    kind, sender, receiver = finding.kind, finding.from_agency, finding.to_agency
    if kind == "missed_handoff":
        if agency == receiver:
            return "Was it received? If so, where is it recorded and what was done with it; if not, why not?"
        if agency == sender:
            return "How was it sent, and was it followed up when no response came?"
    if kind == "info_sharing_gap":
        if agency == receiver:
            return "Did you know of it at the time? If not, what would have told you?"
        if agency == sender:
            return f"Who did you tell, and how? Did you know {receiver or 'the other agency'} was involved?"
    return {
        "contact_gap": "Who was expected to see the child in this period, and why did that not happen?",
        "timescale_breach": "What caused the delay, and was it known and agreed at the time?",
        "repeated_concern": "Why did these concerns not lead to a strategy discussion, conference or assessment?",
        "closure_after_concern": "Was the concern known when the case was closed, and was it weighed?",
        "conflicting_accounts": "Which account did you record, and did you know of the others?",
    }.get(kind, "What did you know at the time, and what did you do?")


def _pack_rows(cells: list[list[Cell]], agency: str) -> list[list[Cell]]:
    """The agency's rows, with every row of a real event it recorded; other agencies' rows marked."""
    events = {row[6].text for row in cells if row[2].text == agency and row[6].text}
    out = []
    for row in cells:
        if row[2].text == agency:
            out.append(row)
        elif row[6].text in events:
            event = row[6]
            note = f"{event.note}; other agency" if event.note else "other agency"
            out.append([*row[:6], Cell(event.text, bold=True, note=note), row[7]])
    return out


def _pack(doc: Any, run: Run, agency: str, rows: list[list[Cell]], findings: Sequence[PlainFinding]) -> None:
    doc.add_heading(clean(f"{agency}: pack for the practitioner event"), level=1)
    own = sum(r[2].text == agency for r in rows)
    mine = [f for f in findings if involves(f, agency)]
    open_ = [f for f in mine if f.status == "open"]
    doc.add_paragraph(
        clean(
            f"{run.config.name}. {own} records by {agency}, shown with {len(rows) - own} records of other "
            f"agencies about the same events; {len(mine)} findings involve {agency}, {len(open_)} of them open."
        )
    )
    doc.add_heading("Open questions", level=2)
    if not open_:
        doc.add_paragraph("No open finding involves this agency.")
    for f in open_:
        bullet(doc, f" {question(f, agency)}", lead=f"{f.title} ({f.period}).")
    doc.add_heading(clean(f"Records of {agency} and of the same events"), level=2)
    if rows:
        add_table(doc, CHRONOLOGY_COLUMNS, rows)
    else:
        doc.add_paragraph("No dated record.")
    add_findings(doc, mine, f"Findings that involve {agency}")


def build_packs(run: Run, records: list[dict[str, Any]] | None = None) -> Any:
    """packs.docx of a run: one Word section per agency (in the colour order), as a python-docx Document."""
    from chronology.analysis.report import finding_records

    records = finding_records(run.findings) if records is None else records
    findings = plain_findings(records, files_per_agency(run.sources))
    cells, _ = chronology_cells(run)
    marking = marking_of(run)
    title = running_title(run)
    doc = new_document(title, marking)
    for n, agency in enumerate(agency_order(run)):
        section = doc.add_section(WD_SECTION.NEW_PAGE) if n else doc.sections[0]
        mark_pages(section, marking, f"{agency} pack \u2013 {title}", own_numbers=True)
        _pack(doc, run, agency, _pack_rows(cells, agency), findings)
    return doc


def packs_docx(run: Run, records: list[dict[str, Any]] | None = None) -> bytes:
    """packs.docx as bytes: the same run gives the same bytes."""
    return document_bytes(build_packs(run, records), clean(run.config.name))


def write_packs(run: Run, path: Path, records: list[dict[str, Any]] | None = None) -> None:
    """Write packs.docx (an existing file is overwritten in place)."""
    data = packs_docx(run, records)
    with open(path, "wb") as fh:
        fh.write(data)


def html_section(run: Run, records: list[dict[str, Any]] | None = None) -> str:
    """The report's "Agency packs" section: per agency, its open questions and findings (escaped text)."""
    from chronology.analysis.report import finding_records

    records = finding_records(run.findings) if records is None else records
    findings = plain_findings(records, files_per_agency(run.sources))
    colours = agency_colours(agency_order(run))
    parts = []
    for agency, colour in colours.items():
        mine = [f for f in findings if involves(f, agency) and f.status != "dismissed"]
        items = [
            f"<li><b>{html.escape(f.title)}</b> ({html.escape(f.period)}). "
            + (
                html.escape(question(f, agency))
                if f.status == "open"
                else "Decided: " + html.escape(f.status_text)
            )
            + f" <span class=hint>{html.escape(f.finding_id)}</span></li>"
            for f in mine[:HTML_LIMIT]
        ]
        more = (
            f"<li class=hint>and {len(mine) - HTML_LIMIT} more: see packs.docx</li>"
            if len(mine) > HTML_LIMIT
            else ""
        )
        body = f"<ul>{''.join(items)}{more}</ul>" if mine else "<p>No finding involves this agency.</p>"
        name = html.escape(agency)
        parts.append(
            f'<details class="pack"><summary style="border-left:6px solid {colour}">{name}: '
            f"{len(mine)} finding{'' if len(mine) == 1 else 's'}</summary>"
            f'<button type="button" class="pack-records" data-agency="{name}">Show {name}\u2019s records '
            f"in the integrated chronology</button>{body}</details>"
        )
    return (
        '<section class="packs" id="packs" aria-labelledby="packs-h"><h2 id="packs-h">Agency packs</h2>'
        "<p class=hint>For the practitioner event: each agency's open questions (one per open finding that "
        "involves it). packs.docx holds each agency's pack to print: its records with the other agencies' "
        "records of the same events, its findings and its questions.</p>" + "".join(parts) + "</section>"
    )
