"""Shared rare words: how much of the rarer-worded record the other one repeats.

Each normalised word weighs its smoothed inverse document frequency over
the case, ln((N + 1) / (records holding it + 1)) + 1, so "strategy" or "fracture" count for more than
"seen" or "mother". Words are cut to their first four letters. A pair's overlap is the weight of the words both hold
divided by the smaller of the two records' total weights (0 to 1). Computed
for all pairs at once from a compressed word list per record, without a
Python loop per pair.

Example:
    >>> import numpy as np
    >>> norm = np.array(["strategy meeting held", "strategy meeting today", "home visit"], dtype=object)
    >>> word_overlap(norm, np.array([0, 0]), np.array([1, 2])).round(2).tolist()
    [0.6, 0.0]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Words are compared by their first letters, so "strat" meets "strategy" and
#: a typo late in a word ("discusion") still counts.
STEM = 4


def _word_lists(texts: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-text distinct word codes (CSR: offsets, codes) and each code's idf.

    ``weight`` is how many records hold each text, so the idf counts records.
    """
    n = len(texts)
    words = pd.Series(texts, dtype=object).str.split()
    exploded = words.explode().dropna()
    frame = pd.DataFrame(
        {"rec": exploded.index.to_numpy(dtype=np.int64), "word": exploded.to_numpy(dtype=object)}
    )
    frame = frame[frame["word"].str.len() > 1]
    frame["word"] = frame["word"].str.slice(0, STEM)
    frame = frame.drop_duplicates()
    codes, vocab = pd.factorize(frame["word"], sort=True)
    frame["code"] = codes
    frame = frame.sort_values(["rec", "code"], kind="stable")
    held = frame["code"].to_numpy()
    df = np.bincount(held, weights=weight[frame["rec"].to_numpy()], minlength=len(vocab))
    idf = np.log((weight.sum() + 1) / (df + 1)) + 1.0
    counts = np.bincount(frame["rec"].to_numpy(), minlength=n)
    offsets = np.concatenate([[0], np.cumsum(counts)])
    return offsets, held.astype(np.int64), idf


def word_overlap(norm: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IDF-weighted overlap coefficient of the words of records a and b (0-1).

    Args:
        norm: Normalised text of every record.
        a: First record of each pair.
        b: Second record of each pair.

    Returns:
        One value per pair; 0 where either record has no words.
    """
    if len(a) == 0:
        return np.empty(0, dtype=float)
    text_of, texts = pd.factorize(pd.Series(norm, dtype=object))
    holders = np.bincount(text_of, minlength=len(texts)).astype(float)
    offsets, codes, idf = _word_lists(texts.to_numpy(dtype=object), holders)
    vocab = np.int64(len(idf) + 1)
    n_texts = len(texts)
    weight = np.bincount(
        np.repeat(np.arange(n_texts), np.diff(offsets)), weights=idf[codes], minlength=n_texts
    )
    text_index = np.repeat(np.arange(n_texts, dtype=np.int64), np.diff(offsets))
    held = np.sort(text_index * vocab + codes)
    out = np.empty(len(a), dtype=float)
    for lo in range(0, len(a), _CHUNK):  # bounded memory on millions of pairs
        part = slice(lo, lo + _CHUNK)
        out[part] = _overlap(text_of[a[part]], text_of[b[part]], offsets, codes, idf, weight, held, vocab)
    return out


#: Pairs compared at a time.
_CHUNK = 1_000_000


def _overlap(
    ta: np.ndarray,
    tb: np.ndarray,
    offsets: np.ndarray,
    codes: np.ndarray,
    idf: np.ndarray,
    weight: np.ndarray,
    held: np.ndarray,
    vocab: np.int64,
) -> np.ndarray:
    counts = offsets[ta + 1] - offsets[ta]
    pair = np.repeat(np.arange(len(ta)), counts)
    within = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    word = codes[offsets[ta][pair] + within]
    probe = tb[pair].astype(np.int64) * vocab + word
    if len(held):
        found = np.minimum(np.searchsorted(held, probe), len(held) - 1)
        shared = held[found] == probe
    else:
        shared = np.zeros(len(probe), bool)
    common = np.bincount(pair, weights=np.where(shared, idf[word], 0.0), minlength=len(ta))
    smaller = np.minimum(weight[ta], weight[tb])
    return np.where(smaller > 0, common / np.where(smaller > 0, smaller, 1.0), 0.0)
