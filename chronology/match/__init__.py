"""Match: one real event, one cluster, every decision explained.

The flow: ``prepare_records`` reads the "event" rows; ``candidate_pairs``
sweeps them by subject and date (never all pairs), in chunks, keeping each
pair that is among the ``max_candidates`` best of either of its records by a
cheap pre-score (``bound``: on a dense export of 55 entries a day, hundreds of
candidates per record become a few dozen; ordinary cases lose none);
``score_pairs`` scores
each candidate pair in bulk with Fellegi-Sunter match weights from
schemas/match.toml; ``merge_clusters`` joins pairs best first under
constraints that stop chaining; ``describe_clusters`` gives each cluster its
id, canonical date, type and description and its evidence.

Example:
    >>> from chronology.synth import generate_case
    >>> events, truth = generate_case(30, seed=1)
    >>> result = match_events(events, {"threshold": 3.3})
    >>> bool((result.events["cluster_id"] != "").all())
    True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from chronology.match.bound import Bound
from chronology.match.candidates import candidate_pairs, distant_pairs
from chronology.match.canonical import describe_clusters
from chronology.match.cluster import merge_clusters, pair_constraints
from chronology.match.em import Estimate, estimate_weights, random_u
from chronology.match.explain import explain
from chronology.match.features import FEATURES, score_pairs, weigh
from chronology.match.levels import as_categorical
from chronology.match.overrides import add_pairs, read_overrides, resolve_overrides
from chronology.match.records import prepare_records
from chronology.match.settings import MatchSettings, load_settings
from chronology.vocabulary import Vocabulary, load_vocabulary

#: Features whose u values are measured on pairs of records far apart in time
#: (Splink's random sampling); the date, time and agency levels depend on the
#: dates and are estimated by EM with the m values.
RANDOM_U_FEATURES = ("text", "event_type", "handoff", "mention", "route", "references", "names")

__all__ = ["MatchResult", "explain", "match_events", "read_overrides", "load_settings", "FEATURES"]


@dataclass
class MatchResult:
    """What matching produced.

    Attributes:
        events: The input with cluster_id filled for every "event" row (""
            for continuation and rejected rows); row order unchanged.
        clusters: One row per cluster (``chronology.schema.CLUSTER_COLUMNS``),
            singletons included, sorted by start then cluster_id.
        pairs: Every scored candidate pair: record_a < record_b, each
            feature's value, level and weight, score, probability, decision
            ("same" | "different"), decided_by and note.
        warnings: Lines for the user (an override naming a missing record).
        estimate: The m/u values and prior estimated on this case's own
            candidate pairs (None when ``estimate = false``).
    """

    events: pd.DataFrame
    clusters: pd.DataFrame
    pairs: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    estimate: Estimate | None = None


class _Positions:
    """Position of each pair by its code ``a * n + b`` (a sorted array searched, not a dict of millions)."""

    def __init__(self, a: np.ndarray, b: np.ndarray, n: int) -> None:
        codes = a.astype(np.int64) * np.int64(n) + b.astype(np.int64)
        self._order = np.argsort(codes, kind="stable")
        self._codes = codes[self._order]

    def __contains__(self, code: int) -> bool:
        at = int(np.searchsorted(self._codes, code))
        return at < len(self._codes) and int(self._codes[at]) == code

    def __getitem__(self, code: int) -> int:
        at = int(np.searchsorted(self._codes, code))
        if at >= len(self._codes) or int(self._codes[at]) != code:
            raise KeyError(code)
        return int(self._order[at])


def _decide(pairs: pd.DataFrame, labels: np.ndarray, decided: np.ndarray, settings: MatchSettings) -> None:
    """Fill decision and decided_by of every pair (in place).

    decided_by is "override", "score" (the pair merged its clusters, or its
    score is below the threshold and its records stay apart), "cluster"
    (below the threshold, but joined through other members) or
    "constraint: ..." (above the threshold, refused by the clustering rule).
    """
    same = labels[pairs["a"].to_numpy()] == labels[pairs["b"].to_numpy()]
    pairs["decision"] = pd.Categorical.from_codes(same.astype(np.int64), categories=["different", "same"])
    by = np.asarray(decided, dtype=object).copy()
    undecided = by == ""
    by[undecided] = np.asarray(["score", "cluster"], dtype=object)[same[undecided].astype(np.intp)]
    pairs["decided_by"] = as_categorical(by)  # a few reasons, integer-coded


def match_events(
    events: pd.DataFrame,
    settings: Mapping[str, Any] | None = None,
    overrides: pd.DataFrame | None = None,
    *,
    vocab: Vocabulary | None = None,
    aliases: Mapping[str, Sequence[str]] | None = None,
) -> MatchResult:
    """Cluster the records of one real event, across and within agencies.

    Args:
        events: A table with ``chronology.schema.EVENT_COLUMNS``; only rows
            with status "event" are matched.
        settings: case.toml's [match] table as written (e.g.
            ``{"threshold": 6.0, "window_days": 1}``).
        overrides: overrides.csv as read by ``read_overrides``.
        vocab: The vocabulary (related event types); the shipped one by default.
        aliases: Each agency label's extra aliases from case.toml (which
            agencies a text mentions).

    Returns:
        The MatchResult: events with cluster_id, clusters, pairs, warnings.

    Raises:
        chronology.errors.ConfigError: An unknown [match] key, naming the closest valid one.

    Example:
        >>> from chronology.synth import generate_case
        >>> events, _ = generate_case(10, seed=2)
        >>> len(match_events(events).clusters) <= len(events)
        True
    """
    conf = load_settings(settings)
    vocab = vocab or load_vocabulary()
    records = prepare_records(events, conf, vocab, aliases)
    bound = Bound(records, conf, vocab) if conf.max_candidates > 0 else None
    a, b = candidate_pairs(records, conf.window_days, conf.lag_days, conf.lag_windows, bound)
    resolved = resolve_overrides(overrides, records, set(events["record_id"].astype(str)))
    a, b = add_pairs(a, b, resolved.same + resolved.different, records)
    pairs = score_pairs(records, a, b, conf, vocab)
    n = len(records)
    position = _Positions(a, b, n)
    forbidden = {position[i * n + j] for i, j in resolved.different}
    estimate = None
    if conf.estimate and len(pairs):
        labels = np.full(len(pairs), np.nan)
        labels[sorted(forbidden)] = 0.0
        labels[[position[i * n + j] for i, j in resolved.same if i * n + j in position]] = 1.0
        far_a, far_b = distant_pairs(records, conf.lag_days + conf.window_days + 1)
        far = score_pairs(records, far_a, far_b, conf, vocab)
        measured = random_u(far, list(RANDOM_U_FEATURES))
        estimate = estimate_weights(
            pairs,
            conf.m_u,
            conf.prior,
            labels=labels,
            fixed_u=measured,
            strength=conf.estimate_strength,
            hold=conf.estimate_hold,
        )
        conf = replace(conf, m_u=estimate.m_u, prior=estimate.prior)
        pairs = weigh(pairs, conf)
    graph = pair_constraints(records, pairs, conf, forbidden, bounded=bound is not None and bound.pruned > 0)
    labels, decided = merge_clusters(graph, conf.threshold, resolved.same, conf.cluster_mean)
    del graph  # its pair index is large; free it before describing the clusters
    for k in forbidden:
        decided[k] = "override"
    _decide(pairs, labels, decided, conf)
    notes = np.full(len(a), "", dtype=object)
    for (i, j), note in resolved.notes.items():
        notes[position[i * n + j]] = note
    pairs["note"] = notes
    del position
    clusters, record_cluster = describe_clusters(events, records, labels, pairs, vocab)
    out = events.copy()
    cluster_ids = np.full(len(events), "", dtype=object)
    cluster_ids[records.row] = record_cluster
    out["cluster_id"] = pd.Series(cluster_ids, index=events.index, dtype=events["cluster_id"].dtype)
    pairs = pairs.drop(columns=["a", "b"]).reset_index(drop=True)
    return MatchResult(
        events=out, clusters=clusters, pairs=pairs, warnings=resolved.warnings, estimate=estimate
    )
