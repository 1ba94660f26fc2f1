"""Clustering that does not chain: best-first average linkage under constraints.

One agency may contribute several records to one event (an attendance's
triage and review rows, a meeting and its minutes); nothing here treats a
pair of one agency differently from any other pair: their agency level is
evidence in the score (``features``). What stops chaining is evidence:

1. Analyst overrides "same" join their two records' clusters first, whatever
   the score; overrides "different" forbid their pair.
2. The other pairs scoring at least ``threshold`` are taken best first (score
   descending, then record ids). A pair whose records are already together
   changes nothing. Otherwise its two clusters merge only if, over EVERY pair
   across them (one record from each):

   - each is a candidate pair: within the window, a named date, or a later
     record of an earlier event within its lag window; so a cluster spans at
     most its lag window and a run of fortnightly visits cannot chain. A pair
     the candidate bound dropped (``bound``: both its records had many better
     candidates) was never compared, so it refuses the merge too ("constraint:
     not compared"): a merge needs every cross pair compared, and a dense day
     cannot chain through pairs nobody read. On ordinary cases the bound drops
     nothing, so this never applies there;
   - none is forbidden by an override "different";
   - none scores below ``cluster_floor`` (strong evidence of two events);
     in none do both texts name dates that disagree ("PPN re incident 13/07"
     and "PPN re incident 14/07" are two notifications); in none do both
     records pass something on from different senders (one handoff has one
     sender: the police's PPN to the MASH and the MASH's onward share with
     health are two); in none does the later name the other's date while
     being a happening of its own (a PPN about an incident, a school seeing
     the dressing of a burn treated at ED: ``named_about``);
   - their mean score is at least ``cluster_mean`` (average linkage), where
     one agency's records of one moment (its minute, or its day when
     untimed) count once against each other such block, by their best pair:
     one strong pair does not pull in a record that the rest of the cluster
     contradicts, an attendance's triage and review rows, which say little,
     do not outvote the row that matches, and one agency's records of
     different moments all count, so its routine cannot chain through one
     good pair.

   The first condition that fails is the reason reported for the refusal.
   Two records of an earlier event dated days apart (a meeting's minutes and
   another agency's receipt of them) never start a merge by their own pair:
   each joins the event it records, and so each other.

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

#: The refusal of a merge across a pair that is not a candidate, when the bound dropped some pairs.
NOT_COMPARED = "constraint: not compared (outside window, or dropped by the candidate bound)"


@dataclass
class Constraints:
    """The scored candidate pairs as the clustering reads them.

    Attributes:
        n: Number of records.
        a: First record index of each pair.
        b: Second record index of each pair.
        score: Match weight of each pair.
        allowed: Whether the pair may sit in one cluster (see the module rule).
        reason: Why not, where it may not ("constraint: evidence against"...).
        seed: Whether the pair may start a merge. Two records of an earlier
            event dated days apart (two sets of minutes) join only through the
            event they record, never by each other: their pair counts in the
            average of a merge but does not start one.
        block: Each record's (agency, moment) code, a moment being its minute
            or, untimed, its day: in the mean, one block's records count once
            against each other block, by their best pair.
        blocks: The number of block codes.
    """

    n: int
    a: np.ndarray
    b: np.ndarray
    score: np.ndarray
    allowed: np.ndarray
    reason: np.ndarray
    seed: np.ndarray | None = None
    missing_reason: str = "constraint: outside window"
    block: np.ndarray | None = None
    blocks: int = 1

    def __post_init__(self) -> None:
        # sorted keys of the unordered pairs, searched instead of a dict of millions of pairs
        lo = np.minimum(self.a, self.b).astype(np.int64)
        hi = np.maximum(self.a, self.b).astype(np.int64)
        keys = lo * np.int64(self.n) + hi
        self._order = np.argsort(keys, kind="stable")
        self._keys = keys[self._order]
        self._refused: dict[tuple[int, int], tuple[int, int, str]] = {}

    def pairs_of(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """Positions of the pairs of records i and j (arrays), -1 where not a candidate."""
        i, j = np.asarray(i, dtype=np.int64), np.asarray(j, dtype=np.int64)
        want = np.minimum(i, j) * np.int64(self.n) + np.maximum(i, j)
        at = np.searchsorted(self._keys, want)
        found = at < len(self._keys)
        found[found] = self._keys[at[found]] == want[found]
        return np.where(found, self._order[np.minimum(at, len(self._keys) - 1)], -1)

    def pair(self, i: int, j: int) -> int:
        """Position of the pair of records i and j, or -1 when not a candidate."""
        if len(self._keys) == 0:
            return -1
        return int(self.pairs_of(np.asarray([i]), np.asarray([j]))[0])

    def refusal(self, left: list[int], right: list[int], mean_floor: float) -> str:
        """Why the two member lists may not merge ("" when they may).

        The cross pairs are read in order (each of ``left`` against each of
        ``right``); the first that fails gives the reason. A missing pair (not
        a candidate, or dropped by the candidate bound) refuses the merge.
        """
        rows = np.repeat(np.asarray(left, dtype=np.int64), len(right))
        cols = np.tile(np.asarray(right, dtype=np.int64), len(left))
        k = self.pairs_of(rows, cols)
        missing = k < 0
        bad = missing.copy()
        bad[~missing] = ~self.allowed[k[~missing]]
        if bad.any():
            first = int(np.argmax(bad))
            return self.missing_reason if missing[first] else str(self.reason[k[first]])
        score = self.score[k].astype(float)
        if self.block is not None:
            # the records of one agency at one moment count once against each other block, by their
            # best pair (an attendance's rows at one minute; one agency's untimed rows of one day)
            bl, br = self.block[rows], self.block[cols]
            group = bl * np.int64(self.blocks) + br
            order = np.lexsort((-score, group))
            first = np.r_[True, group[order][1:] != group[order][:-1]]
            score = score[order][first]
        total = float(np.cumsum(score)[-1])  # summed in one fixed order: the same total every run
        if total < mean_floor * len(score):
            return "constraint: weak on average"
        return ""

    def refusal_of(self, k: int, ri: int, rj: int, members: dict[int, list[int]], mean_floor: float) -> str:
        """``refusal`` of the clusters rooted at ri and rj, met through pair k.

        Two single records meet only through their own pair; two clusters
        refused once are refused again while neither has grown.
        """
        left, right = members.get(ri, [ri]), members.get(rj, [rj])
        if len(left) == 1 and len(right) == 1:
            if not self.allowed[k]:
                return str(self.reason[k])
            return "constraint: weak on average" if float(self.score[k]) < mean_floor else ""
        key = (ri, rj)
        seen = self._refused.get(key)
        if seen is not None and seen[0] == len(left) and seen[1] == len(right):
            return seen[2]
        why = self.refusal(left, right, mean_floor)
        if why:
            self._refused[key] = (len(left), len(right), why)
        return why


def pair_constraints(
    records: Records,
    pairs: pd.DataFrame,
    settings: MatchSettings,
    forbidden: set[int],
    bounded: bool = False,
) -> Constraints:
    """Which scored pairs may sit in one cluster, and why not.

    Args:
        records: The prepared records.
        pairs: Scored pairs (``features.score_pairs``).
        settings: Supplies cluster_floor.
        forbidden: Positions of pairs an override marks "different".
        bounded: Whether the candidate bound dropped pairs: a missing pair is
            then reported as not compared rather than outside the window.
    """
    a, b = pairs["a"].to_numpy(), pairs["b"].to_numpy()
    reason = np.full(len(a), "", dtype=object)
    reason[pairs["score"].to_numpy() < settings.cluster_floor] = "constraint: evidence against"
    reason[(pairs["date_level"] == "named_conflict").to_numpy()] = "constraint: names another date"
    reason[(pairs["date_level"] == "named_about").to_numpy()] = "constraint: a happening of its own"
    reason[(pairs["route_level"] == "other_sender").to_numpy()] = "constraint: another sender"

    if forbidden:
        reason[np.fromiter(sorted(forbidden), dtype=np.int64)] = "override"
    moment = np.where(np.isnan(records.minute), records.first_day.astype(float), records.minute + 0.5)
    codes, uniques = pd.MultiIndex.from_arrays([records.agency_code, moment]).factorize()
    gap = np.abs(records.first_day[a] - records.first_day[b])
    both_late = records.retro[a] & records.retro[b] & (gap > settings.window_days)
    return Constraints(
        n=len(records),
        a=a,
        b=b,
        score=pairs["score"].to_numpy(dtype=float),
        allowed=reason == "",
        reason=reason,
        seed=~both_late,
        missing_reason=NOT_COMPARED if bounded else "constraint: outside window",
        block=codes.astype(np.int64),
        blocks=max(1, len(uniques)),
    )


def merge_clusters(
    graph: Constraints, threshold: float, forced: list[tuple[int, int]], mean_floor: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Greedy best-first average linkage; returns a label per record and per-pair decisions.

    Args:
        graph: The pairs and their constraints.
        threshold: Minimum score for a pair to merge its clusters.
        forced: Record index pairs an override marks "same", joined first.
        mean_floor: Minimum mean score across two clusters that merge
            (``cluster_mean``); ``threshold`` when not given.

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
    seeds = graph.seed if graph.seed is not None else np.ones(len(graph.a), dtype=bool)
    above = np.flatnonzero((graph.score >= threshold) & (decided == "") & seeds)
    order = above[np.lexsort((above, -graph.score[above]))]
    for k in order.tolist():
        ri, rj = find(int(graph.a[k])), find(int(graph.b[k]))
        if ri == rj:
            continue
        why = graph.refusal_of(k, ri, rj, members, threshold if mean_floor is None else mean_floor)
        if why:
            decided[k] = why
        else:
            union(ri, rj)
            decided[k] = "score"
    labels = np.fromiter((find(i) for i in range(graph.n)), dtype=np.int64, count=graph.n)
    return labels, decided
