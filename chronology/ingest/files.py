"""Open an agency file (CSV, XLSX, XLSM, XLS, ODS) into grids of cells.

What a file really is comes from its first bytes, not its name: a workbook
named ``.csv`` is read as a workbook and a CSV named ``.xlsx`` as a CSV, each
with a warning. Before any reader touches a zipped workbook its declared sizes
are checked (zip bombs), its XML parts' prologs are checked for document type
and entity declarations (billion laughs, external entities), and each
worksheet's extent is measured from its cell references, so that a stray cell
in the far corner (XFD1048576) is refused instead of a reader allocating a grid
of 17 billion cells and aborting the process; an encrypted workbook is refused
with a hint. A workbook using the 1904 date system is flagged (``Sheet.date1904``)
so that plain serial numbers in its date column are read from 1904. Error cells
of an .xlsx (#REF!, #N/A), which the reader gives as empty, get their text back.

CSV choices:
    * Encoding: ``encoding`` from case.toml; else a UTF-8 BOM means
      ``utf-8-sig``, a UTF-16 BOM ``utf-16``; else strict UTF-8; else
      Windows-1252 (``latin-1`` for the five bytes cp1252 leaves undefined);
      a file with both UTF-8 lines and lines that are not is decoded line by
      line, with a warning naming the first line that is not UTF-8.
    * NUL bytes are stripped, with a warning naming the first row that held
      one (exports from old case systems pad fields with them).
    * Delimiter: ``delimiter`` from case.toml; else the one of ``, ; TAB |``
      that splits the first lines into the most consistent number of fields.
    * Rows are CSV records: a quoted cell spanning lines is one row, so a
      row's number counts records, not lines. A blank line is a (blank) row.
    * A quote opened and never closed would swallow the rest of the file into
      one cell: the file is refused, naming the row and column where it opens.

Example:
    >>> book = open_book(Path("police.csv"))  # doctest: +SKIP
    >>> book.sheets[0].rows[0]  # doctest: +SKIP
    ['Date', 'Type', 'Details']
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import re
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from chronology.errors import InputError

#: Refuse zipped workbooks that declare more than this, uncompressed.
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
#: Days from the 1900 system's epoch to the 1904 system's.
DAYS_1904 = 1462

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
DELIMITERS = (",", ";", "\t", "|")
#: csv's per-cell limit (128 KB by default) raised: a cell may hold a whole report.
FIELD_LIMIT = 2**31 - 1
BINARY_MAGIC = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
    b"7z\xbc\xaf": "a 7-zip archive",
    b"Rar!": "a RAR archive",
    b"{\\rtf": "an RTF document",
}
SUFFIX_KIND = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx"}
SUFFIX_KIND |= {".xls": "xls", ".ods": "ods", ".xlsb": "xlsx"}


@dataclass
class Sheet:
    """One grid of cells: a worksheet, or the whole of a CSV.

    Attributes:
        name: The worksheet's name ("" for CSV).
        visible: False for a hidden or very hidden worksheet.
        rows: The cells; ``rows[i]`` is the row a spreadsheet program numbers
            ``i + 1``. CSV cells are ``str``; workbook cells are the values
            calamine gives (str, float, int, bool, datetime, date, time,
            timedelta), with "" for an empty cell. Rows may be ragged.
        merged: Merged ranges as 0-based inclusive
            ``(first_row, first_col, last_row, last_col)``.
        frame: For CSV, the cells as a frame of text (columns 0..n-1, every
            row padded to the widest), instead of ``rows``.
        date1904: The workbook uses the 1904 date system: a plain number in a
            date column counts days from 1904-01-01 (date cells are converted
            by the reader already).
    """

    name: str
    visible: bool
    rows: list[list[Any]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    frame: pd.DataFrame | None = None
    date1904: bool = False
    _head: list[list[Any]] = field(default_factory=list, repr=False)

    @property
    def height(self) -> int:
        """How many rows the sheet has (down to the last non-empty one)."""
        return len(self.rows) if self.frame is None else len(self.frame)

    def head(self, n: int) -> list[list[Any]]:
        """The first n rows as lists of cells.

        Example:
            >>> Sheet("", True, [["Date"], ["01/02/2019"]]).head(1)
            [['Date']]
        """
        if self.frame is None:
            return self.rows[:n]
        if len(self._head) < n and len(self._head) < len(self.frame):
            self._head = self.frame.iloc[: max(n, 256)].to_numpy(dtype=object).tolist()
        return self._head[:n]


@dataclass
class Book:
    """An opened file: its kind, hash and sheets.

    Attributes:
        path: The file read.
        kind: What the content really is: csv, xlsx, xls or ods.
        sha256: Hash of the file's bytes.
        sheets: Every sheet in workbook order (one, unnamed, for CSV).
        warnings: One-line messages about the reading.
        encoding: The CSV encoding used ("" for workbooks).
        delimiter: The CSV delimiter used ("" for workbooks).
    """

    path: Path
    kind: str
    sha256: str
    sheets: list[Sheet]
    warnings: list[str] = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ""


def cell_text(value: Any) -> str:
    """A cell as verbatim text, the way ``raw`` keeps it.

    Strings as they are; datetime, date and time as ISO 8601; whole floats
    without ".0"; other floats by repr; booleans TRUE/FALSE; None as "".

    Example:
        >>> [cell_text(v) for v in (43500.0, 1.5, True, datetime(2019, 3, 4, 14, 30))]
        ['43500', '1.5', 'TRUE', '2019-03-04T14:30:00']
    """
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def open_book(
    path: Path, *, label: str | None = None, encoding: str | None = None, delimiter: str | None = None
) -> Book:
    """Open a CSV or workbook into a Book of grids.

    Args:
        path: The file.
        label: How to name the file in messages (the path in case.toml).
        encoding: CSV encoding, overriding detection.
        delimiter: CSV delimiter, overriding sniffing.

    Raises:
        InputError: Missing, empty, encrypted, corrupt or hostile file.

    Example:
        >>> open_book(Path("gp.csv")).sheets[0].rows[:1]  # doctest: +SKIP
        [['Date', 'Entry']]
    """
    name = label or str(path)
    try:
        if path.exists() and not path.is_dir() and not path.is_file():  # a pipe or device would block
            raise InputError("not a regular file (a pipe or device)", file=name, hint="copy the file itself")
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", file=name, hint="check 'path' in case.toml") from None
    except IsADirectoryError:
        raise InputError("is a folder, not a file", file=name) from None
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror})", file=name) from None
    if not data.strip():
        raise InputError("the file is empty", file=name, hint="ask the agency for its chronology again")
    sha = hashlib.sha256(data).hexdigest()
    expected = SUFFIX_KIND.get(path.suffix.lower(), "csv")
    kind = _content_kind(data, name)
    warnings: list[str] = []
    if kind != expected and not (kind in ("xlsx", "ods", "xls") and expected in ("xlsx", "ods", "xls")):
        warnings.append(
            f"{name}: named {path.suffix or 'without extension'} but is really {kind.upper()}; read as {kind.upper()}"
        )
    if kind == "csv":
        text, enc, enc_warnings = decode_text(data, name, encoding)
        sep = delimiter or sniff_delimiter(text)
        try:
            frame = csv_frame(text, sep)
        except InputError as exc:
            raise InputError(exc.message, file=name, row=exc.row, column=exc.column, hint=exc.hint) from None
        return Book(path, "csv", sha, [Sheet("", True, [], frame=frame)], warnings + enc_warnings, enc, sep)
    date1904 = False
    errors: dict[str, dict[tuple[int, int], str]] = {}
    if kind in ("xlsx", "ods"):
        date1904 = check_zip(data, name, errors)
    sheets = read_workbook(data, name)
    for sheet in sheets:
        sheet.date1904 = date1904
        _put_errors(sheet, errors.get(sheet.name, {}))
    return Book(path, kind, sha, sheets, warnings)


def _put_errors(sheet: Sheet, errors: dict[tuple[int, int], str]) -> None:
    """Write error cells' text ("#REF!") where the reader left "" (kept verbatim, never a lost row)."""
    for (row, col), text in errors.items():
        while len(sheet.rows) <= row:
            sheet.rows.append([])
        cells = sheet.rows[row]
        if len(cells) <= col:
            cells.extend([""] * (col + 1 - len(cells)))
        if cells[col] in ("", None):
            cells[col] = text


def _content_kind(data: bytes, name: str) -> str:
    head = data[:8]
    if head.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
                if "mimetype" in names and b"opendocument.spreadsheet" in zf.read("mimetype")[:200]:
                    return "ods"
        except (zipfile.BadZipFile, OSError, ValueError):
            raise InputError(
                "the workbook is corrupt (a damaged zip archive)",
                file=name,
                hint="open it in Excel and save it again",
            ) from None
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
        raise InputError(
            "a zip archive that holds no spreadsheet", file=name, hint="send the chronology as .xlsx or .csv"
        )
    if head.startswith(OLE2_MAGIC):
        if ENCRYPTED_STREAM in data:
            raise InputError(
                "the workbook is password-protected",
                file=name,
                hint="ask the agency for a copy without a password, or open it and save it unprotected",
            )
        return "xls"
    for magic, what in BINARY_MAGIC.items():
        if data.startswith(magic):
            raise InputError(
                f"not a chronology table: the file is {what}",
                file=name,
                hint="send the chronology as .xlsx or .csv",
            )
    return "csv"


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
            infos = zf.infolist()
            total = sum(i.file_size for i in infos)
            packed = sum(i.compress_size for i in infos) or 1
            if total > MAX_UNCOMPRESSED:
                raise InputError(
                    f"refused: the workbook declares {total / 1024**3:.1f} GB uncompressed",
                    file=name,
                    hint=hint,
                )
            if total > RATIO_FLOOR and total / packed > MAX_RATIO:
                raise InputError(
                    f"refused: the workbook inflates {total // packed}:1 (a zip bomb?)", file=name, hint=hint
                )
            for info in infos:
                if info.filename.endswith((".xml", ".rels", ".vml")):
                    with zf.open(info) as part:
                        declared = _prolog_declaration(part)
                        if not declared and not info.filename.startswith("xl/worksheets/"):
                            while part.read(1 << 20):  # inflated in blocks to the declared size,
                                pass  # then checked against its CRC: a size understated is refused
                    if declared:
                        raise InputError(f"refused: {declared} in {info.filename}", file=name, hint=hint)
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


def read_workbook(data: bytes, name: str) -> list[Sheet]:
    """Every sheet of a workbook through python-calamine.

    Cells come from A1 (``skip_empty_area=False``), so indices are positions
    in the sheet. Formulas give their cached value; a formula saved without
    one (as openpyxl writes them) reads as "".

    Example:
        >>> [s.name for s in read_workbook(Path("police.xlsx").read_bytes(), "police.xlsx")]  # doctest: +SKIP
        ['Notes', 'Chronology']
    """
    from python_calamine import CalamineWorkbook, PasswordError

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        for meta in wb.sheets_metadata:
            if str(meta.typ).split(".")[-1] not in ("WorkSheet", "1"):
                continue
            ws = wb.get_sheet_by_name(meta.name)
            rows = ws.to_python(skip_empty_area=False)
            merged = [(a[0], a[1], b[0], b[1]) for a, b in (ws.merged_cell_ranges or [])]
            visible = str(meta.visible).split(".")[-1] == "Visible"
            sheets.append(Sheet(meta.name, visible, rows, merged))
    except PasswordError:
        raise InputError(
            "the workbook is password-protected",
            file=name,
            hint="ask the agency for a copy without a password",
        ) from None
    except Exception as exc:  # calamine raises several error types for damaged files
        reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise InputError(
            f"the workbook cannot be read ({reason})",
            file=name,
            hint="open it in Excel and save it again, or send it as CSV",
        ) from None
    if not sheets:
        raise InputError("the workbook has no worksheets", file=name)
    return sheets


def decode_text(data: bytes, name: str, encoding: str | None = None) -> tuple[str, str, list[str]]:
    """Decode a CSV's bytes; returns (text, encoding used, warnings).

    Example:
        >>> decode_text("Date,Détails\\n".encode("cp1252"), "x.csv")[1]
        'cp1252'
    """
    warnings: list[str] = []
    if encoding:
        try:
            text = data.decode(encoding)
        except (LookupError, UnicodeDecodeError) as exc:
            raise InputError(
                f"cannot decode as {encoding} ({exc})",
                file=name,
                hint="fix or remove 'encoding' in case.toml",
            ) from None
        return _strip_nul(text, name, warnings), encoding, warnings
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        enc = "utf-16"
    elif data.startswith(b"\xef\xbb\xbf"):
        enc = "utf-8-sig"
    else:
        enc = "utf-8"
    if enc == "utf-8" and _looks_binary(data):
        raise InputError(
            "not a text table: the file holds binary data",
            file=name,
            hint="send the chronology as .xlsx or .csv",
        )
    try:
        text = data.decode(enc)
    except UnicodeDecodeError:
        if enc != "utf-8":
            raise InputError(f"the file starts as {enc} but does not decode", file=name) from None
        mixed = _mixed_lines(data)
        if mixed is not None:
            text, first, count = mixed
            enc = "utf-8+cp1252"
            warnings.append(
                f"{name}: mixed encodings: {count} line(s) are not UTF-8 (the first is line {first}) "
                "and were read as Windows-1252, the rest as UTF-8; check their accented characters"
            )
            return _strip_nul(text, name, warnings), enc, warnings
        enc = "cp1252"
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            enc = "latin-1"
            text = data.decode(enc)
    return _strip_nul(text, name, warnings), enc, warnings


_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")


def _legacy(line: bytes) -> str:
    try:
        return line.decode("cp1252")
    except UnicodeDecodeError:
        return line.decode("latin-1")


def _mixed_lines(data: bytes) -> tuple[str, int, int] | None:
    """A file that is not UTF-8 as a whole but has UTF-8 lines (two exports pasted together).

    Returns (text decoded line by line, the first line that is not UTF-8, how
    many are not), or None when no line holds UTF-8 beyond ASCII (the whole file
    is then one legacy encoding).
    """
    lines = data.split(b"\n")
    utf8_lines, bad = 0, []
    decoded = []
    for number, line in enumerate(lines, start=1):
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            bad.append(number)
            decoded.append(_legacy(line))
            continue
        utf8_lines += bool(_UTF8_MULTIBYTE.search(line))
        decoded.append(text)
    if not utf8_lines:
        return None
    return "\n".join(decoded), bad[0], len(bad)


def _looks_binary(data: bytes) -> bool:
    """True when the first 64 KB hold many control bytes (not tab/CR/LF/NUL-padding)."""
    head = data[:65536]
    controls = sum(head.count(bytes([b])) for b in range(32) if b not in (9, 10, 13, 0))
    nuls = head.count(0)
    return controls > len(head) * 0.02 or nuls > len(head) * 0.3


def _strip_nul(text: str, name: str, warnings: list[str]) -> str:
    if "\x00" not in text:
        return text
    first = text[: text.index("\x00")].count("\n") + 1
    count = text.count("\x00")
    warnings.append(f"{name}: removed {count} NUL byte(s), the first on line {first}")
    return text.replace("\x00", "")


def sniff_delimiter(text: str, lines: int = 60) -> str:
    """The delimiter of , ; TAB | that splits the first lines most consistently.

    Example:
        >>> sniff_delimiter("Date;Details\\n01/02/2019;Seen, well\\n")
        ';'
    """
    head = head_text(text, lines)
    best, best_score = ",", (0, 0)
    for sep in DELIMITERS:
        lengths = [len(r) for r in head_records(head, sep) if len(r) > 1]
        if not lengths:
            continue
        width, freq = Counter(lengths).most_common(1)[0]
        score = (freq, width)
        if score > best_score:
            best, best_score = sep, score
    return best


def csv_frame(text: str, delimiter: str) -> pd.DataFrame:
    """CSV text as a frame of verbatim text cells, one row per record.

    Uses pandas' C parser, as wide as the widest of the first records; a file
    whose later rows are wider falls back to :func:`parse_csv`. Blank lines
    are kept as rows of "", so row positions are record numbers.

    Example:
        >>> csv_frame("Title\\nDate,Details\\n01/02/2019,Seen\\n", ",").to_numpy().tolist()
        [['Title', ''], ['Date', 'Details'], ['01/02/2019', 'Seen']]
    """
    head = head_records(head_text(text, 200), delimiter)
    width = max((len(r) for r in head), default=1) or 1
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            header=None,
            names=range(width),
            dtype=str,
            na_filter=False,
            keep_default_na=False,
            skip_blank_lines=False,
            sep=delimiter,
            quotechar='"',
            engine="c",
        )
    except (pd.errors.ParserError, ValueError):
        rows = parse_csv(text, delimiter)
        width = max((len(r) for r in rows), default=1) or 1
        padded = [r if len(r) == width else [*r, *[""] * (width - len(r))] for r in rows]
        frame = pd.DataFrame(padded, columns=range(width), dtype="str")
    frame = _trim_blank_tail(frame)
    if text.count('"') % 2:
        _check_unclosed_quote(frame, delimiter)
    return frame


def _check_unclosed_quote(frame: pd.DataFrame, delimiter: str) -> None:
    """Refuse a CSV whose last row holds a cell that swallowed further records (a quote never closed)."""
    if not len(frame):
        return
    for j, cell in enumerate(frame.iloc[-1].tolist()):
        cell = str(cell)
        first, _, rest = cell.partition("\n")
        if rest.strip() and (delimiter in rest or "\n" in rest.strip()):
            lines = cell.count("\n") + 1
            raise InputError(
                f"a quote opened in this cell is never closed, so the {lines} lines from here to the end "
                "of the file would be read as one cell",
                row=len(frame),
                column=_letters(j + 1),
                hint='close the quote (or double it: "") and save again',
            )


def _trim_blank_tail(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop the trailing rows that are wholly empty (a final newline, padding, ",,,," to row 1048576).

    Example:
        >>> len(_trim_blank_tail(pd.DataFrame({0: ["a", "", " "], 1: ["", "", ""]})))
        1
    """
    if not len(frame):
        return frame
    tail = frame.iloc[-1].tolist()
    if any(str(v).strip() for v in tail):
        return frame
    filled = np.zeros(len(frame), dtype=bool)
    for column in frame.columns:
        filled |= (frame[column].astype("str").str.strip() != "").to_numpy(dtype=bool)
    rows = np.flatnonzero(filled)
    last = int(rows[-1]) + 1 if len(rows) else 0
    return frame.iloc[:last]


def head_text(text: str, lines: int, limit: int = 500_000) -> str:
    """The first lines of a text, at most ``limit`` characters.

    Example:
        >>> head_text("a\\nb\\nc\\n", 2)
        'a\\nb\\n'
    """
    end = -1
    for _ in range(lines):
        end = text.find("\n", end + 1, limit)
        if end < 0:
            return text[:limit]
    return text[: end + 1]


def head_records(head: str, delimiter: str) -> list[list[str]]:
    """The records of the start of a CSV; a record cut off mid-quote ends the list.

    Example:
        >>> head_records('a,b\\n1,"x', ",")
        [['a', 'b'], ['1', 'x']]
    """
    csv.field_size_limit(FIELD_LIMIT)
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(head, newline=""), delimiter=delimiter, strict=False)
    while True:
        try:
            rows.append(next(reader))
        except (StopIteration, csv.Error):
            return rows


def parse_csv(text: str, delimiter: str) -> list[list[str]]:
    """Split CSV text into rows of verbatim strings (quoted newlines kept).

    Example:
        >>> parse_csv('Date,Details\\n01/02/2019,"two\\nlines"\\n', ",")
        [['Date', 'Details'], ['01/02/2019', 'two\\nlines']]
    """
    csv.field_size_limit(FIELD_LIMIT)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    try:
        return list(reader)
    except csv.Error as exc:
        raise InputError(
            f"cannot split the CSV ({exc})", row=reader.line_num, hint="set 'delimiter' in case.toml"
        ) from None
