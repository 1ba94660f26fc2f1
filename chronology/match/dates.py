"""The date level of a pair: the same day, a date named in the text, a lag, or further.

The date a record's text names is the strongest evidence of what it records
(minutes, receipts, write-ups days later), read with which agency recorded
what on that day (``one_moment_days``, ``_has_own_record_on``); the levels and
their order are in ``chronology.match.features``' table.

Example:
    >>> from chronology.synth import generate_case
    >>> from chronology.match.settings import load_settings
    >>> from chronology.match.records import prepare_records
    >>> recs = prepare_records(generate_case(30, seed=4)[0], load_settings())
    >>> import numpy as np
    >>> days, level = date_levels(recs, np.array([0]), np.array([1]))
    >>> level.dtype
    dtype('O')
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chronology.match.levels import pick
from chronology.match.records import Records

#: Two records that name one same day are one handoff and its receipt when at most a week apart;
#: further apart (a strategy discussion a fortnight after the incident both name) they are not.
NAMED_BOTH_DAYS = 7


def _named_of(records: Records, recs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each date named in the texts of ``recs``: (index into ``recs``, named day), as a join would give."""
    order = np.argsort(records.named_row, kind="stable")
    rows, days = records.named_row[order], records.named_day[order]
    lo = np.searchsorted(rows, recs, side="left")
    n = np.searchsorted(rows, recs, side="right") - lo
    index = np.repeat(np.arange(len(recs)), n)
    within = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
    return index, days[np.repeat(lo, n) + within]


def _named_gap(records: Records, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Days between a date named in one record's text and the other's dates."""
    gap = np.full(len(a), np.iinfo(np.int64).max, dtype=np.int64)
    if records.named_row.size == 0 or len(a) == 0:
        return gap
    for own, other in ((a, b), (b, a)):
        pair, day = _named_of(records, own)
        o = other[pair]
        d = np.maximum(0, np.maximum(records.first_day[o] - day, day - records.last_day[o]))
        np.minimum.at(gap, pair, d)
    return gap


def _named_agreement(records: Records, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where both texts name dates: (they name one same day, none of them is the same day)."""
    agree = np.zeros(len(a), dtype=bool)
    conflict = np.zeros(len(a), dtype=bool)
    if records.named_row.size == 0 or len(a) == 0:
        return agree, conflict
    pair, day_a = _named_of(records, a)
    left, day_b = _named_of(records, b[pair])
    both = pair[left]
    if both.size == 0:
        return agree, conflict
    agree[both[day_a[left] == day_b]] = True
    named_both = np.unique(both)
    conflict[named_both] = ~agree[named_both]
    return agree, conflict


def last_of_type_before(records: Records) -> np.ndarray:
    """For each record of an earlier event, the latest day before it holding a record of what it records.

    What it records is its content type ("minutes of a core group": a core
    group), else its own type. -1e9 for other records, or when no such day
    lies within ``lag``: the day a late record most likely refers to.

    Example:
        >>> from chronology.synth import generate_case
        >>> from chronology.match.settings import load_settings
        >>> from chronology.match.records import prepare_records
        >>> recs = prepare_records(generate_case(30, seed=4)[0], load_settings())
        >>> last = last_of_type_before(recs)
        >>> bool((last[recs.retro & (last > -10**8)] < recs.first_day[recs.retro & (last > -10**8)]).all())
        True
    """
    out = np.full(len(records), -(10**9), dtype=np.int64)
    late = np.flatnonzero(records.retro & (records.first_day > -(10**8)))
    if late.size == 0:
        return out
    wanted = records.recorded_kind[late]
    dated = np.flatnonzero(records.first_day > -(10**8))
    frame = pd.DataFrame(
        {
            "subject": np.concatenate([records.subject[dated], records.subject[dated]]),
            "kind": np.concatenate([records.event_type[dated], records.content_type[dated]]),
            "day": np.concatenate([records.first_day[dated], records.first_day[dated]]),
        }
    )
    frame = frame[frame["kind"] != ""]
    codes, kinds = pd.factorize(pd.concat([frame["kind"], pd.Series(wanted)], ignore_index=True))
    width = np.int64(1) << 32
    key = (frame["subject"].to_numpy(np.int64) * np.int64(len(kinds)) + codes[: len(frame)]) * width
    key = np.sort(key + frame["day"].to_numpy(np.int64) + (np.int64(1) << 31))
    want = (records.subject[late].astype(np.int64) * np.int64(len(kinds)) + codes[len(frame) :]) * width
    at = np.searchsorted(key, want + records.first_day[late] - 1 + (np.int64(1) << 31), side="right") - 1
    ok = (at >= 0) & ((key[np.maximum(at, 0)] // width) == (want // width))
    out[late[ok]] = key[at[ok]] % width - (np.int64(1) << 31)
    return out


def _has_own_record_on(
    records: Records, later: np.ndarray, earlier: np.ndarray, own_kinds: frozenset[str]
) -> np.ndarray:
    """Whether the later record's own agency also recorded, on the earlier record's day, a record of
    the kind the later one records (its content type, else its type), where that kind is one each
    agency makes its own (``own_kinds``, the contact types: its own visit, for its write-up; a
    meeting is everyone's)."""
    dated = np.flatnonzero((records.first_day > -(10**8)) & (records.precision <= 1))
    if dated.size == 0 or len(later) == 0:
        return np.zeros(len(later), dtype=bool)
    kind = records.recorded_kind
    agencies = records.agency_code
    kinds = pd.factorize(np.concatenate([records.event_type, kind]))[0].astype(np.int64)
    own_kind, recorded_kind = kinds[: len(records)], kinds[len(records) :]
    width = np.int64(1) << 32

    def key(
        subject_of: np.ndarray, agency_of: np.ndarray, kind_of: np.ndarray, day_of: np.ndarray
    ) -> np.ndarray:
        group = records.subject[subject_of].astype(np.int64) * (agencies.max() + 1) + agencies[agency_of]
        group = group * (kinds.max() + 1) + kind_of
        return group * width + records.first_day[day_of] + (np.int64(1) << 31)

    held = np.unique(key(dated, dated, own_kind[dated], dated))
    want = key(earlier, later, recorded_kind[later], earlier)
    at = np.minimum(np.searchsorted(held, want), len(held) - 1)
    return (held[at] == want) & np.isin(kind, sorted(own_kinds))[later]


def one_moment_days(records: Records) -> np.ndarray:
    """Whether each record is of a day on which its agency recorded one moment for the subject.

    A moment is a time of day, or "untimed"; an attendance's triage and review
    rows at one minute are one moment. A later record of the agency naming
    that day can only be a record of that moment.

    Example:
        >>> from chronology.synth import generate_case
        >>> from chronology.match.settings import load_settings
        >>> from chronology.match.records import prepare_records
        >>> recs = prepare_records(generate_case(30, seed=4)[0], load_settings())
        >>> one_moment_days(recs).dtype
        dtype('bool')
    """
    out = np.zeros(len(records), dtype=bool)
    dated = np.flatnonzero((records.first_day > -(10**8)) & (records.precision <= 1))
    if dated.size == 0:
        return out
    agency = records.agency_code[dated]
    frame = pd.DataFrame(
        {
            "subject": records.subject[dated],
            "agency": agency,
            "day": records.first_day[dated],
            "moment": np.nan_to_num(records.minute[dated], nan=-1.0),
        }
    )
    moments = frame.groupby(["subject", "agency", "day"], sort=False)["moment"].transform("nunique")
    out[dated] = moments.to_numpy() == 1
    return out


def date_levels(
    records: Records,
    a: np.ndarray,
    b: np.ndarray,
    own_groups: frozenset[str] = frozenset(),
    contacts: frozenset[str] = frozenset(),
    linked: np.ndarray | None = None,
    meeting_types: frozenset[str] = frozenset(),
) -> tuple[np.ndarray, np.ndarray]:
    """Days between each pair's records (or a date one names and the other), and the date level.

    ``linked``: the pairs in which one names the other's agency as sender or
    recipient (the handoff feature), or both state a route from one sender:
    two texts naming one same day are one handoff and its receipts only then,
    not a police call and CSC's share, both "re incident 13/07".
    """
    gap = np.maximum(
        0,
        np.maximum(records.first_day[a], records.first_day[b])
        - np.minimum(records.last_day[a], records.last_day[b]),
    )
    named = _named_gap(records, a, b)
    precise = (records.precision[a] <= 1) & (records.precision[b] <= 1)
    nearest = np.minimum(gap, named)
    last = last_of_type_before(records)
    later = np.where(records.first_day[a] >= records.first_day[b], a, b)
    earlier = np.where(later == a, b, a)
    latest = (last[later] == records.first_day[earlier]) & (last[later] > -(10**8))
    # minutes or a write-up of a meeting, typed the next day, record the meeting of the day before
    recorded_kind = records.recorded_kind
    minutes_of_meeting = (
        records.retro[later]
        & np.isin(recorded_kind, sorted(meeting_types))[later]
        & (recorded_kind[later] == records.event_type[earlier])
    )
    # the later record names the earlier's date: it records that event unless it
    # is a happening of its own (it sends something on, it is a decision, or
    # its agency observed a concern itself)
    happening = (
        (records.to_agency[later] != "")
        | np.isin(records.group, sorted(own_groups))[later]
        | (records.group[later] == "concern")
    )
    # a receipt naming the day of its sender's own sighting of a concern records a handoff about it
    # (the school's call to CSC about what it saw), never the sighting itself
    about_sighting = (
        (records.from_agency[later] != "")
        & (records.from_agency[later] == records.agency[earlier])
        & (records.group[earlier] == "concern")
    )
    later_retro = (records.retro[later] | ~happening) & ~about_sighting
    own_day = (
        (records.agency[a] == records.agency[b])
        # a receipt records what another agency sent: a day of its own agency it names is history,
        # unless it is of the kind its agency recorded that day (minutes of the meeting it attended)
        & ((records.from_agency[later] == "") | (recorded_kind[later] == records.event_type[earlier]))
        & (records.first_day[later] > records.first_day[earlier])
        & (one_moment_days(records)[earlier])
    )
    beside = (records.agency[a] != records.agency[b]) & _has_own_record_on(records, later, earlier, contacts)
    agree, conflict = _named_agreement(records, a, b)
    # two records of one moment and one kind (a meeting's rows at 10:00) that name different days
    # cite different history; they do not name two events
    one_moment = (np.abs(records.minute[a] - records.minute[b]) <= 30) & (
        records.event_type[a] == records.event_type[b]
    )
    conflict = conflict & ~one_moment
    level = pick(
        [
            conflict,
            agree & (gap <= NAMED_BOTH_DAYS) & (linked if linked is not None else True),
            precise & (gap == 0),
            (named == 0) & later_retro & own_day,
            (named == 0) & later_retro & beside,
            (named == 0) & later_retro,
            named == 0,
            precise & (nearest == 1) & latest & minutes_of_meeting,
            precise & (nearest == 1),
            precise & (nearest >= 2) & (nearest <= 14) & latest,
            precise & (nearest >= 2) & (nearest <= 7),
            precise & (nearest >= 8) & (nearest <= 14),
            ~precise & (gap == 0),
        ],
        [
            "named_conflict",
            "named_both",
            "same_day",
            "named_own",
            "named_beside",
            "named_date",
            "named_about",
            "lag_latest",
            "one_day",
            "lag_latest",
            "lag_short",
            "lag_long",
            "approximate",
        ],
        "further",
    )
    return nearest, level
