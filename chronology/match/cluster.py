"""Clustering that does not chain: greedy best-first merging under constraints.

The rule, in order:

1. Analyst overrides "same" join their two records' clusters first, whatever
   the score; overrides "different" forbid their pair.
2. The other pairs scoring at least ``threshold`` are taken best first (score
   descending, then record ids). A pair whose records are already together
   changes nothing. Otherwise its two clusters merge only if EVERY pair across
   them (one record from each) is allowed:

   - it is a candidate pair: both dates (or a date named in the text) lie
     within the window, so a cluster never spans more than its window and a
     run of weekly visits cannot chain;
   - it is not forbidden by an override "different";
   - its records come from different agencies, or it is a strong duplicate
     (text similarity >= ``duplicate_similarity``, the same day, the same
     minute where both have times, and the same numbers in both texts), or
     a follow-up (different event types, such as an incident and the
     notification of it) scoring at least ``same_agency_threshold``;
   - its score is at least ``cluster_floor``.

   The first cross pair that fails is the reason reported for the refusal.

Example:
    >>> import numpy as np
    >>> g = Constraints(n=3, a=np.array([0, 1]), b=np.array([1, 2]),
    ...                 score=np.array([9.0, 8.0]), allowed=np.array([True, True]),
    ...                 reason=np.array(["", ""], dtype=object))
    >>> labels, decided = merge_clusters(g, threshold=3.0, forced=[])
    >>> labels.tolist()  # 0 and 2 were never candidates: the chain is refused
    [0, 0, 2]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from chronology.match.records import Records
from chronology.match.settings import MatchSettings


@dataclass
class Constraints:
    """The scored candidate pairs as the clustering reads them.

    Attributes:
        n: Number of records.
        a: First record index of each pair.
        b: Second record index of each pair.
        score: Match weight of each pair.
        allowed: Whether the pair may sit in one cluster (see the module rule).
        reason: Why not, where it may not ("constraint: same agency"...).
    """

    n: int
    a: np.ndarray
    b: np.ndarray
    score: np.ndarray
    allowed: np.ndarray
    reason: np.ndarray

    def __post_init__(self) -> None:
        codes = self.a.astype(np.int64) * self.n + self.b.astype(np.int64)
        self.index = dict(zip(codes.tolist(), range(len(codes)), strict=True))

    def pair(self, i: int, j: int) -> int:
        """Position of the pair of records i and j, or -1 when not a candidate."""
        lo, hi = (i, j) if i < j else (j, i)
        found = self.index.get(lo * self.n + hi)
        if found is None:
            found = self.index.get(hi * self.n + lo, -1)
        return found

    def refusal(self, left: list[int], right: list[int]) -> str:
        """Why the two member lists may not merge ("" when they may)."""
        for i in left:
            for j in right:
                k = self.pair(i, j)
                if k < 0:
                    return "constraint: outside window"
                if not self.allowed[k]:
                    return str(self.reason[k])
        return ""


def pair_constraints(
    records: Records, pairs: pd.DataFrame, settings: MatchSettings, forbidden: set[int]
) -> Constraints:
    """Which scored pairs may sit in one cluster, and why not.

    Args:
        records: The prepared records.
        pairs: Scored pairs (``features.score_pairs``).
        settings: Supplies duplicate_similarity and cluster_floor.
        forbidden: Positions of pairs an override marks "different".
    """
    a, b = pairs["a"].to_numpy(), pairs["b"].to_numpy()
    same_agency = records.agency[a] == records.agency[b]
    both_times = ~np.isnan(records.minute[a]) & ~np.isnan(records.minute[b])
    same_moment = np.where(both_times, records.minute[a] == records.minute[b], True)
    duplicate = (
        (pairs["text"].to_numpy(dtype=float) >= settings.duplicate_similarity)
        & (pairs["date"].to_numpy(dtype=float) == 0)
        & (pairs["date_level"].to_numpy() == "same_day")
        & same_moment
        & (records.numbers[a] == records.numbers[b])
    )
    reason = np.full(len(a), "", dtype=object)
    reason[pairs["score"].to_numpy() < settings.cluster_floor] = "constraint: evidence against"
    follow_up = records.event_type[a] != records.event_type[b]
    strong = follow_up & (pairs["score"].to_numpy(dtype=float) >= settings.same_agency_threshold)
    reason[same_agency & ~duplicate & ~strong] = "constraint: same agency"
    if forbidden:
        reason[np.fromiter(sorted(forbidden), dtype=np.int64)] = "override"
    return Constraints(
        n=len(records),
        a=a,
        b=b,
        score=pairs["score"].to_numpy(dtype=float),
        allowed=reason == "",
        reason=reason,
    )


def merge_clusters(
    graph: Constraints, threshold: float, forced: list[tuple[int, int]]
) -> tuple[np.ndarray, np.ndarray]:
    """Greedy best-first merging; returns a label per record and per-pair decisions.

    Args:
        graph: The pairs and their constraints.
        threshold: Minimum score for a pair to merge its clusters.
        forced: Record index pairs an override marks "same", joined first.

    Returns:
        labels: For each record, the smallest record index of its cluster.
        decided: For each pair, "score" when it merged two clusters,
            "override" when forced, a refusal reason, or "" otherwise.
    """
    parent = list(range(graph.n))
    members: dict[int, list[int]] = {}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(ri: int, rj: int) -> None:
        keep, gone = (ri, rj) if ri < rj else (rj, ri)
        parent[gone] = keep
        members[keep] = members.pop(keep, [keep]) + members.pop(gone, [gone])

    decided = np.full(len(graph.a), "", dtype=object)
    for i, j in forced:
        ri, rj = find(i), find(j)
        if ri != rj:
            union(ri, rj)
        k = graph.pair(i, j)
        if k >= 0:
            decided[k] = "override"
    above = np.flatnonzero((graph.score >= threshold) & (decided == ""))
    order = above[np.lexsort((above, -graph.score[above]))]
    for k in order.tolist():
        ri, rj = find(int(graph.a[k])), find(int(graph.b[k]))
        if ri == rj:
            continue
        why = graph.refusal(members.get(ri, [ri]), members.get(rj, [rj]))
        if why:
            decided[k] = why
        else:
            union(ri, rj)
            decided[k] = "score"
    labels = np.fromiter((find(i) for i in range(graph.n)), dtype=np.int64, count=graph.n)
    return labels, decided
