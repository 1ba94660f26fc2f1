"""A chronology over several sheets of one workbook (one a year, one a team), read as one source.

``sheet = ["2019", "2020"]`` in case.toml names them; without it, the sheet ``layout.choose_sheet``
picks is read with every other visible sheet whose header is the same (the same cells, compared as
``normalise_header`` writes them), in workbook order. Each sheet's rows keep their own ``source_sheet``
and row numbers, so citations and record ids stay those of the sheet the row is on.

Example:
    >>> chosen, warnings = choose_sheets(open_book(Path("csc.xlsx")), file="csc.xlsx")  # doctest: +SKIP
    >>> [sheet.name for sheet, _ in chosen]  # doctest: +SKIP
    ['2019', '2020', '2021']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from chronology.errors import InputError
from chronology.ingest.files import Book, Sheet
from chronology.ingest.layout import Layout, choose_sheet, detect_layout, normalise_header


def _header_key(layout: Layout) -> tuple[str, ...]:
    return tuple(h for h in (normalise_header(c) for c in layout.headers) if h)


def choose_sheets(
    book: Book,
    *,
    file: str,
    sheet: str | Sequence[str] | None = None,
    header_row: int | None = None,
    configured: Mapping[str, str] | None = None,
) -> tuple[list[tuple[Sheet, Layout]], list[str]]:
    """The sheets that hold the chronology, each with its layout, and warnings.

    Raises:
        InputError: A named sheet missing, or no sheet with a chronology.
    """

    def pick(name: str | None) -> tuple[Sheet, Layout, list[str]]:
        return choose_sheet(book, file=file, sheet=name, header_row=header_row, configured=configured)

    if isinstance(sheet, str) or len(book.sheets) == 1:
        first, layout, warnings = pick(sheet if isinstance(sheet, str) else None)
        return [(first, layout)], warnings
    if sheet:
        return [pick(name)[:2] for name in sheet], []
    best, layout, warnings = pick(None)
    key = _header_key(layout)
    chosen = []
    for s in book.sheets:
        if s is best:
            chosen.append((best, layout))
            continue
        if not s.visible:
            continue
        try:
            other = detect_layout(s, file=file, header_row=header_row, configured=configured)
        except InputError:
            continue
        if _header_key(other) == key:
            chosen.append((s, other))
    if len(chosen) > 1:
        names = ", ".join(f"'{s.name}'" for s, _ in chosen)
        read = {s.name for s, _ in chosen}
        warnings = [w for w in warnings if "also a table in" not in w]
        rest = [s.name for s in book.sheets if s.visible and s.name not in read]
        warnings.append(
            f"{file}: read sheets {names} as one chronology (the same header)"
            + (f"; {', '.join(map(repr, rest))} not read" if rest else "")
        )
    return chosen, warnings
