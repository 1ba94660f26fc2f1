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

The pairs are generated in chunks of ``CHUNK`` pairs, so memory stays bounded
on dense days; with a ``bound.Bound`` each chunk is pruned as it comes to the
pairs among the ``max_candidates`` best of either record (see ``bound``).
numpy's ``unique`` (hashing) is slow on millions of integers: pairs are made
distinct by sorting (``unique_sorted``).

Example:
    >>> import numpy as np
    >>> first = np.array([0, 1, 5]); last = first.copy(); subject = np.zeros(3, int)
    >>> sweep(subject, first, last, window=1)
    (array([0]), array([1]))
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

import numpy as np

from chronology.match.records import Records

if TYPE_CHECKING:
    from chronology.match.bound import Bound

#: Candidate pairs generated at a time (memory stays bounded on dense days).
CHUNK = 1_000_000

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
    return _joined(sweep_chunks(subject, first_day, last_day, window))


def sweep_chunks(
    subject: np.ndarray, first_day: np.ndarray, last_day: np.ndarray, window: int, budget: int = CHUNK
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The pairs of ``sweep`` in chunks of about ``budget`` pairs (bounded memory), in sweep order."""
    n = len(first_day)
    if n < 2:
        return
    key = subject.astype(np.int64) * _DAY_SPAN + first_day.astype(np.int64) + _DAY_OFFSET
    order = np.argsort(key, kind="stable")
    key_sorted = key[order]
    reach = subject[order].astype(np.int64) * _DAY_SPAN + last_day[order] + window + _DAY_OFFSET
    stop = np.searchsorted(key_sorted, reach, side="right")
    counts = np.maximum(stop - np.arange(1, n + 1), 0)
    for lo, hi in _spans(counts, budget):
        part = counts[lo:hi]
        left = np.repeat(np.arange(lo, hi), part)
        within = np.arange(len(left)) - np.repeat(np.cumsum(part) - part, part)
        yield order[left], order[left + 1 + within]


def _spans(counts: np.ndarray, budget: int) -> list[tuple[int, int]]:
    """Consecutive index ranges whose counts sum to about ``budget`` each (at least one index each)."""
    total = np.cumsum(counts)
    out = []
    lo = 0
    while lo < len(counts):
        base = total[lo - 1] if lo else 0
        hi = max(int(np.searchsorted(total, base + budget, side="right")), lo + 1)
        hi = min(hi, len(counts))
        if total[hi - 1] > base:
            out.append((lo, hi))
        lo = hi
    return out


def _joined(chunks: Iterable[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    parts = list(chunks)
    if not parts:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


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
    return _joined(lag_chunks(records, lag_days, windows))


def lag_chunks(
    records: Records, lag_days: int, windows: dict[str, int] | None = None, budget: int = CHUNK
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The pairs of ``lag_pairs`` in chunks of about ``budget`` pairs, in the same order."""
    dated = records.first_day > -(10**8)
    late = np.flatnonzero(dated & records.retro)
    others = np.flatnonzero(dated)
    if late.size == 0 or lag_days <= 0:
        return
    key = records.subject[others].astype(np.int64) * _DAY_SPAN + records.last_day[others] + _DAY_OFFSET
    order = np.argsort(key, kind="stable")
    key_sorted, others = key[order], others[order]
    base = records.subject[late].astype(np.int64) * _DAY_SPAN + _DAY_OFFSET
    lo = np.searchsorted(key_sorted, base + records.first_day[late] - lag_days, side="left")
    hi = np.searchsorted(key_sorted, base + records.first_day[late] - 1, side="right")
    n = np.maximum(hi - lo, 0)
    allowed = None
    if windows:
        groups, codes = np.unique(records.group.astype(str), return_inverse=True)
        per_group = np.asarray([min(windows.get(str(g), lag_days), lag_days) for g in groups], dtype=np.int64)
        allowed = per_group[codes.reshape(-1)]  # each record's lag window as the earlier record
    for start, stop in _spans(n, budget):
        part = n[start:stop]
        later = np.repeat(late[start:stop], part)
        within = np.arange(len(later)) - np.repeat(np.cumsum(part) - part, part)
        earlier = others[np.repeat(lo[start:stop], part) + within]
        if allowed is not None:
            keep = records.first_day[later] - records.last_day[earlier] <= allowed[earlier]
            later, earlier = later[keep], earlier[keep]
        yield later, earlier


def candidate_pairs(
    records: Records,
    window: int,
    lag_days: int = 0,
    windows: dict[str, int] | None = None,
    bound: Bound | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs of records: by date, by dates named in their text, and by lag.

    Args:
        records: The prepared records.
        window: The window in days (``window_days``).
        lag_days: The widest lag of a record of an earlier event (``lag_days``).
        windows: Lag window by the earlier record's type group (``[lag.windows]``).
        bound: Keeps each record's best candidates by a cheap pre-score
            (``chronology.match.bound``); every candidate when not given.

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
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(records.record_id, kind="stable")] = np.arange(n)
    chunks = itertools.chain(
        ((origin[i], origin[j]) for i, j in sweep_chunks(subject, first, last, window)),
        lag_chunks(records, lag_days, windows),
    )
    if bound is None:
        codes = []
        for a, b in chunks:
            keep = a != b
            ra, rb = rank[a[keep]], rank[b[keep]]
            codes.append(np.minimum(ra, rb) * np.int64(n) + np.maximum(ra, rb))
        code = unique_sorted(np.concatenate([np.empty(0, np.int64), *codes]))
    else:
        code = _bounded(chunks, rank, n, bound)
    by_rank = np.argsort(rank)
    return by_rank[code // n], by_rank[code % n]


def _bounded(
    chunks: Iterable[tuple[np.ndarray, np.ndarray]], rank: np.ndarray, n: int, bound: Bound
) -> np.ndarray:
    """The pair codes the bound keeps, pruning as the chunks come (``chronology.match.bound``)."""
    bound.start(rank)
    pool = (np.empty(0, np.int64), np.empty(0, np.int64))
    buffer: list[tuple[np.ndarray, np.ndarray]] = []
    held = 0
    for a, b in chunks:
        keep = a != b
        ra, rb = rank[a[keep]], rank[b[keep]]
        admitted = bound.admit(np.minimum(ra, rb) * np.int64(n) + np.maximum(ra, rb))
        buffer.append(admitted)
        held += len(admitted[0])
        if held > bound.budget:
            pool = bound.prune(*(np.concatenate(x) for x in zip(pool, *buffer, strict=False)))
            buffer, held = [], 0
    parts = [pool, *buffer]
    code, _ = bound.prune(np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]))
    return code


def unique_sorted(values: np.ndarray) -> np.ndarray:
    """``np.unique`` of an int64 array by sorting (numpy's hashing ``unique`` is slow on millions)."""
    values = np.sort(values)
    if len(values) < 2:
        return values
    return values[np.concatenate([[True], values[1:] != values[:-1]])]


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
