"""Candidate pairs: records of one subject whose dates lie within the window.

A sorted sweep, never all pairs: records are sorted by (subject, first day);
each is paired with the records after it whose first day is at most its last
day plus the window. An approximate record (a week, a month) therefore meets
every record in its whole range, widened by the window. A record that names an
earlier date in its text ("minutes rec'd re CIN meeting 20/04/21") is swept a
second time as if it were dated that day, so it also meets that day's events.
A record of an earlier event (``Records.retro``: minutes, a letter, a receipt,
a write-up) also meets the records dated up to its lag window before it: the
window of the earlier record's type group (``[lag.windows]``), at most
``lag_days``.

Example:
    >>> import numpy as np
    >>> first = np.array([0, 1, 5]); last = first.copy(); subject = np.zeros(3, int)
    >>> sweep(subject, first, last, window=1)
    (array([0]), array([1]))
"""

from __future__ import annotations

import numpy as np

from chronology.match.records import Records

_DAY_SPAN = np.int64(1) << 32
_DAY_OFFSET = np.int64(1) << 31


def sweep(
    subject: np.ndarray, first_day: np.ndarray, last_day: np.ndarray, window: int
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i, j) of positions with the same subject and dates within ``window``.

    Args:
        subject: Subject code of each entry.
        first_day: First day of each entry.
        last_day: Last day of each entry (at least first_day).
        window: Days allowed between one entry's last day and the other's first.

    Returns:
        Two position arrays (i, j); each unordered pair appears once.
    """
    n = len(first_day)
    if n < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    key = subject.astype(np.int64) * _DAY_SPAN + first_day.astype(np.int64) + _DAY_OFFSET
    order = np.argsort(key, kind="stable")
    key_sorted = key[order]
    reach = subject[order].astype(np.int64) * _DAY_SPAN + last_day[order] + window + _DAY_OFFSET
    stop = np.searchsorted(key_sorted, reach, side="right")
    counts = stop - np.arange(1, n + 1)
    counts = np.maximum(counts, 0)
    total = int(counts.sum())
    left = np.repeat(np.arange(n), counts)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    right = left + 1 + (np.arange(total) - starts)
    return order[left], order[right]


def lag_pairs(
    records: Records, lag_days: int, windows: dict[str, int] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (later record of an earlier event, earlier record) within the lag window.

    Args:
        records: The prepared records.
        lag_days: The widest lag in days.
        windows: Type group of the earlier record -> its lag window (days);
            groups not listed use ``lag_days``.

    Returns:
        Two index arrays (later, earlier); the later record is retrospective
        and dated 1 to ``lag_days`` days after the earlier one's last day.

    Example:
        >>> from chronology.synth import generate_case
        >>> from chronology.match.settings import load_settings
        >>> from chronology.match.records import prepare_records
        >>> events, _ = generate_case(3, seed=1)
        >>> later, earlier = lag_pairs(prepare_records(events, load_settings()), 14)
        >>> bool((later != earlier).all())
        True
    """
    dated = records.first_day > -(10**8)
    late = np.flatnonzero(dated & records.retro)
    others = np.flatnonzero(dated)
    if late.size == 0 or lag_days <= 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    key = records.subject[others].astype(np.int64) * _DAY_SPAN + records.last_day[others] + _DAY_OFFSET
    order = np.argsort(key, kind="stable")
    key_sorted, others = key[order], others[order]
    base = records.subject[late].astype(np.int64) * _DAY_SPAN + _DAY_OFFSET
    lo = np.searchsorted(key_sorted, base + records.first_day[late] - lag_days, side="left")
    hi = np.searchsorted(key_sorted, base + records.first_day[late] - 1, side="right")
    n = np.maximum(hi - lo, 0)
    later = np.repeat(late, n)
    within = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
    earlier = others[np.repeat(lo, n) + within]
    if windows:
        allowed = np.asarray([windows.get(g, lag_days) for g in records.group[earlier]], dtype=np.int64)
        keep = records.first_day[later] - records.last_day[earlier] <= np.minimum(allowed, lag_days)
        later, earlier = later[keep], earlier[keep]
    return later, earlier


def candidate_pairs(
    records: Records, window: int, lag_days: int = 0, windows: dict[str, int] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs of records: by date, by dates named in their text, and by lag.

    Args:
        records: The prepared records.
        window: The window in days (``window_days``).
        lag_days: The widest lag of a record of an earlier event (``lag_days``).
        windows: Lag window by the earlier record's type group (``[lag.windows]``).

    Returns:
        Two index arrays (a, b) into ``records``, with record_id[a] <
        record_id[b], sorted by (a's record id, b's record id), no repeats.
    """
    n = len(records)
    dated = np.flatnonzero(records.first_day > -(10**8))
    origin = np.concatenate([dated, records.named_row])
    first = np.concatenate([records.first_day[dated], records.named_day])
    last = np.concatenate([records.last_day[dated], records.named_day])
    subject = records.subject[origin]
    i, j = sweep(subject, first, last, window)
    later, earlier = lag_pairs(records, lag_days, windows)
    a, b = np.concatenate([origin[i], later]), np.concatenate([origin[j], earlier])
    keep = a != b
    a, b = a[keep], b[keep]
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(records.record_id, kind="stable")] = np.arange(n)
    swap = rank[a] > rank[b]
    a, b = np.where(swap, b, a), np.where(swap, a, b)
    code = np.unique(rank[a] * np.int64(n) + rank[b])
    by_rank = np.argsort(rank)
    return by_rank[code // n], by_rank[code % n]


def distant_pairs(
    records: Records, gap: int, limit: int = 20_000, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """A fixed random sample of pairs of one subject's records more than ``gap`` days apart.

    Such pairs cannot be one event, so the levels they show measure u, the
    chance of each level among different events (Splink's random sampling).
    The sample is drawn with a fixed seed: the same records give the same pairs.

    Example:
        >>> from chronology.synth import generate_case
        >>> from chronology.match.settings import load_settings
        >>> from chronology.match.records import prepare_records
        >>> recs = prepare_records(generate_case(20, seed=1)[0], load_settings())
        >>> a, b = distant_pairs(recs, 15)
        >>> bool((np.abs(recs.first_day[a] - recs.first_day[b]) > 15).all())
        True
    """
    dated = np.flatnonzero(records.first_day > -(10**8))
    if dated.size < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    dated = dated[np.argsort(records.record_id[dated].astype(str), kind="stable")]  # row order says nothing
    rng = np.random.default_rng(seed)
    draws = min(limit * 3, 4 * dated.size * dated.size)
    a = dated[rng.integers(0, dated.size, draws)]
    b = dated[rng.integers(0, dated.size, draws)]
    far = (records.subject[a] == records.subject[b]) & (
        (records.first_day[b] - records.last_day[a] > gap)
        | (records.first_day[a] - records.last_day[b] > gap)
    )
    a, b = a[far][:limit], b[far][:limit]
    swap = records.record_id[a].astype(str) > records.record_id[b].astype(str)
    return np.where(swap, b, a), np.where(swap, a, b)
