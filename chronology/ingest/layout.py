"""Find the chronology in a file: which sheet, which header row, which columns.

Column names are recognised by synonyms kept as data in ``schemas/columns.toml``.
A header is normalised (lower case, punctuation and runs of whitespace to one
space) and matched exactly against the synonyms first, then by the longest
synonym it contains as whole words. ``sheet``, ``header_row`` and
``[sources.columns]`` in case.toml always win over detection.

Example:
    >>> recognise_columns(["Date", "Contact type", "Details", "Notes"])
    ({'date': 0, 'event_type': 1, 'description': 2}, [3])
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from chronology.errors import InputError
from chronology.ingest.files import Book, Sheet, cell_text
from chronology.ingest.roles import choose_description
from chronology.vocabulary import SCHEMAS_DIR

#: How many rows from the top may hold the header.
HEADER_SEARCH_ROWS = 30
#: How many rows below a header are sampled to score a sheet.
SAMPLE_ROWS = 200
#: How many columns from the left are scanned for dates when no header names one.
MAX_DATE_SCAN_COLUMNS = 100
#: How many columns from the left can name a header field when looking for the header row.
MAX_HEADER_COLUMNS = 256
_PUNCT = re.compile(r"[^\w]+")


@lru_cache(maxsize=4)
def load_synonyms(path: Path = SCHEMAS_DIR / "columns.toml") -> dict[str, tuple[str, ...]]:
    """The column synonyms: canonical field -> normalised names, in file order.

    Example:
        >>> "date of contact" in load_synonyms()["date"]
        True
    """
    with path.open("rb") as fh:
        raw = tomllib.load(fh).get("fields", {})
    return {name: tuple(normalise_header(s) for s in f.get("synonyms", ())) for name, f in raw.items()}


@lru_cache(maxsize=4)
def load_fills(path: Path = SCHEMAS_DIR / "columns.toml") -> dict[str, str]:
    """Field -> the field its column also serves as when the file has no column of that one.

    Example:
        >>> load_fills()["entry_date"]
        'date'
    """
    with path.open("rb") as fh:
        raw = tomllib.load(fh).get("fields", {})
    return {name: f["fills"] for name, f in raw.items() if f.get("fills")}


def apply_fills(columns: dict[str, int], fills: Mapping[str, str] | None = None) -> dict[str, int]:
    """Let a column serve as a field the file has no column for, as ``fills`` in columns.toml says.

    Example:
        >>> apply_fills({"date": 0, "recorded_by": 3})
        {'date': 0, 'recorded_by': 3, 'practitioner': 3}
    """
    for name, target in (load_fills() if fills is None else fills).items():
        if name in columns and target not in columns:
            columns[target] = columns[name]
    return columns


def normalise_header(text: Any) -> str:
    """Lower case, punctuation and whitespace runs to one space, trimmed.

    Example:
        >>> normalise_header(" Date/Time:  ")
        'date time'
    """
    return _PUNCT.sub(" ", cell_text(text).lower().replace("_", " ")).strip()


def match_field(header: Any, synonyms: Mapping[str, Sequence[str]] | None = None) -> tuple[str | None, int]:
    """The field a header names and how strongly: 2 exact, 1 contained, 0 none.

    Example:
        >>> match_field("Date of strategy meeting")
        ('date', 1)
        >>> match_field("Action taken")
        ('action', 2)
    """
    default = load_synonyms()
    synonyms = synonyms if synonyms is not None else default
    norm = normalise_header(header)
    if not norm or len(norm) > 60:
        return None, 0
    if synonyms is default:
        return _match_default(norm)
    return _match_norm(norm, synonym_index(synonyms))


@lru_cache(maxsize=65536)
def _match_default(norm: str) -> tuple[str | None, int]:
    return _match_norm(norm, _default_index())


@lru_cache(maxsize=1)
def _default_index() -> dict[str, tuple[str, int]]:
    return synonym_index(load_synonyms())


def synonym_index(synonyms: Mapping[str, Sequence[str]]) -> dict[str, tuple[str, int]]:
    """Normalised synonym -> (field, the field's rank in file order); the first field listed wins.

    Example:
        >>> synonym_index({"date": ["date"], "time": ["time", "date"]})
        {'date': ('date', 0), 'time': ('time', 1)}
    """
    index: dict[str, tuple[str, int]] = {}
    for rank, (name, words) in enumerate(synonyms.items()):
        for word in words:
            index.setdefault(word, (name, rank))
    return index


def _match_norm(norm: str, index: Mapping[str, tuple[str, int]]) -> tuple[str | None, int]:
    """Exact synonym first; else the longest synonym found among the header's runs of words."""
    if norm in index:
        return index[norm][0], 2
    words = norm.split()
    best: tuple[int, int, str | None] = (0, 0, None)
    for i in range(len(words)):
        for j in range(i + 1, min(len(words), i + 6) + 1):
            hit = index.get(" ".join(words[i:j]))
            if hit is not None:
                phrase_len = sum(len(w) for w in words[i:j]) + j - i - 1
                if (phrase_len, -hit[1]) > best[:2]:
                    best = (phrase_len, -hit[1], hit[0])
    return (best[2], 1) if best[2] else (None, 0)


def recognise_columns(
    headers: Sequence[Any],
    synonyms: Mapping[str, Sequence[str]] | None = None,
    configured: Mapping[str, str] | None = None,
) -> tuple[dict[str, int], list[int]]:
    """Map canonical fields to column indices; returns (columns, extra text columns).

    Configured names win; then exact synonyms, then contained ones, each field
    taking the first column that names it. Further columns that name the
    description are returned as extra text columns, to be appended to it.

    Example:
        >>> recognise_columns(["When", "Summary"], configured={"date": "When"})
        ({'date': 0, 'description': 1}, [])
    """
    norms = [normalise_header(h) for h in headers]
    columns: dict[str, int] = {}
    for name, wanted in (configured or {}).items():
        target = normalise_header(wanted)
        if target in norms:
            columns[name] = norms.index(target)
    taken = set(columns.values())
    matches = [match_field(h, synonyms) for h in headers]
    extras: list[int] = []
    for strength in (2, 1):
        for i, (matched, s) in enumerate(matches):
            if s != strength or matched is None or i in taken:
                continue
            if matched not in columns:
                columns[matched] = i
                taken.add(i)
            elif matched == "description":
                extras.append(i)
                taken.add(i)
    return apply_fills(columns), sorted(extras)


def header_score(row: Sequence[Any], synonyms: Mapping[str, Sequence[str]] | None = None) -> int:
    """How much a row looks like a chronology header (0 without a date column).

    Example:
        >>> header_score(["Date", "Type", "Details"]) > header_score(["Police chronology - Child H"])
        True
    """
    fields: dict[str, int] = {}
    for cell in row[:MAX_HEADER_COLUMNS]:
        name, strength = match_field(cell, synonyms)
        if name:
            fields[name] = max(fields.get(name, 0), strength)
    dated = "date" in fields or any(fields.get(n) and t == "date" for n, t in load_fills().items())
    return sum(fields.values()) if dated else 0


@dataclass
class Layout:
    """Where the chronology sits in a sheet.

    Attributes:
        header_index: 0-based index of the header row in the sheet.
        headers: The header cells as text (ragged rows padded with "").
        columns: Canonical field -> 0-based column index.
        extra_text: Further description columns, appended to the description.
        score: How strongly the header was recognised (for choosing sheets).
        date_cells: Date-like cells in the date column among the first rows below.
        notes: One line for each column whose role its content decided.
    """

    header_index: int
    headers: list[str]
    columns: dict[str, int]
    extra_text: list[int] = field(default_factory=list)
    score: int = 0
    date_cells: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def header_row(self) -> int:
        """The header row as a spreadsheet program numbers it."""
        return self.header_index + 1

    def column_names(self) -> dict[str, str]:
        """Canonical field -> the file's header text."""
        return {name: self.headers[i] for name, i in self.columns.items()}


def find_header(
    rows: Sequence[Sequence[Any]],
    synonyms: Mapping[str, Sequence[str]] | None = None,
    configured: Mapping[str, str] | None = None,
) -> int | None:
    """0-based index of the header row among the first rows, or None.

    The row with the highest :func:`header_score` wins (the earliest on a tie);
    a row holding every configured column name wins outright. Failing both,
    the row above the first run of date-like cells.

    Example:
        >>> find_header([["Police IMR - Child H"], [], ["Date", "Event", "Details"]])
        2
    """
    top = rows[:HEADER_SEARCH_ROWS]
    if configured:
        wanted = {normalise_header(v) for v in configured.values()}
        for i, row in enumerate(top):
            if wanted <= {normalise_header(c) for c in row}:
                return i
    best, best_score = None, 0
    for i, row in enumerate(top):
        score = header_score(row, synonyms)
        if score > best_score:
            best, best_score = i, score
    if best is not None:
        return best
    found = _date_run(rows[: HEADER_SEARCH_ROWS + 3])
    return None if found is None else found[0]


def _date_run(rows: Sequence[Sequence[Any]]) -> tuple[int, int] | None:
    """(header index, column) above the first column with 2 date-like cells running down."""
    looks = _text_looks_like_date
    for i in range(1, len(rows) - 1):
        for j, cell in enumerate(rows[i][:MAX_DATE_SCAN_COLUMNS]):
            below = rows[i + 1]
            if j < len(below) and _datey(cell, looks) and _datey(below[j], looks):
                return i - 1, j
    return None


def _datey(cell: Any, looks_like_date: Callable[[object], bool]) -> bool:
    if isinstance(cell, str):
        return bool(cell.strip()) and looks_like_date(cell)
    return not isinstance(cell, bool) and cell is not None and cell != ""


def detect_layout(
    sheet: Sheet,
    *,
    file: str,
    header_row: int | None = None,
    configured: Mapping[str, str] | None = None,
    synonyms: Mapping[str, Sequence[str]] | None = None,
) -> Layout:
    """The header row and columns of one sheet.

    Raises:
        InputError: No header or no date column found, a configured column
            missing, or no rows below the header.

    Example:
        >>> detect_layout(Sheet("", True, [["Date", "Details"], ["01/02/2019", "Seen"]]), file="x.csv").columns
        {'date': 0, 'description': 1}
    """
    synonyms = synonyms if synonyms is not None else load_synonyms()
    sheet_name = sheet.name or None
    index: int | None
    if header_row is not None:
        index = header_row - 1
        if index >= sheet.height:
            raise InputError(
                f"header_row {header_row} is below the last row ({sheet.height})",
                file=file,
                sheet=sheet_name,
                hint="fix 'header_row' in case.toml",
            )
    else:
        index = find_header(sheet.head(HEADER_SEARCH_ROWS + 3), synonyms, configured)
    if index is None:
        seen = _first_cells(sheet.head(5))
        raise InputError(
            f"no date column found: no header row names a date in the first {HEADER_SEARCH_ROWS} rows "
            f"(first cells seen: {seen})",
            file=file,
            sheet=sheet_name,
            hint='set header_row and [sources.columns] date = "..." in case.toml',
        )
    top = sheet.head(index + 1 + SAMPLE_ROWS)
    headers = [cell_text(c).strip() for c in top[index]]
    columns, extras = recognise_columns(headers, synonyms, configured)
    columns, extras, notes = choose_description(headers, columns, extras, top[index + 1 :], configured)
    norms = [normalise_header(h) for h in headers]
    for name, wanted in (configured or {}).items():
        if normalise_header(wanted) not in norms:
            raise InputError(
                f"column '{wanted}' named in [sources.columns] {name} is not in the header; "
                f"columns seen: {_listing(headers)}",
                file=file,
                sheet=sheet_name,
                row=index + 1,
                column=wanted,
                hint="write the header exactly as the file has it",
            )
    if "date" not in columns and header_row is None:
        run = _date_run(top[index : index + 5])
        if run is not None and run[0] == 0:
            columns["date"] = run[1]
    if "date" not in columns:
        raise InputError(
            f"no date column found; columns seen: {_listing(headers)}",
            file=file,
            sheet=sheet_name,
            row=index + 1,
            hint='name it in case.toml: [sources.columns] date = "<the date column\'s header>"',
        )
    if not _filled_below(sheet, top, index):
        raise InputError(
            "no rows below the header",
            file=file,
            sheet=sheet_name,
            row=index + 1,
            hint="check that this is the agency's full chronology",
        )
    score = header_score(headers, synonyms)
    dates = _count_dates(top[index + 1 :], columns["date"])
    return Layout(index, headers, columns, extras, score, dates, notes)


def _non_empty(row: Sequence[Any]) -> bool:
    return any(cell_text(c).strip() for c in row)


def _filled_below(sheet: Sheet, top: Sequence[Sequence[Any]], index: int) -> bool:
    """True when any row below the header holds a non-blank cell."""
    if any(_non_empty(r) for r in top[index + 1 :]):
        return True
    if sheet.frame is not None:
        rest = sheet.frame.iloc[len(top) :]
        return any(bool((rest[c].str.strip() != "").any()) for c in rest.columns)
    return any(_non_empty(r) for r in sheet.rows[len(top) :])


def _count_dates(rows: Sequence[Sequence[Any]], col: int) -> int:
    return sum(1 for r in rows if col < len(r) and _datey(r[col], _text_looks_like_date))


@lru_cache(maxsize=1 << 16, typed=True)
def _text_looks_like_date(text: str) -> bool:
    """``looks_like_date`` of a text cell, remembered: the same dates recur across files and cases."""
    from chronology.ingest.dates import looks_like_date

    return looks_like_date(text)


def _listing(headers: Sequence[str]) -> str:
    shown = [f"'{h}'" for h in headers if h][:12]
    return ", ".join(shown) if shown else "(an empty row)"


def _first_cells(rows: Sequence[Sequence[Any]]) -> str:
    cells = [f"'{cell_text(c).strip()[:30]}'" for r in rows[:5] for c in r if cell_text(c).strip()]
    return ", ".join(cells[:8]) or "(none)"


def choose_sheet(
    book: Book,
    *,
    file: str,
    sheet: str | None = None,
    header_row: int | None = None,
    configured: Mapping[str, str] | None = None,
    synonyms: Mapping[str, Sequence[str]] | None = None,
) -> tuple[Sheet, Layout, list[str]]:
    """The sheet that holds the chronology, its layout, and warnings.

    A sheet named in case.toml wins. Otherwise every visible sheet is tried
    and the one whose header is best recognised and whose date column holds
    the most dates wins; hidden sheets are skipped with a warning (when only a
    hidden sheet holds a chronology, the error names it).

    Raises:
        InputError: A named sheet missing, or no sheet with a chronology.

    Example:
        >>> sheet, layout, _ = choose_sheet(open_book(Path("hv.xlsx")), file="hv.xlsx")  # doctest: +SKIP
        >>> sheet.name, layout.header_row  # doctest: +SKIP
        ('Chronology', 3)
    """
    detect = partial(
        detect_layout, file=file, header_row=header_row, configured=configured, synonyms=synonyms
    )
    if sheet is not None:
        for s in book.sheets:
            if s.name == sheet:
                return s, detect(s), []
        names = ", ".join(f"'{s.name}'" for s in book.sheets)
        raise InputError(
            f"no sheet named '{sheet}'; sheets: {names}", file=file, hint="fix 'sheet' in case.toml"
        )
    if len(book.sheets) == 1:
        s = book.sheets[0]
        return s, detect(s), []
    warnings = [f"{file}: hidden sheet '{s.name}' skipped" for s in book.sheets if not s.visible]
    found: list[tuple[tuple[bool, int, int, int], Sheet, Layout]] = []
    first_error: InputError | None = None
    for order, s in enumerate(book.sheets):
        if not s.visible:
            continue
        try:
            layout = detect(s)
        except InputError as exc:
            first_error = first_error or exc
            continue
        found.append(((layout.date_cells > 0, layout.date_cells, layout.score, -order), s, layout))
    if not found:
        hidden = [s.name for s in book.sheets if not s.visible and _holds_chronology(s, detect)]
        if hidden:
            raise InputError(
                f"no visible sheet holds a chronology; the hidden sheet '{hidden[0]}' does",
                file=file,
                hint=f'if it is the agency\'s chronology, name it in case.toml: sheet = "{hidden[0]}"',
            )
        if first_error is not None:
            raise first_error
        raise InputError(
            "no visible sheet holds a chronology",
            file=file,
            hint='name the sheet in case.toml: sheet = "..."',
        )
    found.sort(key=lambda f: f[0], reverse=True)
    _, best, layout = found[0]
    skipped = [s.name for _, s, _ in found[1:]]
    if skipped:
        warnings.append(
            f"{file}: read sheet '{best.name}'; also a table in {', '.join(map(repr, skipped))}, not read"
        )
    return best, layout, warnings


def _holds_chronology(sheet: Sheet, detect: Callable[[Sheet], Layout]) -> bool:
    try:
        detect(sheet)
    except InputError:
        return False
    return True
