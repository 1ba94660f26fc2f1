"""Hostile-archive guards, shared by every reader of a zipped format (workbook, Word document).

A zipped Office file is checked before any library parses it:

* its directory first, so a zip bomb is refused before anything is inflated
  (``MAX_UNCOMPRESSED`` declared in all, or a ratio over ``MAX_RATIO`` above
  ``RATIO_FLOOR``);
* the prolog of each XML part: a document type or entity declaration (billion
  laughs, external entities) is refused;
* each XML part is inflated in 1 MB blocks (bounded memory) and checked
  against its CRC, so a directory that understates a size is refused as corrupt;
* sizes that a reader would turn into memory at once: a worksheet's extent
  from its cell references (a stray cell at XFD1048576 would make a grid of 17
  billion cells), an OpenDocument row repeated a million times, a shared-string
  count larger than its part could hold, a Word document part larger than
  ``MAX_DOCUMENT_XML`` (python-docx parses it into one tree) or a table row
  spanning more than ``MAX_TABLE_COLUMNS`` grid columns.

Example:
    >>> check_word(Path("police.docx").read_bytes(), "police.docx")  # doctest: +SKIP
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Iterator
from typing import IO

from chronology.errors import InputError

#: Refuse zipped files that declare more than this, uncompressed.
MAX_UNCOMPRESSED = 2 * 1024**3
#: Refuse when the declared sizes are this many times the compressed ones...
MAX_RATIO = 200
#: ...and the declared total is over this.
RATIO_FLOOR = 100 * 1024**2
#: Refuse a worksheet whose cells span more than this many cells (rows x columns):
#: a reader allocates the whole grid at once.
MAX_SHEET_CELLS = 25_000_000
#: ...and the sheets of a workbook together more than this (every sheet is read).
MAX_BOOK_CELLS = 40_000_000
#: Refuse an XML part whose prolog (what precedes the root element) is longer than this.
MAX_PROLOG = 1024**2
#: Refuse a Word document whose main part is larger than this, uncompressed (parsed into one tree,
#: several times its size in memory; 10,000 table rows of text take about 10 MB).
MAX_DOCUMENT_XML = 512 * 1024**2
#: Refuse a Word table row spanning more grid columns than this (each column becomes a cell of every row).
MAX_TABLE_COLUMNS = 16_384
#: The parts of a Word document python-docx parses.
WORD_MAIN = "word/document.xml"


def check_archive(
    zf: zipfile.ZipFile, name: str, what: str, hint: str, *, stream_later: tuple[str, ...] = ()
) -> list[zipfile.ZipInfo]:
    """Refuse a zip archive whose declared sizes or XML prologs look hostile; inflate and CRC-check its XML.

    Args:
        zf: The open archive.
        name: The file as named in messages.
        what: "workbook" or "document", for messages.
        hint: What the user can do, for messages.
        stream_later: Prefixes of parts the caller streams itself (their prolog
            is still checked here).

    Returns:
        The archive's entries.

    Raises:
        InputError: Too large uncompressed, an absurd compression ratio, or an
            XML entity or document type declaration.
    """
    infos = zf.infolist()
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if total > MAX_UNCOMPRESSED:
        raise InputError(
            f"refused: the {what} declares {total / 1024**3:.1f} GB uncompressed", file=name, hint=hint
        )
    if total > RATIO_FLOOR and total / packed > MAX_RATIO:
        raise InputError(
            f"refused: the {what} inflates {total // packed}:1 (a zip bomb?)", file=name, hint=hint
        )
    for info in infos:
        if info.filename.endswith((".xml", ".rels", ".vml")):
            with zf.open(info) as part:
                declared = _prolog_declaration(part)
                if not declared and not info.filename.startswith(stream_later):
                    while part.read(1 << 20):  # inflated in blocks to the declared size,
                        pass  # then checked against its CRC: a size understated is refused
            if declared:
                raise InputError(f"refused: {declared} in {info.filename}", file=name, hint=hint)
    return infos


_GRID_SPAN = re.compile(rb'<w:gridSpan w:val="([0-9]+)"')
_GRID_SKIP = re.compile(rb'<w:grid(?:Before|After) w:val="([0-9]+)"')


def check_word(data: bytes, name: str) -> None:
    """Refuse a Word document (.docx, .docm) that looks hostile, before python-docx parses it.

    The archive checks of :func:`check_archive` (zip bomb, entities, CRC), then
    the main part's declared size (``MAX_DOCUMENT_XML``), then any merged cell
    or row offset claiming more than ``MAX_TABLE_COLUMNS`` grid columns.

    Raises:
        InputError: One line naming the file and what was refused.

    Example:
        >>> check_word(Path("police.docx").read_bytes(), "police.docx")  # doctest: +SKIP
    """
    hint = "open it in Word and save it again, or send the chronology as .xlsx"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            check_archive(zf, name, "document", hint)
            info = zf.getinfo(WORD_MAIN)
            if info.file_size > MAX_DOCUMENT_XML:
                raise InputError(
                    f"refused: the document's text part is {info.file_size / 1024**2:,.0f} MB uncompressed "
                    f"(the limit is {MAX_DOCUMENT_XML // 1024**2} MB)",
                    file=name,
                    hint="split the chronology into several documents, or send it as .xlsx",
                )
            for block in _chunks(zf, info):
                if b"w:grid" not in block:
                    continue
                for found in (*_GRID_SPAN.findall(block), *_GRID_SKIP.findall(block)):
                    if int(found) > MAX_TABLE_COLUMNS:
                        raise InputError(
                            f"refused: a table cell spans {int(found):,} columns "
                            f"(the limit is {MAX_TABLE_COLUMNS:,})",
                            file=name,
                            hint=hint,
                        )
    except KeyError:
        raise InputError(f"the document has no {WORD_MAIN}", file=name, hint=hint) from None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise InputError(f"the document is corrupt ({exc})", file=name, hint=hint) from None


def check_zip(data: bytes, name: str, errors: dict[str, dict[tuple[int, int], str]] | None = None) -> bool:
    """Refuse a zipped workbook whose declared sizes, XML or sheet extents look hostile.

    Reads the zip's directory first, so a zip bomb is refused before anything
    is inflated; then the prolog of each XML part (entity and document type
    declarations); then streams each XML part in blocks (bounded memory): a
    part inflating beyond its declared size fails its CRC check (a directory
    that understates sizes is refused as corrupt), and each worksheet's cell
    references give the grid it spans. A shared-string table declaring more
    strings than its size can hold is refused (a reader reserves memory for
    the count it declares).

    Args:
        data: The file's bytes.
        name: The file as named in messages.
        errors: Filled, when given, with each sheet's error cells (sheet name ->
            (row, column) -> "#REF!"), which the reader gives as empty.

    Returns:
        True when the workbook uses the 1904 date system.

    Raises:
        InputError: Too large uncompressed, an absurd compression ratio, an
            XML entity or document type declaration, or a worksheet spanning
            more than ``MAX_SHEET_CELLS`` cells.

    Example:
        >>> check_zip(Path("police.xlsx").read_bytes(), "police.xlsx")  # doctest: +SKIP
        False
    """
    hint = "open it in Excel and save it again, or send it as CSV"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = check_archive(zf, name, "workbook", hint, stream_later=("xl/worksheets/",))
            for info in infos:
                if info.filename.lower().endswith("sharedstrings.xml"):
                    with zf.open(info) as part:
                        head = part.read(65536)
                    found = re.search(rb'uniqueCount="([0-9]+)"', head)
                    if (
                        found and int(found[1]) > info.file_size // 5 + 16
                    ):  # each <si/> takes 5 bytes at least
                        raise InputError(
                            f"refused: {info.filename} declares {int(found[1]):,} strings "
                            f"in {info.file_size:,} bytes",
                            file=name,
                            hint=hint,
                        )
            sheet_names = _sheet_names(zf)
            grid = 0
            for info in infos:
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                    cells: dict[tuple[int, int], str] = {}
                    grid += _check_extent(zf, info, name, sheet_names.get(info.filename), cells)
                    if grid > MAX_BOOK_CELLS:
                        raise InputError(
                            f"refused: the sheets together span {grid:,} cells (the limit is {MAX_BOOK_CELLS:,})",
                            file=name,
                            hint="delete the stray cells far from the tables and save again, or send it as CSV",
                        )
                    if cells and errors is not None:
                        errors[sheet_names.get(info.filename, info.filename)] = cells
                elif info.filename == "content.xml":
                    _check_ods_extent(zf, info, name)
            date1904 = False
            if "xl/workbook.xml" in zf.namelist():
                with zf.open("xl/workbook.xml") as part:
                    head = part.read(65536)
                date1904 = bool(re.search(rb"""date1904\s*=\s*["'](1|true)["']""", head))
            return date1904
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise InputError(f"the workbook is corrupt ({exc})", file=name, hint=hint) from None


_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
_ROOT = re.compile(rb"<[A-Za-z_:]")
_DECLARATION = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def _prolog_declaration(part: IO[bytes]) -> str | None:
    """What an XML part declares before its root element ("an XML entity declaration"), or None.

    Reads in chunks until the root element starts (comments skipped, NULs of
    UTF-16 text dropped), at most ``MAX_PROLOG`` bytes: a longer prolog is
    itself refused.
    """
    buffer = b""
    while True:
        chunk = part.read(65536)
        buffer += chunk.replace(b"\x00", b"")
        text = _COMMENT.sub(b"", buffer)
        root = _ROOT.search(text)
        prolog = text[: root.start()] if root else text
        if _DECLARATION.search(prolog):
            if re.search(rb"<!ENTITY", prolog, re.IGNORECASE):
                return "an XML entity declaration"
            return "an XML document type declaration"
        if root or not chunk:
            return None
        if len(buffer) > MAX_PROLOG:
            return "an XML prolog over 1 MB"


#: A non-empty cell's reference when ``r`` comes first, as every known writer puts it.
_WIDE_CELL = re.compile(rb'<c r="([A-Z]{2,3})[0-9]{1,7}"[^>/]*>')
#: Any cell's reference, wherever ``r`` stands among its attributes (slow; a fallback).
_ANY_CELL = re.compile(rb'<c\s[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"[^>]*?(/?)>')


def _chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A part's bytes in blocks of about 1 MB, each ending before a tag (bounded memory)."""
    tail = b""
    with zf.open(info) as part:
        while chunk := part.read(1 << 20):
            block = tail + chunk
            cut = block.rfind(b"<")
            block, tail = (block[:cut], block[cut:]) if cut > 0 else (block, b"")
            if len(tail) > 1 << 20:  # no tag in a megabyte: not cell data
                block, tail = block + tail, b""
            yield block
    yield tail


def _column_number(letters: bytes) -> int:
    column = 0
    for ch in letters:
        column = column * 26 + ch - 64
    return column


def _sheet_names(zf: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part ("xl/worksheets/sheet1.xml") -> the sheet's name, from workbook.xml and its rels."""
    try:
        with zf.open("xl/workbook.xml") as part:
            book = part.read(4 * 1024**2).decode("utf-8", "replace")
        with zf.open("xl/_rels/workbook.xml.rels") as part:
            rels = part.read(4 * 1024**2).decode("utf-8", "replace")
    except KeyError:
        return {}
    targets = {}
    for rel in re.findall(r"<Relationship\b[^>]*>", rels):
        rid, target = re.search(r'\bId="([^"]*)"', rel), re.search(r'\bTarget="([^"]*)"', rel)
        if rid and target:
            path = target[1].lstrip("/")
            targets[rid[1]] = path if path.startswith("xl/") else f"xl/{path}"
    out = {}
    for tag in re.findall(r"<(?:\w+:)?sheet\b[^>]*>", book):
        sheet, rid = re.search(r'\bname="([^"]*)"', tag), re.search(r'\b\w+:id="([^"]*)"', tag)
        if sheet and rid and rid[1] in targets:
            out[targets[rid[1]]] = html.unescape(sheet[1])
    return out


def _letters(column: int) -> str:
    """Spreadsheet letters of a 1-based column number (28 -> AB)."""
    out = ""
    while column:
        column, rem = divmod(column - 1, 26)
        out = chr(65 + rem) + out
    return out


#: An error cell (#REF!, #N/A...) and its text, which the reader gives as "".
_ERROR_CELL = re.compile(
    rb'<c r="([A-Z]{1,3})([0-9]{1,7})"[^>]*?\bt="e"[^>]*>(?:<f\b.*?</f>|<f\b[^>]*/>)?<v>([^<]*)</v>'
)


def _check_extent(
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    name: str,
    sheet: str | None,
    errors: dict[tuple[int, int], str] | None = None,
) -> int:
    """Refuse a worksheet whose non-empty cells reach beyond a grid of MAX_SHEET_CELLS from A1.

    Returns the grid's size (rows x columns from A1; 0 for an empty sheet).

    Two streamed passes keep it cheap: the widest column first (only cells
    past column Z match a pattern; A-Z are found by plain search), then only
    the rows deep enough to matter for that width. Cells whose ``r`` is not their first attribute are measured by a
    slower general pattern. The first pass also collects error cells into
    ``errors``: (0-based row, 0-based column) -> their text ("#REF!").
    """
    cols = 1
    for block in _chunks(zf, info):
        if errors is not None and b't="e"' in block:
            for letters, digits, text in _ERROR_CELL.findall(block):
                errors[(int(digits) - 1, _column_number(letters) - 1)] = html.unescape(text.decode("utf-8"))
        if block.count(b"<c ") != block.count(b'<c r="'):
            for letters, _, empty in _ANY_CELL.findall(block):
                if not empty:
                    cols = max(cols, _column_number(letters))
        else:
            for letters in set(_WIDE_CELL.findall(block)):
                cols = max(cols, _column_number(letters))
            for column in range(26, cols, -1):  # columns A-Z: the last letter present
                if b'<c r="%c' % (64 + column) in block:
                    cols = column
                    break
    deepest = MAX_SHEET_CELLS // cols + 1  # the first row number that breaks the limit
    deep = re.compile(rb'<c r="[A-Z]{1,3}([0-9]{%d,7})"[^>/]*>' % min(len(str(deepest)), 7))
    rows = 0
    for block in _chunks(zf, info):
        if block.count(b"<c ") != block.count(b'<c r="'):
            found = [int(digits) for _, digits, empty in _ANY_CELL.findall(block) if not empty]
        else:
            found = [int(digits) for digits in deep.findall(block)]
        rows = max(rows, max(found, default=0))
    if rows * cols > MAX_SHEET_CELLS:
        raise InputError(
            f"refused: the sheet has cells as far as {_letters(cols)}{rows}, "
            f"a grid of {rows * cols:,} cells (the limit is {MAX_SHEET_CELLS:,})",
            file=name,
            sheet=sheet or info.filename,
            hint="delete the stray cells far from the table (Ctrl+End finds them) and save again, or send it as CSV",
        )
    return rows * cols


_ODS_ROW = re.compile(rb"<table:table-row\b([^>]*?)(/?)>")
_ODS_ROW_END = b"</table:table-row>"
_ODS_CELL = re.compile(rb"<table:(?:covered-)?table-cell\b([^>]*?)/?>")
_ODS_ROWS_REPEATED = re.compile(rb'table:number-rows-repeated="([0-9]+)"')
_ODS_COLUMNS_REPEATED = re.compile(rb'table:number-columns-repeated="([0-9]+)"')


def _check_ods_extent(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> None:
    """Refuse an OpenDocument spreadsheet whose repeated cells holding a value span too large a grid.

    A row or cell "repeated" a million times is a few bytes of XML that a
    reader materialises cell by cell; empty repeats (how LibreOffice pads a
    sheet) do not count. The rows of every table are added up (an over-estimate
    for several sheets, on the safe side).
    """
    rows = width = 0  # rows so far (repeats included), widest row holding a value
    last = 0  # rows up to the last one holding a value
    buffer = b""
    for block in _chunks(zf, info):
        buffer += block
        while True:
            start = _ODS_ROW.search(buffer)
            if start is None:
                buffer = buffer[-4096:]
                break
            if start[2]:  # <table:table-row .../>: an empty row
                body, end = b"", start.end()
            else:
                close = buffer.find(_ODS_ROW_END, start.end())
                if close < 0:
                    buffer = buffer[start.start() :]
                    if len(buffer) > 64 * 1024**2:
                        raise InputError("refused: a spreadsheet row over 64 MB", file=name)
                    break
                body, end = buffer[start.end() : close], close + len(_ODS_ROW_END)
            repeat = _ODS_ROWS_REPEATED.search(start[1])
            times = int(repeat[1]) if repeat else 1
            column = filled = 0
            for cell in _ODS_CELL.finditer(body):
                found = _ODS_COLUMNS_REPEATED.search(cell[1])
                column += int(found[1]) if found else 1
                if b"value-type" in cell[1]:
                    filled = column
            rows += times
            if filled:
                width, last = max(width, filled), rows
            if last * width > MAX_SHEET_CELLS:
                raise InputError(
                    f"refused: repeated cells holding values span a grid of {last * width:,} cells "
                    f"(the limit is {MAX_SHEET_CELLS:,})",
                    file=name,
                    hint="delete the cells far from the table and save again, or send it as CSV",
                )
            buffer = buffer[end:]
