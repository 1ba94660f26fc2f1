"""Read a CSV (or any delimited text) into one Sheet of verbatim text cells.

Choices:
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
    >>> sniff_delimiter("Date;Details\\n01/02/2019;Seen, well\\n")
    ';'
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter

import numpy as np
import pandas as pd

from chronology.errors import InputError
from chronology.ingest.grid import Sheet
from chronology.ingest.readers.registry import Contents, Probe, Reader, ReadOptions, register

DELIMITERS = (",", ";", "\t", "|")
#: csv's per-cell limit (128 KB by default) raised: a cell may hold a whole report.
FIELD_LIMIT = 2**31 - 1


@register
class DelimitedText(Reader):
    """CSV, TSV or any delimited text: whatever no other reader recognises."""

    NAME = "csv"
    DESCRIPTION = "delimited text (CSV, TSV, TXT)"
    SUFFIXES = (".csv", ".txt", ".tsv")
    PRIORITY = 1000  # the fallback: tried last

    def recognises(self, probe: Probe) -> bool:
        """Any bytes (a binary file is refused when decoding)."""
        return True

    def read(self, data: bytes, name: str, options: ReadOptions) -> Contents:
        """One unnamed sheet of text cells (``Sheet.frame``)."""
        text, enc, warnings = decode_text(data, name, options.encoding)
        sep = options.delimiter or sniff_delimiter(text)
        try:
            frame = csv_frame(text, sep)
        except InputError as exc:
            raise InputError(exc.message, file=name, row=exc.row, column=exc.column, hint=exc.hint) from None
        return Contents("csv", [Sheet("", True, [], frame=frame)], warnings, enc, sep)


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


def _letters(column: int) -> str:
    """Spreadsheet letters of a 1-based column number (28 -> AB)."""
    out = ""
    while column:
        column, rem = divmod(column - 1, 26)
        out = chr(65 + rem) + out
    return out
