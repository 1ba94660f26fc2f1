"""Candidate pairs: records of one subject whose dates lie within the window.

A sorted sweep, never all pairs: records are sorted by (subject, first day);
each is paired with the records after it whose first day is at most its last
day plus the window. An approximate record (a week, a month) therefore meets
every record in its whole range, widened by the window. A record that names an
earlier date in its text ("minutes rec'd re CIN meeting 20/04/21") is swept a
second time as if it were dated that day, so it also meets that day's events.

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


def candidate_pairs(records: Records, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs of records, by date and by dates named in their text.

    Args:
        records: The prepared records.
        window: The window in days (``window_days``).

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
    a, b = origin[i], origin[j]
    keep = a != b
    a, b = a[keep], b[keep]
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(records.record_id, kind="stable")] = np.arange(n)
    swap = rank[a] > rank[b]
    a, b = np.where(swap, b, a), np.where(swap, a, b)
    code = np.unique(rank[a] * np.int64(n) + rank[b])
    by_rank = np.argsort(rank)
    return by_rank[code // n], by_rank[code % n]
