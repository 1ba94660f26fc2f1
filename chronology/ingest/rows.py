"""Turn a sheet's rows below the header into event records, losing nothing.

Every non-empty row below the header becomes exactly one record; a row whose
cells are all empty (or only whitespace) is not a record. In order of
precedence, a row is:

* ``event`` when its date parses (reason: the parser's note, or "date from
  merged cell" when its date cell is inside a vertically merged range), unless
  it holds a date and nothing else (rejected, "a date and nothing else");
* ``rejected`` "repeated header" when it repeats the header (page-break
  exports), or "footer line" ("End of chronology", "Page 3 of 4", "Signed ...");
* ``rejected`` with the parser's error and the column when its date fails;
* ``rejected`` "no date" when it has a type but no date;
* ``continuation`` when it has text but no date and no type: its text is
  appended to the description of the nearest entry above, named in the
  reason. When that entry is itself rejected, the row is rejected too ("carries
  on row N, which is rejected"), and with no entry above it is rejected ("text
  with no date and no entry above").

A date cell holding only a dash or ditto mark, or a sentence (text pasted across
the row), counts as no date; its text joins the entry's. A day its month lacks
is an event dated by the month, and a date out of sequence far after the rest
of its file, or after the file was saved, an event dated by its neighbours
(``chronology.ingest.periods``); a row with no date that declares a period of
no contact is dated by the period it states. The named fields of
``chronology.schema.NAMED_FIELDS`` are their own columns' text; every other
filled cell no field reads is in ``other_fields``.

``raw`` keeps every cell of the row as text, verbatim, under unique headers.
In a workbook using the 1904 date system, a plain number in the date column
counts days from 1904 (``Sheet.date1904``).
``source_row`` is the row a spreadsheet program shows; for CSV it counts
records, the header being one, so a quoted cell spanning lines is one row.

Example:
    >>> frame = sheet_records(sheet, layout, context)  # doctest: +SKIP
    >>> frame.status.value_counts()  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from chronology.ingest import roles
from chronology.ingest.cells import (
    WIDE,
    _coded,
    _large,
    _repeated,
    _stamp_array,
    _str_array,
    _str_values,
    _stripped,
    marks_only,
    prose_cells,
    prose_first,
    raw_json,
    text_frame,
)
from chronology.ingest.files import DAYS_1904, Sheet
from chronology.ingest.layout import Layout, normalise_header
from chronology.schema import EVENT_COLUMNS, NAMED_FIELDS

FOOTER = re.compile(
    r"^\W*(end of (the )?(chronology|report|record|document|entries|table|file)"
    r"|\*+\s*end|end\W*$|total (entries|rows|records|contacts|events)\b|(entries|records|rows) total\b"
    r"|page \d+( of \d+)?\b|signed\s*(by\b|on\b|:|\W*$)|signature\s*(:|\W*$)|chronology (completed|prepared|compiled) by"
    r"|(completed|prepared|compiled|printed|produced|generated|exported) (by|on)\b|printed\b"
    r"|(report )?(run|printed|generated) (date|on)\b|date printed\b|confidential\W*$|-+ ?end)",
    re.IGNORECASE,
)
#: Fields whose columns carry the date, not the entry.
DATE_FIELDS = roles.DATE_FIELDS


@dataclass
class RowContext:
    """What a sheet's records need from outside it.

    Attributes:
        file: The source path as written in case.toml.
        agency: The source's agency label.
        sheet: The sheet name ("" for CSV).
        sha256: Hash of the file's bytes.
        timezone: The case's timezone.
        typed: True for workbooks (cells are typed values, not text).
        written: The day the file says it was last saved (workbooks and Word documents), if it does.
    """

    file: str
    agency: str
    sheet: str
    sha256: str
    timezone: str
    typed: bool = False
    warnings: list[str] = field(default_factory=list)
    written: date | None = None


def unique_headers(headers: Sequence[str], width: int) -> list[str]:
    """Headers made unique for ``raw``: empty ones named by letter, repeats numbered.

    Example:
        >>> unique_headers(["Date", "", "Date"], 4)
        ['Date', 'Column B', 'Date (2)', 'Column D']
    """
    out: list[str] = []
    seen: set[str] = set()
    for j in range(width):
        name = headers[j].strip() if j < len(headers) else ""
        name = name or f"Column {column_letter(j)}"
        base, n = name, 1
        while name in seen:
            n += 1
            name = f"{base} ({n})"
        seen.add(name)
        out.append(name)
    return out


def column_letter(index: int) -> str:
    """Spreadsheet column letters of a 0-based index.

    Example:
        >>> column_letter(0), column_letter(27)
        ('A', 'AB')
    """
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def record_ids(sha256: str, sheet: str, source_rows: Sequence[int]) -> list[str]:
    """Stable record ids: sha256 of file hash, sheet and row, 16 hex digits.

    Example:
        >>> record_ids("ab", "", [2])[0] == hashlib.sha256("ab\\x1f\\x1f2".encode()).hexdigest()[:16]
        True
    """
    prefix = hashlib.sha256(f"{sha256}\x1f{sheet}\x1f".encode())
    out = []
    for r in source_rows:
        h = prefix.copy()
        h.update(str(r).encode())
        out.append(h.hexdigest()[:16])
    return out


def _filled(texts: pd.DataFrame, cols: Sequence[int]) -> np.ndarray:
    """Per row: True where any of the columns holds non-blank text."""
    mask = np.zeros(len(texts), dtype=bool)
    cols = list(cols)
    if len(cols) > WIDE:
        for i, row in enumerate(texts.iloc[:, cols].to_numpy(dtype=object).tolist()):
            mask[i] = any(c.strip() for c in row)
        return mask
    for j in cols:
        trimmed = pc.utf8_trim_whitespace(_large(texts[j]))
        mask |= pc.not_equal(trimmed, "").to_numpy(zero_copy_only=False)
    return mask


def _filled_cells(texts: pd.DataFrame, width: int) -> np.ndarray:
    """Per row and column (0..width-1): True where the cell holds non-blank text, as ``_filled`` reads it."""
    out = np.zeros((len(texts), width), dtype=bool)
    for j in range(width):
        trimmed = pc.utf8_trim_whitespace(_large(texts[j]))
        out[:, j] = pc.not_equal(trimmed, "").to_numpy(zero_copy_only=False)
    return out


def _joined_text(
    texts: pd.DataFrame, main: int | None, extras: Sequence[int], headers: Sequence[str]
) -> pd.Series:
    """The description: the main column, then each extra as "Header: text" on its own line."""
    desc = texts[main].str.strip() if main is not None else pd.Series("", index=texts.index, dtype="str")
    for j in extras:
        cell = texts[j].str.strip()
        has = cell != ""
        sep = pd.Series(np.where(desc != "", "\n", ""), index=texts.index, dtype="str")
        desc = desc.where(~has, desc + sep + f"{headers[j]}: " + cell)
    return desc


@dataclass
class Marks:
    """Per-row facts the statuses are decided from (numpy arrays, one per kept row)."""

    source_row: np.ndarray
    date_filled: np.ndarray
    ok: np.ndarray
    error: np.ndarray
    note: np.ndarray
    has_type: np.ndarray
    has_other: np.ndarray


def sheet_records(sheet: Sheet, layout: Layout, ctx: RowContext) -> pd.DataFrame:
    """Every non-empty row below the header as a record (no event_type, handoffs yet).

    Returns a frame with the columns of ``EVENT_COLUMNS``; ``event_type``,
    ``from_agency``, ``to_agency`` and ``cluster_id`` are "" until
    :func:`classify_records` fills them.

    Example:
        >>> sheet_records(sheet, layout, RowContext("gp.csv", "GP", "", sha, "Europe/London"))  # doctest: +SKIP
    """
    from chronology.ingest.dates import month_first_evidence
    from chronology.ingest.dates_column import parse_date_arrays
    from chronology.ingest.periods import (
        declared_periods,
        extend_to_end,
        fill_from_entry_date,
        review_dates,
    )

    below = sheet.rows[layout.header_index + 1 :]
    candidates = None  # for workbooks: positions of rows not wholly empty (the rest are never records)
    if sheet.frame is not None:
        width = max(len(layout.headers), sheet.frame.shape[1])
        texts = sheet.frame.iloc[layout.header_index + 1 :].reset_index(drop=True)
        if not texts.columns.equals(pd.RangeIndex(width)):
            texts = texts.reindex(columns=range(width), fill_value="")
    else:
        width = max(len(layout.headers), max(map(len, below), default=0))
        candidates = np.array(
            [i for i, r in enumerate(below) if any(r) or r.count("") + r.count(None) != len(r)],
            dtype=np.int64,
        )
        texts = text_frame([below[i] for i in candidates], width, ctx.typed)
    if width > WIDE:  # one block of objects: per-row work on thousands of text columns stays fast
        texts = pd.DataFrame(
            texts.to_numpy(dtype=object), index=texts.index, columns=texts.columns, dtype=object
        )
    # which cells hold text, per column, once (narrow sheets; wide ones are read row by row)
    filled = _filled_cells(texts, width) if width <= WIDE else None
    keep = filled.any(axis=1) if filled is not None else _filled(texts, range(width))
    positions = np.flatnonzero(keep)
    if candidates is not None:
        positions = candidates[positions]
    if not keep.all():
        texts = texts[keep].reset_index(drop=True)
        if filled is not None:
            filled = filled[keep]
    headers = unique_headers(layout.headers, width)
    cols = layout.columns
    dates = _values(below, positions, texts, cols["date"], ctx.typed)
    if sheet.date1904:  # a plain number counts days from 1904 (date cells are converted already)
        dates = [_from_1904(v) for v in dates]
    times = _values(below, positions, texts, cols["time"], ctx.typed) if "time" in cols else None
    parsed = parse_date_arrays(dates, times, timezone=ctx.timezone)
    if "entry_date" in cols and cols["entry_date"] != cols["date"]:
        entries = _values(below, positions, texts, cols["entry_date"], ctx.typed)
        fill_from_entry_date(parsed, parse_date_arrays(entries, times, timezone=ctx.timezone))
    if "end_date" in cols and cols["end_date"] != cols["date"]:
        ends = _values(below, positions, texts, cols["end_date"], ctx.typed)
        extend_to_end(parsed, parse_date_arrays(ends, None, timezone=ctx.timezone))
    ctx.warnings += review_dates(
        parsed, ctx.file, headers[cols["date"]], (positions + layout.header_index + 2).tolist(), ctx.written
    )
    if len(texts):
        evidence = month_first_evidence(list(texts[cols["date"]].unique()))
        if evidence:
            ctx.warnings.append(
                f"{ctx.file}: column '{headers[cols['date']]}' looks month-first ({evidence}); "
                "those rows are rejected, not guessed"
            )
    date_cols = [cols[f] for f in DATE_FIELDS if f in cols]
    content = [j for j in range(width) if j not in date_cols]
    declared_periods(texts, content, parsed, ctx.timezone)
    error = _as_text(parsed["error"], "")
    date_filled = _filled(texts, [cols["date"]]) if filled is None else filled[:, cols["date"]].copy()
    if date_filled.any():  # a dash or ditto mark in the date cell is no date: the row may carry on the entry
        marked = marks_only(texts[cols["date"]]) & date_filled
        date_filled &= ~marked
        error[marked] = ""
    prose = prose_cells(
        texts[cols["date"]], error
    )  # a sentence in the date column: the text runs across the row
    date_filled &= ~prose
    error[prose] = ""
    marks = Marks(
        source_row=positions + layout.header_index + 2,
        date_filled=date_filled,
        ok=~parsed["start"].isna() & (error == ""),
        error=error,
        note=_as_text(parsed["note"], ""),
        has_type=(
            np.zeros(len(texts), bool)
            if "event_type" not in cols
            else _filled(texts, [cols["event_type"]])
            if filled is None
            else filled[:, cols["event_type"]]
        ),
        has_other=(_filled(texts, content) if filled is None else np.any(filled[:, content], axis=1)) | prose,
    )
    extras = layout.extra_text if "description" in cols else [j for j in content if j not in cols.values()]
    desc = _joined_text(texts, cols.get("description"), extras, headers)
    if prose.any():
        desc = prose_first(texts[cols["date"]], desc, prose)
    read = {*cols.values(), *extras}
    others = _joined_text(texts, None, [j for j in range(width) if j not in read], headers)
    # Arrays, not Series: setting cells through a Series costs more than the whole column.
    start, end = parsed["start"].copy(), parsed["end"].copy()
    precision = _as_text(parsed["date_precision"], None)
    status, reason, target = _statuses(sheet, layout, texts, marks, start, end, precision)
    desc = _join_continuations(texts, desc, status, target, content)
    not_event = status != "event"
    start[not_event] = pd.NaT
    end[not_event] = pd.NaT
    precision[not_event] = None
    return _frame(ctx, texts, headers, cols, marks, status, reason, start, end, precision, desc, others)


def _as_text(values: np.ndarray, missing: str | None) -> np.ndarray:
    """An object array of texts as the "str" dtype gives them back, missing ones as ``missing`` (a copy)."""
    kinds = set(map(type, values.tolist()))
    if kinds <= {str} or (missing is None and kinds <= {str, type(None)}):
        return values.copy()
    return np.asarray(pd.array(values, dtype="str").to_numpy(dtype=object, na_value=missing), dtype=object)


def _values(
    below: Sequence[Sequence[Any]], positions: np.ndarray, texts: pd.DataFrame, col: int, typed: bool
) -> Sequence[Any]:
    """A column's cells for the date parser: typed values from workbooks, text from CSV."""
    if not typed:
        return texts[col]
    return [below[p][col] if col < len(below[p]) else "" for p in positions]


def _from_1904(value: Any) -> Any:
    """A serial number of the 1904 date system as one of the 1900 system, which the parser reads."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value + DAYS_1904
    return value


def _statuses(
    sheet: Sheet,
    layout: Layout,
    texts: pd.DataFrame,
    m: Marks,
    start: Any,
    end: Any,
    precision: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row's status, reason and (for continuations) the position it continues."""
    n = len(texts)
    target = np.full(n, -1, dtype=np.int64)
    status = np.full(n, "", dtype=object)
    reason = np.full(n, "", dtype=object)
    entry = np.zeros(n, dtype=bool)
    event = m.ok & m.has_other
    status[event], reason[event], entry[event] = "event", m.note[event], True
    date_only = m.ok & ~m.has_other
    status[date_only], reason[date_only], entry[date_only] = "rejected", "a date and nothing else", True
    inherited = _merged_dates(sheet, layout, m, start, end, precision)
    status[inherited], reason[inherited], entry[inherited] = "event", "date from merged cell", True
    header_norm = [normalise_header(h) for h in layout.headers]
    date_header = layout.headers[layout.columns["date"]]
    candidate = np.zeros(n, dtype=bool)
    end_line = np.zeros(n, dtype=bool)
    undecided = np.flatnonzero(status == "")
    rows = texts.iloc[undecided].to_numpy(dtype=object).tolist() if undecided.size else []
    for i, row in zip(undecided, rows, strict=True):
        joined = " ".join(c.strip() for c in row if c.strip())
        if _repeats_header(row, header_norm):
            status[i], reason[i] = "rejected", "repeated header"
        elif len(joined) <= 100 and FOOTER.match(joined):
            status[i], reason[i] = "rejected", "footer line"
            end_line[i] = "end" in joined.lower()
        elif m.date_filled[i] or m.error[i]:
            status[i], entry[i] = "rejected", True
            reason[i] = f"{m.error[i] or 'no date'} (column '{date_header}')"
        elif m.has_type[i] or not m.has_other[i]:
            status[i], reason[i], entry[i] = "rejected", "no date", True
        else:
            candidate[i] = True
    idx = np.arange(n)
    above = np.maximum.accumulate(np.where(entry, idx, -1)) if n else idx
    last_end = np.maximum.accumulate(np.where(end_line, idx, -1)) if n else idx
    for i in np.flatnonzero(candidate):
        to = above[i]
        status[i] = "rejected"
        if last_end[i] > to:
            reason[i] = f"below the closing line at row {m.source_row[last_end[i]]}"
        elif to < 0:
            reason[i] = "text with no date and no entry above"
        elif status[to] == "event":
            status[i], reason[i], target[i] = (
                "continuation",
                f"continues the entry at row {m.source_row[to]}",
                to,
            )
        else:
            reason[i] = f"carries on row {m.source_row[to]}, which is rejected"
    return status, reason, target


def _repeats_header(row: Sequence[str], header_norm: Sequence[str]) -> bool:
    """True when a row repeats the header (most of its cells equal the header's)."""
    filled = [normalise_header(c) for c in row]
    present = [c for c in filled if c]
    same = sum(1 for j, h in enumerate(header_norm) if h and j < len(filled) and filled[j] == h)
    wanted = min(2, sum(1 for h in header_norm if h))
    return same >= wanted > 0 and same * 2 >= len(present)


def _merged_dates(
    sheet: Sheet, layout: Layout, m: Marks, start: Any, end: Any, precision: np.ndarray
) -> np.ndarray:
    """Rows whose empty date cell sits in a vertical merged range: take the range's date."""
    inherited = np.zeros(len(m.ok), dtype=bool)
    col = layout.columns["date"]
    where = pd.Index(m.source_row)
    for r0, c0, r1, c1 in sheet.merged:
        if not (c0 <= col <= c1 and r1 > r0):
            continue
        top = where.get_indexer([r0 + 1])[0]
        if top < 0 or not m.ok[top]:
            continue
        rows = where.get_indexer(np.arange(r0 + 2, r1 + 2))
        for i in rows[rows >= 0]:
            if not m.date_filled[i] and m.has_other[i]:
                inherited[i] = True
                start[i], end[i], precision[i] = start[top], end[top], precision[top]
    return inherited


def _join_continuations(
    texts: pd.DataFrame,
    desc: pd.Series,
    status: np.ndarray,
    target: np.ndarray,
    content: Sequence[int],
) -> pd.Series:
    """Append each continuation's text (newline) to the description of its entry."""
    conts = np.flatnonzero(status == "continuation")
    if not len(conts):
        return desc
    cells = texts.iloc[conts, list(content)].to_numpy(dtype=object).tolist()
    pieces = [
        desc.iat[i] or " ".join(c.strip() for c in row if c.strip())
        for i, row in zip(conts, cells, strict=True)
    ]
    joined = pd.Series(pieces, dtype="str").groupby(target[conts], sort=False).agg("\n".join)
    # One assignment at the end: setting cells one by one copies an Arrow column each time.
    values = desc.to_numpy(dtype=object, na_value="").copy()
    for entry, text in joined.items():
        values[entry] = f"{values[entry]}\n{text}" if values[entry] else text
    return pd.Series(values, index=desc.index, dtype=desc.dtype)


def _frame(
    ctx: RowContext,
    texts: pd.DataFrame,
    headers: Sequence[str],
    cols: dict[str, int],
    m: Marks,
    status: np.ndarray,
    reason: np.ndarray,
    start: Any,
    end: Any,
    precision: np.ndarray,
    desc: pd.Series,
    others: pd.Series,
) -> pd.DataFrame:
    """Assemble the records in EVENT_COLUMNS order with the schema's dtypes."""
    tz = ctx.timezone
    n = len(texts)

    def text_of(name: str) -> Any:
        return _stripped(texts[cols[name]]) if name in cols else _repeated("", n)

    # Arrays, not Series: the frame is built without aligning indexes. Each column gets its own
    # array (the frame does not copy them, and a column set in place must not change another).
    data: dict[str, Any] = {
        "record_id": _str_values(record_ids(ctx.sha256, ctx.sheet, m.source_row.tolist())),
        "subject_ref": text_of("subject_ref"),
        "agency": _repeated(ctx.agency, n),
        "source_file": _repeated(ctx.file, n),
        "source_sheet": _repeated(ctx.sheet, n),
        "source_row": m.source_row.astype(np.int64),
        "status": _coded(status),
        "reason": _coded(reason),
        "start": _stamp_array(start, tz),
        "end": _stamp_array(end, tz),
        "date_precision": _coded(precision),
        "event_type": _repeated("", n),
        "type_label": text_of("event_type"),
        "description": _str_array(desc),
        "outcome": text_of("outcome"),
        "practitioner": text_of("practitioner"),
        **{name: text_of(name) for name in NAMED_FIELDS if name != "other_fields"},
        "other_fields": _str_array(others),
        "from_agency": _repeated("", n),
        "to_agency": _repeated("", n),
        "cluster_id": _repeated("", n),
        "raw": _str_array(raw_json(texts, headers)),
    }
    return pd.DataFrame({name: data[name] for name in EVENT_COLUMNS}, index=pd.RangeIndex(n), copy=False)
