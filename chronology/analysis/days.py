"""Days and instants as UK chronologies write them: dd/mm/yyyy, local midnights, "a" or "an".

Example:
    >>> fmt_date(date(2019, 3, 3))
    '03/03/2019'
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd


def fmt_date(day: date | np.datetime64 | pd.Timestamp) -> str:
    """A date as dd/mm/yyyy, the way UK chronologies write it.

    Example:
        >>> fmt_date(date(2019, 3, 3))
        '03/03/2019'
    """
    if isinstance(day, np.datetime64):
        # Detectors format the same few thousand days over and over: remember each one's text.
        text = _DATES.get(day)
        if text is None:
            if len(_DATES) >= _DATES_KEPT:
                _DATES.clear()
            text = _DATES[day] = day.astype("datetime64[D]").astype(date).strftime("%d/%m/%Y")
        return text
    return day.strftime("%d/%m/%Y")


#: fmt_date's texts of numpy days (equal values are the same instant, so the same day).
_DATES: dict[np.datetime64, str] = {}
_DATES_KEPT = 100_000


def local_midnight(day: np.datetime64 | date, timezone: str) -> pd.Timestamp:
    """The start of a day in ``timezone``: ``pd.Timestamp(day).tz_localize(timezone)``, remembered.

    Example:
        >>> local_midnight(np.datetime64("2019-06-02"), "Europe/London")
        Timestamp('2019-06-02 00:00:00+0100', tz='Europe/London')
    """
    if not isinstance(day, np.datetime64):
        return pd.Timestamp(day).tz_localize(timezone)
    key = (day, day.dtype, timezone)
    stamp = _MIDNIGHTS.get(key)
    if stamp is None:
        if len(_MIDNIGHTS) >= _DATES_KEPT:
            _MIDNIGHTS.clear()
        stamp = _MIDNIGHTS[key] = pd.Timestamp(day).tz_localize(timezone)
    return stamp


#: local_midnight's timestamps (a timestamp is immutable, so findings may share one).
_MIDNIGHTS: dict[tuple[np.datetime64, np.dtype, str], pd.Timestamp] = {}


def with_article(label: str) -> str:
    """'a referral', 'an assessment'.

    Example:
        >>> with_article("Initial child protection conference")
        'an initial child protection conference'
    """
    low = label[:1].lower() + label[1:] if not label[:2].isupper() else label
    return ("an " if low[:1].lower() in "aeiou" else "a ") + low


def as_day(value: date | np.datetime64 | pd.Timestamp) -> np.datetime64:
    """Any date-like value as ``numpy.datetime64[D]``.

    Example:
        >>> as_day(pd.Timestamp("2019-03-03"))
        np.datetime64('2019-03-03')
    """
    if isinstance(value, pd.Timestamp):
        value = value.to_datetime64()
    day: np.datetime64 = np.asarray(value).astype("datetime64[D]")[()]  # type: ignore[assignment]
    return day


def as_date(value: date | np.datetime64 | pd.Timestamp) -> date:
    """Any date-like value as ``datetime.date``.

    Example:
        >>> as_date(np.datetime64("2019-03-03"))
        datetime.date(2019, 3, 3)
    """
    return as_day(value).astype(date)


def instant(value: Any, timezone: str) -> pd.Timestamp:
    """A timestamp in ``timezone``; a naive value is taken as UTC.

    Example:
        >>> instant(np.datetime64("2019-06-01T23:00"), "Europe/London")
        Timestamp('2019-06-02 00:00:00+0100', tz='Europe/London')
    """
    ts = pd.Timestamp(value)
    if ts.tz is None:
        ts = ts.tz_localize("UTC")
    return ts.tz_convert(timezone)
