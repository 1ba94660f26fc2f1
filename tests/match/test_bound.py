"""The candidate bound: a pair is kept when it is among the best max_candidates of either record."""

from __future__ import annotations

import numpy as np
import pandas as pd

from chronology.match import match_events
from chronology.match.bound import Bound
from chronology.match.candidates import candidate_pairs
from chronology.match.records import prepare_records
from chronology.match.settings import load_settings
from chronology.schema import EVENT_COLUMNS
from chronology.synth import generate_case

_TEXTS = (
    ("Home visit completed, child seen", "home_visit"),
    ("Telephone call to parent re attendance", "phone_call"),
    ("Letter sent to parent re appointment", "letter"),
    ("Minutes of review meeting typed and circulated", "meeting"),
    ("Duty log: message left for worker", "other"),
)


def dense_events(n: int, per_day: int = 55) -> pd.DataFrame:
    """One agency's routine entries, ``per_day`` a day (as bench.data.dense_events)."""
    rng = np.random.default_rng(0)
    kind = rng.integers(0, len(_TEXTS), n)
    day = np.sort(rng.integers(0, max(1, n // per_day), n))
    start = pd.Timestamp("2021-01-04", tz="UTC") + pd.to_timedelta(
        day * 1440 + rng.integers(480, 1080, n), unit="m"
    )
    frame = pd.DataFrame({c: "" for c in EVENT_COLUMNS}, index=range(n))
    frame["record_id"] = [f"D-{i:05d}" for i in range(n)]
    frame["agency"] = "Children's Social Care"
    frame["source_file"] = "dense.csv"
    frame["source_row"] = np.arange(2, n + 2)
    frame["status"] = "event"
    frame["start"] = start
    frame["end"] = start
    frame["date_precision"] = "time"
    frame["event_type"] = [_TEXTS[k][1] for k in kind]
    frame["description"] = [
        f"{_TEXTS[k][0]}. Ref {r}." for k, r in zip(kind, rng.integers(1000, 9999, n), strict=True)
    ]
    frame["raw"] = "{}"
    return frame


def _all_and_bounded(events, k):
    conf = load_settings()
    records = prepare_records(events, conf)
    full = candidate_pairs(records, conf.window_days, conf.lag_days, conf.lag_windows)
    bound = Bound(records, conf, max_candidates=k, budget=500)  # prune often: as-it-comes equals once
    kept = candidate_pairs(records, conf.window_days, conf.lag_days, conf.lag_windows, bound)
    return records, bound, full, kept


def test_an_ordinary_case_loses_no_candidate():
    records, bound, full, kept = _all_and_bounded(generate_case(300, seed=5)[0], 40)
    assert bound.pruned == 0
    assert np.array_equal(full[0], kept[0]) and np.array_equal(full[1], kept[1])


def test_kept_pairs_are_the_best_of_either_record():
    k = 6
    records, bound, (a, b), kept = _all_and_bounded(dense_events(600), k)
    score, minutes = bound.prescore(a, b)
    rank = np.empty(len(records), dtype=np.int64)
    rank[np.argsort(records.record_id, kind="stable")] = np.arange(len(records))
    apart = np.where(np.isnan(minutes), 4095, np.minimum(np.nan_to_num(minutes), 4095))
    quantised = np.clip(np.round((score + 64.0) * 8.0), 0, 1023)
    best: set[tuple[int, int]] = set()
    for e in np.unique(np.concatenate([a, b])):  # each record's pairs, from either end
        mine = np.flatnonzero((a == e) | (b == e))
        other = np.where(a[mine] == e, b[mine], a[mine])
        order = np.lexsort((rank[other], apart[mine], -quantised[mine]))  # best pre-score, nearest, id
        best.update((int(a[i]), int(b[i])) for i in mine[order[:k]])
    assert set(zip(kept[0].tolist(), kept[1].tolist(), strict=True)) == best
    assert bound.pruned > 0 and len(kept[0]) < len(a)


def test_a_dense_export_is_matched_with_the_bound():
    events = dense_events(1500)
    result = match_events(events)
    assert (result.events["cluster_id"] != "").all()
    assert len(result.pairs) <= 40 * len(events)  # each record adds at most its 40 best
    assert result.clusters["size"].sum() == len(events)
