"""Read the chronology table of a Word document (.docx, .docm) through python-docx.

Partnerships hand agencies a Word template: a preamble (who wrote it, for
which review), a table of contacts, often a glossary and a signature table.
The document passes the archive guards (:func:`chronology.ingest.guards.check_word`)
before python-docx parses it. Then:

* Tables are the document body's top-level tables, in order (content controls
  unwrapped). A table directly after another one (nothing but blank paragraphs
  or page breaks between) with the same number of columns continues it, as
  Word splits a long table over pages: it is one table, and its leading rows
  that repeat the first table's header are not rows.
* A table is a chronology when a header row naming a date is found in it,
  with rows below, and a column of what happened (a signature table
  "Name | Role | Signature | Date" is not one); with ``[sources.columns]``
  in case.toml, a table holding the columns named is one. The preamble, glossary and signature tables are
  not read (a warning counts them). When no table is a chronology, every table
  is offered, so that the refusal says why ("no date column found").
* One chronology table gives one unnamed sheet (``source_sheet`` empty); only a
  document holding several distinct chronology tables names them "table N",
  N counting the document's tables as a reader does (a table split over pages
  counts once).
* Rows are numbered as a reader counts the table's rows, its first row being
  row 1 (the header, in a template). A horizontally merged cell's text is in
  its first column, a vertically merged cell's in its first row; both are
  kept as merged ranges (``Sheet.merged``), so that a date cell spanning rows
  dates each of them, as in a workbook.
* A cell's paragraphs are joined with line breaks; a line break in a paragraph
  is one too, a tab is a tab. Deleted text (tracked changes) is left out,
  inserted text kept. A table nested in a cell is kept as text in that cell,
  a line per row, its cells joined by " | ", and reported in a warning.

Example:
    >>> contents = WordDocument().read(Path("police.docx").read_bytes(), "police.docx", ReadOptions())  # doctest: +SKIP
    >>> contents.sheets[0].rows[0]  # doctest: +SKIP
    ['Date', 'Time', 'Source of information', 'Event / contact', 'Action taken']
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from chronology.errors import InputError
from chronology.ingest import guards
from chronology.ingest.grid import Sheet
from chronology.ingest.readers.registry import Contents, Probe, Reader, ReadOptions, register

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
#: Elements whose children stand in their place (content controls, custom XML, smart tags).
_WRAPPERS = {W + "sdt": W + "sdtContent", W + "customXml": None, W + "smartTag": None}
_TEXT_TAGS = (W + "t", W + "tab", W + "br", W + "cr", W + "noBreakHyphen", W + "softHyphen")
_TEXT_OF = {W + "tab": "\t", W + "br": "\n", W + "cr": "\n", W + "noBreakHyphen": "-", W + "softHyphen": ""}
#: Fields a signature or sign-off table has too: a table with nothing else is not a chronology.
_NOT_EVENT_FIELDS = ("date", "time", "end_date", "practitioner")
_SIGNATURE = re.compile(r"\s*(signature|signed|sign[\s-]*off|counter-?sign)", re.IGNORECASE)
HINT = "put the chronology in one table with a header row (Date, Event...), or send it as .xlsx"


@dataclass
class Table:
    """One top-level table as a grid of text cells.

    Attributes:
        rows: Text cells, one list per table row (grid columns; merged cells "" after the first).
        merged: Merged ranges, 0-based inclusive (first_row, first_col, last_row, last_col).
        nested: (row, column) of cells holding a nested table, 0-based.
        width: Grid columns (the widest row).
        after_text: Text stands between this table and the previous one (a heading, a paragraph).
    """

    rows: list[list[str]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    nested: list[tuple[int, int]] = field(default_factory=list)
    width: int = 0
    after_text: bool = True

    def extend(self, other: Table, skip: int) -> None:
        """Append another table's rows from ``skip`` on (its rows repeating the header left out)."""
        offset = len(self.rows) - skip
        self.rows.extend(other.rows[skip:])
        for r0, c0, r1, c1 in other.merged:
            if r1 >= skip:
                self.merged.append((max(r0, skip) + offset, c0, r1 + offset, c1))
        self.nested += [(r + offset, c) for r, c in other.nested if r >= skip]


@register
class WordDocument(Reader):
    """Word documents: a zip archive with a ``word/document.xml`` part."""

    NAME = "docx"
    DESCRIPTION = "Word document (.docx, .docm)"
    SUFFIXES = (".docx", ".docm")
    PRIORITY = 22

    def recognises(self, probe: Probe) -> bool:
        """A zip archive holding ``word/document.xml``."""
        return probe.is_zip and guards.WORD_MAIN in probe.zip_names

    def read(self, data: bytes, name: str, options: ReadOptions) -> Contents:
        """The chronology table(s) as sheets, after the guards.

        Raises:
            InputError: A hostile or damaged document, or one without a table.
        """
        guards.check_word(data, name)
        body = _body(data, name)
        tables = _join_split(list(_tables(body)), options.columns)
        if not tables:
            raise InputError("the document holds no table", file=name, hint=HINT)
        chronology = [i for i, t in enumerate(tables) if _is_chronology(t, options.columns, name)]
        warnings: list[str] = []
        if not chronology:
            sheets = [_sheet(t, f"table {i + 1}") for i, t in enumerate(tables)]
            return Contents(self.NAME, sheets)
        named = len(chronology) > 1
        sheets = [_sheet(tables[i], f"table {i + 1}" if named else "") for i in chronology]
        others = len(tables) - len(chronology)
        if others:
            warnings.append(
                f"{name}: {others} other table(s) not read (no chronology header: a preamble, "
                "glossary or signature table)"
            )
        for sheet, i in zip(sheets, chronology, strict=True):
            warnings += _nested_warnings(tables[i], sheet, name)
        return Contents(self.NAME, sheets, warnings)


def _body(data: bytes, name: str) -> Any:
    """The document body's element, parsed by python-docx (a .docm's main part too)."""
    from docx.oxml.parser import parse_xml
    from docx.package import Package

    try:
        part = Package.open(io.BytesIO(data)).main_document_part
        element = getattr(part, "element", None)
        if element is None:  # a content type python-docx does not map (.docm, .dotx): parse the part itself
            element = parse_xml(part.blob)
    except Exception as exc:  # python-docx and lxml raise several error types for damaged files
        reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise InputError(
            f"the Word document cannot be read ({reason})",
            file=name,
            hint="open it in Word and save it again as .docx",
        ) from None
    body = element.find(W + "body")
    if body is None:
        raise InputError("the Word document has no body", file=name, hint=HINT)
    return body


def _children(element: Any) -> Iterator[Any]:
    """An element's children, content controls and custom XML replaced by what they hold."""
    for child in element:
        tag = child.tag
        if tag in _WRAPPERS:
            inner = _WRAPPERS[tag]
            content = child.find(inner) if inner else child
            if content is not None:
                yield from _children(content)
        else:
            yield child


@dataclass(frozen=True)
class _Markup:
    """What a document holds that slows reading, found once: content controls, alternative content."""

    wrapped: bool = True
    fallback: bool = True


def _kids(element: Any, tag: str, markup: _Markup) -> list[Any]:
    """An element's children of one tag, looking through content controls (in C when the document has none)."""
    if not markup.wrapped:
        return element.findall(tag)
    return [c for c in _children(element) if c.tag == tag]


def _tables(body: Any) -> Iterator[Table]:
    """The body's top-level tables, each knowing whether text stands before it."""
    text_between = True
    markup = _Markup(
        wrapped=next(body.iter(*_WRAPPERS), None) is not None,
        fallback=next(body.iter(MC + "Fallback"), None) is not None,
    )
    for child in _children(body):
        if child.tag == W + "tbl":
            table = _grid(child, markup)
            table.after_text = text_between
            text_between = False
            yield table
        elif child.tag == W + "p" and _paragraph_text(child).strip():
            text_between = True


_TC_PR, _GRID_SPAN, _V_MERGE = W + "tcPr", W + "gridSpan", W + "vMerge"


def _attr(element: Any, path: str) -> str | None:
    found = element.find(path)
    return None if found is None else found.get(W + "val", "")


def _grid(tbl: Any, markup: _Markup) -> Table:
    """A table element as rows of grid-column text cells, with its merged ranges."""
    rows: list[list[str]] = []
    merged: list[tuple[int, int, int, int]] = []
    nested: list[tuple[int, int]] = []
    open_down: dict[int, list[int]] = {}  # first column -> [first_row, first_col, last_row, last_col]

    def close(col: int) -> None:
        r0, c0, r1, c1 = open_down.pop(col)
        if r1 > r0 or c1 > c0:
            merged.append((r0, c0, r1, c1))

    for r, tr in enumerate(_kids(tbl, W + "tr", markup)):
        cells: list[str] = []
        before = _attr(tr, f"{W}trPr/{W}gridBefore")
        if before and before.isdigit():
            cells += [""] * min(int(before), guards.MAX_TABLE_COLUMNS)
        for tc in _kids(tr, W + "tc", markup):
            col = len(cells)
            props = tc.find(_TC_PR)
            span_text = down = None
            if props is not None:
                span_text, down = _attr(props, _GRID_SPAN), _attr(props, _V_MERGE)
            span = (
                max(1, min(int(span_text), guards.MAX_TABLE_COLUMNS))
                if span_text and span_text.isdigit()
                else 1
            )
            if down is not None and down != "restart" and col in open_down:  # continues the cell above
                open_down[col][2] = r
                cells += [""] * span
                continue
            for c in [c for c in open_down if col <= c < col + span]:
                close(c)
            text, has_nested = _cell_text(tc, markup)
            if has_nested:
                nested.append((r, col))
            cells += [text, *[""] * (span - 1)]
            if down == "restart":
                open_down[col] = [r, col, r, col + span - 1]
            elif span > 1:
                merged.append((r, col, r, col + span - 1))
        for c in [c for c in open_down if c >= len(cells)]:  # a shorter row ends the merges it does not reach
            if open_down[c][2] < r:
                close(c)
        rows.append(cells)
    for c in list(open_down):
        close(c)
    width = max((len(r) for r in rows), default=0)
    return Table(rows, sorted(merged), nested, width)


def _paragraph_text(p: Any, markup: _Markup = _Markup()) -> str:
    """A paragraph's text: runs, inserted text, tabs and line breaks; deleted text and fallbacks left out."""
    fallback = markup.fallback and next(p.iter(MC + "Fallback"), None) is not None
    parts = []
    for el in p.iter(*_TEXT_TAGS):
        if fallback and any(a.tag == MC + "Fallback" for a in el.iterancestors()):
            continue
        parts.append(el.text or "" if el.tag == W + "t" else _TEXT_OF[el.tag])
    return "".join(parts)


def _cell_text(tc: Any, markup: _Markup) -> tuple[str, bool]:
    """A cell's paragraphs joined by line breaks (empty ones at either end dropped), and whether it nests a table."""
    lines: list[str] = []
    nested = False
    nests = tc.find(W + "tbl") is not None
    children = list(_children(tc)) if nests else _kids(tc, W + "p", markup)
    for child in children:
        if child.tag == W + "p":
            lines.append(_paragraph_text(child, markup))
        elif child.tag == W + "tbl":
            nested = True
            inner = _grid(child, markup)
            lines += [" | ".join(c for c in row if c) for row in inner.rows]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        del lines[0]
    return "\n".join(lines), nested


def _norm_row(row: Sequence[str]) -> tuple[str, ...]:
    return tuple(" ".join(c.split()).casefold() for c in row)


def _header_index(table: Table, columns: Mapping[str, str] | None) -> int | None:
    from chronology.ingest.layout import HEADER_SEARCH_ROWS, find_header

    return find_header(table.rows[: HEADER_SEARCH_ROWS + 3], configured=columns)


def _join_split(tables: list[Table], columns: Mapping[str, str] | None) -> list[Table]:
    """Tables split over pages joined: a table right after another of the same width continues it.

    It continues it when its first row repeats the header (rows repeating the
    header block are dropped), or when the first table has a header and the
    second has none of its own.
    """
    out: list[Table] = []
    header: int | None = None
    for table in tables:
        if out and not table.after_text and table.width == out[-1].width and table.rows:
            last = out[-1]
            block = [_norm_row(r) for r in last.rows[: (header or 0) + 1]]
            skip = 0
            while skip < len(table.rows) and skip < len(block) and _norm_row(table.rows[skip]) in block:
                skip += 1
            if skip or (header is not None and _header_index(table, columns) is None):
                last.extend(table, skip)
                continue
        out.append(table)
        header = _header_index(table, columns)
    return out


def _sheet(table: Table, name: str) -> Sheet:
    return Sheet(name, True, table.rows, table.merged)


def _is_chronology(table: Table, columns: Mapping[str, str] | None, name: str) -> bool:
    """A header naming a date, rows below it, a column of what happened, and no signature column."""
    from chronology.ingest.layout import detect_layout

    try:
        layout = detect_layout(_sheet(table, ""), file=name, configured=columns)
    except InputError:
        return False
    if columns:
        return True
    if any(_SIGNATURE.match(h) for h in layout.headers):
        return False
    return any(f not in _NOT_EVENT_FIELDS for f in layout.columns)


def _nested_warnings(table: Table, sheet: Sheet, name: str) -> list[str]:
    where = f"{name}, sheet '{sheet.name}'" if sheet.name else name
    return [
        f"{where}, row {r + 1}, column {c + 1}: a table nested in the cell; its text is kept in the cell, "
        "a line per row"
        for r, c in table.nested
    ]
