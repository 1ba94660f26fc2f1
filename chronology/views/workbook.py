"""chronology.xlsx: the integrated chronology, findings and sources for the panel.

Sheets:
    Chronology: one row per event record, by date, time and source order,
        records of one matched event kept together and marked; each agency's
        rows tinted with its timeline colour. An Age column when the case
        gives a date of birth, a Subject column when a file holds several.
    Findings: one row per finding with its citations and the decision on it.
    Who knew what: per agency and concern, when it first knew (``knowledge``).
    Decisions and services: every decision and service record, per agency (``services``).
    Sources: each input file with its sha256 and row counts.
    Rejected: every rejected row with its reason and its original cells.
    Continuations: every continuation row, with the entry it was joined to.
    Corrected: where corrections.csv has lines, each with the original value.

Every text is written as text, never as a formula (``=HYPERLINK(...)`` from
an agency's file stays a string), control characters Excel refuses become
U+FFFD, and a cell longer than Excel's 32,767 characters is cut with a note
(the whole text stays in events.parquet). The file is byte-identical for the
same run: fixed document dates and fixed zip entry times. Every sheet prints
on A4 landscape at 80 % or more with the marking and page numbers (``pages``).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Final

import openpyxl
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.compat import safe_string
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.worksheet import Worksheet

from chronology.pipeline import Run

#: Excel's limit on the characters of one cell.
CELL_LIMIT: Final = 32_767
#: Document dates written into every workbook (a fixed value: same run, same bytes).
FIXED_DATE: Final = datetime(2000, 1, 1)
_ZIP_TIME: Final = (1980, 1, 1, 0, 0, 0)
_COARSE = frozenset({"week", "month", "term", "year"})

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill(fill_type="solid", fgColor="FFD9D9D9")
_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")
_CLUSTER_EDGE = Border(left=Side(style="thick", color="FF404040"))
_BOLD = Font(bold=True)
#: Number formats of the Chronology's Date and Time columns.
_FORMATS: Final = {1: "dd/mm/yyyy", 2: "hh:mm"}


def citation(source_file: str, source_sheet: str, source_row: Any) -> str:
    """The citation of one record: ``file:sheet:row`` (sheet empty for CSV).

    Example:
        >>> citation("police.xlsx", "Chronology", 14)
        'police.xlsx:Chronology:14'
    """
    return f"{source_file}:{source_sheet}:{source_row}"


def tint(colour: str, strength: float = 0.25) -> str:
    """A light tint of a ``#RRGGBB`` colour as openpyxl's ``AARRGGBB``.

    Args:
        colour: The palette colour.
        strength: How much of the colour to keep; the rest is white.

    Example:
        >>> tint("#000000")
        'FFBFBFBF'
    """
    rgb = colour.lstrip("#")
    parts = [int(rgb[i : i + 2], 16) for i in (0, 2, 4)]
    mixed = [round(255 - (255 - c) * strength) for c in parts]
    return "FF" + "".join(f"{c:02X}" for c in mixed)


def _text(value: Any) -> str:
    """A cell's text: "" for nothing, lists joined, illegal characters replaced, cut at Excel's limit."""
    if value.__class__ is str and len(value) <= CELL_LIMIT:
        return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    if value is None or (not isinstance(value, (str, list, tuple, dict)) and _is_na(value)):
        return ""
    if hasattr(value, "tolist") and not isinstance(value, str):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        value = "; ".join(_text(v) for v in value)
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", str(value))
    if len(text) > CELL_LIMIT:
        note = f" \u2026 [cut: {len(text):,} characters; the whole text is in events.parquet]"
        text = text[: CELL_LIMIT - len(note)] + note
    return text


def _columns(frame: pd.DataFrame, names: list[str]) -> Any:
    """The rows of some columns as tuples of Python values (what ``itertuples`` gives, in one
    conversion a column instead of one Arrow scalar at a time)."""
    return zip(*(frame[name].astype(object).tolist() for name in names), strict=True)


def _is_na(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _put(ws: Worksheet, row: int, column: int, value: Any) -> Any:
    """Write one cell; text always as a string, never a formula; nothing as a blank."""
    if isinstance(value, (date, datetime, time, int, float)) and not isinstance(value, bool):
        return ws.cell(row=row, column=column, value=value)
    text = _text(value)
    cell = ws.cell(row=row, column=column, value=text or None)
    if text:
        cell.data_type = "s"
    return cell


def _escape(text: str) -> str:
    """Text escaped for XML character data, as ElementTree escapes it."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _cell_xml(ref: str, style: int, value: Any) -> str:
    """One cell as worksheet XML, written as openpyxl writes the cell ``_put`` makes.

    Dates and times become Excel serial numbers, other numbers stay numbers,
    everything else is an inline string (never a formula); nothing is an
    empty styled cell.
    """
    s = f' s="{style}"' if style else ""
    if value.__class__ is str and value and len(value) <= CELL_LIMIT:  # most cells: plain text
        text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
        edge = text[0].isspace() or text[-1].isspace()
        space = ' xml:space="preserve"' if edge and not text.isspace() else ""
        return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{_escape(text)}</t></is></c>'
    if isinstance(value, (date, datetime, time, int, float)) and not isinstance(value, bool):
        number = to_excel(value) if isinstance(value, (date, time)) else value
        return f'<c r="{ref}"{s} t="n"><v>{safe_string(number)}</v></c>'
    text = _text(value)
    if not text:
        return f'<c r="{ref}"{s} t="n"/>'
    stripped = text.strip()
    space = ' xml:space="preserve"' if stripped and stripped != text else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{_escape(text)}</t></is></c>'


class _Rows:
    """The data rows of one sheet, kept as worksheet XML until the workbook is saved.

    openpyxl's cell objects and its ElementTree writer cost several
    microseconds per cell, most of a large case's workbook time; the rows
    are written here as the XML openpyxl would write for them (``_cell_xml``)
    and put into the saved sheet by ``_splice``. Styles are still openpyxl's:
    each distinct style is set once on a detached cell and registered in the
    workbook's style table, whose index is the cell's ``s`` attribute.
    """

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.xml: list[str] = []
        self._ids: dict[Any, int] = {}
        self._letters = [get_column_letter(c) for c in range(1, 65)]

    def style(self, key: Any, **style: Any) -> int:
        """The style index of a style (set in full the first time its key is seen)."""
        done = self._ids.get(key)
        if done is None:
            cell = Cell(self.ws)
            for name, value in style.items():
                setattr(cell, name, value)
            done = self._ids[key] = self.ws.parent._cell_styles.add(cell._style) if cell.has_style else 0
        return done

    def append(self, values: list[Any], styles: list[int]) -> None:
        """Add the next row: one value and one style index a column."""
        row = len(self.xml) + 2
        cells = "".join(
            _cell_xml(f"{letter}{row}", style, value)
            for letter, style, value in zip(self._letters, styles, values, strict=False)
        )
        lines = self._lines(values)
        height = f' ht="{min(409, 15 * lines)}" customHeight="1"' if lines > 1 else ""
        self.xml.append(f'<row r="{row}"{height}>{cells}</row>')

    def _lines(self, values: list[Any]) -> int:
        """About how many lines the row's tallest wrapped text takes (Excel and LibreOffice do not
        size a row to its wrapped text on opening: without a height it shows one line)."""
        if not hasattr(self, "_chars"):
            # characters a line of each column holds (Calibri's average is narrower than its digits)
            self._chars = [(self.ws.column_dimensions[c].width or 13) * 1.3 for c in self._letters]
        most = 1
        for value, chars in zip(values, self._chars, strict=False):
            if value.__class__ is str and (len(value) > chars or "\n" in value):
                n = sum(max(1, -(-len(part) // int(chars))) for part in value.split("\n"))
                most = max(most, n)
        return most

    @property
    def last_row(self) -> int:
        return len(self.xml) + 1


def _sheet(wb: Workbook, title: str, headers: list[str], widths: list[int]) -> Worksheet:
    """A sheet with a bold frozen header, its columns narrowed to print at 80 % or more (``pages``)."""
    from chronology.views.pages import fit_widths

    ws = wb.create_sheet(title)
    fitted = fit_widths(widths)  # narrowed now to print at 80 % or more, so rows are sized to them
    for column, (header, width) in enumerate(zip(headers, fitted, strict=True), start=1):
        cell = _put(ws, 1, column, header)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = _WRAP
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    return ws


def _finish(rows: _Rows, columns: int) -> None:
    rows.ws.auto_filter.ref = f"A1:{get_column_letter(columns)}{rows.last_row}"


def _local(value: Any, timezone: str) -> pd.Timestamp | None:
    if value is None or _is_na(value):
        return None
    ts = pd.Timestamp(value)
    return ts.tz_convert(timezone) if ts.tzinfo is not None else ts


def _excel_date(start: pd.Timestamp | None) -> date | str:
    """The day as an Excel date; as text before 1900, which Excel cannot show as a date."""
    if start is None:
        return ""
    return start.date() if start.year >= 1900 else f"{start:%d/%m/%Y}"


def _local_starts(series: pd.Series, timezone: str) -> list[pd.Timestamp | None]:
    """Start instants as local timestamps (None where there is none), in one pass when possible."""
    try:
        local = pd.to_datetime(series).dt.tz_convert(timezone)
        return [None if pd.isna(v) else v for v in local]
    except (TypeError, ValueError, AttributeError):
        return [_local(v, timezone) for v in series]


def _source_order(run: Run) -> dict[str, int]:
    return {s.path: i for i, s in enumerate(run.config.sources)}


def agency_order(run: Run) -> list[str]:
    """Agencies in the order the timeline gives them colours (``palette.lane_order``).

    Agencies with a dated event record in the order they first appear, then
    the case.toml sources, then any other; the same order gives each agency the
    same colour in the workbook as on the timeline.
    """
    from chronology.views.palette import lane_order

    return lane_order(run.events, [s.agency for s in run.config.sources])


def chronology_rows(run: Run) -> pd.DataFrame:
    """The event records in the Chronology sheet's order.

    Records are ordered by start (date and time), then case.toml source
    order, sheet and row; records of a cluster with two or more of them are
    moved together to the place of the earliest.

    Example:
        >>> rows = chronology_rows(run)  # doctest: +SKIP
    """
    ev = run.events[run.events["status"] == "event"].copy()
    sources = _source_order(run)
    tz = run.config.timezone
    starts = _local_starts(ev["start"], tz)
    ev["wb_nodate"] = [v is None for v in starts]
    ev["wb_key"] = [v.value if v is not None else 0 for v in starts]
    ev["wb_src"] = [sources.get(str(f), len(sources)) for f in ev["source_file"]]
    ev = ev.sort_values(
        ["wb_nodate", "wb_key", "wb_src", "source_file", "source_sheet", "source_row", "record_id"],
        kind="stable",
    )
    ev["wb_pos"] = range(len(ev))
    cluster = ev["cluster_id"].fillna("").astype(str)
    sizes = cluster[cluster != ""].value_counts()
    grouped = cluster.isin(sizes.index[sizes > 1])
    ev["wb_cluster"] = cluster.where(grouped, "")
    first = ev[grouped].groupby("wb_cluster")["wb_pos"].min().to_dict()
    ev["wb_group"] = [first[c] if c else p for c, p in zip(ev["wb_cluster"], ev["wb_pos"], strict=True)]
    return ev.sort_values(["wb_group", "wb_pos"], kind="stable").reset_index(drop=True)


def _type_labels() -> dict[str, str]:
    from chronology.vocabulary import load_vocabulary

    return {name: t.label for name, t in load_vocabulary().types.items()}


def _chronology_sheet(wb: Workbook, run: Run) -> _Rows:
    from chronology.views.palette import agency_colours
    from chronology.views.timeline import age_text

    dob = run.config.date_of_birth
    rows = chronology_rows(run)
    subjects = bool(rows["subject_ref"].fillna("").astype(str).str.strip().ne("").any())
    headers = ["Date", "Time", "Precision", *(["Age"] if dob else []), *(["Subject"] if subjects else [])]
    headers += [
        "Agency",
        "Type",
        "Description",
        "Outcome",
        "Practitioner",
        "Cluster",
        "Days after first record",
        "Same event as",
        "Citation",
    ]
    widths = [
        11,
        7,
        10,
        *([9] if dob else []),
        *([14] if subjects else []),
        18,
        22,
        60,
        32,
        18,
        12,
        9,
        30,
        28,
    ]
    ws = _sheet(wb, "Chronology", headers, widths)
    fills = {
        a: PatternFill(fill_type="solid", fgColor=tint(c))
        for a, c in agency_colours(agency_order(run)).items()
    }
    labels = _type_labels()
    cites = [citation(f, s, r) for f, s, r in _columns(rows, ["source_file", "source_sheet", "source_row"])]
    members: dict[str, list[str]] = {}
    for c, cite in zip(rows["wb_cluster"].tolist(), cites, strict=True):
        if c:
            members.setdefault(c, []).append(cite)
    wrap_from = headers.index("Agency") + 1  # agency, type and the texts wrap (dates and times do not)
    cluster_column = headers.index("Cluster") + 1
    out = _Rows(ws)
    row_styles: dict[tuple[str, bool], list[int]] = {}

    def styles_of(agency: str, clustered: bool) -> list[int]:
        ids = []
        for column in range(1, len(headers) + 1):
            style: dict[str, Any] = {"alignment": _WRAP if column >= wrap_from else _TOP}
            if agency in fills:
                style["fill"] = fills[agency]
            if column in _FORMATS:
                style["number_format"] = _FORMATS[column]
            if clustered and column == 1:
                style["border"] = _CLUSTER_EDGE
            if clustered and column == cluster_column:
                style["font"] = _BOLD
            ids.append(out.style((agency, column, clustered), **style))
        return ids

    starts = _local_starts(rows["start"], run.config.timezone)
    # how long after its event's first record each record was made: a receipt, the minutes
    first_day: dict[str, Any] = {}
    for c, start in zip(rows["wb_cluster"].tolist(), starts, strict=True):
        if c and start is not None:
            day = start.date()
            first_day[c] = min(first_day.get(c, day), day)
    names = ["date_precision", "subject_ref", "agency", "event_type", "type_label", "description"]
    names += ["outcome", "practitioner", "wb_cluster"]
    for i, (start, r) in enumerate(zip(starts, _columns(rows, names), strict=True)):
        precision_, subject, agency, event_type, type_label, description, outcome, practitioner, cluster = r
        precision = _text(precision_) or "day"
        values: list[Any] = [
            _excel_date(start),
            start.time().replace(tzinfo=None) if start is not None and precision == "time" else "",
            precision if precision in _COARSE else "",
        ]
        if dob:
            values.append(age_text(dob, start) if start is not None else "")
        if subjects:
            values.append(subject)
        same = [c for c in members.get(cluster, []) if c != cites[i]]
        lag = (start.date() - first_day[cluster]).days if cluster in first_day and start is not None else ""
        values += [agency, labels.get(str(event_type), _text(type_label) or _text(event_type))]
        values += [description, outcome, practitioner, cluster, lag, same, cites[i]]
        key = (str(agency), bool(cluster))
        ids = row_styles.get(key)
        if ids is None:
            ids = row_styles[key] = styles_of(*key)
        out.append(values, ids)
    _finish(out, len(headers))
    return out


def _period(start: Any, end: Any) -> str:
    days = [f"{pd.Timestamp(v):%d/%m/%Y}" for v in (start, end) if v is not None and not _is_na(v)]
    if len(days) == 2 and days[0] == days[1]:
        days = days[:1]
    return " \u2013 ".join(days)


def _findings_sheet(wb: Workbook, run: Run) -> _Rows:
    headers = ["Finding", "Kind", "Severity", "Title", "Statement", "Agencies", "Period", "Citations"]
    headers += ["Status", "Decision"]
    out = _Rows(_sheet(wb, "Findings", headers, [14, 20, 9, 36, 70, 24, 22, 36, 11, 36]))
    wrap = [out.style("wrap", alignment=_WRAP)] * len(headers)
    findings = run.findings
    names = ["finding_id", "kind", "severity", "title", "statement", "agencies", "start", "end", "citations"]
    names += ["status", "decision_reason", "reviewer"]
    present = [n for n in names if n in findings.columns]
    for row in _columns(findings, present):
        f = dict(zip(present, row, strict=True))
        decision = _text(f.get("decision_reason"))
        if _text(f.get("reviewer")):
            decision = f"{decision} ({_text(f.get('reviewer'))})".strip()
        values = [f.get("finding_id"), f.get("kind"), f.get("severity"), f.get("title"), f.get("statement")]
        values += [f.get("agencies"), _period(f.get("start"), f.get("end")), f.get("citations")]
        values += [f.get("status"), decision]
        out.append(values, wrap)
    _finish(out, len(headers))
    return out


def _by_concern_sheet(wb: Workbook, run: Run) -> _Rows:
    """Findings by concern: one line per concern or handoff, listing the agencies that did not know or receive it."""
    from chronology.analysis.panel import panel_lines

    scope = getattr(run.config, "scope", None)
    headers = ["Line", "Severity", "Kind", "Title", "Agencies", "Period", "Findings"]
    headers += ["In the review's period"] if scope else []
    out = _Rows(_sheet(wb, "Findings by concern", headers, [6, 9, 20, 70, 36, 22, 30, 12][: len(headers)]))
    wrap = [out.style("wrap", alignment=_WRAP)] * len(headers)
    lines = panel_lines(run.findings, scope)
    for line in lines.to_dict("records"):
        values = [line["line"], line["severity"], line["kind"], line["title"], ", ".join(line["agencies"])]
        values += [_period(line["start"], line["end"]), ", ".join(line["finding_ids"])]
        values += ["yes" if line["in_scope"] else "no"] if scope else []
        out.append(values, wrap)
    _finish(out, len(headers))
    return out


def _count(value: Any) -> Any:
    if value is None or _is_na(value):
        return ""
    try:
        return int(value)
    except (TypeError, ValueError):
        return _text(value)


def _sources_sheet(wb: Workbook, run: Run) -> _Rows:
    headers = ["File", "Agency", "Sheet", "Header row", "sha256", "Rows read", "Events", "Continuations"]
    headers += ["Rejected"]
    out = _Rows(_sheet(wb, "Sources", headers, [28, 22, 18, 10, 66, 10, 10, 14, 10]))
    top = [out.style("top", alignment=_TOP)] * len(headers)
    for s in run.sources.to_dict("records"):
        values = [s.get("source_file"), s.get("agency"), s.get("sheet"), _count(s.get("header_row"))]
        values += [s.get("sha256")] + [
            _count(s.get(k)) for k in ("rows_read", "events", "continuations", "rejected")
        ]
        out.append(values, top)
    _finish(out, len(headers))
    return out


def _raw_text(raw: Any) -> str:
    """A row's non-empty original cells as "header: value" lines (verbatim text if not JSON)."""
    text = _text(raw)
    try:
        cells = json.loads(text)
    except ValueError:
        return text
    if not isinstance(cells, dict):
        return text
    return "\n".join(f"{k}: {v}" for k, v in cells.items() if v is not None and v != "")


def _status_sheet(wb: Workbook, run: Run, title: str, status: str) -> _Rows:
    headers = ["File", "Sheet", "Row", "Agency", "Reason", "Original cells"]
    out = _Rows(_sheet(wb, title, headers, [28, 18, 8, 22, 40, 80]))
    wrap = [out.style("wrap", alignment=_WRAP)] * len(headers)
    rows = run.events[run.events["status"] == status]
    order = _source_order(run)
    rows = rows.assign(wb_src=[order.get(str(f), len(order)) for f in rows["source_file"]])
    rows = rows.sort_values(["wb_src", "source_file", "source_sheet", "source_row"], kind="stable")
    for file, sheet, row, agency, reason, raw in _columns(
        rows, ["source_file", "source_sheet", "source_row", "agency", "reason", "raw"]
    ):
        values = [file, sheet, _count(row), agency, reason, _raw_text(raw)]
        out.append(values, wrap)
    _finish(out, len(headers))
    return out


def _corrected_sheet(wb: Workbook, run: Run) -> _Rows:
    """Every line of corrections.csv: the record, the original value, the corrected one, why and who."""
    headers = ["File", "Sheet", "Row", "Agency", "Field", "Original", "Corrected", "Reason", "Who", "Applied"]
    headers.append("Record")
    out = _Rows(_sheet(wb, "Corrected", headers, [28, 18, 8, 22, 14, 50, 40, 40, 16, 24, 18]))
    wrap = [out.style("wrap", alignment=_WRAP)] * len(headers)
    names = ["source_file", "source_sheet", "source_row", "agency", "field", "original", "corrected"]
    for r in _columns(run.corrections, [*names, "reason", "who", "applied", "record_id"]):
        out.append([_count(v) if k == 2 else v for k, v in enumerate(r)], wrap)
    _finish(out, len(headers))
    return out


def _build(run: Run) -> tuple[Workbook, list[_Rows]]:
    """The workbook with each sheet's header and layout, and each sheet's data rows as XML."""
    from chronology.views import knowledge, pages, services
    from chronology.views.document import marking_of, running_title

    wb = Workbook()
    wb.remove(wb.active)
    sheets = [
        _chronology_sheet(wb, run),
        _findings_sheet(wb, run),
        _by_concern_sheet(wb, run),
        knowledge.add_sheet(wb, run),
        services.add_sheet(wb, run),
        _sources_sheet(wb, run),
        _status_sheet(wb, run, "Rejected", "rejected"),
        _status_sheet(wb, run, "Continuations", "continuation"),
    ]
    if len(getattr(run, "corrections", ())):  # corrections.csv: the original of every corrected value
        sheets.append(_corrected_sheet(wb, run))
    pages.set_up_workbook(wb, running_title(run), marking_of(run))
    wb.properties.creator = "chronology"
    wb.properties.title = _text(run.config.name)
    wb.properties.created = FIXED_DATE
    wb.properties.modified = FIXED_DATE
    return wb, sheets


_DIMENSION = re.compile(rb'<dimension ref="[^"]*"\s*/>')


def _splice(rows: _Rows) -> Any:
    """A rewrite of a saved sheet's XML that puts its data rows after the header row."""

    def rewrite(body: bytes) -> bytes:
        if not rows.xml:
            return body
        columns = rows.ws.max_column
        ref = f'<dimension ref="A1:{get_column_letter(columns)}{rows.last_row}"/>'.encode()
        body = _DIMENSION.sub(ref, body, count=1)
        head, tail = body.split(b"</sheetData>", 1)
        return head + "".join(rows.xml).encode("utf-8") + b"</sheetData>" + tail

    return rewrite


def workbook_bytes(run: Run) -> bytes:
    """chronology.xlsx of a run as bytes: the same run gives the same bytes.

    Example:
        >>> workbook_bytes(run)[:2]  # doctest: +SKIP
        b'PK'
    """
    wb, sheets = _build(run)
    buffer = io.BytesIO()
    wb.save(buffer)
    return reproducible_zip(buffer.getvalue(), {rows.ws.path.lstrip("/"): _splice(rows) for rows in sheets})


def build_workbook(run: Run) -> Workbook:
    """The workbook of a run, in memory (read back from ``workbook_bytes``).

    Example:
        >>> build_workbook(run).sheetnames  # doctest: +SKIP
        ['Chronology', 'Findings', 'Sources', 'Rejected', 'Continuations']
    """
    return openpyxl.load_workbook(io.BytesIO(workbook_bytes(run)))


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def reproducible_zip(data: bytes, rewrite: dict[str, Any] | None = None) -> bytes:
    """Rewrite an xlsx so the same content gives the same bytes.

    openpyxl stamps the save time into docProps/core.xml and every zip
    entry; both are set to fixed values, entries kept in openpyxl's order.
    ``rewrite`` maps an entry's name to a function of its bytes giving the
    bytes to write instead (the sheets' data rows, see ``_splice``).

    Example:
        >>> reproducible_zip(buffer.getvalue())  # doctest: +SKIP
    """
    fixed = FIXED_DATE.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _MODIFIED.sub(rb"\g<1>" + fixed + rb"\g<2>", body)
            if rewrite and info.filename in rewrite:
                body = rewrite[info.filename](body)
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 0
            entry.external_attr = 0
            dst.writestr(entry, body, compresslevel=6)
    return out.getvalue()


def write_workbook(run: Run, path: Path) -> None:
    """Write chronology.xlsx for a run.

    Args:
        run: The run (pseudonymised already, where asked).
        path: Where to write; an existing file is overwritten in place, so
            its permissions are kept.

    Example:
        >>> write_workbook(run, Path("out/chronology.xlsx"))  # doctest: +SKIP
    """
    data = workbook_bytes(run)
    with open(path, "wb") as fh:
        fh.write(data)
