"""Cells safe to open in a spreadsheet program: no formula runs from the data.

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

from typing import Final

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
