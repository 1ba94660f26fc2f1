"""One row per cluster: its id, canonical date, type and description, and evidence.

- cluster_id: "C-" and the first 10 hex digits of the sha1 of the cluster's
  earliest member's record id (earliest by start, ties by record id). It
  depends only on the members, never on run order, so adding an unrelated
  source leaves it unchanged.
- start, end, date_precision: of the most precise member (ties: the earliest,
  then the smallest record id): a late record naming the date never wins.
- event_type: the most common known type among members; ties by vocabulary
  order; "other" only when no member has a known type.
- description: the longest member description (ties by record id).
- record_ids, member_agencies, member_starts, member_lag_days: the members
  in date order, each with its agency, its own date as written (local,
  "YYYY-MM-DD" or "YYYY-MM-DD HH:MM") and its lag in days from the earliest
  member: joining the MASH's receipt to the PPN, or the GP's "minutes
  received" to the conference, keeps visible how late each agency learned.
- evidence: JSON list of the pairs that joined the cluster, with their scores.

Example:
    >>> cluster_id_of("R-0001")
    'C-b94d51c2c3'
"""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd

from chronology.match.records import Records
from chronology.schema import CLUSTER_COLUMNS
from chronology.vocabulary import Vocabulary


def cluster_id_of(record_id: str) -> str:
    """The cluster id of a cluster whose earliest member is ``record_id``."""
    return "C-" + hashlib.sha1(record_id.encode("utf-8")).hexdigest()[:10]


def _evidence(pairs: pd.DataFrame, labels: np.ndarray) -> dict[int, str]:
    columns = ["a", "record_a", "record_b", "score", "probability", "decided_by"]
    mask = (pairs["decided_by"].isin(["score", "override"]) & (pairs["decision"] == "same")).to_numpy()
    joined = pairs.loc[mask, columns]  # only the columns read here
    # Pairs grouped by label, in pairs order within each label; each label's JSON is
    # written as soon as its pairs are read, so no more than one label's dicts are alive.
    if joined.empty:
        return {}
    label = labels[joined["a"].to_numpy()]
    order = np.argsort(label, kind="stable")
    arrays = [joined[c].to_numpy(dtype=object)[order] for c in columns[1:]]
    label = label[order]
    cuts = np.flatnonzero(label[1:] != label[:-1]) + 1
    out: dict[int, str] = {}
    for lo, hi in zip(np.r_[0, cuts].tolist(), np.r_[cuts, len(label)].tolist(), strict=True):
        items = [
            {
                "record_a": ra,
                "record_b": rb,
                "score": float(score),
                "probability": float(probability),
                "decided_by": by,
            }
            for ra, rb, score, probability, by in zip(*(x[lo:hi] for x in arrays), strict=True)
        ]
        out[int(label[lo])] = json.dumps(items, sort_keys=True)
    return out


_NO_DAY = np.iinfo(np.int64).max


def _written_starts(start: pd.Series, precision: np.ndarray) -> np.ndarray:
    """Each record's start as local wall-clock text: the minute where it has a time, else the day."""
    local = pd.to_datetime(start)
    if getattr(local.dt, "tz", None) is not None:
        local = local.dt.tz_localize(None)
    day = local.dt.strftime("%Y-%m-%d").fillna("")
    timed = local.dt.strftime("%Y-%m-%d %H:%M").fillna("")
    return np.where(precision == 0, timed.to_numpy(dtype=object), day.to_numpy(dtype=object)).astype(object)


def _first_by(label: np.ndarray, *keys: np.ndarray) -> np.ndarray:
    """For each label (ascending), the position of its first record by ``keys``."""
    order = np.lexsort((*reversed(keys), label))
    starts = np.flatnonzero(np.r_[True, label[order][1:] != label[order][:-1]])
    return order[starts]


def _grouped(label: np.ndarray, values: np.ndarray, *keys: np.ndarray) -> list[list[str]]:
    """The values of each label (ascending) as lists, ordered by ``keys``."""
    order = np.lexsort((*reversed(keys), label))
    cuts = np.flatnonzero(label[order][1:] != label[order][:-1]) + 1
    return [part.tolist() for part in np.split(values[order], cuts)]


def _canonical_types(
    label: np.ndarray, event_type: np.ndarray, labels_sorted: np.ndarray, vocab: Vocabulary
) -> np.ndarray:
    """The most common known type of each cluster; ties by vocabulary order."""
    order = {name: i for i, name in enumerate(vocab.types)}
    known = ~np.isin(event_type, ["", "other"])
    counts = pd.DataFrame({"label": label[known], "event_type": event_type[known]})
    counts = counts.groupby(["label", "event_type"]).size().rename("n").reset_index()
    counts["rank"] = counts["event_type"].map(order).fillna(len(order))
    counts = counts.sort_values(["label", "n", "rank"], ascending=[True, False, True], kind="stable")
    types = counts.groupby("label").head(1).set_index("label")["event_type"]
    return types.reindex(labels_sorted).fillna("other").to_numpy(dtype=object)


def describe_clusters(
    events: pd.DataFrame, records: Records, labels: np.ndarray, pairs: pd.DataFrame, vocab: Vocabulary
) -> tuple[pd.DataFrame, np.ndarray]:
    """The clusters table and each record's cluster id.

    Args:
        events: The events table as given.
        records: The prepared "event" records (in ``events`` row order).
        labels: Cluster label of each record (from ``merge_clusters``).
        pairs: Scored pairs with decision and decided_by.
        vocab: For the order of types when counts tie.

    Returns:
        The clusters (``CLUSTER_COLUMNS``, sorted by start then cluster_id)
        and the cluster id of each record.
    """
    used = ["subject_ref", "start", "end", "date_precision", "description", "agency"]
    ev = events[used].iloc[records.row]  # only the columns read here: no copy of the whole table
    if len(records) == 0:
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in CLUSTER_COLUMNS})
        empty["start"] = events["start"].iloc[0:0].reset_index(drop=True)
        empty["end"] = events["end"].iloc[0:0].reset_index(drop=True)
        empty["size"] = empty["size"].astype(np.int64)
        return empty, np.empty(0, dtype=object)
    ids = records.record_id.astype(str)
    day = np.where(records.first_day > -(10**8), records.first_day, _NO_DAY)
    minute = np.nan_to_num(records.minute, nan=0.0)
    description = ev["description"].fillna("").astype(str).to_numpy(dtype=object)
    length = np.fromiter((len(d) for d in description), dtype=np.int64, count=len(description))
    agency = ev["agency"].fillna("").astype(str).to_numpy(dtype=object)
    earliest = _first_by(labels, day, minute, ids)
    best = _first_by(labels, records.precision, day, minute, ids)
    longest = _first_by(labels, -length, ids)
    labels_sorted = labels[earliest]
    cluster_ids = np.asarray([cluster_id_of(r) for r in ids[earliest]], dtype=object)
    members = _grouped(labels, ids.astype(object), day, minute, ids)
    member_agencies = _grouped(labels, agency, day, minute, ids)
    written = _written_starts(ev["start"], records.precision)
    member_starts = _grouped(labels, written, day, minute, ids)
    lags = _grouped(labels, day.astype(object), day, minute, ids)
    member_lags = [[int(d) - int(g[0]) if d != _NO_DAY and g[0] != _NO_DAY else 0 for d in g] for g in lags]
    pairs_seen = pd.DataFrame({"label": labels, "agency": agency}).drop_duplicates()
    agencies = _grouped(
        pairs_seen["label"].to_numpy(),
        pairs_seen["agency"].to_numpy(dtype=object),
        pairs_seen["agency"].to_numpy(dtype=str),
    )
    evidence = _evidence(pairs, labels)
    clusters = pd.DataFrame(
        {
            "cluster_id": cluster_ids,
            "subject_ref": ev["subject_ref"].fillna("").astype(str).to_numpy(dtype=object)[earliest],
            "start": ev["start"].iloc[best].reset_index(drop=True),
            "end": ev["end"].iloc[best].reset_index(drop=True),
            "date_precision": ev["date_precision"].to_numpy(dtype=object)[best],
            "event_type": _canonical_types(labels, records.event_type, labels_sorted, vocab),
            "description": description[longest],
            "agencies": pd.Series(agencies, dtype=object),
            "record_ids": pd.Series(members, dtype=object),
            "member_agencies": pd.Series(member_agencies, dtype=object),
            "member_starts": pd.Series(member_starts, dtype=object),
            "member_lag_days": pd.Series(member_lags, dtype=object),
            "size": np.fromiter((len(m) for m in members), dtype=np.int64, count=len(members)),
            "evidence": [evidence.get(int(k), "[]") for k in labels_sorted],
        }
    )
    order = np.lexsort((cluster_ids.astype(str), minute[best], day[best]))
    clusters = clusters.iloc[order].reset_index(drop=True)
    position = np.searchsorted(labels_sorted, labels)
    return clusters[list(CLUSTER_COLUMNS)], cluster_ids[position]
