"""Accuracy of a clustering against the truth: pairwise and B-cubed.

Pairwise: a pair of records is predicted "same" when both have one cluster
id, and truly "same" when both have one true event. Precision = true same
pairs predicted same / pairs predicted same; recall = true same pairs
predicted same / true same pairs. B-cubed (Bagga and Baldwin, 1998): for each
record, the share of its predicted cluster that is truly its event
(precision) and the share of its true event that is in its predicted cluster
(recall), averaged over records.

Example:
    >>> scores = cluster_scores(["c1", "c1", "c2"], ["e1", "e1", "e1"])
    >>> scores["pairwise_precision"], round(scores["pairwise_recall"], 3)
    (1.0, 0.333)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def _pairs_within(codes: np.ndarray) -> int:
    counts = np.bincount(codes) if len(codes) else np.zeros(0, np.int64)
    return int((counts * (counts - 1) // 2).sum())


def _f1(precision: float, recall: float) -> float:
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def cluster_scores(
    predicted: Sequence[str] | pd.Series, truth: Sequence[str] | pd.Series
) -> dict[str, float]:
    """Pairwise and B-cubed precision, recall and F1 of predicted cluster ids.

    Args:
        predicted: A cluster id per record.
        truth: The true event id per record, in the same order.

    Returns:
        pairwise_precision, pairwise_recall, pairwise_f1, bcubed_precision,
        bcubed_recall, bcubed_f1, and the counts true_pairs, predicted_pairs
        and correct_pairs. A measure with nothing to measure is 1.0.
    """
    pred = pd.factorize(np.asarray(predicted, dtype=object))[0]
    true = pd.factorize(np.asarray(truth, dtype=object))[0]
    if len(pred) != len(true):
        raise ValueError("predicted and truth differ in length")
    joint = pd.factorize(pd.Series(pred).astype(str) + "|" + pd.Series(true).astype(str))[0]
    predicted_pairs = _pairs_within(pred)
    true_pairs = _pairs_within(true)
    correct = _pairs_within(joint)
    precision = correct / predicted_pairs if predicted_pairs else 1.0
    recall = correct / true_pairs if true_pairs else 1.0
    pred_size = np.bincount(pred)[pred] if len(pred) else np.zeros(0)
    true_size = np.bincount(true)[true] if len(true) else np.zeros(0)
    joint_size = np.bincount(joint)[joint] if len(joint) else np.zeros(0)
    b_precision = float(np.mean(joint_size / pred_size)) if len(pred) else 1.0
    b_recall = float(np.mean(joint_size / true_size)) if len(true) else 1.0
    return {
        "pairwise_precision": precision,
        "pairwise_recall": recall,
        "pairwise_f1": _f1(precision, recall),
        "bcubed_precision": b_precision,
        "bcubed_recall": b_recall,
        "bcubed_f1": _f1(b_precision, b_recall),
        "true_pairs": float(true_pairs),
        "predicted_pairs": float(predicted_pairs),
        "correct_pairs": float(correct),
    }
