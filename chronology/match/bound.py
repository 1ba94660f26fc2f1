"""The candidate bound: at most ``max_candidates`` candidates per record, the best by a cheap pre-score.

On a dense export (one agency writing 55 routine entries a day) every record
meets every other of its day and the next, and each record of an earlier
event (minutes, a letter, a receipt) meets two weeks of entries: hundreds of
candidates per record, millions of pairs to compare. The bound keeps a pair
when it is among the ``max_candidates`` best candidates of EITHER of its
records. So a record with fewer candidates than the bound keeps every one of
them, and a pair is dropped only when both its records have more than that
many candidates and each has that many better ones; on ordinary cases
(a few dozen candidates per record at most) nothing is dropped.

The pre-score is the part of the match weight that needs no text comparison:
the shipped weights (schemas/match.toml, before estimation) of the pair's
event_type level (types and content types, from a small matrix), its day gap
or a date one record names on the other's day, its time apart, its agency
level (different agencies; or one agency at the same minute, the same day,
a later record of it, another day) and its handoff level. Ties go to the
pair closer in time, then to the other record's id, so the bound is
deterministic.

Candidates are generated in chunks (``candidates.CHUNK`` pairs); whenever
``budget`` new pairs are held, the pool is pruned to each record's best.
Pruning as it goes keeps exactly the pairs a single pruning of all of them
would keep: a pair that is not among either record's best so far never
becomes so later, as more candidates only push it further down.

A dropped pair is not scored, and the clustering (``cluster``) refuses a
merge across a pair that was never compared ("constraint: not compared"), as
it refuses one across a pair outside the window: precision first, and a
dense day cannot chain through pairs nobody read. On ordinary cases the bound
drops nothing, so their results are those of scoring every candidate.

Example:
    >>> from chronology.synth import generate_case
    >>> from chronology.match.settings import load_settings
    >>> from chronology.match.records import prepare_records
    >>> from chronology.match.candidates import candidate_pairs
    >>> conf = load_settings()
    >>> recs = prepare_records(generate_case(40, seed=3)[0], conf)
    >>> full = candidate_pairs(recs, 1, 14, conf.lag_windows)
    >>> kept = candidate_pairs(recs, 1, 14, conf.lag_windows, Bound(recs, conf, max_candidates=2))
    >>> 0 < len(kept[0]) < len(full[0])
    True
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chronology.match.levels import TYPE_RANK, type_matrix
from chronology.match.records import Records
from chronology.match.settings import MatchSettings
from chronology.vocabulary import Vocabulary, load_vocabulary

_SCORE_BITS = 10  # pre-score in steps of 1/8 over -64..+64
_MINUTE_BITS = 12  # minutes apart, up to about 68 hours
_NO_MINUTE = (1 << _MINUTE_BITS) - 1
_TIE_BITS = _SCORE_BITS + _MINUTE_BITS


class Bound:
    """Prunes candidate pairs to each record's ``max_candidates`` best by pre-score.

    Args:
        records: The prepared records.
        settings: Supplies the shipped weights, the window and the lag windows.
        vocab: The vocabulary (type relations); the shipped one by default.
        max_candidates: The bound (``settings.max_candidates`` by default).
        budget: Prune whenever this many new pairs are held.
    """

    def __init__(
        self,
        records: Records,
        settings: MatchSettings,
        vocab: Vocabulary | None = None,
        max_candidates: int | None = None,
        budget: int = 4_000_000,
    ) -> None:
        vocab = vocab or load_vocabulary()
        self.records = records
        self.settings = settings
        self.k = int(settings.max_candidates if max_candidates is None else max_candidates)
        self.budget = budget
        self.pruned = 0
        n = len(records)
        codes, self._types = type_matrix(
            np.concatenate([records.event_type, records.content_type]), vocab, settings.own_event_groups
        )
        self._t, self._c = codes[:n], codes[n:]
        self._tables()
        agencies, names = pd.factorize(
            pd.Series(np.concatenate([records.agency, records.to_agency, records.from_agency]), dtype=object)
        )
        self._ag, self._to, self._from = agencies[:n], agencies[n : 2 * n], agencies[2 * n :]
        self._blank = int(pd.Index(names).get_indexer([""])[0])  # -1 when every record states agencies
        if self._blank < 0:
            self._blank = -2
        self._named_days = _named_by_record(records)
        self._names = np.zeros(n, dtype=bool)
        self._names[list(self._named_days)] = True

    def _weights(self, feature: str, levels: tuple[str, ...]) -> np.ndarray:
        table = self.settings.m_u.get(feature, {})
        return np.asarray([self.settings.weight(feature, lv) if lv in table else 0.0 for lv in levels])

    def _tables(self) -> None:
        """The weight of each level the pre-score reads, as small lookup tables."""
        self._w_type = self._weights("event_type", TYPE_RANK)
        w = self._weights
        # by day gap 0..15 (15: further); gap 0 of an approximate date is "approximate"
        self._w_gap = w("date", ("same_day", "one_day", *["lag_short"] * 6, *["lag_long"] * 7, "further"))
        self._w_date = w("date", ("approximate", "named_date"))
        self._w_time = np.concatenate([w("time", ("within_30_min", "within_3_hours", "further")), [0.0]])
        levels = ("different", "same_moment", "same_day_type", "same_day", "same_record", "same_repeat")
        self._w_agency = w("agency", levels)
        self._w_handoff = w("handoff", ("none", "named_one_way", "named"))

    def prescore(self, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The pre-score of each pair (record indices a, b) and their minutes apart (NaN without times)."""
        r = self.records
        rank = self._types[self._t[a], self._t[b]]
        for x, y in ((self._c[a], self._t[b]), (self._t[a], self._c[b]), (self._c[a], self._c[b])):
            np.minimum(rank, self._types[x, y], out=rank)
        score = self._w_type[rank]
        gap = np.maximum(
            0, np.maximum(r.first_day[a], r.first_day[b]) - np.minimum(r.last_day[a], r.last_day[b])
        )
        named = self._named_match(a, b)
        precise = (r.precision[a] <= 1) & (r.precision[b] <= 1)
        date = self._w_gap[np.minimum(gap, 15)]
        date[(gap == 0) & ~precise] = self._w_date[0]
        date[named] = self._w_date[1]
        score += date
        minutes = np.abs(r.minute[a] - r.minute[b])
        timed = ~np.isnan(minutes)
        bucket = np.where(timed, (minutes > 30).astype(np.int64) + (minutes > 180), 3)
        score += self._w_time[bucket]
        ag_a, ag_b = self._ag[a], self._ag[b]
        same = ag_a == ag_b
        later = np.where(r.first_day[a] > r.first_day[b], a, b)
        level = np.where(r.retro[later] | named, 4, 5)
        level = np.where(gap == 0, np.where(rank <= 1, 2, 3), level)
        level = np.where(timed & (minutes == 0), 1, level)
        level[~same] = 0
        score += self._w_agency[level]
        a_names_b = (self._to[a] == ag_b) | (self._from[a] == ag_b)
        b_names_a = (self._to[b] == ag_a) | (self._from[b] == ag_a)
        a_route = (self._to[a] != self._blank) | (self._from[a] != self._blank)
        b_route = (self._to[b] != self._blank) | (self._from[b] != self._blank)
        one_way = ((a_names_b & ~b_route) | (b_names_a & ~a_route)) & ~same
        both = a_names_b & b_names_a & ~same
        score += self._w_handoff[np.where(both, 2, one_way.astype(np.int64))]
        return score, minutes

    def _named_match(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Whether one record's text names a day within the other's dates."""
        out = np.zeros(len(a), dtype=bool)
        holders = self._named_days
        if not holders:
            return out
        r = self.records
        for own, other in ((a, b), (b, a)):
            for k in np.flatnonzero(self._names[own]).tolist():
                days = holders[int(own[k])]
                o = int(other[k])
                out[k] |= bool(((days >= r.first_day[o]) & (days <= r.last_day[o])).any())
        return out

    def start(self, rank: np.ndarray) -> None:
        """Begin a pass over the candidates; ``rank`` is each record's rank by record id."""
        n = len(rank)
        self._n = n
        self._by_rank = np.argsort(rank)
        self._bits = max(1, int(n - 1).bit_length())
        self._packed = 2 * self._bits + _TIE_BITS <= 63
        self._kth = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)  # by rank: key of its k-th best

    def admit(self, code: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Of new pair codes (rank_a * n + rank_b), those that may enter either record's best
        ``k``, with their tie keys (pre-score, then minutes apart; lower is better)."""
        n = self._n
        ra, rb = code // n, code % n
        tie = self._ties(ra, rb)
        keep = ((tie << self._bits) | rb) < self._kth[ra]
        keep |= ((tie << self._bits) | ra) < self._kth[rb]
        return code[keep], tie[keep]

    def _ties(self, ra: np.ndarray, rb: np.ndarray) -> np.ndarray:
        tie = np.empty(len(ra), dtype=np.int64)
        for lo in range(0, len(ra), 1_000_000):
            part = slice(lo, lo + 1_000_000)
            s, m = self.prescore(self._by_rank[ra[part]], self._by_rank[rb[part]])
            q = np.clip(np.round((s + 64.0) * 8.0), 0, (1 << _SCORE_BITS) - 1).astype(np.int64)
            apart = np.where(np.isnan(m), _NO_MINUTE, np.minimum(np.nan_to_num(m), _NO_MINUTE))
            tie[part] = (((1 << _SCORE_BITS) - 1 - q) << _MINUTE_BITS) | apart.astype(np.int64)
        return tie

    def prune(self, code: np.ndarray, tie: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The distinct pairs among either record's best ``k`` (codes sorted), and their tie keys."""
        n = self._n
        if self._packed:
            both = np.sort((code << _TIE_BITS) | tie)  # a repeated pair has the same tie key
            both = both[np.concatenate([[True], both[1:] != both[:-1]])] if len(both) else both
            code, tie = both >> _TIE_BITS, both & ((1 << _TIE_BITS) - 1)
        else:
            order = np.lexsort((tie, code))
            code, tie = code[order], tie[order]
            first = np.concatenate([[True], code[1:] != code[:-1]]) if len(code) else np.zeros(0, bool)
            code, tie = code[first], tie[first]
        if len(code) == 0:
            return code, tie
        parts = [self._best(code, tie, lo, hi) for lo, hi in _ranges(n, len(code))]
        kept = np.concatenate([p[0] for p in parts])
        tie = np.concatenate([p[1] for p in parts])
        del parts
        before = len(code)
        del code
        if self._packed:
            both = np.sort((kept << _TIE_BITS) | tie)
            both = both[np.concatenate([[True], both[1:] != both[:-1]])]
            kept, tie = both >> _TIE_BITS, both & ((1 << _TIE_BITS) - 1)
        else:
            order = np.lexsort((tie, kept))
            kept, tie = kept[order], tie[order]
            first = np.concatenate([[True], kept[1:] != kept[:-1]])
            kept, tie = kept[first], tie[first]
        self.pruned += before - len(kept)
        return kept, tie

    def _best(self, code: np.ndarray, tie: np.ndarray, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        """The pairs among the best ``k`` of the records ranked lo..hi-1 (codes sorted), with ties.

        Each pair is seen from each of its ends; one range of ends at a time keeps memory bounded.
        """
        n, bits = self._n, self._bits
        ra_side = slice(*np.searchsorted(code, [lo * np.int64(n), hi * np.int64(n)]).tolist())
        rb = code % n
        b_side = np.flatnonzero((rb >= lo) & (rb < hi))
        ends = np.concatenate([code[ra_side] // n, rb[b_side]])
        key = np.concatenate(
            [(tie[ra_side] << bits) | rb[ra_side], (tie[b_side] << bits) | (code[b_side] // n)]
        )
        del rb, b_side
        if self._packed:
            half = np.sort((ends << (bits + _TIE_BITS)) | key)
            ends, key = half >> (bits + _TIE_BITS), half & ((np.int64(1) << (bits + _TIE_BITS)) - 1)
            del half
        else:  # more records than one packed key holds
            order = np.lexsort((key, ends))
            ends, key = ends[order], key[order]
        if len(ends) == 0:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        first = np.concatenate([[True], ends[1:] != ends[:-1]])
        position = np.arange(len(ends))
        nth = position - np.maximum.accumulate(np.where(first, position, 0))
        del first, position
        last = nth == self.k - 1
        self._kth[ends[last]] = key[last]
        best = nth < self.k
        ends, key = ends[best], key[best]
        other = key & ((np.int64(1) << bits) - 1)
        return np.minimum(ends, other) * np.int64(n) + np.maximum(ends, other), key >> bits


def _ranges(n: int, pairs: int, per_range: int = 2_000_000) -> list[tuple[int, int]]:
    """Ranges of record ranks, so that each holds about ``per_range`` of the pairs' ends."""
    parts = max(1, -(-2 * pairs // per_range))
    cuts = np.linspace(0, n, parts + 1).astype(np.int64)
    return [(int(lo), int(hi)) for lo, hi in zip(cuts[:-1], cuts[1:], strict=True) if hi > lo]


def _named_by_record(records: Records) -> dict[int, np.ndarray]:
    """The days each record's text names (records naming none left out)."""
    if records.named_row.size == 0:
        return {}
    order = np.argsort(records.named_row, kind="stable")
    rows, days = records.named_row[order], records.named_day[order]
    cuts = np.flatnonzero(rows[1:] != rows[:-1]) + 1
    return {
        int(part_rows[0]): part_days
        for part_rows, part_days in zip(np.split(rows, cuts), np.split(days, cuts), strict=True)
    }
