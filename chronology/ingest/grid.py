"""The grids of cells every reader produces: a Book of Sheets, and cells as verbatim text.

Whatever the container (CSV, workbook, Word document), a reader gives a
:class:`Book` whose :class:`Sheet` rows are numbered as the user's program
numbers them, so that ``source_row`` cites a row the user can find.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

#: Days from the 1900 system's epoch to the 1904 system's.
DAYS_1904 = 1462


@dataclass
class Sheet:
    """One grid of cells: a worksheet, the whole of a CSV, or a Word document's chronology table.

    Attributes:
        name: The worksheet's name ("" for CSV and for a document's one chronology
            table; "table 2" where a document holds several).
        visible: False for a hidden or very hidden worksheet.
        rows: The cells; ``rows[i]`` is the row a spreadsheet program numbers
            ``i + 1`` (a Word table's rows as a reader counts them, from the
            table's first row). CSV and Word cells are ``str``; workbook cells are the values
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
        kind: What the content really is: csv, xlsx, xls, ods or docx.
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
