"""Level helpers shared by scoring (``features``) and the candidate bound (``bound``).

The event_type level of a pair depends only on the two types, and a case
holds few distinct types, so the level of every pair of distinct types is
worked out once into a small matrix and each pair of records looks it up by
integer codes (no string is built per pair). Level columns of the pairs table
are pandas Categoricals: readable strings, stored as small integer codes.

Example:
    >>> import numpy as np
    >>> from chronology.vocabulary import load_vocabulary
    >>> codes, matrix = type_matrix(np.array(["home_visit", "home_visit", "other", ""], dtype=object),
    ...                             load_vocabulary())
    >>> [TYPE_RANK[matrix[codes[0], codes[1]]], TYPE_RANK[matrix[codes[0], codes[2]]]]
    ['same_contact', 'unknown']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from chronology.vocabulary import Vocabulary

if TYPE_CHECKING:
    from chronology.match.records import Records

#: Type levels from the strongest evidence of one event to the weakest; the
#: last entry, "", is the level of a pair where a type is missing.
TYPE_RANK = ("same", "same_contact", "related", "passed_on", "unknown", "incompatible", "")
_UNKNOWN_TYPES = frozenset({"", "other"})


def _pair_level(
    x: str,
    y: str,
    vocab: Vocabulary,
    own: frozenset[str],
    passing: frozenset[str],
    contacts: frozenset[str] = frozenset(),
) -> str:
    if x == "" or y == "":
        return ""
    if x in _UNKNOWN_TYPES or y in _UNKNOWN_TYPES:
        return "unknown"
    if x == y:
        return "same_contact" if x in vocab.in_group("contact") else "same"
    if x in own or y in own:
        return "incompatible"  # a decision is a happening of its own
    if vocab.related(x, y):
        return "related"
    if x in passing or y in passing:
        return "passed_on"
    if x in contacts and y in contacts:
        return "unknown"  # one contact named by each agency's role: a school's contact, CSC's visit
    return "incompatible"


def pick(conditions: list[np.ndarray], choices: list[str], default: str) -> np.ndarray:
    """Like ``np.select(conditions, choices, default)``, as an object array.

    Each row holds one of the few shared label strings rather than its own
    copy, which keeps a level column of millions of pairs small.
    """
    index = np.select(conditions, list(range(len(choices))), len(choices))
    return np.asarray([*choices, default], dtype=object)[index]


def type_matrix(
    values: np.ndarray, vocab: Vocabulary, own_groups: frozenset[str] = frozenset()
) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of ``values`` and the rank (index into TYPE_RANK) of every pair of codes.

    Args:
        values: Type ids (several arrays concatenated: event and content types).
        vocab: The vocabulary (groups and related types).
        own_groups: Type groups whose records are happenings of their own.

    Returns:
        codes (one per value) and a square int8 matrix of ranks.
    """
    codes, uniques = pd.factorize(pd.Series(values, dtype=object).fillna(""))
    names = [str(u) for u in uniques]
    own = vocab.in_group(*own_groups) if own_groups else frozenset()
    passing = vocab.in_group("handoff", "receipt")
    contacts = vocab.in_group("contact")
    rank = {lv: i for i, lv in enumerate(TYPE_RANK)}
    matrix = np.asarray(
        [[rank[_pair_level(x, y, vocab, own, passing, contacts)] for y in names] for x in names],
        dtype=np.int8,
    ).reshape(len(names), len(names))
    return np.asarray(codes, dtype=np.int64), matrix


def type_ranks(
    event_type: np.ndarray,
    content_type: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    vocab: Vocabulary,
    own_groups: frozenset[str] = frozenset(),
) -> np.ndarray:
    """The event_type level of each pair as its index into TYPE_RANK.

    The strongest over each record's type and, for a record of an earlier
    event, the type of what it records (its content type).
    """
    n = len(event_type)
    codes, matrix = type_matrix(np.concatenate([event_type, content_type]), vocab, own_groups)
    t, c = codes[:n], codes[n:]
    best = matrix[t[a], t[b]]
    for x, y in ((c[a], t[b]), (t[a], c[b]), (c[a], c[b])):
        np.minimum(best, matrix[x, y], out=best)
    return best


def categorical(codes: np.ndarray, categories: list[str] | tuple[str, ...]) -> pd.Categorical:
    """A Categorical from integer codes into ``categories`` (no string per row)."""
    return pd.Categorical.from_codes(np.asarray(codes, dtype=np.int64), categories=list(categories))


def as_categorical(level: np.ndarray | pd.Categorical) -> pd.Categorical:
    """A level column (an object array of a few shared strings) as a Categorical."""
    if isinstance(level, pd.Categorical):
        return level
    codes, uniques = pd.factorize(np.asarray(level, dtype=object))
    return pd.Categorical.from_codes(codes, categories=[str(u) for u in uniques])


def shared_tokens(
    tokens: np.ndarray, records: Records, a: np.ndarray, b: np.ndarray, limit: int
) -> list[str]:
    """The tokens both records hold, joined by ";" in sorted order, per pair ("" when none).

    A token held by more than ``limit`` records of one subject says nothing and
    is left out. Each record's tokens are distinct (sorted sets from
    ``chronology.match.text``). Every (record, token) holding becomes one sorted
    integer key, so a pair's shared tokens are found with one ``np.isin``
    rather than pandas merges.
    """
    out = [""] * len(a)
    lengths = np.fromiter((len(t) for t in tokens), dtype=np.int64, count=len(tokens))
    if not lengths.any() or len(a) == 0:
        return out
    rec = np.repeat(np.arange(len(tokens), dtype=np.int64), lengths)
    flat = np.asarray([str(tok) for held in tokens for tok in held], dtype=object)
    vocab, code = np.unique(flat, return_inverse=True)  # codes in the tokens' sorted order
    width = np.int64(len(vocab))
    _, per_subject, counts = np.unique(
        records.subject[rec].astype(np.int64) * width + code, return_inverse=True, return_counts=True
    )
    rare = counts[per_subject] <= limit
    held = np.sort(rec[rare] * width + code[rare])  # (record, token) keys, sorted
    held = held[np.concatenate([[True], held[1:] != held[:-1]])] if len(held) else held
    first = np.searchsorted(held // width, np.arange(len(tokens) + 1))
    n_a = first[a + 1] - first[a]
    pair = np.repeat(np.arange(len(a)), n_a)
    within = np.arange(int(n_a.sum())) - np.repeat(np.cumsum(n_a) - n_a, n_a)
    tok = held[np.repeat(first[a], n_a) + within] % width
    shared = np.isin(b[pair].astype(np.int64) * width + tok, held)
    for p, t in zip(pair[shared].tolist(), vocab[tok[shared]].tolist(), strict=True):
        out[p] = f"{out[p]};{t}" if out[p] else t
    return out
