"""Open an agency file (CSV, XLSX, XLSM, XLS, ODS, DOCX, DOCM) into grids of cells.

What a file really is comes from its first bytes, not its name: each reader of
:mod:`chronology.ingest.readers` is registered with the signature it
recognises, and the first that recognises the bytes reads them. A workbook
named ``.csv`` is read as a workbook and a CSV named ``.xlsx`` as a CSV, each
with a warning. Zipped files (workbooks, Word documents) pass the
hostile-archive guards of :mod:`chronology.ingest.guards` before any library
parses them; a password-protected file is decrypted in memory with a password
given at run time (:mod:`chronology.ingest.readers.encrypted`).

This module is the one entry point (:func:`open_book`); the grids it returns
(:class:`Sheet`, :class:`Book`) live in :mod:`chronology.ingest.grid`, and the
names below stay importable from here.

Example:
    >>> book = open_book(Path("police.csv"))  # doctest: +SKIP
    >>> book.sheets[0].rows[0]  # doctest: +SKIP
    ['Date', 'Type', 'Details']
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

from chronology.errors import InputError
from chronology.ingest.grid import DAYS_1904, Book, Sheet, cell_text
from chronology.ingest.guards import (
    MAX_BOOK_CELLS,
    MAX_PROLOG,
    MAX_RATIO,
    MAX_SHEET_CELLS,
    MAX_UNCOMPRESSED,
    RATIO_FLOOR,
    check_zip,
)
from chronology.ingest.readers import ReadOptions, read_contents, suffix_kinds
from chronology.ingest.readers.text import csv_frame, decode_text, parse_csv, sniff_delimiter
from chronology.ingest.readers.workbook import read_workbook

__all__ = [
    "DAYS_1904",
    "MAX_BOOK_CELLS",
    "MAX_PROLOG",
    "MAX_RATIO",
    "MAX_SHEET_CELLS",
    "MAX_UNCOMPRESSED",
    "RATIO_FLOOR",
    "SUFFIX_KIND",
    "Book",
    "Sheet",
    "cell_text",
    "check_zip",
    "csv_frame",
    "decode_text",
    "open_book",
    "parse_csv",
    "read_workbook",
    "sniff_delimiter",
]

#: File name suffix -> the kind of content usually saved under it (from the registered readers).
SUFFIX_KIND = suffix_kinds()
#: Kinds one another's names do not warn about (a .xls that is really .xlsx reads the same).
_WORKBOOKS = ("xlsx", "ods", "xls")


def open_book(
    path: Path,
    *,
    label: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    columns: Mapping[str, str] | None = None,
) -> Book:
    """Open a CSV, workbook or Word document into a Book of grids.

    Args:
        path: The file.
        label: How to name the file in messages (the path in case.toml).
        encoding: CSV encoding, overriding detection.
        delimiter: CSV delimiter, overriding sniffing.
        columns: ``[sources.columns]``, which helps find the chronology among a
            Word document's tables.

    Raises:
        InputError: Missing, empty, encrypted without its password, corrupt or hostile file.

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
    contents = read_contents(data, name, ReadOptions(encoding, delimiter, columns))
    kind = contents.kind
    expected = SUFFIX_KIND.get(path.suffix.lower(), "csv")
    warnings: list[str] = []
    if kind != expected and not (kind in _WORKBOOKS and expected in _WORKBOOKS):
        warnings.append(
            f"{name}: named {path.suffix or 'without extension'} but is really {kind.upper()}; read as {kind.upper()}"
        )
    return Book(
        path, kind, sha, contents.sheets, warnings + contents.warnings, contents.encoding, contents.delimiter
    )
