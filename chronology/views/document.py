"""chronology.docx: the integrated chronology and the findings as a Word document that prints.

For the panel and the reviewer: A4 landscape, the protective marking
(``[case] marking``, "OFFICIAL-SENSITIVE" by default) in every header and
footer, "Page n of m", and in order:

1. the case's name, the period the chronologies cover and what went in;
2. the agency colour key and how to read the table;
3. the integrated chronology: one row per event record in the workbook's
   order (``workbook.chronology_rows``: by date, records of one real event
   kept together), with date (a range for an approximate date), time,
   agency (in its timeline colour), type, description, outcome and
   citation; the records of one real event share a mark ("E4, 1 of 3") and
   a bar down the left, and a later record says how long after the first it
   was made;
4. the findings in the reviewer's words (``findings_text``);
5. who knew what, when (``knowledge``);
6. the decisions and services, per agency (``services``);
7. the abbreviations the case's text uses (``schemas/glossary.toml``).

Example:
    >>> write_document(run, Path("out/chronology.docx"))  # doctest: +SKIP
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from docx.document import Document as DocumentObject
from docx.enum.text import WD_BREAK

from chronology.views.findings_text import (
    PlainFinding,
    counts_line,
    facts_line,
    files_per_agency,
    plain_findings,
)
from chronology.views.palette import agency_colours
from chronology.views.per_run import per_run
from chronology.views.records import _date_text, format_times
from chronology.views.word import Cell, Column, add_table, bullet, clean, document_bytes, new_document
from chronology.views.workbook import _local_starts, agency_order, chronology_rows, tint
from chronology.vocabulary import SCHEMAS_DIR, load_vocabulary

if TYPE_CHECKING:
    from chronology.pipeline import Run

#: The chronology table's columns (widths in mm, adding up to the A4 landscape text width).
CHRONOLOGY_COLUMNS = (
    Column("Date", 21),
    Column("Time", 11),
    Column("Agency", 27),
    Column("Type", 29),
    Column("Description", 92),
    Column("Outcome", 44),
    Column("Event", 18),
    Column("Citation", 31),
)
_GROUP_BAR = "404040"
#: Precisions whose date is shown as the period it may refer to.
_COARSE = frozenset({"week", "month", "term", "year"})


def _fill(colour: str, strength: float = 0.3) -> str:
    """A palette colour's light tint as Word's "RRGGBB"."""
    return tint(colour, strength)[2:]


def marking_of(run: Run) -> str:
    """The case's protective marking (``[case] marking``)."""
    return str(getattr(run.config, "marking", "OFFICIAL-SENSITIVE"))


def period_text(starts: Sequence[pd.Timestamp | None]) -> str:
    """ "03/03/2019 to 30/09/2020": the first and last dated record (empty when none)."""
    days = [s for s in starts if s is not None]
    if not days:
        return ""
    first, last = min(days), max(days)
    return f"{first:%d/%m/%Y}" if first.date() == last.date() else f"{first:%d/%m/%Y} to {last:%d/%m/%Y}"


def running_title(run: Run) -> str:
    """The case's name and the period its chronologies cover, for page headers.

    Example:
        >>> running_title(run)  # doctest: +SKIP
        'Child H review, 01/01/2019 to 17/12/2020'
    """
    events = run.events[run.events["status"] == "event"]
    period = period_text(_local_starts(events["start"], run.config.timezone))
    return clean(run.config.name) + (f", {period}" if period else "")


def record_citation(agency: str, row: Any, file: str, sheet: str, files_of: dict[str, int]) -> str:
    """A record as the table cites it: "Police chronology, row 14" (file and sheet if several files)."""
    where = ""
    if files_of.get(agency, 1) > 1:
        where = f" ({file}{', sheet ' + sheet if sheet else ''})"
    return f"{agency} chronology{where}, row {row}"


def _lag(days: int) -> str:
    if days <= 0:
        return "same day"
    return f"{days} day{'s' if days != 1 else ''} after the first"


@per_run
def chronology_cells(run: Run) -> tuple[list[list[Cell]], dict[str, Any]]:
    """The chronology table's rows as cells, and facts for the first page.

    Returns:
        One list of cells per event record, in ``chronology_rows`` order; and
        ``period``, ``records``, ``events`` (real events of two records or
        more), ``per_agency`` (agency -> records).
    """
    rows = chronology_rows(run)
    tz = run.config.timezone
    starts = _local_starts(rows["start"], tz)
    ends = _local_starts(rows["end"], tz) if "end" in rows else [None] * len(rows)
    # Day and time texts for the whole column at once (strftime one value at a time is most of the cost).
    wall = pd.Series(
        [s.tz_localize(None) if s is not None else pd.NaT for s in starts], dtype="datetime64[ns]"
    )
    days = format_times(wall, "%d/%m/%Y").tolist()
    hours = format_times(wall, "%H:%M").tolist()
    colours = agency_colours(agency_order(run))
    labels = {name: t.label for name, t in load_vocabulary().types.items()}
    files_of = files_per_agency(run.sources)
    groups = rows["wb_cluster"].tolist()
    size: dict[str, int] = {}
    for g in groups:
        if g:
            size[g] = size.get(g, 0) + 1
    number: dict[str, int] = {}
    first_day: dict[str, pd.Timestamp] = {}
    nth: dict[str, int] = {}

    def col(name: str) -> list[Any]:
        return rows[name].astype(object).tolist() if name in rows else [""] * len(rows)

    out: list[list[Cell]] = []
    for i, (agency, etype, tlabel, desc, outcome, prec, file, sheet, row) in enumerate(
        zip(
            *(col(c) for c in ("agency", "event_type", "type_label", "description", "outcome")),
            *(col(c) for c in ("date_precision", "source_file", "source_sheet", "source_row")),
            strict=True,
        )
    ):
        start, end, group = starts[i], ends[i], groups[i]
        precision = clean(prec) or "day"
        if start is None:
            date = "no date"
        elif precision in _COARSE or (end is not None and end.date() > start.date()):
            date = _date_text(start, end if end is not None and end >= start else start, precision)
        else:
            date = days[i]
        time = hours[i] if start is not None and precision == "time" else ""
        agency = clean(agency)
        colour = colours.get(agency, "#888888")
        kind = labels.get(clean(etype)) or clean(tlabel) or clean(etype) or "Not classified"
        event = Cell()
        bar = ""
        if group:
            number.setdefault(group, len(number) + 1)
            nth[group] = nth.get(group, 0) + 1
            lag = ""
            if nth[group] == 1:
                if start is not None:
                    first_day[group] = start
            elif start is not None and group in first_day:
                lag = _lag((start.normalize() - first_day[group].normalize()).days)
            event = Cell(
                f"E{number[group]}",
                bold=True,
                note=f"{nth[group]} of {size[group]}" + (f"; {lag}" if lag else ""),
            )
            bar = _GROUP_BAR
        out.append(
            [
                Cell(date, bar=bar),
                Cell(time),
                Cell(agency, fill=_fill(colour), bar=colour.lstrip("#")),
                Cell(kind),
                Cell(desc),
                Cell(outcome),
                event,
                Cell(record_citation(agency, row, clean(file), clean(sheet), files_of)),
            ]
        )
    per_agency = rows["agency"].astype(str).value_counts().to_dict() if len(rows) else {}
    facts = {
        "period": period_text(starts),
        "records": len(rows),
        "events": len(number),
        "per_agency": per_agency,
    }
    return out, facts


def _first_page(
    doc: DocumentObject, run: Run, facts: dict[str, Any], findings: Sequence[PlainFinding]
) -> None:
    doc.add_paragraph(clean(run.config.name), style="Title")
    doc.add_paragraph("Integrated multi-agency chronology", style="Subtitle")
    p = doc.add_paragraph()
    p.add_run("Period: ").bold = True
    p.add_run(facts["period"] or "no dated records")
    scope = getattr(run.config, "scope", None)
    if scope:
        begin, finish = (f"{d:%d/%m/%Y}" if d else "" for d in scope)
        p.add_run("\nThe review's scope: ").bold = True
        p.add_run(f"{begin or 'from the start'} to {finish or 'the end'}")
    dob = run.config.date_of_birth
    if dob:
        p.add_run("\nChild's date of birth: ").bold = True
        p.add_run(f"{dob:%d/%m/%Y}")
    agencies = len(facts["per_agency"])
    p.add_run("\nContents: ").bold = True
    p.add_run(
        f"{facts['records']} records from {agencies} agenc{'y' if agencies == 1 else 'ies'}; "
        f"{facts['events']} real events recorded more than once; {counts_line(findings)}"
    )
    marking = marking_of(run)
    if marking:
        p.add_run("\nProtective marking: ").bold = True
        p.add_run(clean(marking))
    doc.add_paragraph(
        "Sections: agency key; the integrated chronology; findings; who knew what, when; decisions and "
        "services; abbreviations. "
        "Every entry cites the agency's own chronology and row, as the agency sent it."
    )


def _agency_key(doc: DocumentObject, run: Run, facts: dict[str, Any]) -> None:
    doc.add_heading("Agencies", level=2)
    colours = agency_colours(agency_order(run))
    files: dict[str, list[str]] = {}
    for s in run.config.sources:
        files.setdefault(s.agency, []).append(s.path)
    rows = [
        [
            Cell("", fill=_fill(c), bar=c.lstrip("#")),
            Cell(a, bold=True),
            Cell(str(facts["per_agency"].get(a, 0))),
            Cell(", ".join(files.get(a, []))),
        ]
        for a, c in colours.items()
    ]
    add_table(
        doc,
        [Column("Colour", 16), Column("Agency", 60), Column("Records", 20), Column("File sent", 90)],
        rows,
        size=9,
    )
    doc.add_paragraph(
        "How to read the chronology: one row per entry an agency made, in date order. An approximate date "
        "(a week, a month, a term) is shown as the period it may refer to. Entries that record one real event "
        "(a meeting several agencies attended, a referral and its receipt) are kept together, marked with the "
        "same event number (E1, E2, ...) and a dark bar on the left; a later entry says how long after the "
        "first it was made."
    )


def add_findings(doc: DocumentObject, findings: Sequence[PlainFinding], title: str = "Findings") -> None:
    """A findings section: each finding in plain words with its evidence, grouped by what was found."""
    doc.add_heading(clean(title), level=1)
    doc.add_paragraph(counts_line(findings))
    heading = None
    for f in sorted(findings, key=lambda f: f.status == "dismissed"):
        group = "Dismissed by the reviewer" if f.status == "dismissed" else f.heading
        if group != heading:
            doc.add_heading(group, level=2)
            heading = group
        doc.add_heading(clean(f.title), level=3)
        doc.add_paragraph(clean(facts_line(f))).runs[0].italic = True
        doc.add_paragraph(clean(f.statement))
        for cite, quote in f.evidence:
            bullet(doc, f': "{quote}"' if quote else "", lead=cite)
        cited = f" (cited records {f.cited_hash})" if f.cited_hash else ""
        doc.add_paragraph(clean(f"Reference: {f.finding_id}{cited}"))


@lru_cache(maxsize=1)
def glossary() -> dict[str, str]:
    """The shipped abbreviations (``schemas/glossary.toml``): term -> what it stands for."""
    with open(Path(SCHEMAS_DIR) / "glossary.toml", "rb") as fh:
        return {str(k): str(v) for k, v in tomllib.load(fh).get("terms", {}).items()}


def abbreviations_used(texts: Sequence[str], terms: dict[str, str] | None = None) -> dict[str, str]:
    """The glossary's terms that appear in the texts as whole words, alphabetically.

    Example:
        >>> abbreviations_used(["PPN to MASH", "HVs"], {"PPN": "p", "MASH": "m", "HV": "h"})
        {'MASH': 'm', 'PPN': 'p'}
    """
    terms = glossary() if terms is None else terms
    if not terms:
        return {}
    text = "\n".join(texts)
    longest_first = sorted(terms, key=lambda t: (-len(t), t))
    pattern = "|".join(re.escape(t) for t in longest_first)
    seen = set(re.findall(rf"(?<![A-Za-z0-9])(?:{pattern})(?![A-Za-z0-9])", text))
    return {t: terms[t] for t in sorted(seen, key=str.casefold)}


def _glossary_section(doc: DocumentObject, run: Run, labels: Sequence[str]) -> None:
    events = run.events[run.events["status"] == "event"]
    texts = [*labels]
    for name in ("description", "outcome", "type_label"):
        if name in events:
            texts.append("\n".join(events[name].fillna("").astype(str).tolist()))
    used = abbreviations_used(texts)
    doc.add_heading("Abbreviations used", level=1)
    if not used:
        doc.add_paragraph("The chronologies use none of the abbreviations in the toolkit's glossary.")
        return
    add_table(
        doc,
        [Column("Abbreviation", 30), Column("Stands for", 150)],
        [[Cell(k, bold=True), Cell(v)] for k, v in used.items()],
        size=9,
    )


def build_document(run: Run, records: list[dict[str, Any]] | None = None) -> DocumentObject:
    """chronology.docx of a run, as a python-docx Document.

    Args:
        run: The run (pseudonymised already, where asked).
        records: ``finding_records(run.findings)`` when the caller has them.
    """
    from chronology.analysis.report import finding_records
    from chronology.views import knowledge, services

    if records is None:
        records = finding_records(run.findings)
    findings = plain_findings(records, files_per_agency(run.sources))
    doc = new_document(running_title(run), marking_of(run))
    cells, facts = chronology_cells(run)
    _first_page(doc, run, facts, findings)
    _agency_key(doc, run, facts)
    doc.add_heading("Integrated chronology", level=1)
    add_table(doc, CHRONOLOGY_COLUMNS, cells)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    add_findings(doc, findings)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    knowledge.add_to_document(doc, run)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    services.add_to_document(doc, run)
    _glossary_section(doc, run, [c[3].text for c in cells])
    return doc


def chronology_docx(run: Run, records: list[dict[str, Any]] | None = None) -> bytes:
    """chronology.docx as bytes: the same run gives the same bytes.

    Example:
        >>> chronology_docx(run)[:2]  # doctest: +SKIP
        b'PK'
    """
    return document_bytes(build_document(run, records), clean(run.config.name))


def write_document(run: Run, path: Path, records: list[dict[str, Any]] | None = None) -> None:
    """Write chronology.docx for a run (an existing file is overwritten in place).

    Example:
        >>> write_document(run, Path("out/chronology.docx"))  # doctest: +SKIP
    """
    data = chronology_docx(run, records)
    with open(path, "wb") as fh:
        fh.write(data)
