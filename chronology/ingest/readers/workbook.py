"""Read workbooks (XLSX, XLSM, XLS, ODS) through python-calamine, after the archive guards.

A zipped workbook passes :func:`chronology.ingest.guards.check_zip` before
calamine touches it. A workbook using the 1904 date system is flagged
(``Sheet.date1904``) so that plain serial numbers in its date column are read
from 1904. Error cells of an .xlsx (#REF!, #N/A), which calamine gives as
empty, get their text back.

Example:
    >>> [s.name for s in read_workbook(Path("police.xlsx").read_bytes(), "police.xlsx")]  # doctest: +SKIP
    ['Notes', 'Chronology']
"""

from __future__ import annotations

import io

from chronology.errors import InputError
from chronology.ingest import guards
from chronology.ingest.grid import Sheet
from chronology.ingest.readers.registry import Contents, Probe, Reader, ReadOptions, register


def _read(data: bytes, name: str, kind: str) -> Contents:
    """Guards (zipped kinds), then every sheet, with error cells and the 1904 flag."""
    date1904 = False
    errors: dict[str, dict[tuple[int, int], str]] = {}
    if kind in ("xlsx", "ods"):
        date1904 = guards.check_zip(data, name, errors)
    sheets = read_workbook(data, name)
    for sheet in sheets:
        sheet.date1904 = date1904
        _put_errors(sheet, errors.get(sheet.name, {}))
    return Contents(kind, sheets)


@register
class Xlsx(Reader):
    """Office Open XML workbooks: a zip archive with an ``xl/`` folder."""

    NAME = "xlsx"
    DESCRIPTION = "Excel workbook (.xlsx, .xlsm, .xlsb)"
    SUFFIXES = (".xlsx", ".xlsm", ".xlsb")
    PRIORITY = 20

    def recognises(self, probe: Probe) -> bool:
        """A zip archive holding ``xl/`` parts."""
        return probe.is_zip and any(n.startswith("xl/") for n in probe.zip_names)

    def read(self, data: bytes, name: str, options: ReadOptions) -> Contents:
        """Every worksheet."""
        return _read(data, name, self.NAME)


@register
class Ods(Reader):
    """OpenDocument spreadsheets: a zip archive whose ``mimetype`` says so."""

    NAME = "ods"
    DESCRIPTION = "OpenDocument spreadsheet (.ods)"
    SUFFIXES = (".ods",)
    PRIORITY = 21

    def recognises(self, probe: Probe) -> bool:
        """A zip archive whose mimetype part names an OpenDocument spreadsheet."""
        return probe.is_zip and b"opendocument.spreadsheet" in probe.zip_part_head("mimetype")

    def read(self, data: bytes, name: str, options: ReadOptions) -> Contents:
        """Every sheet."""
        return _read(data, name, self.NAME)


@register
class Xls(Reader):
    """Legacy Excel workbooks: an OLE2 compound file that is not encrypted and not a Word document."""

    NAME = "xls"
    DESCRIPTION = "Excel 97-2003 workbook (.xls)"
    SUFFIXES = (".xls",)
    PRIORITY = 40

    def recognises(self, probe: Probe) -> bool:
        """An OLE2 file (the encrypted and Word readers are asked first)."""
        return probe.is_ole2

    def read(self, data: bytes, name: str, options: ReadOptions) -> Contents:
        """Every worksheet."""
        return _read(data, name, self.NAME)


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
            "the workbook is password-protected in the old Excel 97-2003 way, which is not decrypted",
            file=name,
            hint="open it in Excel with its password and save it as .xlsx (a password-protected .xlsx is "
            "read with the password in CHRONOLOGY_PASSWORD), or ask the agency for a copy without one",
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
