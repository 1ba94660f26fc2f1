"""Open an agency file (CSV, XLSX, XLSM, XLS, ODS) into grids of cells.

What a file really is comes from its first bytes, not its name: a workbook
named ``.csv`` is read as a workbook and a CSV named ``.xlsx`` as a CSV, each
with a warning. Before any reader touches a zipped workbook its declared sizes
are checked (zip bombs) and its XML parts are checked for entity declarations
(billion laughs); an encrypted workbook is refused with a hint.

CSV choices:
    * Encoding: ``encoding`` from case.toml; else a UTF-8 BOM means
      ``utf-8-sig``, a UTF-16 BOM ``utf-16``; else strict UTF-8; else
      Windows-1252 (``latin-1`` for the five bytes cp1252 leaves undefined).
    * NUL bytes are stripped, with a warning naming the first row that held
      one (exports from old case systems pad fields with them).
    * Delimiter: ``delimiter`` from case.toml; else the one of ``, ; TAB |``
      that splits the first lines into the most consistent number of fields.
    * Rows are CSV records: a quoted cell spanning lines is one row, so a
      row's number counts records, not lines. A blank line is a (blank) row.

Example:
    >>> book = open_book(Path("police.csv"))  # doctest: +SKIP
    >>> book.sheets[0].rows[0]  # doctest: +SKIP
    ['Date', 'Type', 'Details']
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from chronology.errors import InputError

#: Refuse zipped workbooks that declare more than this, uncompressed.
MAX_UNCOMPRESSED = 2 * 1024**3
#: Refuse when the declared sizes are this many times the compressed ones...
MAX_RATIO = 200
#: ...and the declared total is over this.
RATIO_FLOOR = 100 * 1024**2

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
    """

    name: str
    visible: bool
    rows: list[list[Any]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    frame: pd.DataFrame | None = None
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
            raise InputError(exc.message, file=name, row=exc.row, hint=exc.hint) from None
        return Book(path, "csv", sha, [Sheet("", True, [], frame=frame)], warnings + enc_warnings, enc, sep)
    if kind in ("xlsx", "ods"):
        check_zip(data, name)
    sheets = read_workbook(data, name)
    return Book(path, kind, sha, sheets, warnings)


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


def check_zip(data: bytes, name: str) -> None:
    """Refuse a zipped workbook whose declared sizes or XML look hostile.

    Reads only the zip's directory and the first bytes of each XML part, so a
    zip bomb is refused before anything is inflated.

    Raises:
        InputError: Too large uncompressed, an absurd compression ratio, or
            an XML entity declaration.

    Example:
        >>> check_zip(Path("police.xlsx").read_bytes(), "police.xlsx")  # doctest: +SKIP
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
                        head = part.read(4096)
                    if b"<!ENTITY" in head.upper():
                        raise InputError(
                            f"refused: XML entity declaration in {info.filename}", file=name, hint=hint
                        )
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise InputError(f"the workbook is corrupt ({exc})", file=name, hint=hint) from None


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
        enc = "cp1252"
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            enc = "latin-1"
            text = data.decode(enc)
    return _strip_nul(text, name, warnings), enc, warnings


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
    return _trim_blank_tail(frame)


def _trim_blank_tail(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop the trailing rows that are wholly empty (a final newline, padding)."""
    last = len(frame)
    while last and not any(str(v).strip() for v in frame.iloc[last - 1]):
        last -= 1
    return frame.iloc[:last] if last < len(frame) else frame


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
