"""Who knew what, when: for each concern, when each agency first recorded it, or never did.

The view a review is about. For each concern (injury, disclosure by the child,
domestic abuse, neglect, and missing episodes or self-harm where a record
raises them) and each agency, the first record of that agency that

- raises it ("recorded": a Police domestic abuse incident, a School's note of
  a bruise; as the analysis reads a record's every text column, so "no
  injuries" or a receipt of another agency's news does not count);
- belongs to a real event one of whose records raises it ("shared event":
  the Health Visiting record of a strategy meeting about an injury);
- or speaks of it ("mentioned": a referral that names the DV, minutes that
  mention the bruise).

The concern's first sign in any agency's records sets the clock: each
agency's cell says how many days later it first knew. An agency with no such record "never
recorded it": the gap a panel asks about. The matrix goes into the HTML
report, the workbook (sheet "Who knew what") and chronology.docx.

Example:
    >>> matrix = knowledge_matrix(run)  # doctest: +SKIP
    >>> matrix.loc[(matrix.concern == "injury") & (matrix.agency == "GP"), "how"].item()  # doctest: +SKIP
    'never'
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from chronology.views.palette import agency_colours
from chronology.views.per_run import per_run
from chronology.views.word import Cell, Column, add_table, clean
from chronology.views.workbook import _local_starts, agency_order
from chronology.vocabulary import load_vocabulary

if TYPE_CHECKING:
    from docx.document import Document as DocumentObject
    from openpyxl import Workbook

    from chronology.pipeline import Run

#: The concerns always shown (a review asks about each), then those shown only where recorded.
CONCERNS: dict[str, str] = {
    "injury": "Injury",
    "disclosure": "Disclosure by the child",
    "domestic_abuse": "Domestic abuse",
    "neglect": "Neglect",
}
OPTIONAL_CONCERNS: dict[str, str] = {"missing": "Missing episode", "self_harm": "Self-harm"}
#: How an agency came to know, from the strongest to the weakest sign.
HOW: dict[str, str] = {"recorded": "recorded it", "shared": "shared event", "mentioned": "mentioned it"}
MATRIX_COLUMNS = ("concern", "label", "agency", "how", "first", "lag_days", "record_id", "citation")


def _keyword_signs(run: Run, ev: pd.DataFrame) -> tuple[np.ndarray, list[frozenset[str]]]:
    """Each record's concern by its type, and the concerns its words name (the info-sharing keywords)."""
    from chronology.analysis.phrases import matches
    from chronology.analysis.registry import resolve_rules

    vocab = load_vocabulary()
    types = ev["event_type"].fillna("").astype(str)
    by_type = np.array([vocab.concern_of(t) if t in vocab.types else "" for t in types], dtype=object)
    detectors, _ = resolve_rules(run.config.rules)
    keywords = dict(detectors.get("info_sharing_gap", {}).get("keywords", {}))
    text = (ev["description"].fillna("").astype(str) + " " + ev["outcome"].fillna("").astype(str)).str.lower()
    said = {c: matches(text.reset_index(drop=True), words) for c, words in keywords.items()}
    topics = [frozenset(c for c in said if said[c][i]) for i in range(len(ev))]
    return by_type, topics


def concern_signs(run: Run) -> pd.DataFrame:
    """Dated event records with the concern each raises (``concern``) and those it speaks of (``topics``).

    The analysis's reading of every text column (``analysis.context.prepare_events``:
    negations such as "no injuries", history and receipts are not a new
    concern); where that cannot run, a record's type and the info-sharing
    rule's keywords.
    """
    ev = run.events[(run.events["status"] == "event") & run.events["start"].notna()]
    keep = ["record_id", "agency", "start", "cluster_id", "source_row"]
    try:
        from chronology.analysis.context import prepare_events
        from chronology.analysis.registry import resolve_rules
        from chronology.pipeline import agency_aliases

        _, general = resolve_rules(run.config.rules)
        prepared = prepare_events(
            run.events,
            run.config.timezone,
            csc_agencies=general.get("csc_agencies", ()),
            aliases=agency_aliases(run.config),
            record_rules=run.config.rules.get("record"),
        )
        signs = prepared.set_index("record_id")[["concern", "topics"]]
        out = ev[keep].join(signs, on="record_id")
        out["concern"] = out["concern"].fillna("").astype(str)
        out["topics"] = [t if isinstance(t, frozenset) else frozenset(t or ()) for t in out["topics"]]
    except Exception:  # the analysis is checked by its own tests; the matrix then reads types and keywords
        out = ev[keep].copy()
        out["concern"], out["topics"] = _keyword_signs(run, ev)
    out["start"] = _local_starts(out["start"], run.config.timezone)
    out["cluster_id"] = out["cluster_id"].fillna("").astype(str)
    return out.reset_index(drop=True)


@per_run
def knowledge_matrix(run: Run) -> pd.DataFrame:
    """One row per (concern, agency): when and how the agency first knew, or ``how == "never"``.

    Returns:
        Columns MATRIX_COLUMNS: ``first`` the local timestamp of the record
        (NaT for never), ``lag_days`` the days after the concern's first
        sign in anyone's records, ``citation`` "Police chronology, row 16".
        Concerns in CONCERNS order (then any optional one raised), agencies
        in the colour order.
    """
    ev = concern_signs(run)
    agencies = agency_order(run)
    concern = ev["concern"].to_numpy(dtype=object)
    cluster = ev["cluster_id"]
    shown = dict(CONCERNS)
    shown.update({k: v for k, v in OPTIONAL_CONCERNS.items() if (concern == k).any()})
    rows: list[dict[str, Any]] = []
    for name, label in shown.items():
        raised = concern == name
        clusters = set(cluster[raised & (cluster != "").to_numpy()])
        shared = cluster.isin(clusters).to_numpy() & ~raised
        said = np.array([name in t for t in ev["topics"]], dtype=bool) & ~raised & ~shared
        how = np.where(raised, "recorded", np.where(shared, "shared", np.where(said, "mentioned", "")))
        known = ev.assign(k_how=how)[how != ""]
        zero = min(known["start"]) if len(known) else None
        for agency in agencies:
            mine = known[known["agency"] == agency]
            if not len(mine):
                rows.append({"concern": name, "label": label, "agency": agency, "how": "never"})
                continue
            rank = mine["k_how"].map({"recorded": 0, "shared": 1, "mentioned": 2})
            order = np.lexsort([rank.to_numpy(), np.array([s.value for s in mine["start"]])])
            first = mine.iloc[order[0]]
            start = first["start"]
            rows.append(
                {
                    "concern": name,
                    "label": label,
                    "agency": agency,
                    "how": first["k_how"],
                    "first": start,
                    "lag_days": int((start.normalize() - zero.normalize()).days) if zero is not None else 0,
                    "record_id": str(first["record_id"]),
                    "citation": f"{agency} chronology, row {first['source_row']}",
                }
            )
    out = pd.DataFrame(rows, columns=list(MATRIX_COLUMNS))
    out["first"] = pd.to_datetime(
        out["first"].astype(object).where(out["first"].notna(), None), utc=True
    ).dt.tz_convert(run.config.timezone)
    return out


def cell_lines(row: dict[str, Any]) -> tuple[str, str]:
    """A cell's date line and its note: ("11/07/2020", "recorded it; Police chronology, row 16").

    Example:
        >>> cell_lines({"how": "never"})
        ('never recorded', '')
    """
    if row.get("how") == "never":
        return "never recorded", ""
    lag = int(row.get("lag_days") or 0)
    after = f"; {lag} day{'s' if lag != 1 else ''} after the first" if lag > 0 else "; first of any agency"
    return (
        f"{pd.Timestamp(row['first']):%d/%m/%Y}",
        f"{HOW.get(row['how'], row['how'])}{after}; {row['citation']}",
    )


def _grid(matrix: pd.DataFrame) -> tuple[list[str], list[str], dict[tuple[str, str], dict[str, Any]]]:
    labels = list(dict.fromkeys(matrix["label"].tolist()))
    agencies = list(dict.fromkeys(matrix["agency"].tolist()))
    cells = {(r["agency"], r["label"]): r for r in matrix.to_dict("records")}
    return labels, agencies, cells


INTRO = (
    "For each concern, the date each agency first recorded it, took part in an event about it, or mentioned "
    "it; and how long after the first record by any agency that was. \u201cNever recorded\u201d marks an "
    "agency whose chronology shows no sign of it."
)


def add_to_document(doc: DocumentObject, run: Run, matrix: pd.DataFrame | None = None) -> None:
    """The "Who knew what, when" section of a Word document."""
    matrix = knowledge_matrix(run) if matrix is None else matrix
    doc.add_heading("Who knew what, when", level=1)
    doc.add_paragraph(INTRO)
    labels, agencies, cells = _grid(matrix)
    colours = agency_colours(agency_order(run))
    width = (273 - 40) / max(len(labels), 1)
    rows = []
    for agency in agencies:
        colour = colours.get(agency, "#888888").lstrip("#")
        row = [Cell(agency, bold=True, bar=colour)]
        for label in labels:
            text, note = cell_lines(cells[(agency, label)])
            row.append(Cell(text, note=note, fill="" if note else "F2DCDB", bold=not note))
        rows.append(row)
    add_table(doc, [Column("Agency", 40), *(Column(lb, width) for lb in labels)], rows, size=8.5)


def html_section(run: Run, matrix: pd.DataFrame | None = None) -> str:
    """The matrix as an HTML section of the report (every text escaped)."""
    matrix = knowledge_matrix(run) if matrix is None else matrix
    labels, agencies, cells = _grid(matrix)
    colours = agency_colours(agency_order(run))
    head = "".join(f'<th scope="col">{html.escape(lb)}</th>' for lb in labels)
    body = []
    for agency in agencies:
        colour = colours.get(agency, "#888888")
        tds = []
        for label in labels:
            text, note = cell_lines(cells[(agency, label)])
            cls = ' class="never"' if not note else ""
            extra = f"<br><span class=hint>{html.escape(note)}</span>" if note else ""
            tds.append(f"<td{cls}>{html.escape(text)}{extra}</td>")
        body.append(
            f'<tr><th scope="row" style="border-left:6px solid {colour}">{html.escape(agency)}</th>{"".join(tds)}</tr>'
        )
    return (
        '<section class="knowledge" id="who-knew" aria-labelledby="who-knew-h">'
        '<h2 id="who-knew-h">Who knew what, when</h2>'
        f"<p class=hint>{html.escape(INTRO)}</p>"
        f'<table class="matrix"><thead><tr><th scope="col">Agency</th>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></section>"
    )


def add_sheet(wb: Workbook, run: Run, matrix: pd.DataFrame | None = None) -> Any:
    """The workbook's "Who knew what" sheet: one row per agency, a column per concern."""
    from openpyxl.styles import Font, PatternFill

    from chronology.views.workbook import _WRAP, _finish, _Rows, _sheet, tint

    matrix = knowledge_matrix(run) if matrix is None else matrix
    labels, agencies, cells = _grid(matrix)
    out = _Rows(_sheet(wb, "Who knew what", ["Agency", *labels], [22, *([34] * len(labels))]))
    colours = agency_colours(agency_order(run))
    never = out.style(
        "never", alignment=_WRAP, font=Font(bold=True), fill=PatternFill("solid", fgColor="FFF2DCDB")
    )
    known = out.style("known", alignment=_WRAP)
    for agency in agencies:
        fill = PatternFill("solid", fgColor=tint(colours.get(agency, "#888888")))
        values: list[Any] = [clean(agency)]
        styles = [out.style(("agency", agency), alignment=_WRAP, fill=fill, font=Font(bold=True))]
        for label in labels:
            text, note = cell_lines(cells[(agency, label)])
            values.append(f"{text}\n{note}" if note else text)
            styles.append(known if note else never)
        out.append(values, styles)
    _finish(out, len(labels) + 1)
    return out
