"""Tests of the day-first date and time parser (chronology.ingest.dates)."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta

import holidays
import pandas as pd
import pytest

from chronology.ingest.dates import (
    ParsedDate,
    easter_sunday,
    looks_like_date,
    month_first_evidence,
    parse_date_cell,
    parse_date_column,
    parse_time_cell,
)


def local(text: str) -> tuple[str, str]:
    """(local wall time, UTC offset) of a parsed start, for readable expectations."""
    parsed = parse_date_cell(text)
    assert parsed.start is not None, parsed.error
    return parsed.start.strftime("%Y-%m-%d %H:%M:%S"), parsed.start.strftime("%z")


def span(value: object, time_value: object = None, **kw: object) -> tuple[str, str, str | None]:
    """(first day, last day, precision) of a parsed cell."""
    parsed = parse_date_cell(value, time_value, **kw)  # type: ignore[arg-type]
    assert parsed.start is not None and parsed.end is not None, parsed.error
    return parsed.start.date().isoformat(), parsed.end.date().isoformat(), parsed.precision


# ------------------------------------------------------------------------------------- day formats
@pytest.mark.parametrize(
    "text",
    [
        "03/04/2019",  # dd/mm/yyyy
        "3/4/2019",  # d/m/yyyy
        "03/04/19",  # dd/mm/yy, 19 -> 2019
        "03-04-2019",  # dashes
        "03.04.2019",  # dots
        "Wed 03/04/2019",  # weekday in front (3 April 2019 was a Wednesday)
        "Wednesday, 03/04/2019",
        "03-Apr-2019",
        "3 Apr 2019",
        "3rd April 2019",
        "3rd of April 2019",
        "April 3rd 2019",  # month first, but unambiguous with a month name
        "April 3, 2019",
        "2019-04-03",  # ISO
        "  03/04/2019  ",  # padding
    ],
)
def test_day_formats_are_read_day_first(text: str) -> None:
    # every form means 3 April 2019 (day first), a whole day, with no note
    parsed = parse_date_cell(text)
    assert (parsed.start.date(), parsed.precision, parsed.error, parsed.note) == (
        date(2019, 4, 3),
        "day",
        "",
        "",
    )


def test_day_starts_at_local_midnight_and_ends_there() -> None:
    parsed = parse_date_cell("03/04/2019")
    # 3 April 2019 is in British Summer Time, so midnight is 23:00 UTC the day before
    assert parsed.start == datetime(2019, 4, 2, 23, 0, tzinfo=UTC)
    # a single day: the last day covered is the same day
    assert parsed.end == parsed.start


@pytest.mark.parametrize(
    ("text", "year"), [("01/01/00", 2000), ("01/01/69", 2069), ("01/01/70", 1970), ("01/01/99", 1999)]
)
def test_two_digit_years_pivot_at_70(text: str, year: int) -> None:
    # 00-69 are 20xx, 70-99 are 19xx
    assert parse_date_cell(text).start.year == year


def test_weekday_that_does_not_match_is_kept_with_a_note() -> None:
    parsed = parse_date_cell("Tue 03/04/2019")
    # the date wins (3 April 2019 was a Wednesday); the mismatch is reported, not fatal
    assert parsed.start.date() == date(2019, 4, 3)
    assert parsed.note == "weekday Tuesday does not match 03/04/2019, a Wednesday"


# ------------------------------------------------------------------------------------ date and time
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("03/04/2019 14:30", ("2019-04-03 14:30:00", "+0100")),  # BST in April
        ("03/04/2019 14:30:00", ("2019-04-03 14:30:00", "+0100")),
        ("03/04/2019 2.30pm", ("2019-04-03 14:30:00", "+0100")),
        ("03/04/2019 1430hrs", ("2019-04-03 14:30:00", "+0100")),
        ("03/04/2019 at 09:05", ("2019-04-03 09:05:00", "+0100")),
        ("3 April 2019 14:30", ("2019-04-03 14:30:00", "+0100")),
        ("2019-04-03T14:30:00", ("2019-04-03 14:30:00", "+0100")),
        ("2019-04-03 14:30", ("2019-04-03 14:30:00", "+0100")),
        ("2019-04-03T13:30:00Z", ("2019-04-03 14:30:00", "+0100")),  # UTC 13:30 is 14:30 BST
        ("12/01/2019 14:30", ("2019-01-12 14:30:00", "+0000")),  # GMT in January
    ],
)
def test_date_and_time_in_one_cell(text: str, expected: tuple[str, str]) -> None:
    assert local(text) == expected
    parsed = parse_date_cell(text)
    # an instant: precision time, and the end is the start
    assert (parsed.precision, parsed.end) == ("time", parsed.start)


def test_midnight_in_the_date_cell_is_a_day() -> None:
    # case systems export plain dates as "dd/mm/yyyy 00:00"
    assert span("03/04/2019 00:00") == ("2019-04-03", "2019-04-03", "day")
    assert span("2019-04-03T00:00:00") == ("2019-04-03", "2019-04-03", "day")


@pytest.mark.parametrize(
    "time_value",
    ["14:30", "1430", "14.30", "2.30pm", "2:30 pm", "14:30:00", "1430hrs", time(14, 30), 0.6041666,
     datetime(1899, 12, 30, 14, 30), datetime(1899, 12, 31, 14, 30), datetime(1900, 1, 1, 14, 30), 1430.0],
)  # fmt: skip
def test_separate_time_column(time_value: object) -> None:
    # every form is 14:30 (0.6041666 of a day is 52199.99 s, rounded to 14:30:00)
    parsed = parse_date_cell("03/04/2019", time_value)
    assert parsed.start == datetime(2019, 4, 3, 13, 30, tzinfo=UTC)
    assert parsed.precision == "time"


@pytest.mark.parametrize("empty", [None, "", "  ", float("nan"), pd.NA, pd.NaT])
def test_empty_time_column_gives_a_day(empty: object) -> None:
    assert span("03/04/2019", empty) == ("2019-04-03", "2019-04-03", "day")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("9:05", time(9, 5)),
        ("12am", time(0, 0)),  # 12 am is midnight
        ("12pm", time(12, 0)),  # 12 pm is noon
        ("midday", time(12, 0)),
        ("0930", time(9, 30)),
        ("14:30-15:30", time(14, 30)),  # a time range: its start
        ("2pm to 3pm", time(14, 0)),
        (0.5, time(12, 0)),  # half a day
        (timedelta(hours=7, minutes=15), time(7, 15)),
        (time(14, 29, 59, 999_000), time(14, 30, 0)),  # calamine float noise, rounded to the second
    ],
)
def test_parse_time_cell_reads(value: object, expected: time) -> None:
    assert parse_time_cell(value) == (expected, "")


@pytest.mark.parametrize(
    "value", ["25:61", "24:00", "14:30-25:00", "13pm", "0am", "14:60", "soon", True, 2400.0, 1.5]
)
def test_parse_time_cell_rejects(value: object) -> None:
    clock, error = parse_time_cell(value)
    # no time, and the error quotes the cell
    assert clock is None
    assert error.startswith("invalid time '")


def test_invalid_time_makes_the_row_unusable() -> None:
    parsed = parse_date_cell("03/04/2019", "25:61")
    assert parsed == ParsedDate(None, None, None, "invalid time '25:61'")


def test_time_in_both_cells_that_disagree_keeps_the_date_cell() -> None:
    parsed = parse_date_cell("03/04/2019 09:00", "15:00")
    assert parsed.start.hour == 9
    assert parsed.note == "time column '15:00' differs from the time in the date cell, which is used"


def test_time_with_an_approximate_span_is_ignored_with_a_note() -> None:
    parsed = parse_date_cell("March 2019", "14:30")
    assert parsed.precision == "month"
    assert parsed.note == "time '14:30' ignored: the date is not a single moment"


# ---------------------------------------------------------------------------------------- Excel
def test_excel_datetime_objects() -> None:
    # a date cell with a time: an instant in local time
    assert parse_date_cell(datetime(2019, 4, 3, 14, 30)).precision == "time"
    # midnight exactly with no time column: Excel date cells have no time, so a day
    assert span(datetime(2019, 4, 3)) == ("2019-04-03", "2019-04-03", "day")
    assert span(date(2019, 4, 3)) == ("2019-04-03", "2019-04-03", "day")
    assert span(pd.Timestamp("2019-04-03")) == ("2019-04-03", "2019-04-03", "day")


@pytest.mark.parametrize("serial", [43528, 43528.0, "43528"])
def test_excel_serial_numbers(serial: object) -> None:
    # serial 43528 of the 1900 system is 4 March 2019
    assert span(serial) == ("2019-03-04", "2019-03-04", "day")


def test_excel_serial_with_a_fraction_is_an_instant() -> None:
    # .5 of a day is noon; March is GMT
    assert local_of(43528.5) == "2019-03-04 12:00"


def local_of(value: object) -> str:
    return parse_date_cell(value).start.strftime("%Y-%m-%d %H:%M")


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (12345, "not a date: '12345'"),  # serial of 1933: not a plausible chronology date
        ("12345", "not a date: '12345'"),
        (0.5, "not a date: '0.5'"),  # a time alone
        (True, "not a date: 'True'"),
        (time(14, 30), "not a date: '14:30'"),
        (datetime(1899, 12, 30, 14, 30), "not a date: '14:30' is a time with no date"),
        (datetime(1899, 12, 31), "date '31/12/1899' is outside 1950-2100"),  # Excel's zero date
        (1900, "date '1900' is outside 1950-2100"),
    ],
)
def test_excel_values_that_are_not_dates(value: object, error: str) -> None:
    assert parse_date_cell(value) == ParsedDate(None, None, None, error)


def test_whole_number_in_range_is_a_year() -> None:
    # Excel stores a typed 2019 as a number
    assert span(2019) == ("2019-01-01", "2019-12-31", "year")


# ---------------------------------------------------------------------------------- approximate
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("w/c 04/03/2019", ("2019-03-04", "2019-03-10", "week")),  # that day to six days later
        ("W/C 04/03/19", ("2019-03-04", "2019-03-10", "week")),
        ("week commencing 4 March 2019", ("2019-03-04", "2019-03-10", "week")),
        ("w/b 4th March 2019", ("2019-03-04", "2019-03-10", "week")),
        ("March 2019", ("2019-03-01", "2019-03-31", "month")),
        ("Mar 2019", ("2019-03-01", "2019-03-31", "month")),
        ("Mar-19", ("2019-03-01", "2019-03-31", "month")),
        ("Sept 2019", ("2019-09-01", "2019-09-30", "month")),
        ("03/2019", ("2019-03-01", "2019-03-31", "month")),
        ("2019-03", ("2019-03-01", "2019-03-31", "month")),
        ("February 2020", ("2020-02-01", "2020-02-29", "month")),  # a leap year
        ("2019", ("2019-01-01", "2019-12-31", "year")),
        ("early March 2019", ("2019-03-01", "2019-03-10", "week")),  # days 1-10
        ("mid March 2019", ("2019-03-11", "2019-03-20", "week")),  # days 11-20
        ("mid-March 2019", ("2019-03-11", "2019-03-20", "week")),
        ("late February 2019", ("2019-02-21", "2019-02-28", "week")),  # 21 to the month's end
        ("end of April 2019", ("2019-04-21", "2019-04-30", "week")),
    ],
)
def test_approximate_spans(text: str, expected: tuple[str, str, str]) -> None:
    assert span(text) == expected
    # a stated span needs no note
    assert parse_date_cell(text).note == ""


@pytest.mark.parametrize(
    "text", ["approx 12/03/2019", "approx. 12/03/2019", "c. 12/03/2019", "about 12/03/2019", "12/03/2019?",
             "circa 12/03/2019", "~12/03/2019", "12/03/2019 (approx)"],
)  # fmt: skip
def test_approximate_day(text: str) -> None:
    parsed = parse_date_cell(text)
    # the day is kept at day precision, flagged approximate
    assert (parsed.start.date(), parsed.precision, parsed.note) == (
        date(2019, 3, 12),
        "day",
        "approximate date",
    )


def test_approximate_month() -> None:
    parsed = parse_date_cell("approx March 2019")
    assert (parsed.precision, parsed.note) == ("month", "approximate date")


# -------------------------------------------------------------------------------------- terms
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # each window starts on a day every school is in term, and ends on the latest day the term can
        ("Autumn term 2019", ("2019-09-08", "2019-12-31", "term")),  # 8 Sep - 31 Dec
        ("Spring term 2020", ("2020-01-08", "2020-04-12", "term")),  # 8 Jan - Easter Sunday (12 Apr 2020)
        ("Summer term 2020", ("2020-04-28", "2020-07-31", "term")),  # Easter Monday + 15 days - 31 Jul
        ("Spring term 2019", ("2019-01-08", "2019-04-21", "term")),  # Easter 2019 was 21 April
        ("Autumn term 2019/20", ("2019-09-08", "2019-12-31", "term")),  # autumn of the academic year
        ("Spring term 2019/20", ("2020-01-08", "2020-04-12", "term")),  # spring falls in its second year
        ("summer term 2019-2020", ("2020-04-28", "2020-07-31", "term")),
        # a season without "term": from a day inside both the term and the season, to the later end
        ("Spring 2020", ("2020-03-01", "2020-05-31", "term")),
        ("Summer 2020", ("2020-06-01", "2020-08-31", "term")),
        ("Autumn 2019", ("2019-09-08", "2019-12-31", "term")),
        ("Fall 2019", ("2019-09-08", "2019-12-31", "term")),
    ],
)
def test_terms(text: str, expected: tuple[str, str, str]) -> None:
    assert span(text) == expected


def test_academic_year_must_be_two_years_running() -> None:
    assert parse_date_cell("Spring term 2019/21").error.startswith("not a date: 'Spring term 2019/21'")


@pytest.mark.parametrize("year", [1990, 2008, 2011, 2019, 2024, 2038, 2049])
def test_easter_agrees_with_the_holidays_package(year: int) -> None:
    # England's Easter Monday bank holiday is the day after Easter Sunday
    uk = holidays.country_holidays("GB", subdiv="ENG", years=year)
    easter_monday = next(day for day, name in uk.items() if name == "Easter Monday")
    assert easter_sunday(year) + timedelta(days=1) == easter_monday


# -------------------------------------------------------------------------------- year inference
def test_year_less_cells_take_the_default_year() -> None:
    parsed = parse_date_cell("approx. mid-June", default_year=2019)
    # mid = days 11-20, precision week
    assert span("approx. mid-June", default_year=2019) == ("2019-06-11", "2019-06-20", "week")
    assert parsed.note == "approximate date; year 2019 taken from the entry above"
    assert span("12/03", default_year=2019) == ("2019-03-12", "2019-03-12", "day")
    assert span("12 March", default_year=2019) == ("2019-03-12", "2019-03-12", "day")
    assert span("June", default_year=2019) == ("2019-06-01", "2019-06-30", "month")


def test_year_less_cell_without_a_default_is_an_error() -> None:
    assert parse_date_cell("approx. mid-June").error == (
        "no year in 'approx. mid-June', and no dated entry above to take it from"
    )


def test_default_year_is_ignored_when_the_cell_has_one() -> None:
    parsed = parse_date_cell("12/03/2018", default_year=2019)
    assert (parsed.start.year, parsed.note) == (2018, "")


def test_column_takes_the_year_from_the_nearest_dated_row_above() -> None:
    frame = parse_date_column(["mid-June", "03/04/2019", "TBC", "12/03", "01/01/2020", "late May"])
    # row 0: nothing above it
    assert frame.loc[0, "error"] == "no year in 'mid-June', and no dated entry above to take it from"
    # row 3: the nearest dated row above is row 1 (2019); "TBC" does not count
    assert frame.loc[3, "start"].date() == date(2019, 3, 12)
    assert frame.loc[3, "note"] == "year 2019 taken from the entry above"
    # row 5: the row above is 2020
    assert frame.loc[5, "start"].date() == date(2020, 5, 21)


# ---------------------------------------------------------------------------- impossible inputs
@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("01/00/2019", "impossible date '01/00/2019': there is no month 0"),
        ("13/13/2019", "impossible date '13/13/2019': there is no month 13"),
        ("04/13/2019", "impossible date '04/13/2019': there is no month 13 (is this column month-first?)"),
        ("01/01/1900", "date '01/01/1900' is outside 1950-2100"),
        ("00/01/1900", "date '00/01/1900' is outside 1950-2100"),  # Excel's zero date
        ("2200", "date '2200' is outside 1950-2100"),
        ("01/01/2101", "date '01/01/2101' is outside 1950-2100"),
        ("March 1949", "date 'March 1949' is outside 1950-2100"),
        ("03/04/2019 25:61", "invalid time '25:61' in '03/04/2019 25:61'"),
        ("March 19", "ambiguous date 'March 19': 19 March, or March 2019?"),
    ],
)
def test_impossible_dates_are_errors_never_guesses(text: str, error: str) -> None:
    # (a day its month lacks is dated by the month: test_impossible_day_is_dated_by_its_month)
    assert parse_date_cell(text) == ParsedDate(None, None, None, error)
    # still date-shaped, so header detection counts them as dates
    assert looks_like_date(text)


@pytest.mark.parametrize(
    "text", ["see above", "TBC", "Unknown", "Date of contact", "14:30", "n/a", "?", "approx"]
)
def test_free_text_is_not_a_date(text: str) -> None:
    assert parse_date_cell(text) == ParsedDate(None, None, None, f"not a date: '{text}'")
    assert not looks_like_date(text)


@pytest.mark.parametrize("empty", [None, "", "   ", "\n", float("nan"), pd.NA, pd.NaT])
def test_empty_cells_are_empty(empty: object) -> None:
    # the row builder decides what an empty date means
    assert parse_date_cell(empty) == ParsedDate(None, None, None, "", "")
    assert parse_date_cell(empty, "14:30") == ParsedDate(None, None, None, "", "")
    assert not looks_like_date(empty)


def test_looks_like_date_accepts_what_parses() -> None:
    for value in [
        "03/04/2019",
        "w/c 04/03/2019",
        "Spring term 2020",
        "mid-June",
        datetime(2019, 4, 3),
        43528,
    ]:
        assert looks_like_date(value), value


# -------------------------------------------------------------------------------- clock changes
def test_non_existent_time_moves_forward_one_hour() -> None:
    # 31/03/2019: the clocks went from 01:00 GMT to 02:00 BST, so 01:30 never happened
    parsed = parse_date_cell("31/03/2019 01:30")
    assert parsed.start == datetime(2019, 3, 31, 1, 30, tzinfo=UTC)  # = 02:30 BST
    assert local("31/03/2019 01:30") == ("2019-03-31 02:30:00", "+0100")
    assert (
        parsed.note == "time 01:30 does not exist on 31/03/2019 (the clocks went forward); taken as 02:30 BST"
    )
    assert parsed.error == ""


def test_ambiguous_time_takes_the_first_occurrence() -> None:
    # 27/10/2019: 01:00-02:00 happened twice, first in BST then in GMT
    parsed = parse_date_cell("27/10/2019 01:30")
    # compared in UTC: Python never finds a time in the repeated hour equal to one in another zone
    assert parsed.start.astimezone(UTC) == datetime(2019, 10, 27, 0, 30, tzinfo=UTC)  # 01:30 BST
    assert parsed.note == "ambiguous time at the clock change, taken as BST"


def test_clock_change_days_themselves_are_plain_days() -> None:
    # midnight exists on both change days, in GMT (March) and BST (October)
    assert local("31/03/2019") == ("2019-03-31 00:00:00", "+0000")
    assert local("27/10/2019") == ("2019-10-27 00:00:00", "+0100")
    assert parse_date_cell("31/03/2019").note == ""


def test_times_next_to_the_changes_are_ordinary() -> None:
    assert local("31/03/2019 00:59") == ("2019-03-31 00:59:00", "+0000")
    assert local("31/03/2019 02:00") == ("2019-03-31 02:00:00", "+0100")
    assert local("27/10/2019 02:00") == ("2019-10-27 02:00:00", "+0000")
    assert parse_date_cell("27/10/2019 02:00").note == ""


def test_other_timezone() -> None:
    parsed = parse_date_cell("03/04/2019 14:30", timezone="Europe/Paris")
    # CEST is UTC+2
    assert parsed.start == datetime(2019, 4, 3, 12, 30, tzinfo=UTC)


# -------------------------------------------------------------------------- month-first evidence
def test_month_first_evidence_positive() -> None:
    message = month_first_evidence(["04/13/2019", "04/02/2019", "05/28/2019 10:00", "TBC", None])
    # two second fields over 12 (13, 28), no first field over 12
    assert message is not None
    assert message.startswith("2 of 3 numeric dates only make sense month-first (e.g. '04/13/2019')")


def test_month_first_evidence_negative() -> None:
    # 13/04/2019 only makes sense day-first, so the column is mixed evidence: no warning
    assert month_first_evidence(["04/13/2019", "13/04/2019"]) is None
    # no second field over 12
    assert month_first_evidence(["03/04/2019", "25/12/2019"]) is None
    # ISO dates and text are no evidence
    assert month_first_evidence(["2019-04-13", "April 13 2019", 43528]) is None


# ---------------------------------------------------------------------------------------- column
COLUMN_DATES: list[object] = [
    "03/04/2019", "3/4/19", "03/04/2019 14:30", "03/04/2019 00:00", "2019-04-03", "2019-04-03T14:30:05",
    "03-Apr-2019", "3-apr-2019 09:00", "03.04.2019", "Wed 03/04/2019", "w/c 04/03/2019", "March 2019",
    "Spring term 2020", "approx. mid-June", "12/03", "31/02/2020", "04/13/2019", "01/01/1900", "TBC", "",
    None, float("nan"), datetime(2019, 4, 3, 14, 30), datetime(2019, 4, 3), date(2019, 4, 3),
    datetime(1899, 12, 30, 9, 0), 43528, 43528.25, "43528", "31/03/2019 01:30", "27/10/2019 01:30",
    "31/03/2019", "27/10/2019", "03/04/2019 25:61", "03/04/2019", "03/04/2019", "99/99/9999",
    "2019-04-03 14:30", True, "12/03/2019?", "03/04/2019 14:30",
]  # fmt: skip
COLUMN_TIMES: list[object] = [
    "14:30", None, "", "10:00", "1430", None, "2.30pm", None, time(9, 0), None, "14:30", "14:30", None, None,
    "10:00", None, None, None, None, "14:30", "14:30", None, None, "10:00", 0.5, None, None, None, None,
    None, None, "01:30", "01:30", None, "25:61", "", None, "16:00", None, "09:00", "14:30",
]  # fmt: skip


def utc(stamp: object) -> datetime | None:
    """An instant in UTC (comparing in one zone would ignore which side of a clock change it is)."""
    return None if stamp is None or pd.isna(stamp) else pd.Timestamp(stamp).tz_convert("UTC").to_pydatetime()


def assert_same(frame: pd.DataFrame, expected: list[ParsedDate]) -> None:
    for i, parsed in enumerate(expected):
        row = frame.iloc[i]
        got = (utc(row.start), utc(row.end), None if pd.isna(row.date_precision) else row.date_precision)
        assert got == (utc(parsed.start), utc(parsed.end), parsed.precision), i
        assert (row.error, row.note) == (parsed.error, parsed.note), i


def cell_by_cell(
    dates: list[object], times: list[object] | None, timezone: str = "Europe/London"
) -> list[ParsedDate]:
    """parse_date_cell row by row, with the column's year rule."""
    out: list[ParsedDate] = []
    year: int | None = None
    for i, value in enumerate(dates):
        parsed = parse_date_cell(value, times[i] if times else None, timezone=timezone, default_year=year)
        out.append(parsed)
        if parsed.start is not None:
            year = parsed.start.year
    return out


def test_column_equals_cells_row_by_row() -> None:
    assert len(COLUMN_DATES) == len(COLUMN_TIMES)
    frame = parse_date_column(COLUMN_DATES, COLUMN_TIMES)
    assert_same(frame, cell_by_cell(COLUMN_DATES, COLUMN_TIMES))
    frame = parse_date_column(COLUMN_DATES)
    assert_same(frame, cell_by_cell(COLUMN_DATES, None))


def test_column_equals_cells_in_another_timezone() -> None:
    frame = parse_date_column(COLUMN_DATES, COLUMN_TIMES, timezone="America/New_York")
    assert_same(frame, cell_by_cell(COLUMN_DATES, COLUMN_TIMES, "America/New_York"))


def test_column_shape_and_types() -> None:
    frame = parse_date_column(pd.Series(["03/04/2019", None, "TBC"]), timezone="Europe/London")
    assert list(frame.columns) == ["start", "end", "date_precision", "error", "note"]
    assert str(frame["start"].dtype) == "datetime64[us, Europe/London]"
    assert str(frame["end"].dtype) == "datetime64[us, Europe/London]"
    # no precision for an empty or invalid cell; "" for no error or note
    assert frame["date_precision"].isna().tolist() == [False, True, True]
    assert frame["error"].tolist() == ["", "", "not a date: 'TBC'"]
    assert frame["note"].tolist() == ["", "", ""]


def test_empty_column() -> None:
    frame = parse_date_column([])
    assert len(frame) == 0
    assert list(frame.columns) == ["start", "end", "date_precision", "error", "note"]


def test_column_needs_as_many_times_as_dates() -> None:
    with pytest.raises(ValueError, match="2 dates but 1 times"):
        parse_date_column(["03/04/2019", "04/04/2019"], ["14:30"])


def test_column_with_nan_only() -> None:
    frame = parse_date_column([math.nan, None])
    assert frame["start"].isna().all()
    assert (frame["error"] == "").all()


# --------------------------------------------------------------------- dates as written, kept
@pytest.mark.parametrize(
    ("text", "month", "reason"),
    [
        ("31/02/2020", ("2020-02-01", "2020-02-29"), "February 2020 has 29 days"),
        ("30/02/2019", ("2019-02-01", "2019-02-28"), "February 2019 has 28 days"),
        ("29/02/2019", ("2019-02-01", "2019-02-28"), "February 2019 has 28 days"),
        ("31/04/2019", ("2019-04-01", "2019-04-30"), "April 2019 has 30 days"),  # 31st of a 30-day month
        ("00/01/2019", ("2019-01-01", "2019-01-31"), "there is no day 0"),
        ("31 February 2020", ("2020-02-01", "2020-02-29"), "February 2020 has 29 days"),
        ("2019-02-30", ("2019-02-01", "2019-02-28"), "February 2019 has 28 days"),
        ("w/c 31/02/2020", ("2020-02-01", "2020-02-29"), "February 2020 has 29 days"),
    ],
)
def test_impossible_day_is_dated_by_its_month(text: str, month: tuple[str, str], reason: str) -> None:
    # The row is kept, dated by the window its month implies, and flagged; the day is never guessed.
    parsed = parse_date_cell(text)
    assert (parsed.start.date().isoformat(), parsed.end.date().isoformat(), parsed.precision) == (
        *month,
        "month",
    )
    assert parsed.error == ""
    assert parsed.note.startswith("date as written is impossible") and reason in parsed.note


def test_question_mark_before_a_date_is_uncertain() -> None:
    # Chronolator marks an uncertain date with a leading "?".
    parsed = parse_date_cell("? 22 May 2016")
    assert (parsed.start.date(), parsed.precision, parsed.note) == (
        date(2016, 5, 22),
        "day",
        "approximate date",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("03/05/2021 & 10/05/2021", ("2021-05-03", "2021-05-10", "month")),  # two dates: earlier to later
        ("03/05/2021 - 10/05/2021", ("2021-05-03", "2021-05-10", "month")),
        ("03/05/2021-05/05/2021", ("2021-05-03", "2021-05-05", "week")),
        ("from 3 May 2021 to 4 May 2021", ("2021-05-03", "2021-05-04", "week")),
        ("03/05/2021 and 03/05/2021", ("2021-05-03", "2021-05-03", "day")),  # the same day twice
        ("between March 2021 and May 2021", ("2021-03-01", "2021-05-31", "term")),  # 92 days
    ],
)
def test_two_dates_in_one_cell_are_a_period(text: str, expected: tuple[str, str, str]) -> None:
    parsed = parse_date_cell(text)
    assert span(text) == expected
    assert "two dates in one cell" in parsed.note


def test_two_dates_newest_first_are_the_same_period() -> None:
    assert span("10/05/2021 & 03/05/2021") == ("2021-05-03", "2021-05-10", "month")


@pytest.mark.parametrize(
    "text", ["01/02/2019 -", "01/02/2019 - ongoing", "01/02/2019 to date", "1 Feb 2019 - present"]
)
def test_open_period_is_dated_by_its_start(text: str) -> None:
    parsed = parse_date_cell(text)
    assert (parsed.start.date(), parsed.precision) == (date(2019, 2, 1), "day")
    assert "open period" in parsed.note
