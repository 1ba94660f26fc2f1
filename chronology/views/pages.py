"""The workbook's printed pages: A4 landscape, readable type, marking and page numbers.

Excel's "fit to one page wide" shrinks a wide chronology to about 55 % (6 pt
type). Instead every sheet's columns are narrowed, the widest first (their
text wraps), until the sheet fits the page's width at ``MIN_SCALE`` or more,
and that scale is set. Each page's header names the case and the period the
chronologies cover, with the protective marking (``[case] marking``) in the
centre; the footer repeats the marking and says "Page n of m". The header row
repeats on every page.

Example:
    >>> print_scale([10, 60])
    100
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from openpyxl.utils import get_column_letter

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

#: The smallest print scale, in per cent (11 pt type prints at 8.8 pt and more).
MIN_SCALE: Final = 80
#: The scale columns are narrowed to fit at; the sheet is printed ``SLACK`` per cent below it, as
#: programs measure a character's width a little differently (LibreOffice's Carlito, Excel's Calibri).
TARGET_SCALE: Final = 86
SLACK: Final = 4
#: Columns this wide or narrower (dates, times) keep their width; none is made narrower.
KEEP_WIDTH: Final = 11
#: A4 landscape less margins of 0.4 inch each side, in pixels at 96 dpi.
MARGIN_INCHES: Final = 0.4
PRINTABLE_PX: Final = round((297 / 25.4 - 2 * MARGIN_INCHES) * 96)


def column_px(width: float) -> int:
    """A column width in characters as pixels at 96 dpi (Calibri 11: 7 px a digit, 5 px padding).

    Example:
        >>> column_px(10)
        75
    """
    return round(width * 7 + 5)


def print_scale(widths: Sequence[float], printable: int = PRINTABLE_PX) -> int:
    """The largest whole print scale (at most 100 %) at which columns of these widths fit the page.

    Example:
        >>> print_scale([100, 100])
        74
    """
    total = sum(column_px(w) for w in widths) or 1
    return max(10, min(100, int(printable * 100 / total)))


def fit_widths(
    widths: Sequence[float], scale: int = TARGET_SCALE, printable: int = PRINTABLE_PX
) -> list[float]:
    """Widths narrowed in proportion, none below ``KEEP_WIDTH``, to print at ``scale`` per cent or more.

    Columns of ``KEEP_WIDTH`` characters or fewer (dates, times) keep their
    width; the others share the narrowing in proportion to their width, so a
    description stays the widest column.

    Example:
        >>> fit_widths([10, 80, 40], scale=100, printable=700)
        [10, 58.0, 29.0]
    """
    out = list(widths)
    for _ in range(20):
        if print_scale(out, printable) >= scale:
            break
        fixed = sum(column_px(w) for w in out if w <= KEEP_WIDTH)
        wide = sum(w for w in out if w > KEEP_WIDTH)
        if not wide:
            break
        budget = printable * 100 / scale - fixed - 5 * sum(w > KEEP_WIDTH for w in out)
        factor = max(budget / 7 / wide, 0.1)
        out = [w if w <= KEEP_WIDTH else max(KEEP_WIDTH, float(int(w * factor))) for w in out]
    return out


def _header_text(text: str) -> str:
    """Text for an Excel header or footer: ``&`` is a code there, written ``&&``."""
    return text.replace("&", "&&")


def set_up_pages(ws: Worksheet, title: str, marking: str) -> None:
    """One sheet's page set-up: fitted columns, explicit scale, header and footer, header row repeated."""
    letters = [get_column_letter(c) for c in range(1, ws.max_column + 1)]
    widths = [ws.column_dimensions[c].width or 13 for c in letters]
    for letter, width in zip(letters, fit_widths(widths), strict=True):
        ws.column_dimensions[letter].width = width
    ws.sheet_properties.pageSetUpPr.fitToPage = False
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    fitted = print_scale([ws.column_dimensions[c].width for c in letters])
    ws.page_setup.scale = min(100, max(MIN_SCALE, fitted - SLACK))
    ws.page_margins.left = ws.page_margins.right = MARGIN_INCHES
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.page_margins.header = ws.page_margins.footer = 0.25
    ws.print_title_rows = "1:1"
    ws.print_options.gridLines = True
    for header in (ws.oddHeader, ws.evenHeader, ws.firstHeader):
        header.left.text = _header_text(title)
        header.left.size = 9
        header.center.text = _header_text(marking)
        header.center.font = "Calibri,Bold"
        header.right.text = _header_text(ws.title)
        header.right.size = 9
    for footer in (ws.oddFooter, ws.evenFooter, ws.firstFooter):
        footer.center.text = _header_text(marking)
        footer.center.font = "Calibri,Bold"
        footer.right.text = "Page &P of &N"
        footer.right.size = 9


def set_up_workbook(wb: Workbook, title: str, marking: str) -> None:
    """``set_up_pages`` for every sheet: ``title`` is "Child H review, 01/01/2019 to 17/12/2020"."""
    for ws in wb.worksheets:
        set_up_pages(ws, title, marking)
