"""Day-first (UK) dates and times of agency chronologies, one cell at a time.

Accepted date cells (text from CSV, or Python objects from Excel via python-calamine):

- numeric day-first: 03/04/2019, 3/4/2019, 03/04/19, 03-04-2019, 03.04.2019, with an optional weekday
  ("Wed 03/04/2019"; a weekday that does not match the date is kept with a note);
- month names: 03-Apr-2019, 3 Apr 2019, 3rd April 2019, April 3rd 2019; ISO 2019-04-03, 2019-04-03T14:30:00
  (an ISO offset or "Z" is honoured, then converted to the case's timezone);
- a time in the same cell: "03/04/2019 14:30", "03/04/2019 14:30:00", "03/04/2019 2.30pm", "... 1430hrs";
- Excel date cells (datetime, date) and serial numbers of the 1900 system (43528 -> 04/03/2019), as numbers
  or five-digit text; a whole number 1950-2100 is a year;
- approximate dates: "w/c 04/03/2019" (precision week: that day to six days later), "March 2019",
  "Mar-19", "03/2019" (month), "2019" (year), "Autumn term 2019" (term), "early/mid/late March 2019"
  (precision week: days 1-10, 11-20, 21-end), "approx."/"c."/"about"/"~"/trailing "?" on any of them
  (note "approximate date"); year-less forms ("mid-June", "12/03", "12 March") take ``default_year``.

Term dates (England; schools vary): each window starts on a day every school is in term and ends on the
latest day the term can end (``term_window``): Autumn 8 Sep-31 Dec; Spring 8 Jan to Easter Sunday; Summer
from Easter Monday + 15 days to 31 Jul. "Autumn term 2019/20" is the autumn of that academic year (2019); its
spring and summer fall in 2020. A season without "term" ("Spring 2020") is read as the term or the season
(meteorological): from a day inside both (1 Mar) to the later of their ends (31 May). A leading "?" (Chronolator's uncertain date)
is "approximate date". Two dates or a range in one cell are a period (``chronology.ingest.periods``).

Two-digit years: 00-69 are 20xx, 70-99 are 19xx. Years outside 1950-2100 are errors, as are impossible
months (never guessed). A day its month lacks (31/02/2020, 31/04/2019, day 0) is dated by the month as a
whole (precision month), the note starting "date as written is impossible" (``IMPOSSIBLE``). Midnight exactly inside a date cell (an Excel date, "03/04/2019 00:00")
is a day, since case systems export plain dates that way; a separate time column always gives precision
"time". Times are kept to the second (Excel fractions rounded to the nearest second).

Clock changes: a local time that does not exist (31/03/2019 01:30 Europe/London) is moved forward by the
gap, with a note; an ambiguous one (27/10/2019 01:30) is the first occurrence (BST), with a note.

A whole column is read by ``parse_date_column`` (in ``chronology.ingest.dates_column``, and importable
from here too), which gives every row exactly what ``parse_date_cell`` would.

Example:
    >>> parse_date_cell("03/04/2019 14:30").start.isoformat()
    '2019-04-03T14:30:00+01:00'
    >>> parse_date_cell("March 2019").end.date().isoformat()
    '2019-03-31'
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from datetime import timezone as FixedOffset
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from chronology.schema import DEFAULT_TIMEZONE

if TYPE_CHECKING:
    from chronology.ingest.dates_column import parse_date_column as parse_date_column

MIN_YEAR, MAX_YEAR = 1950, 2100
EXCEL_EPOCH = date(1899, 12, 30)
#: Date parts Excel and calamine give to cells holding only a time.
TIME_ONLY_DATES = frozenset({date(1899, 12, 30), date(1899, 12, 31), date(1900, 1, 1)})
SERIAL_MIN = (date(MIN_YEAR, 1, 1) - EXCEL_EPOCH).days
SERIAL_MAX = (date(MAX_YEAR, 12, 31) - EXCEL_EPOCH).days
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December")  # fmt: skip
#: The note that starts the reason of a row whose date, as written, cannot exist.
IMPOSSIBLE = "date as written is impossible"
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class ParsedDate:
    """What a date cell (and its time cell) says about when an entry happened.

    Attributes:
        start: First instant the entry may refer to (timezone-aware), None when empty or invalid.
        end: Equal to ``start`` for precision "time"; otherwise midnight at the start of the last day
            covered (an inclusive day range).
        precision: "time", "day", "week", "month", "term" or "year"; None when empty or invalid.
        error: Why the value cannot be used, a sentence quoting the cell ("" when usable or empty).
        note: A word on a usable value ("approximate date", "year 2019 taken from the entry above").

    Example:
        >>> ParsedDate(None, None, None, "not a date: 'TBC'").error
        "not a date: 'TBC'"
    """

    start: datetime | None
    end: datetime | None
    precision: str | None
    error: str = ""
    note: str = ""


EMPTY = ParsedDate(None, None, None)


class _Bad(Exception):
    """A cell that cannot be used; ``datelike`` says whether it still looks like a date."""

    def __init__(self, message: str, datelike: bool = True) -> None:
        super().__init__(message)
        self.datelike = datelike


class _Impossible(_Bad):
    """A day its month does not have (31/02/2020, 31/04/2019, day 0): the month is still known."""

    def __init__(self, message: str, year: int, month: int) -> None:
        super().__init__(message)
        self.year, self.month = year, month


class _NoYear(Exception):
    """A year-less cell ("mid-June") met without a default year."""


@dataclass
class _Span:
    first: date
    last: date
    precision: str
    clock: time | None = None  # time of day; precision "time" when set
    aware: datetime | None = None  # an instant given with its offset (ISO "Z", "+01:00")


# ----------------------------------------------------------------------------------------- patterns
_MONTH = (r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")  # fmt: skip
_TAIL = r"(?:(?:\s*,\s*|\s+at\s+|\s*@\s*|\s+-\s+|\s+)(?P<time>\S.*))?$"
_APPROX_HEAD = re.compile(
    r"^(?:approximately|approx\.?|appx\.?|circa|ca\.|c\.|about|around|abt\.?|roughly|est\.|estimated|~|\?)\s*"
)
_APPROX_TAIL = re.compile(r"\s*(?:\?|\((?:approx(?:imately|imate)?\.?|est(?:imated)?\.?|\?)\)|approx\.?)$")
_WEEK = re.compile(
    r"^(?:w/c|w\.c\.?|wc|w/b|w\.b\.?|wb|week (?:commencing|beginning|starting|of))\s*:?\s*(.+)$"
)
_WEEKDAY = re.compile(
    r"^(mon(?:day)?|tue(?:s(?:day)?)?|wed(?:s|nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?|sat(?:urday)?"
    r"|sun(?:day)?)\.?,?\s+(.+)$"
)
_TERM = re.compile(
    r"^(autumn|fall|spring|summer)(\s+term)?,?\s*([0-9]{4})(?:\s*[/-]\s*([0-9]{2}|[0-9]{4}))?$"
)
_PART = re.compile(
    r"^(early|mid|late|beginning of|start of|middle of|end of)[\s-]*(?:of\s+)?"
    + _MONTH
    + r"(?:[\s,-]+([0-9]{4}))?$"
)
_MONTH_YEAR = re.compile("^" + _MONTH + r"(?:\s*,\s*|[\s-]+)([0-9]{4})$")
_MONTH_YY = re.compile("^" + _MONTH + r"-([0-9]{2})$")
_MONTH_ONLY = re.compile("^" + _MONTH + "$")
_NUM_MONTH = re.compile(r"^([0-9]{1,2})[/.-]([0-9]{4})$")
_ISO_MONTH = re.compile(r"^([0-9]{4})-([0-9]{1,2})$")
_YEAR = re.compile(r"^([0-9]{4})$")
_SERIAL = re.compile(r"^[0-9]{5}$")
_DMY = re.compile(r"^([0-9]{1,2})([/.-])([0-9]{1,2})\2([0-9]{4}|[0-9]{2})" + _TAIL)
_ISO = re.compile(
    r"^([0-9]{4})([/-])([0-9]{1,2})\2([0-9]{1,2})(?:[t\s]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]+)?)?"
    r"\s*(z|[+-][0-9]{2}:?[0-9]{2})?)?$"
)
_DAY_MONTH = re.compile(
    r"^([0-9]{1,2})(?:st|nd|rd|th)?(?:\s+of)?[\s-]+"
    + _MONTH
    + r"(?:,?[\s-]+([0-9]{4}|[0-9]{2})(?![0-9:.]))?"
    + _TAIL
)
_MONTH_DAY = re.compile(
    "^" + _MONTH + r"\s+([0-9]{1,2})(st|nd|rd|th)?(?:,?\s+([0-9]{4})(?![0-9:.]))?" + _TAIL
)
_DM = re.compile(r"^([0-9]{1,2})/([0-9]{1,2})$")
_CLOCK = re.compile(
    r"^([0-9]{1,2})(?:[:.]([0-9]{2})(?:[:.]([0-9]{2})(?:\.[0-9]+)?)?)?\s*(am|pm|a\.m\.|p\.m\.)?\s*(hrs|hr|h)?$"
)
_CLOCK_DIGITS = re.compile(r"^([0-9]{1,2})([0-9]{2})\s*(?:hrs|hr|h)?$")
_TIME_RANGE = re.compile(r"^(.+?)\s*(?:-|to)\s*(.+)$")
_TIME_ONLY_PREFIX = re.compile(r"^(?:1899-12-3[01]|1900-01-01|3[01]/12/1899|0?1/0?1/1900)[t\s]+")
_MONTH_FIRST_RE2 = (
    r"(?:^|[^0-9/.-])(?P<a>[0-9]{1,2})[/-](?P<b>[0-9]{1,2})[/-](?:[0-9]{2}|[0-9]{4})(?:[^0-9]|$)"
)
_DIGITS = frozenset("0123456789")
_SPACES = re.compile(r"\s+")
_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2010": "-", "\u2011": "-", "\u2212": "-"})


# ---------------------------------------------------------------------------------------- helpers
@lru_cache(maxsize=16)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _is_empty(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float | np.floating):
        return bool(np.isnan(value))
    return isinstance(value, np.datetime64) and bool(np.isnat(value))


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text.translate(_DASHES)).strip()


def _show(value: object) -> str:
    """The cell as quoted in messages."""
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, datetime):
        shown = f"{value:%d/%m/%Y}"
        return shown if value.time() == time(0) else f"{shown} {_show(value.time())}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, time):
        return f"{value:%H:%M:%S}" if value.second else f"{value:%H:%M}"
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _year2(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 70 else 1900
    return year


def _month_of(name: str) -> int:
    return ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec").index(
        name[:3]
    ) + 1


def days_in_month(year: int, month: int) -> int:
    """The number of days in a month.

    Example:
        >>> days_in_month(2020, 2)
        29
    """
    following = date(year + month // 12, month % 12 + 1, 1)
    return (following - timedelta(days=1)).day


def easter_sunday(year: int) -> date:
    """Easter Sunday of a year (Gregorian computus: the anonymous Meeus/Jones/Butcher algorithm).

    Example:
        >>> easter_sunday(2019)
        datetime.date(2019, 4, 21)
    """
    a, (b, c) = year % 19, divmod(year, 100)
    d, e = divmod(b, 4)
    g = (b - (b + 8) // 25 + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _check_year(year: int, shown: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _Bad(f"date '{shown}' is outside {MIN_YEAR}-{MAX_YEAR}")


def _make_date(year: int, month: int, day: int, shown: str, numeric: bool = False) -> date:
    """A checked date; impossible ones raise with the reason (and a month-first hint)."""
    _check_year(year, shown)
    if not 1 <= month <= 12:
        reason = f"there is no month {month}"
        if numeric and month > 12 and 1 <= day <= 12:
            reason += " (is this column month-first?)"
        raise _Bad(f"impossible date '{shown}': {reason}")
    if day == 0:
        raise _Impossible(f"impossible date '{shown}': there is no day 0", year, month)
    length = days_in_month(year, month)
    if day > length:
        raise _Impossible(
            f"impossible date '{shown}': {MONTH_NAMES[month - 1]} {year} has {length} days", year, month
        )
    return date(year, month, day)


def _from_seconds(seconds: float) -> time:
    """Seconds since midnight, rounded half up to the second and kept within the day."""
    whole = min(int(math.floor(seconds + 0.5)), 86399)
    return time(whole // 3600, whole // 60 % 60, whole % 60)


def _round_second(value: datetime) -> datetime:
    value = value + timedelta(seconds=1) if value.microsecond >= 500_000 else value
    return value.replace(microsecond=0)


def _ints(field: pa.Array) -> np.ndarray:
    """A string field of digits as int64 ("" -> 0)."""
    field = pc.if_else(pc.equal(field, ""), "0", field)
    return pc.cast(field, pa.int64()).to_numpy(zero_copy_only=False)


# ------------------------------------------------------------------------------------------ times
def _time_text(text: str, shown: str) -> time:
    s = _TIME_ONLY_PREFIX.sub("", _clean(text).lower())
    if s in ("noon", "midday", "12 noon"):
        return time(12)
    if s == "midnight":
        return time(0)
    m = _CLOCK.match(s)
    if m and (m[2] or m[4] or m[5]):
        hour, minute, second = int(m[1]), int(m[2] or 0), int(m[3] or 0)
        if m[4]:
            if not 1 <= hour <= 12:
                raise _Bad(f"invalid time '{shown}'")
            hour = hour % 12 + (12 if m[4][0] == "p" else 0)
    elif m2 := _CLOCK_DIGITS.match(s):
        hour, minute, second = int(m2[1]), int(m2[2]), 0
    elif (m3 := _TIME_RANGE.match(s)) and "-" not in m3[1]:  # "14:30-15:30": the start
        _time_text(m3[2], shown)
        return _time_text(m3[1], shown)
    else:
        raise _Bad(f"invalid time '{shown}'")
    if hour > 23 or minute > 59 or second > 59:
        raise _Bad(f"invalid time '{shown}'")
    return time(hour, minute, second)


def _time_of(value: object) -> time | None:
    if _is_empty(value):
        return None
    shown = _show(value)
    if isinstance(value, bool):
        raise _Bad(f"invalid time '{shown}'")
    if isinstance(value, datetime):
        return _round_second(value.replace(tzinfo=None)).time()
    if isinstance(value, time):
        return _from_seconds(value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6)
    if isinstance(value, timedelta):
        if timedelta(0) <= value < timedelta(days=1):
            return _from_seconds(value.total_seconds())
        raise _Bad(f"invalid time '{shown}'")
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
        if number.is_integer() and 0 <= number <= 2359 and number % 100 < 60:
            return time(int(number) // 100, int(number) % 100)
        if 0 <= number < 1:
            return _from_seconds(number * 86400)
        raise _Bad(f"invalid time '{shown}'")
    return _time_text(str(value), shown)


def parse_time_cell(value: object) -> tuple[time | None, str]:
    """Read a time cell: "14:30", "1430", "14.30", "2.30pm", a time object or an Excel day fraction.

    Args:
        value: The cell (str, datetime.time, datetime with a time-only date part, float, int...).

    Returns:
        (time, "") when usable; (None, "") when empty; (None, error) when it is not a valid time.

    Example:
        >>> parse_time_cell("2.30pm")
        (datetime.time(14, 30), '')
        >>> parse_time_cell("25:61")
        (None, "invalid time '25:61'")
    """
    try:
        return _time_of(value), ""
    except _Bad as bad:
        return None, str(bad)


# ------------------------------------------------------------------------------------------ dates
def _needs_year(default_year: int | None, notes: list[str]) -> int:
    if default_year is None:
        raise _NoYear
    notes.append(f"year {default_year} taken from the entry above")
    return default_year


def _day_span(day: date, tail: str | None, shown: str) -> _Span:
    clock = _time_text(tail, f"{_clean(tail)}' in '{shown}") if tail else None
    return _Span(day, day, "day", clock if clock and clock != time(0) else None)


def _month_span(year: int, month: int, shown: str) -> _Span:
    _check_year(year, shown)
    return _Span(date(year, month, 1), date(year, month, days_in_month(year, month)), "month")


def _term_span(m: re.Match[str], shown: str, notes: list[str]) -> _Span:
    """A school term, or a season named without "term" (its window covers both readings)."""
    name, year = ("autumn" if m[1] == "fall" else m[1]), int(m[3])
    if m[4]:
        second = int(m[4]) if len(m[4]) == 4 else year // 100 * 100 + int(m[4])
        if second != year + 1:
            raise _Bad(f"not a date: '{shown}' (an academic year is two years running)", datelike=False)
        year = year if name == "autumn" else second
    _check_year(year, shown)
    first, last = term_window(name, year)
    if not m[2]:  # "Spring 2020": the school term or the season; from a day inside both to the later end
        notes.append(f"'{shown}' read as the {name} term or season")
        season_first, season_last = SEASONS[name](year)
        first, last = max(first, season_first), max(last, season_last)
    return _Span(first, last, "term")


#: The seasons (meteorological: spring Mar-May, summer Jun-Aug, autumn Sep-Nov), first and last day.
SEASONS = {
    "spring": lambda year: (date(year, 3, 1), date(year, 5, 31)),
    "summer": lambda year: (date(year, 6, 1), date(year, 8, 31)),
    "autumn": lambda year: (date(year, 9, 1), date(year, 11, 30)),
}


def term_window(name: str, year: int) -> tuple[date, date]:
    """First and last day of an English school term as this toolkit dates it.

    Schools set their own term dates, so the window starts on a day every school is in term (the first
    week, when schools start on different days, is left out: the start is never before the real term)
    and ends on the latest day the term can end: autumn 8 Sep to 31 Dec; spring 8 Jan to Easter Sunday;
    summer from two weeks after Easter Monday (the Easter holidays are over everywhere by then) to 31 Jul.

    Example:
        >>> term_window("summer", 2020)
        (datetime.date(2020, 4, 28), datetime.date(2020, 7, 31))
    """
    if name == "autumn":
        return date(year, 9, 8), date(year, 12, 31)
    easter = easter_sunday(year)
    if name == "spring":
        return date(year, 1, 8), easter
    return easter + timedelta(days=16), date(year, 7, 31)


def _text_span(s: str, shown: str, default_year: int | None, notes: list[str]) -> _Span:
    """The span of a lower-case, cleaned date text (no approximation markers)."""
    worded = s[:1] not in _DIGITS  # only worded forms start with a letter
    if worded and (m := _WEEK.match(s)):
        inner = _text_span(m[1], shown, default_year, notes)
        if inner.precision != "day" or inner.clock:
            raise _Bad(f"not a date: '{shown}' (week commencing needs a single day)", datelike=False)
        return _Span(inner.first, inner.first + timedelta(days=6), "week")
    if worded and (m := _WEEKDAY.match(s)):
        inner = _text_span(m[2], shown, default_year, notes)
        if inner.precision not in ("day", "time"):
            raise _Bad(f"not a date: '{shown}'", datelike=False)
        named = next(i for i, w in enumerate(WEEKDAY_NAMES) if w.lower().startswith(m[1][:3]))
        if inner.first.weekday() != named:
            actual = WEEKDAY_NAMES[inner.first.weekday()]
            notes.append(f"weekday {WEEKDAY_NAMES[named]} does not match {inner.first:%d/%m/%Y}, a {actual}")
        return inner
    if worded and (m := _TERM.match(s)):
        return _term_span(m, shown, notes)
    if worded and (m := _PART.match(s)):
        month = _month_of(m[2])
        year = int(m[3]) if m[3] else _needs_year(default_year, notes)
        _check_year(year, shown)
        first_day, last_day = {"e": (1, 10), "b": (1, 10), "s": (1, 10), "l": (21, 31), "m": (11, 20)}[
            m[1][0]
        ]
        last_day = days_in_month(year, month) if last_day == 31 or m[1] == "end of" else last_day
        first_day = 21 if m[1] == "end of" else first_day
        return _Span(date(year, month, first_day), date(year, month, last_day), "week")
    if worded and (m := _MONTH_YEAR.match(s) or _MONTH_YY.match(s)):
        return _month_span(_year2(m[2]), _month_of(m[1]), shown)
    if worded and (m := _MONTH_ONLY.match(s)):
        return _month_span(_needs_year(default_year, notes), _month_of(m[1]), shown)
    if m := _NUM_MONTH.match(s):
        _make_date(int(m[2]), int(m[1]), 1, shown)
        return _month_span(int(m[2]), int(m[1]), shown)
    if m := _ISO_MONTH.match(s):
        _make_date(int(m[1]), int(m[2]), 1, shown)
        return _month_span(int(m[1]), int(m[2]), shown)
    if m := _YEAR.match(s):
        year = int(m[1])
        _check_year(year, shown)
        return _Span(date(year, 1, 1), date(year, 12, 31), "year")
    if _SERIAL.match(s):
        return _number_span(int(s), shown)
    if m := _DMY.match(s):
        day = _make_date(_year2(m[4]), int(m[3]), int(m[1]), shown, numeric=True)
        return _day_span(day, m["time"], shown)
    if m := _ISO.match(s):
        day = _make_date(int(m[1]), int(m[3]), int(m[4]), shown)
        if m[5] is None:
            return _Span(day, day, "day")
        clock = _time_text(f"{m[5]}:{m[6]}:{m[7] or '00'}", shown)
        if m[8]:
            offset = timedelta(0) if m[8] == "z" else _offset(m[8])
            aware = datetime.combine(day, clock, tzinfo=FixedOffset(offset))
            return _Span(day, day, "time", clock, aware)
        return _Span(day, day, "day", clock if clock != time(0) else None)
    if m := _DAY_MONTH.match(s):
        year = _year2(m[3]) if m[3] else _needs_year(default_year, notes)
        return _day_span(_make_date(year, _month_of(m[2]), int(m[1]), shown), m["time"], shown)
    if m := _MONTH_DAY.match(s):
        if not m[4] and not m[3]:
            raise _Bad(
                f"ambiguous date '{shown}': {int(m[2])} {m[1].title()}, or {m[1].title()} 20{m[2]:0>2}?"
            )
        year = int(m[4]) if m[4] else _needs_year(default_year, notes)
        return _day_span(_make_date(year, _month_of(m[1]), int(m[2]), shown), m["time"], shown)
    if m := _DM.match(s):
        year = _needs_year(default_year, notes)
        day = _make_date(year, int(m[2]), int(m[1]), shown, numeric=True)
        return _Span(day, day, "day")
    raise _Bad(f"not a date: '{shown}'", datelike=False)


def _offset(text: str) -> timedelta:
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))


def _number_span(number: float, shown: str) -> _Span:
    if 1000 <= number <= 9999 and float(number).is_integer():
        _check_year(int(number), shown)
        return _Span(date(int(number), 1, 1), date(int(number), 12, 31), "year")
    if not SERIAL_MIN <= number < SERIAL_MAX + 1:
        raise _Bad(f"not a date: '{shown}'", datelike=False)
    whole = math.floor(number)
    seconds = math.floor((number - whole) * 86400 + 0.5)
    stamp = datetime.combine(EXCEL_EPOCH, time(0)) + timedelta(days=whole, seconds=seconds)
    _check_year(stamp.year, shown)
    return _Span(stamp.date(), stamp.date(), "day", stamp.time() if stamp.time() != time(0) else None)


def _span_of(value: object, default_year: int | None, notes: list[str]) -> _Span:
    shown = _show(value)
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value).to_pydatetime()
    if isinstance(value, bool | time | timedelta):
        raise _Bad(f"not a date: '{shown}'", datelike=False)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = _round_second(value)
            return _Span(value.date(), value.date(), "time", value.timetz().replace(tzinfo=None), value)
        value = _round_second(value)
        if value.date() in TIME_ONLY_DATES and value.time() != time(0):
            raise _Bad(f"not a date: '{_show(value.time())}' is a time with no date", datelike=False)
        _check_year(value.year, shown)
        return _Span(value.date(), value.date(), "day", value.time() if value.time() != time(0) else None)
    if isinstance(value, date):
        _check_year(value.year, shown)
        return _Span(value, value, "day")
    if isinstance(value, int | float | np.integer | np.floating):
        if not math.isfinite(value):
            raise _Bad(f"not a date: '{shown}'", datelike=False)
        return _number_span(float(value), shown)
    s = shown.lower()
    approx = False
    if m := _APPROX_HEAD.match(s):
        approx, s = True, s[m.end() :]
    if m := _APPROX_TAIL.search(s):
        approx, s = True, s[: m.start()]
    if approx:
        notes.append("approximate date")
    if not s:
        raise _Bad(f"not a date: '{shown}'", datelike=False)
    try:
        return _text_span(s, shown, default_year, notes)
    except _Bad as bad:
        from chronology.ingest.periods import two_dates

        span = two_dates(s, shown, default_year, notes)
        if span is None:
            raise bad from None
        return span


def _localise(naive: datetime, tz: ZoneInfo, notes: list[str]) -> datetime:
    """Local wall time -> aware datetime; gaps move forward, folds take the first occurrence."""
    first = naive.replace(tzinfo=tz)
    second = naive.replace(tzinfo=tz, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first
    moved = first.astimezone(UTC).astimezone(tz)
    if moved.replace(tzinfo=None, fold=0) != naive:
        notes.append(
            f"time {naive:%H:%M} does not exist on {naive:%d/%m/%Y} (the clocks went forward); "
            f"taken as {moved:%H:%M} {moved.tzname()}"
        )
        return moved
    notes.append(f"ambiguous time at the clock change, taken as {first.tzname()}")
    return first


def _parse(
    value: object, time_value: object, tz: ZoneInfo, default_year: int | None
) -> tuple[ParsedDate, bool, bool]:
    """(parsed, looks like a date, needed a year it did not have)."""
    if _is_empty(value):
        return EMPTY, False, False
    notes: list[str] = []
    try:
        span = _span_of(value, default_year, notes)
        clock = _time_of(time_value)
        precision = "time" if span.clock else span.precision
        if clock is not None:
            if span.precision == "day" and span.clock is None:
                span.clock, precision = clock, "time"
            elif span.aware is not None:
                notes.append(f"time column '{_show(clock)}' ignored: the date cell gives the exact instant")
            elif span.precision in ("day", "time"):
                if clock != span.clock:
                    notes.append(
                        f"time column '{_show(clock)}' differs from the time in the date cell, which is used"
                    )
            else:
                notes.append(f"time '{_show(clock)}' ignored: the date is not a single moment")
        if span.aware is not None:
            start = span.aware.astimezone(tz)
            return ParsedDate(start, start, "time", "", "; ".join(notes)), True, False
        if precision == "time":
            start = _localise(datetime.combine(span.first, span.clock or time(0)), tz, notes)
            return ParsedDate(start, start, "time", "", "; ".join(notes)), True, False
        start = _localise(datetime.combine(span.first, time(0)), tz, notes)
        end = _localise(datetime.combine(span.last, time(0)), tz, []) if span.last != span.first else start
        return ParsedDate(start, end, precision, "", "; ".join(notes)), True, False
    except _Impossible as bad:  # the month is known: dated by it, flagged
        first, last = (
            date(bad.year, bad.month, 1),
            date(bad.year, bad.month, days_in_month(bad.year, bad.month)),
        )
        note = f"{IMPOSSIBLE}: {bad}; dated by its month"
        start = _localise(datetime.combine(first, time(0)), tz, [])
        end = _localise(datetime.combine(last, time(0)), tz, [])
        return ParsedDate(start, end, "month", "", note), True, False
    except _Bad as bad:
        return ParsedDate(None, None, None, str(bad)), bad.datelike, False
    except _NoYear:
        message = f"no year in '{_show(value)}', and no dated entry above to take it from"
        return ParsedDate(None, None, None, message), True, True


def parse_date_cell(
    value: object,
    time_value: object = None,
    *,
    timezone: str = DEFAULT_TIMEZONE,
    default_year: int | None = None,
) -> ParsedDate:
    """Read one date cell, day-first, with an optional separate time cell.

    Args:
        value: The date cell: text, or an Excel value (datetime, date, time, float, int, bool).
        time_value: The row's time cell, if the file has a time column.
        timezone: IANA zone of the local times.
        default_year: Year for year-less cells ("mid-June", "12/03"); the note says it was used.

    Returns:
        The span the cell refers to, or an error quoting the cell; empty cells give ``EMPTY``.

    Example:
        >>> impossible = parse_date_cell("31/02/2020")  # kept, dated by its month, and flagged
        >>> impossible.precision, impossible.error, impossible.note.split(":")[0]
        ('month', '', 'date as written is impossible')
        >>> parse_date_cell("w/c 04/03/2019").precision
        'week'
    """
    return _parse(value, time_value, _zone(timezone), default_year)[0]


def looks_like_date(value: object) -> bool:
    """Cheap test used to find header rows and the date column.

    True for any cell that parse_date_cell accepts, and for date-shaped cells it rejects (impossible or
    out-of-range dates, year-less dates); False for empty cells, times alone and free text.

    Example:
        >>> looks_like_date("31/02/2020"), looks_like_date("Date of contact")
        (True, False)
    """
    return _parse(value, None, _zone(DEFAULT_TIMEZONE), None)[1]


def month_first_evidence(values: Sequence[object]) -> str | None:
    """A one-line warning when a column's numeric dates only make sense month-first.

    Args:
        values: The column's cells; only text with a numeric d/m/y (slash or dash) counts.

    Returns:
        The message when some second field is over 12 while no first field is, else None.

    Example:
        >>> month_first_evidence(["04/13/2019", "04/02/2019"])[:40]
        '1 of 2 numeric dates only make sense mon'
    """
    texts = pa.array([v for v in values if isinstance(v, str)], type=pa.string())
    parts = pc.extract_regex(texts, _MONTH_FIRST_RE2)
    found = parts.is_valid().to_numpy(zero_copy_only=False)
    first, second = _ints(parts.field("a"))[found], _ints(parts.field("b"))[found]
    total, first_big, second_big = int(found.sum()), int((first > 12).sum()), int((second > 12).sum())
    example = (
        _clean(texts.filter(pa.array(found)).to_pylist()[int(np.argmax(second > 12))]) if second_big else ""
    )
    if second_big and not first_big:
        return (
            f"{second_big} of {total} numeric dates only make sense month-first (e.g. '{example}') and none "
            f"only makes sense day-first: the column may be month-first (US style); check it with the agency"
        )
    return None


def __getattr__(name: str) -> object:
    """``parse_date_column`` lives in ``dates_column`` (which imports this module); loaded on first use."""
    if name == "parse_date_column":
        from chronology.ingest.dates_column import parse_date_column

        return parse_date_column
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
