"""Working days in England: weekends and England & Wales bank holidays excluded.

Bank holidays come from the maintained ``holidays`` library
(``holidays.country_holidays("GB", subdiv="ENG")``), never from a hand-typed
list. Counting follows the statutory guidance: "within 1 working day of a
referral made on a Friday" means by the following Monday.

Example:
    >>> from datetime import date
    >>> add_working_days(date(2019, 4, 18), 1)  # Thursday before Easter
    datetime.date(2019, 4, 23)
    >>> working_days_between(date(2019, 4, 18), date(2019, 4, 23))
    1
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import holidays
import numpy as np

#: Years covered by the calendar; chronologies outside these are rare, and
#: outside them only weekends are excluded.
FIRST_YEAR = 1990
LAST_YEAR = 2045


@lru_cache(maxsize=1)
def _calendar() -> np.busdaycalendar:
    bank_holidays = holidays.country_holidays("GB", subdiv="ENG", years=range(FIRST_YEAR, LAST_YEAR + 1))
    days = np.array(sorted(bank_holidays), dtype="datetime64[D]")
    return np.busdaycalendar(weekmask="1111100", holidays=days)


def bank_holidays(year: int) -> list[date]:
    """The bank holidays of England & Wales in one year, as dates.

    Example:
        >>> date(2019, 4, 19) in bank_holidays(2019)  # Good Friday
        True
    """
    return sorted(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    """True for a weekday that is not an England & Wales bank holiday.

    Example:
        >>> is_working_day(date(2019, 12, 25))
        False
    """
    return bool(np.is_busday(np.datetime64(day, "D"), busdaycal=_calendar()))


def add_working_days(day: date, n: int) -> date:
    """The n-th working day after ``day`` (``day`` itself never counts).

    Args:
        day: The starting date (any day, working or not).
        n: How many working days to count forward (0 gives ``day`` itself).

    Example:
        >>> add_working_days(date(2019, 12, 24), 1)  # Christmas Eve
        datetime.date(2019, 12, 27)
    """
    if n == 0:
        return day
    d = np.datetime64(day, "D")
    out = np.busday_offset(d, n, roll="backward", busdaycal=_calendar())
    return out.astype(date)


def add_working_days_array(days: np.ndarray, n: int) -> np.ndarray:
    """Vectorised :func:`add_working_days` over ``datetime64[D]`` values.

    Example:
        >>> add_working_days_array(np.array(["2019-04-18"], dtype="datetime64[D]"), 1)
        array(['2019-04-23'], dtype='datetime64[D]')
    """
    days = np.asarray(days, dtype="datetime64[D]")
    if n == 0 or days.size == 0:
        return days.copy()
    return np.busday_offset(days, n, roll="backward", busdaycal=_calendar())


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative if end < start).

    The inverse of :func:`add_working_days`:
    ``working_days_between(d, add_working_days(d, n)) == n``.

    Example:
        >>> working_days_between(date(2019, 12, 20), date(2019, 12, 30))  # over Christmas
        4
    """
    a = np.datetime64(start, "D")
    b = np.datetime64(end, "D")
    if b >= a:
        return int(np.busday_count(a + 1, b + 1, busdaycal=_calendar()))
    return -int(np.busday_count(b + 1, a + 1, busdaycal=_calendar()))


def working_days_between_array(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Vectorised :func:`working_days_between` for ``end >= start`` pairs.

    Example:
        >>> working_days_between_array(np.array(["2019-04-18"], dtype="datetime64[D]"),
        ...                            np.array(["2019-04-24"], dtype="datetime64[D]"))
        array([2])
    """
    a = np.asarray(starts, dtype="datetime64[D]")
    b = np.asarray(ends, dtype="datetime64[D]")
    return np.busday_count(a + 1, b + 1, busdaycal=_calendar())
