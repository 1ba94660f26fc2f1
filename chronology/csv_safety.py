"""CSV safe to open in a spreadsheet program: no formula runs from the data.

A CSV cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is read by Excel or LibreOffice as a formula, so an entry such as
``=HYPERLINK("http://x", "click")`` copied from an agency's case system could
run when a panel member opens the file (OWASP, "CSV Injection"). Following
OWASP's rule, such a cell gets a leading single quote, which the spreadsheet
shows as text.

The rule is applied to every cell, so ``-`` also catches negative numbers and
entries such as ``- seen at home``: they come out as ``'-5`` and
``'- seen at home``. That is intended here: every cell of the toolkit's CSV is
text, never a number to calculate with. The full-width forms ``＝ ＋ － ＠``
are neutralised as well, because some spreadsheet programs fold them to the
ASCII characters.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any, Final

import numpy as np
import pandas as pd

from chronology.schema import FINDING_COLUMNS

#: First characters that make a spreadsheet program read a cell as a formula.
FORMULA_TRIGGERS: Final = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise_cell(text: str) -> str:
    """Return the cell text with a leading ``'`` if it could start a formula.

    Args:
        text: The cell's text as it will be written to the CSV.

    Returns:
        The text unchanged, or prefixed with a single quote when it starts
        with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (or a
        full-width ``＝ ＋ － ＠``).

    Example:
        >>> neutralise_cell('=HYPERLINK("http://example.org")')
        '\\'=HYPERLINK("http://example.org")'
        >>> neutralise_cell("-5")
        "'-5"
        >>> neutralise_cell("Home visit")
        'Home visit'
    """
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def _csv_text(value: Any) -> str:
    """One finding's cell as text: lists joined with "; ", dates ISO, nothing as ""."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if hasattr(value, "tolist") and not isinstance(value, pd.Timestamp):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return "; ".join(_csv_text(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if pd.isna(value):
        return ""
    if isinstance(value, (pd.Timestamp, datetime)):
        ts = pd.Timestamp(value)
        return f"{ts:%Y-%m-%d}" if ts == ts.normalize() else f"{ts:%Y-%m-%d %H:%M}"
    return str(value)


def findings_csv(findings: pd.DataFrame) -> str:
    """findings.csv as text, safe to open in Excel.

    Columns are FINDING_COLUMNS in order; lists are joined with "; ", dates
    written as ``YYYY-MM-DD`` (with ``HH:MM`` when they have a time), and
    every cell passed through ``neutralise_cell``.

    Example:
        >>> import pandas as pd
        >>> text = findings_csv(pd.DataFrame([{"finding_id": "F1", "title": "=1+1"}]))
        >>> text.splitlines()[1].split(",")[:7]
        ['F1', '', '', '', '', "'=1+1", '']
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(FINDING_COLUMNS)
    columns = [_column_text(findings[c]) if c in findings else [""] * len(findings) for c in FINDING_COLUMNS]
    writer.writerows(zip(*columns, strict=True))
    return buffer.getvalue()


def _column_text(values: pd.Series) -> list[str]:
    """One column's cells as ``_csv_text`` writes them, neutralised; a whole column at a time."""
    if isinstance(values.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(values.dtype):
        wall = values.dt.tz_localize(None) if isinstance(values.dtype, pd.DatetimeTZDtype) else values
        minutes = np.datetime_as_string(wall.to_numpy().astype("datetime64[m]"), unit="m")
        at_midnight = (values == values.dt.normalize()).to_numpy()
        missing = values.isna().to_numpy()
        return [
            "" if gone else (m[:10] if whole else m.replace("T", " "))
            for m, whole, gone in zip(minutes.tolist(), at_midnight.tolist(), missing.tolist(), strict=True)
        ]
    if pd.api.types.is_string_dtype(values.dtype) and values.dtype != object:
        return [neutralise_cell(v) for v in values.fillna("").tolist()]
    return [neutralise_cell(_csv_text(v)) for v in values.astype(object).tolist()]
