"""Property tests of the day-first date parser: round trips, impossible days, column = cells."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from chronology.ingest.dates import days_in_month, parse_date_cell, parse_date_column

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]  # fmt: skip
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def ordinal(day: int) -> str:
    suffix = "th" if 11 <= day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


#: Day-first (or unambiguous) ways agencies write one day.
FORMATS = {
    "dd/mm/yyyy": lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}",
    "d/m/yyyy": lambda d: f"{d.day}/{d.month}/{d.year}",
    "dd-mm-yyyy": lambda d: f"{d.day:02d}-{d.month:02d}-{d.year}",
    "dd.mm.yyyy": lambda d: f"{d.day:02d}.{d.month:02d}.{d.year}",
    "dd-Mon-yyyy": lambda d: f"{d.day:02d}-{MONTHS[d.month - 1][:3]}-{d.year}",
    "d Month yyyy": lambda d: f"{d.day} {MONTHS[d.month - 1]} {d.year}",
    "dth Month yyyy": lambda d: f"{ordinal(d.day)} {MONTHS[d.month - 1]} {d.year}",
    "Month dth yyyy": lambda d: f"{MONTHS[d.month - 1]} {ordinal(d.day)} {d.year}",
    "Wkd dd/mm/yyyy": lambda d: f"{WEEKDAYS[d.weekday()]} {d.day:02d}/{d.month:02d}/{d.year}",
    "yyyy-mm-dd": lambda d: d.isoformat(),
}


@settings(max_examples=200, deadline=None)
@given(day=st.dates(date(1950, 1, 1), date(2100, 12, 31)), form=st.sampled_from(sorted(FORMATS)))
def test_formatting_then_parsing_gives_the_day_back(day: date, form: str) -> None:
    text = FORMATS[form](day)
    parsed = parse_date_cell(text)
    assert parsed.error == "", text
    assert (parsed.start.date(), parsed.end.date(), parsed.precision, parsed.note) == (day, day, "day", "")


@settings(max_examples=200, deadline=None)
@given(day=st.dates(date(1970, 1, 1), date(2069, 12, 31)))
def test_two_digit_years_round_trip_inside_the_pivot(day: date) -> None:
    # 1970-2069 is exactly what dd/mm/yy can express
    parsed = parse_date_cell(f"{day:%d/%m/%y}")
    assert parsed.start.date() == day


@settings(max_examples=200, deadline=None)
@given(
    year=st.integers(1950, 2100),
    month=st.integers(1, 12),
    extra=st.integers(1, 20),
    form=st.sampled_from(["{d:02d}/{m:02d}/{y}", "{d}-{m}-{y}", "{d} {name} {y}", "{y}-{m:02d}-{d:02d}"]),
)
def test_a_day_past_the_month_end_is_always_flagged(year: int, month: int, extra: int, form: str) -> None:
    # Never guessed: dated by its month as a whole, and flagged.
    day = days_in_month(year, month) + extra
    text = form.format(d=day, m=month, y=year, name=MONTHS[month - 1])
    parsed = parse_date_cell(text)
    assert parsed.precision == "month" and parsed.start.day == 1
    assert (parsed.start.year, parsed.start.month) == (year, month)
    assert parsed.note.startswith(f"date as written is impossible: impossible date '{text}'")


# ------------------------------------------------------------------------- column = cells
def number(low: int, high: int) -> st.SearchStrategy[str]:
    """Mostly in range (zero-padded or not), sometimes anything of two digits."""
    return st.one_of(
        st.integers(low, high).map(lambda v: f"{v:02d}"),
        st.integers(low, high).map(str),
        st.integers(0, 99).map(lambda v: f"{v:02d}"),
    )


CLOCK = st.one_of(
    st.just(""),
    st.builds(
        lambda sep, h, m, s: f"{sep}{h}:{m}{s}",
        st.sampled_from([" ", "  ", "T", " at ", "\t"]),
        number(0, 24),
        number(0, 59),
        st.sampled_from(["", ":00", ":59", ":60", ":5"]),
    ),
)
DAY_FIRST = st.builds(
    lambda d, sep, m, y, clock, lead, trail: f"{lead}{d}{sep}{m}{sep}{y}{clock}{trail}",
    number(1, 31),
    st.sampled_from(["/", "/", "-", ".", " "]),
    number(1, 12),
    st.sampled_from(["2019", "19", "1949", "2100", "2101", "69", "70", "0", "019"]),
    CLOCK,
    st.sampled_from(["", " ", "\u00a0"]),
    st.sampled_from(["", " ", "?"]),
)
ISO = st.builds(
    lambda y, m, d, clock: f"{y}-{m}-{d}{clock}",
    st.sampled_from(["2019", "1949", "2100", "2101"]),
    number(1, 12),
    number(1, 31),
    CLOCK,
)
NAMED = st.builds(
    lambda d, mon, y, clock: f"{d}-{mon}-{y}{clock}",
    number(1, 31),
    st.sampled_from(["Apr", "apr", "APR", "Sep", "Sept", "Foo", "May", "June"]),
    st.sampled_from(["2019", "19", "1900"]),
    CLOCK,
)
OBJECTS = st.one_of(
    st.datetimes(datetime(1890, 1, 1), datetime(2110, 12, 31)),
    st.dates(date(1940, 1, 1), date(2110, 12, 31)),
    st.datetimes(datetime(2019, 3, 31), datetime(2019, 3, 31, 3)),  # around a clock change
    st.datetimes(datetime(2019, 10, 27), datetime(2019, 10, 27, 3)),
    st.floats(0, 80000),
    st.integers(0, 80000),
    st.none(),
)
OTHER = st.sampled_from(["", "TBC", "mid-June", "12/03", "w/c 04/03/2019", "March 2019", "Autumn term 2019"])
DATE_CELLS = st.one_of(DAY_FIRST, ISO, NAMED, OBJECTS, OTHER, st.text(max_size=12))
TIME_CELLS = st.one_of(
    st.none(),
    st.just(""),
    st.builds(lambda h, m: f"{h}:{m}", number(0, 24), number(0, 59)),
    st.sampled_from(["1430", "2.30pm", "00:00", "01:30", "25:61", "noon"]),
    st.times().map(lambda t: t.replace(microsecond=t.microsecond // 1000 * 1000)),
    st.floats(0, 1, exclude_max=True),
)


def utc(stamp: object) -> datetime | None:
    return None if stamp is None or pd.isna(stamp) else pd.Timestamp(stamp).tz_convert("UTC").to_pydatetime()


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(st.tuples(DATE_CELLS, TIME_CELLS), max_size=25),
    with_times=st.booleans(),
    timezone=st.sampled_from(["Europe/London", "Europe/London", "America/Sao_Paulo"]),
)
def test_column_agrees_with_cells(rows: list[tuple[object, object]], with_times: bool, timezone: str) -> None:
    dates = [d for d, _ in rows]
    times = [t for _, t in rows] if with_times else None
    frame = parse_date_column(dates, times, timezone=timezone)
    year: int | None = None
    for i, value in enumerate(dates):
        cell = parse_date_cell(value, times[i] if times else None, timezone=timezone, default_year=year)
        if cell.start is not None:
            year = cell.start.year
        row = frame.iloc[i]
        got = (utc(row.start), utc(row.end), None if pd.isna(row.date_precision) else row.date_precision)
        assert got == (utc(cell.start), utc(cell.end), cell.precision), (i, value)
        assert (row.error, row.note) == (cell.error, cell.note), (i, value)


def two(low: int, high: int) -> st.SearchStrategy[str]:
    return st.integers(low, high).map(lambda v: f"{v:02d}")


#: Exactly the shapes of the column's fast paths, with every field near and past its bounds.
FAST_SHAPES = st.builds(
    lambda form, d, m, y, h, mi, sec, mon: form.format(d=d, m=m, y=y, h=h, mi=mi, s=sec, mon=mon, yy=y[-2:]),
    st.sampled_from(
        [
            "{d}/{m}/{y}",
            "{d}/{m}/{yy}",
            "{d}/{m}/{y} {h}:{mi}",
            "{d}/{m}/{y} {h}:{mi}:{s}",
            "{y}-{m}-{d}",
            "{y}-{m}-{d}T{h}:{mi}:{s}",
            "{y}-{m}-{d} {h}:{mi}",
            "{d}-{mon}-{y}",
            "{d}-{mon}-{y} {h}:{mi}",
        ]
    ),  # fmt: skip
    two(0, 32),
    two(0, 13),
    st.sampled_from(["1949", "1950", "1969", "1970", "2019", "2020", "2069", "2070", "2100", "2101"]),
    two(0, 25),
    two(0, 61),
    two(0, 61),
    st.sampled_from(["Jan", "feb", "MAR", "Sep", "Dec"]),
)


@settings(max_examples=200, deadline=None)
@given(dates=st.lists(FAST_SHAPES, max_size=10), times=st.lists(TIME_CELLS, min_size=10, max_size=10))
def test_fast_shapes_agree_with_cells(dates: list[str], times: list[object]) -> None:
    frame = parse_date_column(dates, times[: len(dates)])
    for i, value in enumerate(dates):
        cell = parse_date_cell(value, times[i])
        row = frame.iloc[i]
        got = (utc(row.start), utc(row.end), None if pd.isna(row.date_precision) else row.date_precision)
        assert got == (utc(cell.start), utc(cell.end), cell.precision), (i, value, times[i])
        assert (row.error, row.note) == (cell.error, cell.note), (i, value, times[i])


@settings(max_examples=100, deadline=None)
@given(
    moment=st.datetimes(datetime(1950, 1, 1), datetime(2100, 12, 31)).map(lambda m: m.replace(microsecond=0))
)
def test_date_and_time_cells_round_trip(moment: datetime) -> None:
    parsed = parse_date_cell(f"{moment:%d/%m/%Y}", f"{moment:%H:%M:%S}")
    # the wall time comes back, unless it fell in the spring-forward gap (then it moved forward)
    wall = parsed.start.replace(tzinfo=None)
    assert wall == moment or "does not exist" in parsed.note
    if moment.time() != time(0):
        assert parsed.start.astimezone(UTC) == parsed.end.astimezone(UTC)
