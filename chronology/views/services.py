"""The panel's summary of decisions and services, per agency.

A review panel is asked to consider in detail every decision the agencies
recorded (threshold and screening decisions, no further action, step-up and
step-down, plans started and ended, conferences, closures) and the services
offered, provided, declined or not attended (referrals made, accepted or not,
appointments the child was not brought to, support declined). Each record is
placed in the categories of ``schemas/decisions.toml`` whose event types it
has or whose phrases its type cell, description or outcome holds (whole
words, any case); it is listed with who recorded it, when, and its citation.

The summary is a section of chronology.docx, a sheet of chronology.xlsx
("Decisions and services") and a table of counts in timeline.html.

Example:
    >>> summary = decisions_and_services(run)  # doctest: +SKIP
    >>> summary[["agency", "what"]].head()  # doctest: +SKIP
"""

from __future__ import annotations

import html
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from chronology.views.palette import agency_colours
from chronology.views.per_run import per_run
from chronology.views.word import Cell, Column, add_table, clean
from chronology.views.workbook import _local_starts, agency_order
from chronology.vocabulary import SCHEMAS_DIR

if TYPE_CHECKING:
    from docx.document import Document as DocumentObject
    from openpyxl import Workbook

    from chronology.pipeline import Run

SUMMARY_COLUMNS = (
    "kind",
    "what",
    "agency",
    "start",
    "date",
    "description",
    "outcome",
    "practitioner",
    "citation",
)
#: Characters of an entry's text shown in the summary (the chronology holds it whole).
EXCERPT = 240


@lru_cache(maxsize=1)
def categories() -> dict[str, dict[str, dict[str, Any]]]:
    """``schemas/decisions.toml``: {"decisions": {name: {label, types, phrases}}, "services": {...}}."""
    with open(Path(SCHEMAS_DIR) / "decisions.toml", "rb") as fh:
        data = tomllib.load(fh)
    return {k: dict(data.get(k, {})) for k in ("decisions", "services")}


def _excerpt(text: Any) -> str:
    text = " ".join(clean(text).split())
    return text if len(text) <= EXCERPT else text[:EXCERPT].rsplit(" ", 1)[0] + " \u2026"


@per_run
def decisions_and_services(run: Run) -> pd.DataFrame:
    """Every decision and service record: one row per record and category, per agency by date.

    Returns:
        Columns SUMMARY_COLUMNS: ``kind`` "Decision" or "Service", ``what``
        the category's label, ``start`` the local timestamp, ``date`` as
        dd/mm/yyyy, the record's description and outcome (cut at EXCERPT
        characters), practitioner and citation ("GP chronology, row 17").
        Agencies in the colour order, then by date and category.
    """
    from chronology.analysis.phrases import matches

    ev = run.events[(run.events["status"] == "event") & run.events["start"].notna()].reset_index(drop=True)
    text = (
        ev["type_label"].fillna("").astype(str)
        + " | "
        + ev["description"].fillna("").astype(str)
        + " | "
        + ev["outcome"].fillna("").astype(str)
    ).str.lower()
    types = ev["event_type"].fillna("").astype(str)
    starts = _local_starts(ev["start"], run.config.timezone)
    order = {a: i for i, a in enumerate(agency_order(run))}
    rows: list[dict[str, Any]] = []
    rank = 0
    for kind, table in (("Decision", categories()["decisions"]), ("Service", categories()["services"])):
        for spec in table.values():
            hit = types.isin(list(spec.get("types", []))).to_numpy() | matches(text, spec.get("phrases", []))
            for i in np.flatnonzero(hit).tolist():
                rows.append({"kind": kind, "what": str(spec.get("label", "")), "i": i, "rank": rank})
            rank += 1
    if not rows:
        return pd.DataFrame(columns=list(SUMMARY_COLUMNS))
    found = pd.DataFrame(rows)
    found["agency"] = ev["agency"].astype(str).to_numpy()[found["i"]]
    found["start"] = [starts[i] for i in found["i"]]
    found["a_order"] = found["agency"].map(order).fillna(len(order))
    found["t"] = [s.value for s in found["start"]]
    found = found.sort_values(["a_order", "t", "rank", "i"], kind="stable").reset_index(drop=True)
    pick = found["i"].to_numpy()
    found["date"] = [f"{s:%d/%m/%Y}" for s in found["start"]]
    found["description"] = [_excerpt(v) for v in ev["description"].to_numpy(dtype=object)[pick]]
    found["outcome"] = [_excerpt(v) for v in ev["outcome"].to_numpy(dtype=object)[pick]]
    found["practitioner"] = [clean(v) for v in ev["practitioner"].to_numpy(dtype=object)[pick]]
    found["citation"] = [
        f"{a} chronology, row {r}"
        for a, r in zip(found["agency"], ev["source_row"].to_numpy(dtype=object)[pick], strict=True)
    ]
    return found[list(SUMMARY_COLUMNS)]


def add_to_document(doc: DocumentObject, run: Run, summary: pd.DataFrame | None = None) -> None:
    """The "Decisions and services" section of chronology.docx: a table per agency."""
    summary = decisions_and_services(run) if summary is None else summary
    doc.add_heading("Decisions and services", level=1)
    doc.add_paragraph(
        "Every decision each agency recorded (threshold and screening, no further action, step-up and "
        "step-down, plans, conferences, closures) and every service offered, declined or not attended, as "
        "its words say; the entries are cut short here and whole in the chronology."
    )
    if not len(summary):
        doc.add_paragraph("No record reads as a decision or a service.")
        return
    colours = agency_colours(agency_order(run))
    columns = [
        Column("Date", 20),
        Column("Decision or service", 42),
        Column("Entry", 100),
        Column("Outcome", 50),
    ]
    columns += [Column("Who", 26), Column("Citation", 35)]
    for agency, part in summary.groupby("agency", sort=False):
        doc.add_heading(clean(f"{agency} ({len(part)})"), level=2)
        bar = colours.get(str(agency), "#888888").lstrip("#")
        rows = [
            [
                Cell(d, bar=bar),
                Cell(w, bold=k == "Decision", note=k.lower()),
                Cell(t),
                Cell(o),
                Cell(p),
                Cell(c),
            ]
            for d, w, k, t, o, p, c in zip(
                *(
                    part[n].tolist()
                    for n in ("date", "what", "kind", "description", "outcome", "practitioner")
                ),
                part["citation"].tolist(),
                strict=True,
            )
        ]
        add_table(doc, columns, rows)


def add_sheet(wb: Workbook, run: Run, summary: pd.DataFrame | None = None) -> Any:
    """The workbook's "Decisions and services" sheet: one row per record and category."""
    from chronology.views.workbook import _WRAP, _excel_date, _finish, _Rows, _sheet

    summary = decisions_and_services(run) if summary is None else summary
    headers = ["Agency", "Date", "Kind", "Decision or service", "Entry", "Outcome", "Who", "Citation"]
    out = _Rows(_sheet(wb, "Decisions and services", headers, [20, 11, 9, 24, 60, 30, 16, 26]))
    wrap = out.style("wrap", alignment=_WRAP)
    styles = [wrap, out.style("date", alignment=_WRAP, number_format="dd/mm/yyyy")] + [wrap] * (
        len(headers) - 2
    )
    names = ["agency", "start", "kind", "what", "description", "outcome", "practitioner", "citation"]
    for values in zip(*(summary[n].tolist() for n in names), strict=True):
        cells = list(values)
        cells[1] = _excel_date(cells[1])  # a date cell; text before 1900, which Excel cannot show
        out.append(cells, styles)
    _finish(out, len(headers))
    return out


def html_section(run: Run, summary: pd.DataFrame | None = None) -> str:
    """The report's "Decisions and services" section: counts per agency and category (escaped text)."""
    summary = decisions_and_services(run) if summary is None else summary
    intro = (
        "<p class=hint>How many records of each agency read as each kind of decision or service; every one "
        "is listed with its citation in chronology.docx and in the workbook's \u201cDecisions and services\u201d "
        "sheet.</p>"
    )
    head = '<section class="services" id="services" aria-labelledby="services-h"><h2 id="services-h">Decisions and services</h2>'
    if not len(summary):
        return head + intro + "<p>No record reads as a decision or a service.</p></section>"
    listed = [str(s.get("label", "")) for table in categories().values() for s in table.values()]
    present = set(summary["what"].tolist())
    whats = [w for w in listed if w in present] + sorted(present - set(listed))  # decisions, then services
    counts = summary.groupby(["agency", "what"], sort=False).size()
    agencies = list(dict.fromkeys(summary["agency"].tolist()))
    th = "".join(f'<th scope="col">{html.escape(w)}</th>' for w in whats)
    body = "".join(
        f'<tr><th scope="row">{html.escape(a)}</th>'
        + "".join(f"<td class=n>{int(counts.get((a, w), 0)) or ''}</td>" for w in whats)
        + "</tr>"
        for a in agencies
    )
    return (
        head
        + intro
        + f'<div class="wide"><table class="small"><thead><tr><th scope="col">Agency</th>{th}</tr></thead>'
        + f"<tbody>{body}</tbody></table></div></section>"
    )
