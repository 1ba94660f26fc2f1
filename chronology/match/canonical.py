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
    joined = pairs[pairs["decided_by"].isin(["score", "override"]) & (pairs["decision"] == "same")]
    out: dict[int, list[dict[str, object]]] = {}
    for row in joined.itertuples(index=False):
        out.setdefault(int(labels[row.a]), []).append(
            {
                "record_a": row.record_a,
                "record_b": row.record_b,
                "score": float(row.score),
                "probability": float(row.probability),
                "decided_by": row.decided_by,
            }
        )
    return {label: json.dumps(items, sort_keys=True) for label, items in out.items()}


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
    ev = events.iloc[records.row]
    m = pd.DataFrame(
        {
            "label": labels,
            "record_id": records.record_id,
            "subject_ref": ev["subject_ref"].fillna("").astype(str).to_numpy(dtype=object),
            "agency": ev["agency"].fillna("").astype(str).to_numpy(dtype=object),
            "start": ev["start"].to_numpy(),
            "end": ev["end"].to_numpy(),
            "start_key": np.where(records.first_day > -(10**8), records.first_day, np.iinfo(np.int64).max),
            "minute": np.nan_to_num(records.minute, nan=0.0),
            "precision": records.precision,
            "date_precision": ev["date_precision"].to_numpy(dtype=object),
            "event_type": records.event_type,
            "description": ev["description"].fillna("").astype(str).to_numpy(dtype=object),
        }
    )
    m["desc_len"] = m["description"].str.len()
    by_start = m.sort_values(["label", "start_key", "minute", "record_id"], kind="stable")
    first = by_start.groupby("label", sort=True).head(1).set_index("label")
    ids = {int(k): cluster_id_of(v) for k, v in first["record_id"].items()}
    best = m.sort_values(["label", "precision", "start_key", "minute", "record_id"], kind="stable")
    best = best.groupby("label", sort=True).head(1).set_index("label")
    longest = m.sort_values(["label", "desc_len", "record_id"], ascending=[True, False, True], kind="stable")
    longest = longest.groupby("label", sort=True).head(1).set_index("label")
    order = {name: i for i, name in enumerate(vocab.types)}
    known = m[~m["event_type"].isin(["", "other"])]
    counts = known.groupby(["label", "event_type"]).size().rename("n").reset_index()
    counts["rank"] = counts["event_type"].map(order).fillna(len(order))
    counts = counts.sort_values(["label", "n", "rank"], ascending=[True, False, True], kind="stable")
    types = counts.groupby("label").head(1).set_index("label")["event_type"]
    agencies = by_start.drop_duplicates(["label", "agency"]).sort_values(["label", "agency"])
    agency_lists = agencies.groupby("label", sort=True)["agency"].agg(list)
    member_lists = by_start.groupby("label", sort=True)["record_id"].agg(list)
    evidence = _evidence(pairs, labels)
    labels_sorted = first.index.to_numpy()
    clusters = pd.DataFrame(
        {
            "cluster_id": [ids[int(k)] for k in labels_sorted],
            "subject_ref": first["subject_ref"].to_numpy(dtype=object),
            "start": best["start"].to_numpy(),
            "end": best["end"].to_numpy(),
            "date_precision": best["date_precision"].to_numpy(dtype=object),
            "event_type": types.reindex(labels_sorted).fillna("other").to_numpy(dtype=object),
            "description": longest["description"].to_numpy(dtype=object),
            "agencies": agency_lists.reindex(labels_sorted).to_numpy(dtype=object),
            "record_ids": member_lists.reindex(labels_sorted).to_numpy(dtype=object),
            "size": member_lists.reindex(labels_sorted).str.len().to_numpy(dtype=np.int64),
            "evidence": [evidence.get(int(k), "[]") for k in labels_sorted],
        }
    )
    if "start" in events:
        clusters["start"] = clusters["start"].astype(events["start"].dtype)
        clusters["end"] = clusters["end"].astype(events["end"].dtype)
    clusters["_key"] = best["start_key"].to_numpy()
    clusters["_minute"] = best["minute"].to_numpy()
    clusters = clusters.sort_values(["_key", "_minute", "cluster_id"], kind="stable").reset_index(drop=True)
    record_cluster = np.asarray([ids[int(k)] for k in labels], dtype=object)
    return clusters[list(CLUSTER_COLUMNS)], record_cluster
