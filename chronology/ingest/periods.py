"""Date cells that name a period, and dates that their own file makes implausible.

Two dates or a range in one cell ("03/05/2021 & 10/05/2021", "03/05/2021 - 10/05/2021", "from 3 May
2021 to 10 May 2021") are read as one period from the earlier to the later, with a note that says so; its
precision is the narrowest that covers it (``precision_of_width``). A cell is tried as two dates only when
it does not read as one.

A date far after every other date of its column (a typo year: 2029 in a file of 2019-2020 entries) is
``implausible``: the row keeps its place, dated by the entries either side of it in the file, and the
reason gives the date as written and its likely reading; it is never placed in the future silently.

Example:
    >>> from chronology.ingest.dates import parse_date_cell
    >>> parsed = parse_date_cell("03/05/2021 & 10/05/2021")
    >>> parsed.start.date().isoformat(), parsed.end.date().isoformat(), parsed.precision
    ('2021-05-03', '2021-05-10', 'month')
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from chronology.ingest import dates as _dates

_SEPARATOR = re.compile(r"\s*(?:&|\+|\band\b|\bto\b|\buntil\b|\btill\b|;|,|\s-\s|-(?=\s*[0-9]{1,2}[/.]))\s*")
_OPEN = re.compile(
    r"^(.+?)\s*(?:-|\bto\b|\buntil\b|\btill\b|\bonwards\b)\s*(?:ongoing|present|date|now|current|open|tbc|\?)?$"
)
_LEAD = re.compile(r"^(?:between|from|dates?:?|on)\s+")
#: Precision of a period by its width in days (the narrowest that covers it).
_WIDTHS = ((0, "day"), (6, "week"), (30, "month"), (122, "term"))
#: How far after the bulk of its column a date must lie to be implausible (at least).
IMPLAUSIBLE_MIN_GAP_DAYS = 366


def precision_of_width(days: int) -> str:
    """The narrowest precision that covers a period of ``days`` days after its first.

    Example:
        >>> precision_of_width(0), precision_of_width(7), precision_of_width(400)
        ('day', 'month', 'year')
    """
    return next((name for width, name in _WIDTHS if days <= width), "year")


def two_dates(s: str, shown: str, default_year: int | None, notes: list[str]) -> _dates._Span | None:
    """The period of a cell holding two dates (lower case, cleaned), or None when it does not."""
    s = _LEAD.sub("", s)
    for m in _SEPARATOR.finditer(s):
        left, right = s[: m.start()].strip(), s[m.end() :].strip()
        if not left or not right:
            continue
        try:
            first = _dates._text_span(left, shown, default_year, [])
            last = _dates._text_span(right, shown, default_year, [])
        except (_dates._Bad, _dates._NoYear):
            continue
        begin, finish = min(first.first, last.first), max(first.last, last.last)
        notes.append(f"two dates in one cell ('{left}' and '{right}'): dated from the earlier to the later")
        return _dates._Span(begin, finish, precision_of_width((finish - begin).days))
    opened = _OPEN.match(s)
    if opened:  # "01/02/2019 - ongoing": the period's start is the date
        try:
            first = _dates._text_span(opened[1].strip(), shown, default_year, [])
        except (_dates._Bad, _dates._NoYear):
            return None
        notes.append(f"an open period from '{opened[1].strip()}': dated by its start")
        return first
    return None


def implausible(start: Any, ok: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Rows whose date lies far after every other date of the column, and a note for each.

    The latest dates of a column (at most 1 in 20 of them, or one) are implausible when a gap longer than
    the larger of ``IMPLAUSIBLE_MIN_GAP_DAYS`` and the span of the rest (5th to 95th percentile)
    separates them from every other date, and the row sits between two rows of usual dates (out of
    sequence). Late rows that close the file stand (a case reopened years on); earlier dates are
    history, not typos.

    Args:
        start: Start of each row (datetime64 with timezone, NaT when none).
        ok: Which rows hold a usable date.

    Returns:
        (a mask of implausible rows, one note per masked row in order).

    Example:
        >>> written = ["2019-01-0%d" % d for d in range(1, 9)]
        >>> days = pd.to_datetime(written[:4] + ["2029-01-05"] + written[4:]).tz_localize("UTC")
        >>> mask, notes = implausible(days.array, np.ones(9, bool))
        >>> int(mask.sum()), notes[0][:54]
        (1, 'date as written (05/01/2029) is implausible: 3650 days')
    """
    mask = np.zeros(len(start), dtype=bool)
    stamps = pd.DatetimeIndex(start)
    naive = stamps.tz_localize(None) if stamps.tz is not None else stamps
    dated = np.flatnonzero(ok & ~stamps.isna())
    if dated.size < 5:
        return mask, []
    serial = naive[dated].to_numpy().astype("datetime64[D]").astype(np.int64)
    ordered = np.sort(serial)
    cut = None
    for tail in range(1, max(1, ordered.size // 20) + 1):
        rest = ordered[:-tail]
        low, high = np.percentile(rest, [5, 95])
        gap = ordered[-tail] - rest[-1]
        if gap > max(IMPLAUSIBLE_MIN_GAP_DAYS, high - low) and (cut is None or gap > cut[1]):
            cut = (ordered[-tail], gap)
    if cut is None:
        return mask, []
    is_late = serial >= cut[0]
    # out of sequence: between two usual dates in file order (late rows closing the file may be a case
    # reopened years on, so they stand)
    sandwiched = np.zeros(dated.size, dtype=bool)
    sandwiched[1:-1] = is_late[1:-1] & ~is_late[:-2] & ~is_late[2:]
    late = dated[sandwiched]
    if not late.size:
        return mask, []
    mask[late] = True
    usual = sorted({int(y) for y in naive[dated[serial < cut[0]]].year})
    last = date(1970, 1, 1) + timedelta(days=int(serial[serial < cut[0]].max()))
    notes = []
    for i in late.tolist():
        written = naive[i].date()
        notes.append(
            f"date as written ({written:%d/%m/%Y}) is implausible: {(written - last).days} days after the "
            f"file's other entries{_likely(written, usual)}; dated by the entries either side"
        )
    return mask, notes


def _likely(written: date, years: list[int]) -> str:
    """ ", likely 01/03/2019": the same day and month in the file's year whose digits differ least."""

    def differing(year: int) -> tuple[int, int]:
        return sum(a != b for a, b in zip(str(year), str(written.year), strict=False)), abs(
            year - written.year
        )

    for year in sorted(years, key=differing):
        try:
            return f", likely {written.replace(year=year):%d/%m/%Y}"
        except ValueError:
            continue
    return ""


def after_written(start: Any, ok: np.ndarray, written: date | None) -> tuple[np.ndarray, list[str]]:
    """Rows dated after the day their file was last saved, and a note for each.

    The file's own record of when it was saved (``chronology.ingest.written``) is believed only when at
    most 1 in 20 of the column's dates (or one) fall after it (a template's stale date is not).

    Example:
        >>> days = pd.to_datetime(["2019-01-01", "2019-02-01", "2029-02-03", "2019-03-01"]).tz_localize("UTC")
        >>> mask, notes = after_written(days.array, np.ones(4, bool), date(2019, 6, 30))
        >>> mask.tolist(), notes[0][:88]
        ([False, False, True, False], 'date as written (03/02/2029) is after the file was saved (30/06/2019), likely 03/02/2019')
    """
    mask = np.zeros(len(start), dtype=bool)
    stamps = pd.DatetimeIndex(start)
    naive = stamps.tz_localize(None) if stamps.tz is not None else stamps
    dated = np.flatnonzero(ok & ~stamps.isna())
    if written is None or not dated.size:
        return mask, []
    days = naive[dated].to_numpy().astype("datetime64[D]")
    saved = np.datetime64(written, "D")
    after = days > saved
    if int(after.sum()) > max(1, dated.size // 20):  # many entries after it: the file's record is stale
        return mask, []
    late = dated[after]
    mask[late] = True
    usual = sorted({int(y) for y in naive[dated[days <= saved]].year})
    notes = [
        f"date as written ({naive[i]:%d/%m/%Y}) is after the file was saved ({written:%d/%m/%Y})"
        f"{_likely(naive[i].date(), usual)}; dated by the entries either side"
        for i in late.tolist()
    ]
    return mask, notes


def review_dates(
    parsed: dict[str, Any],
    file: str,
    column: str,
    source_rows: Sequence[int] | None = None,
    written: date | None = None,
) -> list[str]:
    """Window a column's implausible dates by their neighbours, in place; warnings for the analyst.

    Each implausible row is dated from the nearest usable date above it to the nearest below (either
    order), precision by the window's width, its note saying why; impossible dates (dated by their
    month by the cell parser) are listed too.

    Args:
        parsed: ``parse_date_arrays``' columns (start, end, date_precision, error, note), changed in place.
        file: The source as named in case.toml, for the warnings.
        column: The date column's header.
        source_rows: Each row's number as a spreadsheet program shows it, to name the rows.
        written: The day the file says it was last saved, if it says (dates after it are implausible).

    Returns:
        One line per kind of flagged date, naming the rows' dates as written.
    """
    start, end = parsed["start"].copy(), parsed["end"].copy()
    note, precision, error = (parsed[k].copy() for k in ("note", "date_precision", "error"))
    ok = ~pd.isna(start) & (error == "")
    warnings = []
    impossible = [i for i, n in enumerate(note.tolist()) if n.startswith(_dates.IMPOSSIBLE)]
    if impossible:
        warnings.append(
            f"{file}: {len(impossible)} date(s) in column '{column}' cannot exist as written"
            f"{_naming(impossible, source_rows)}; each row is kept, dated by its month, with the reason"
        )
    mask, found = implausible(start, ok)
    after, later = after_written(start, ok & ~mask, written)
    by_row = dict(zip(np.flatnonzero(mask).tolist(), found, strict=True))
    by_row.update(zip(np.flatnonzero(after).tolist(), later, strict=True))
    mask |= after
    rows = np.flatnonzero(mask)
    notes = [by_row[i] for i in rows.tolist()]
    if not rows.size:
        return warnings
    windows = _neighbours(start, end, ok & ~mask, rows)
    for i, text, window in zip(rows.tolist(), notes, windows, strict=True):
        if window is None:
            start[i], end[i], precision[i] = pd.NaT, pd.NaT, None
            error[i] = text.replace("; dated by the entries either side", "; no entry either side")
            continue
        start[i], end[i] = window
        precision[i] = precision_of_width((window[1] - window[0]).days)
        note[i] = "; ".join(filter(None, [text, note[i]]))
    parsed.update(start=start, end=end, note=note, date_precision=precision, error=error)
    warnings.append(
        f"{file}: {len(rows)} implausible date(s) in column '{column}'{_naming(rows.tolist(), source_rows)}: "
        f"{notes[0]}"
    )
    return warnings


def _naming(positions: Sequence[int], source_rows: Sequence[int] | None) -> str:
    """ " (rows 24, 31)" for the first few positions, "" without row numbers."""
    if source_rows is None:
        return ""
    shown = ", ".join(str(source_rows[i]) for i in positions[:5]) + (", ..." if len(positions) > 5 else "")
    return f" (row{'s' if len(positions) > 1 else ''} {shown})"


def _neighbours(start: Any, end: Any, ok: np.ndarray, rows: np.ndarray) -> list[tuple[Any, Any] | None]:
    """For each row in ``rows``, (earliest, latest) of the nearest usable dates above and below it."""
    usable = np.flatnonzero(ok)
    out: list[tuple[Any, Any] | None] = []
    for i in rows.tolist():
        near = [usable[usable < i][-1:], usable[usable > i][:1]]
        picked = np.concatenate(near)
        if not picked.size:
            out.append(None)
            continue
        out.append((min(start[j] for j in picked), max(end[j] for j in picked)))
    return out


def extend_to_end(parsed: dict[str, Any], ends: dict[str, Any]) -> None:
    """Carry each row's end to its End date column's (Chronolator's Start/End pairs), in place.

    Only where both read, the end is later, and the start is not a single moment (an instant's end is
    its start); the start, and so the event's date, is unchanged.

    Example:
        >>> from chronology.ingest.dates_column import parse_date_arrays
        >>> parsed = parse_date_arrays(["01/02/2019"])
        >>> extend_to_end(parsed, parse_date_arrays(["05/02/2019"]))
        >>> str(parsed["end"][0].date())
        '2019-02-05'
    """
    start, end = parsed["start"], parsed["end"].copy()
    later = ~pd.isna(start) & ~pd.isna(ends["end"]) & (ends["error"] == "")
    later &= np.asarray(parsed["date_precision"] != "time", dtype=bool)
    later &= np.asarray(pd.Series(ends["end"]).gt(pd.Series(end)).to_numpy(), dtype=bool)
    for i in np.flatnonzero(later).tolist():
        end[i] = ends["end"][i]
    parsed["end"] = end


_DATE_IN_TEXT = re.compile(
    r"\b(?:[0-9]{1,2}[/.-][0-9]{1,2}[/.-](?:[0-9]{4}|[0-9]{2})|[0-9]{1,2}(?:st|nd|rd|th)?\s+[a-z]{3,9}\.?\s+[0-9]{4})\b",
    re.IGNORECASE,
)


def declared_periods(texts: pd.DataFrame, content: list[int], parsed: dict[str, Any], timezone: str) -> int:
    """Date the rows with an empty date cell that declare a period of no contact, by the period they state.

    A row such as "No contact during this period (01/03/2020 - 30/06/2020)" is a record of its own, not a
    continuation of the entry above: where its date cell is empty and its text matches the vocabulary's
    ``no_contact_period`` patterns and names two dates, it is dated from the earlier to the later, in
    place. Returns how many rows were dated so.

    Example:
        >>> from chronology.ingest.dates_column import parse_date_arrays
        >>> parsed = parse_date_arrays([""])
        >>> frame = pd.DataFrame({0: [""], 1: ["No contact during this period (01/03/2020 - 30/06/2020)"]})
        >>> declared_periods(frame, [1], parsed, "Europe/London"), str(parsed["end"][0].date())
        (1, '2020-06-30')
    """
    from chronology.vocabulary import load_vocabulary

    kind = load_vocabulary().types.get("no_contact_period")
    empty = np.flatnonzero(pd.isna(parsed["start"]) & (parsed["error"] == ""))
    if kind is None or not empty.size or not content:
        return 0
    patterns = [re.compile(p, re.IGNORECASE) for p in kind.patterns]
    cells = texts.iloc[empty, content].to_numpy(dtype=object).tolist()
    found: list[tuple[int, _dates.ParsedDate]] = []
    for i, row in zip(empty.tolist(), cells, strict=True):
        text = " ".join(str(c).strip() for c in row if str(c).strip())
        if not text or not any(p.search(text) for p in patterns):
            continue
        named = _DATE_IN_TEXT.findall(text)
        if len(named) < 2:
            continue
        period = _dates.parse_date_cell(f"{named[0]} - {named[-1]}", timezone=timezone)
        if period.start is not None:
            found.append((i, period))
    if not found:
        return 0
    start, end = parsed["start"].copy(), parsed["end"].copy()
    precision, note = parsed["date_precision"].copy(), parsed["note"].copy()
    for i, period in found:
        start[i], end[i], precision[i] = period.start, period.end, period.precision
        note[i] = "declared period of no contact, dated by the period its text states"
    parsed.update(start=start, end=end, date_precision=precision, note=note)
    return len(found)


def fill_from_entry_date(parsed: dict[str, Any], entries: dict[str, Any]) -> None:
    """Date the rows whose event date cell is empty by their entry date, with a note, in place.

    Case-note systems record the event's date apart from the entry's, and leave the event date empty
    when it is the entry's own; such a row is dated by its entry date ("no event date given; dated by
    the entry date"), never left to read as a continuation of the entry above.

    Example:
        >>> from chronology.ingest.dates_column import parse_date_arrays
        >>> parsed = parse_date_arrays(["01/02/2019", ""])
        >>> fill_from_entry_date(parsed, parse_date_arrays(["03/02/2019", "05/02/2019"]))
        >>> str(parsed["start"][1].date()), parsed["note"][1]
        ('2019-02-05', 'no event date given; dated by the entry date')
    """
    empty = pd.isna(parsed["start"]) & (parsed["error"] == "")
    usable = empty & ~pd.isna(entries["start"]) & (entries["error"] == "")
    rows = np.flatnonzero(usable)
    if not rows.size:
        return
    start, end = parsed["start"].copy(), parsed["end"].copy()
    precision, note = parsed["date_precision"].copy(), parsed["note"].copy()
    for i in rows.tolist():
        start[i], end[i] = entries["start"][i], entries["end"][i]
        precision[i] = entries["date_precision"][i]
        note[i] = "; ".join(
            filter(None, ["no event date given; dated by the entry date", entries["note"][i]])
        )
    parsed.update(start=start, end=end, date_precision=precision, note=note)
