"""Working days: weekends and England & Wales bank holidays excluded."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from chronology.analysis.calendar import (
    add_working_days,
    add_working_days_array,
    bank_holidays,
    is_working_day,
    working_days_between,
)


def test_bank_holidays_come_from_the_library():
    assert date(2019, 4, 19) in bank_holidays(2019)  # Good Friday
    assert date(2019, 4, 22) in bank_holidays(2019)  # Easter Monday
    assert date(2020, 12, 28) in bank_holidays(2020)  # Boxing Day observed (26th a Saturday)
    assert not is_working_day(date(2019, 5, 6))  # Early May bank holiday
    assert is_working_day(date(2019, 4, 23))


def test_across_easter():
    # Thursday 18/04/2019 + 1 working day: Good Friday, the weekend and Easter Monday skipped.
    assert add_working_days(date(2019, 4, 18), 1) == date(2019, 4, 23)
    assert working_days_between(date(2019, 4, 18), date(2019, 4, 23)) == 1
    assert add_working_days(date(2019, 4, 1), 15) == date(2019, 4, 24)  # 17 weekdays, 2 of them holidays


def test_across_christmas():
    # Christmas Eve 2019 (Tuesday) + 1: Christmas Day and Boxing Day skipped.
    assert add_working_days(date(2019, 12, 24), 1) == date(2019, 12, 27)
    # 23/12/2020 + 2: 24th, then 25th, 26th-27th weekend, 28th observed Boxing Day: the 29th.
    assert add_working_days(date(2020, 12, 23), 2) == date(2020, 12, 29)
    assert working_days_between(date(2019, 12, 20), date(2020, 1, 3)) == 7  # 23, 24, 27, 30, 31, 2, 3


def test_from_a_weekend_the_first_working_day_is_the_next():
    assert add_working_days(date(2019, 3, 3), 1) == date(2019, 3, 4)  # Sunday -> Monday
    assert add_working_days(date(2019, 3, 8), 1) == date(2019, 3, 11)  # Friday -> Monday


def test_the_array_form_agrees():
    days = np.array(["2019-04-18", "2019-12-24"], dtype="datetime64[D]")
    assert add_working_days_array(days, 1).tolist() == [date(2019, 4, 23), date(2019, 12, 27)]


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2039, 12, 31)),
    st.integers(min_value=0, max_value=300),
)
def test_between_inverts_add(day, n):
    later = add_working_days(day, n)
    assert working_days_between(day, later) == n
    assert later >= day
    if n:
        assert is_working_day(later)
        assert working_days_between(day, later - timedelta(days=1)) == n - 1
