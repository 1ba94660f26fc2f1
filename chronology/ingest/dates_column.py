"""A whole date column (and its time column) read at once, exactly as ``parse_date_cell`` reads each row.

The cell parser and the accepted formats are in ``chronology.ingest.dates``, which also re-exports
``parse_date_column``. Here distinct values are read once; the common formats go through vectorised
fast paths (Arrow regexes, numpy dates) and everything else through ``parse_date_cell``'s own parser.

Example:
    >>> frame = parse_date_column(["03/04/2019 14:30", "March 2019"])
    >>> frame["date_precision"].tolist()
    ['time', 'month']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from chronology.ingest.dates import (
    MAX_YEAR,
    MIN_YEAR,
    _ints,
    _is_empty,
    _parse,
    _zone,
    parse_time_cell,
)
from chronology.schema import DEFAULT_TIMEZONE

__all__ = ["parse_date_column"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)


# ------------------------------------------------------------------------------------- fast paths
# The column is read per distinct value. The fast paths settle only values that parse_date_cell reads the
# same way with no note; a value they do not match, or match but find invalid, goes to parse_date_cell.
_CLOCK_RE = r"(?:[ ]+(?P<H>[0-9]{1,2}):(?P<M>[0-9]{2})(?::(?P<S>[0-9]{2}))?)?"
_FAST_DATES = (
    r"^[ \t]*(?P<d>[0-9]{1,2})/(?P<m>[0-9]{1,2})/(?P<y>[0-9]{4}|[0-9]{2})" + _CLOCK_RE + r"[ \t]*$",
    r"^[ \t]*(?P<y>[0-9]{4})-(?P<m>[0-9]{2})-(?P<d>[0-9]{2})"
    + _CLOCK_RE.replace("[ ]+", "[T ]")
    + r"[ \t]*$",
    r"(?i)^[ \t]*(?P<d>[0-9]{1,2})-(?P<m>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)-(?P<y>[0-9]{4})"
    + _CLOCK_RE
    + r"[ \t]*$",
)
_MONTH_ABBR = pa.array(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])
_NAT = np.iinfo(np.int64).min


@dataclass
class _Fast:
    """Per distinct value: settled by a fast path, its day, seconds after midnight, and whether the cell
    itself holds a (non-midnight) time."""

    ok: np.ndarray
    day: np.ndarray
    seconds: np.ndarray

    @classmethod
    def empty(cls, size: int) -> _Fast:
        return cls(np.zeros(size, bool), np.zeros(size, "datetime64[D]"), np.zeros(size, np.int64))


def _checked_days(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the dates as datetime64[D], valid) for year, month and day arrays."""
    ok = (year >= MIN_YEAR) & (year <= MAX_YEAR) & (month >= 1) & (month <= 12) & (day >= 1)
    months = ((np.where(ok, year, 1970) - 1970) * 12 + np.where(ok, month, 1) - 1).astype("datetime64[M]")
    first = months.astype("datetime64[D]")
    ok &= day <= ((months + 1).astype("datetime64[D]") - first).astype(np.int64)
    return first + np.where(ok, day - 1, 0).astype("timedelta64[D]"), ok


def _fast_strings(texts: pa.Array, fast: _Fast, where: np.ndarray) -> None:
    """Settle the distinct text values ``texts`` (at positions ``where`` of ``fast``) that the regexes match."""
    for pattern in _FAST_DATES:
        if not where.size:
            return
        parts = pc.extract_regex(texts, pattern)
        matched = parts.is_valid().to_numpy(zero_copy_only=False)
        year_text, month_text = parts.field("y"), parts.field("m")
        year = _ints(year_text)
        short = pc.equal(pc.utf8_length(year_text), 2).to_numpy(zero_copy_only=False)
        year = np.where(short, np.where(year < 70, 2000 + year, 1900 + year), year)
        if pattern.startswith("(?i)"):
            index = pc.index_in(pc.utf8_lower(month_text), value_set=_MONTH_ABBR)
            month = pc.fill_null(index, -1).to_numpy(zero_copy_only=False).astype(np.int64) + 1
        else:
            month = _ints(month_text)
        days, ok = _checked_days(year, month, _ints(parts.field("d")))
        hour, minute, second = (_ints(parts.field(k)) for k in ("H", "M", "S"))
        ok &= matched & (hour <= 23) & (minute <= 59) & (second <= 59)
        fast.ok[where[ok]] = True
        fast.day[where[ok]] = days[ok]
        fast.seconds[where[ok]] = (hour * 3600 + minute * 60 + second)[ok]
        texts, where = texts.filter(pa.array(~matched)), where[~matched]


def _fast_objects(values: list[date], fast: _Fast, where: np.ndarray) -> None:
    """Settle the distinct naive Excel datetimes and dates ``values`` (at positions ``where``)."""
    plain = np.array([not isinstance(v, datetime) or v.tzinfo is None for v in values], dtype=bool)
    if not plain.any():
        return
    chosen = [
        v if type(v) is not date else datetime(v.year, v.month, v.day)
        for v, p in zip(values, plain, strict=True)
        if p
    ]
    micro = _micros(chosen)
    if micro is None:
        micro = np.array(chosen, dtype="datetime64[us]").astype(np.int64)
    whole = (micro + 500_000) // 1_000_000  # rounded half up to the second, as _round_second
    days = whole // 86400
    year = days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    ok = (year >= MIN_YEAR) & (year <= MAX_YEAR)
    rows = where[plain][ok]
    fast.ok[rows] = True
    fast.day[rows] = days[ok].astype("datetime64[D]")
    fast.seconds[rows] = (whole - days * 86400)[ok]


def _micros(values: Sequence[object]) -> np.ndarray | None:
    """Naive datetimes as int64 microseconds, in Arrow; None unless all are naive datetimes."""
    try:
        stamps = pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    if stamps.type != pa.timestamp("us") or stamps.null_count:
        return None
    return stamps.cast(pa.int64()).to_numpy()


# ----------------------------------------------------------------------------------------- column
def _as_objects(values: Sequence[object]) -> np.ndarray:
    if isinstance(values, pd.Series | pd.Index):
        return values.to_numpy(dtype=object)
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def _distinct(values: np.ndarray) -> tuple[np.ndarray, list[object], np.ndarray]:
    """(code of each row, the distinct values, which of them are text); code -1 for None and NaN."""
    codes = np.full(len(values), -1, dtype=np.int64)
    uniques: list[object] = []
    try:  # all text (or None/NaN): one pass in Arrow
        text = pa.array(values, type=pa.string(), from_pandas=True)
        strings, others = np.arange(len(values)), np.zeros(0, np.int64)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        is_text = np.fromiter((type(v) is str for v in values), dtype=bool, count=len(values))
        strings, others = np.flatnonzero(is_text), np.flatnonzero(~is_text)
        text = pa.array(values[strings], type=pa.string())
    if strings.size:
        encoded = text.dictionary_encode()
        codes[strings] = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
        uniques = encoded.dictionary.to_pylist()
    n_text = len(uniques)
    stamps = others[np.fromiter((type(v) is datetime for v in values[others]), dtype=bool, count=others.size)]
    micro = _micros(values[stamps]) if stamps.size else None
    if micro is not None:  # Excel datetimes: factorised on their value, in C
        local, _ = pd.factorize(micro)
        first = np.zeros(local.max() + 1, dtype=np.int64)
        first[local[::-1]] = np.arange(local.size)[::-1]
        codes[stamps] = local + len(uniques)
        uniques.extend(values[stamps][first].tolist())
        others = np.setdiff1d(others, stamps, assume_unique=True)
    seen: dict[object, int] = {}
    for i in others.tolist():
        value = values[i]
        if _is_empty(value):
            continue
        try:
            key: object = (type(value), value)
            code = seen.setdefault(key, len(uniques))
        except TypeError:  # unhashable: its own value
            code = len(uniques)
        if code == len(uniques):
            uniques.append(value)
        codes[i] = code
    return codes, uniques, np.arange(len(uniques)) < n_text


def _time_codes(t: np.ndarray) -> tuple[np.ndarray, list[object], np.ndarray, np.ndarray]:
    """Time cells as (row code, distinct values, state per value, seconds per value); state 0 empty,
    1 usable, 2 invalid."""
    codes, uniques, _ = _distinct(t)
    state, seconds = np.zeros(len(uniques), np.int8), np.zeros(len(uniques), np.int64)
    for k, value in enumerate(uniques):
        clock, problem = parse_time_cell(value)
        if problem:
            state[k] = 2
        elif clock is not None:
            state[k], seconds[k] = 1, clock.hour * 3600 + clock.minute * 60 + clock.second
    return codes, uniques, state, seconds


def parse_date_column(
    dates: Sequence[object],
    times: Sequence[object] | None = None,
    *,
    timezone: str = DEFAULT_TIMEZONE,
) -> pd.DataFrame:
    """Read a whole date column (and its time column) exactly as parse_date_cell would, row by row.

    Distinct values are read once. Common formats (dd/mm/yyyy with or without a time, ISO, dd-Mon-yyyy,
    Excel datetimes and dates) are read vectorised; every other distinct (date, time) pair goes through
    parse_date_cell. Year-less cells take the year of the nearest preceding row with a parsed date.

    Args:
        dates: The date cells, top to bottom.
        times: The time cells of the same rows, if the file has a time column.
        timezone: IANA zone of the local times.

    Returns:
        One row per input: start, end (datetime64[us, timezone], NaT when none), date_precision
        (string, missing when none), error (str, "" when usable), note (str).

    Example:
        >>> parse_date_column(["03/04/2019", "mid-June"]).loc[1, "note"]
        'year 2019 taken from the entry above'
    """
    parts = parse_date_arrays(dates, times, timezone=timezone)
    return pd.DataFrame(
        {
            "start": parts["start"],
            "end": parts["end"],
            "date_precision": pd.array(parts["date_precision"], dtype="str"),
            "error": pd.array(parts["error"], dtype="str"),
            "note": pd.array(parts["note"], dtype="str"),
        },
        index=pd.RangeIndex(len(parts["start"])),
        copy=False,
    )


def parse_date_arrays(
    dates: Sequence[object],
    times: Sequence[object] | None = None,
    *,
    timezone: str = DEFAULT_TIMEZONE,
) -> dict[str, Any]:
    """``parse_date_column``'s columns as arrays, without building a frame: start and end as
    datetime64[us, timezone] arrays, date_precision (None when none), error and note as object arrays.
    """
    tz = _zone(timezone)
    d = _as_objects(dates)
    n = len(d)
    t = _as_objects(times) if times is not None else np.full(n, None, dtype=object)
    if len(t) != n:
        raise ValueError(f"{n} dates but {len(t)} times")
    start, end = np.full(n, _NAT, dtype=np.int64), np.full(n, _NAT, dtype=np.int64)
    precision = np.full(n, None, dtype=object)
    error, note = np.full(n, "", dtype=object), np.full(n, "", dtype=object)

    d_code, d_values, d_text = _distinct(d)
    t_code, t_values, t_state_u, t_seconds_u = _time_codes(t)
    fast = _Fast.empty(len(d_values))
    text_at = np.flatnonzero(d_text)
    if text_at.size:
        _fast_strings(pa.array([d_values[k] for k in text_at], type=pa.string()), fast, text_at)
    other_at = np.flatnonzero(~d_text)
    kinds = [type(d_values[k]) for k in other_at]
    other_at = other_at[[k in (datetime, pd.Timestamp, date) for k in kinds]] if kinds else other_at
    if other_at.size:  # only dates, datetimes and Timestamps are left
        _fast_objects([cast(date, d_values[k]) for k in other_at], fast, other_at)

    # rows settled by a fast path: combine with the time column vectorised
    rows = np.flatnonzero(d_code >= 0)
    rows = rows[fast.ok[d_code[rows]]]
    code = d_code[rows]
    t_state = np.concatenate([[0], t_state_u])[t_code[rows] + 1]
    t_seconds = np.concatenate([[0], t_seconds_u])[t_code[rows] + 1]
    own = fast.seconds[code]
    in_cell, has_time = own != 0, t_state == 1
    usable = (t_state != 2) & ~(in_cell & has_time & (own != t_seconds))
    rows, code, own, in_cell, has_time, t_seconds = (
        a[usable] for a in (rows, code, own, in_cell, has_time, t_seconds)
    )
    local = fast.day[code].astype("datetime64[us]") + np.where(in_cell, own, t_seconds).astype(
        "timedelta64[s]"
    )
    aware = pd.DatetimeIndex(local).tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    ok = ~aware.isna()  # a clock-change time: parse_date_cell words the note
    rows = rows[ok]
    start[rows] = end[rows] = aware[ok].as_unit("us").asi8
    precision[rows] = np.where((in_cell | has_time)[ok], "time", "day")
    settled = np.zeros(n, dtype=bool)
    settled[rows] = True

    # every other row: parse_date_cell once per distinct (date, time) pair
    rows = np.flatnonzero(~settled & (d_code >= 0))
    pairs, inverse = np.unique(d_code[rows] * (len(t_values) + 1) + t_code[rows] + 1, return_inverse=True)
    results = [
        _row_result(d_values[p // (len(t_values) + 1)], t_values, p % (len(t_values) + 1) - 1, tz, None)
        for p in pairs.tolist()
    ]
    _put(results, inverse, rows, start, end, precision, error, note)
    if not rows.size or not any(r[5] for r in results):
        return _columns(start, end, precision, error, note, timezone)
    # year-less cells: the year of the nearest preceding row with a parsed date
    needs = rows[np.array([r[5] for r in results], dtype=bool)[inverse]]
    previous = pd.Series(_stamps(start, timezone).year).ffill().shift(1).to_numpy()
    needs = needs[~np.isnan(previous[needs])]
    cache: dict[tuple[int, int, int], tuple] = {}
    for i in needs.tolist():
        key = (int(d_code[i]), int(t_code[i]), int(previous[i]))
        if key not in cache:
            cache[key] = _row_result(d_values[key[0]], t_values, key[1], tz, key[2])
        results.append(cache[key])
    _put(results[len(pairs) :], np.arange(needs.size), needs, start, end, precision, error, note)
    return _columns(start, end, precision, error, note, timezone)


def _row_result(value: object, t_values: list[object], t_code: int, tz: ZoneInfo, year: int | None) -> tuple:
    """parse_date_cell's answer as (start µs, end µs, precision, error, note, lacked a year)."""
    parsed, _, no_year = _parse(value, t_values[t_code] if t_code >= 0 else None, tz, year)
    if parsed.start is None or parsed.end is None:
        return _NAT, _NAT, None, parsed.error, parsed.note, no_year
    micros = ((parsed.start - _EPOCH) // _US, (parsed.end - _EPOCH) // _US)
    return *micros, parsed.precision, parsed.error, parsed.note, no_year


def _put(results: list[tuple], inverse: np.ndarray, rows: np.ndarray, *columns: np.ndarray) -> None:
    """Spread per-pair results to their rows, one column at a time."""
    if not rows.size:
        return
    for column, values in zip(columns, zip(*results, strict=False), strict=False):
        as_array = np.empty(len(results), dtype=column.dtype)
        as_array[:] = values
        column[rows] = as_array[inverse]


def _stamps(micros: np.ndarray, timezone: str) -> pd.DatetimeIndex:
    """UTC microseconds (int64 minimum for none) as local timestamps."""
    return pd.DatetimeIndex(micros.view("datetime64[us]")).tz_localize("UTC").tz_convert(timezone)


def _columns(
    start: np.ndarray,
    end: np.ndarray,
    precision: np.ndarray,
    error: np.ndarray,
    note: np.ndarray,
    timezone: str,
) -> dict[str, Any]:
    return {
        "start": _stamps(start, timezone).array,
        "end": _stamps(end, timezone).array,
        "date_precision": precision,
        "error": error,
        "note": note,
    }
