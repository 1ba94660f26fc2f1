"""Features of candidate pairs and their Fellegi-Sunter match weights.

Each feature puts a pair in one level; each level has m and u values in
schemas/match.toml and adds log2(m/u) to the pair's score. A missing value
(no text, no times) adds 0. The levels, read in order (first that applies):

========== ==================================================================
feature    levels
========== ==================================================================
text       near_identical (>= 95), high (>= 80), medium (>= 60), low (>= 40),
           none; the mean of rapidfuzz token_sort_ratio and token_set_ratio
           on normalised text
words      most (>= 0.6), half (>= 0.4), some (>= 0.2), few: the share of the
           rarer-worded record's words (idf-weighted) the other repeats
event_type same, same_contact (the same type of routine contact: each agency
           makes its own visits and appointments), related (vocabulary ``related``), passed_on (one is a handoff or
           receipt: a letter, notification or referral about the other),
           unknown ("other"), incompatible
date       named_conflict (both texts name dates, a day or more apart:
           "PPN re incident 11/07" and "PPN re incident 18/07"), same_day
           (both to the day), named_date (one names the other's
           date), one_day (or a named date a day out), approximate (an
           approximate range overlaps), further
time       within_30_min, within_3_hours, further (only when both have times)
agency     same, different
handoff    named (one record's from/to agency is the other's agency), none
references shared (a reference number in both texts), none
names      shared (a rare capitalised name in both texts), none
========== ==================================================================

Example:
    >>> from chronology.match.settings import load_settings
    >>> text_level(np.array([97.0, 50.0]), np.array([True, True])).tolist()
    ['near_identical', 'low']
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from chronology.match.records import Records
from chronology.match.settings import MatchSettings
from chronology.match.words import word_overlap
from chronology.vocabulary import Vocabulary

FEATURES = ("text", "words", "event_type", "date", "time", "agency", "handoff", "references", "names")
_UNKNOWN_TYPES = frozenset({"", "other"})


def text_similarity(norm: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Similarity 0-100 of the normalised texts of records a and b, in bulk.

    The mean of rapidfuzz's token_sort_ratio and token_set_ratio, computed
    with ``process.cpdist`` once per distinct pair of texts.

    Example:
        >>> norm = np.array(["strategy meeting held", "meeting strategy held"], dtype=object)
        >>> text_similarity(norm, np.array([0]), np.array([1])).tolist()
        [100.0]
    """
    if len(a) == 0:
        return np.empty(0, dtype=float)
    codes, texts = pd.factorize(pd.Series(norm, dtype=object))
    key = codes[a].astype(np.int64) * len(texts) + codes[b]
    unique, inverse = np.unique(key, return_inverse=True)
    left = texts.to_numpy(dtype=object)[unique // len(texts)]
    right = texts.to_numpy(dtype=object)[unique % len(texts)]
    sort = process.cpdist(left, right, scorer=fuzz.token_sort_ratio, workers=-1, dtype=np.float32)
    tset = process.cpdist(left, right, scorer=fuzz.token_set_ratio, workers=-1, dtype=np.float32)
    return np.round((sort.astype(float) + tset.astype(float)) / 2.0, 1)[inverse]


def _pick(conditions: list[np.ndarray], choices: list[str], default: str) -> np.ndarray:
    """Like ``np.select(conditions, choices, default)``, as an object array.

    Each row holds one of the few shared label strings rather than its own
    copy, which keeps a level column of millions of pairs small.
    """
    index = np.select(conditions, list(range(len(choices))), len(choices))
    return np.asarray([*choices, default], dtype=object)[index]


def _label(flag: np.ndarray, yes: str, no: str) -> np.ndarray:
    """``yes`` where ``flag``, else ``no``: an object array of two shared strings."""
    return np.asarray([no, yes], dtype=object)[np.asarray(flag, dtype=bool).astype(np.intp)]


def _joined(values: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``values[a] + " / " + values[b]``, each distinct string built once and shared."""
    if len(a) == 0:
        return np.empty(0, dtype=object)
    codes, uniques = pd.factorize(pd.Series(values, dtype=object))
    width = np.int64(len(uniques))
    key, inverse = np.unique(codes[a].astype(np.int64) * width + codes[b], return_inverse=True)
    names = uniques.to_numpy(dtype=object)
    built = names[key // width] + " / " + names[key % width]
    return np.asarray(built, dtype=object)[inverse.reshape(-1)]


def text_level(similarity: np.ndarray, present: np.ndarray) -> np.ndarray:
    """The text level of each similarity ("" where a text is empty)."""
    level = _pick(
        [similarity >= 95, similarity >= 80, similarity >= 60, similarity >= 40],
        ["near_identical", "high", "medium", "low"],
        "none",
    )
    level[~present] = ""
    return level


def words_level(overlap: np.ndarray, present: np.ndarray) -> np.ndarray:
    """The words level of each overlap ("" where a text is empty)."""
    level = _pick([overlap >= 0.6, overlap >= 0.4, overlap >= 0.2], ["most", "half", "some"], "few")
    level[~present] = ""
    return level


def _type_level(records: Records, a: np.ndarray, b: np.ndarray, vocab: Vocabulary) -> np.ndarray:
    ta, tb = records.event_type[a], records.event_type[b]
    codes, uniques = pd.factorize(pd.Series(ta + "|" + tb))
    passing = vocab.in_group("handoff", "receipt")
    contacts = vocab.in_group("contact")
    table = []
    for key in uniques:
        x, y = key.split("|", 1)
        if x in _UNKNOWN_TYPES or y in _UNKNOWN_TYPES:
            table.append("unknown")
        elif x == y:
            table.append("same_contact" if x in contacts else "same")
        elif vocab.related(x, y):
            table.append("related")
        elif x in passing or y in passing:
            table.append("passed_on")
        else:
            table.append("incompatible")
    return np.asarray(table + [""], dtype=object)[np.asarray(codes)]


def _named_of(records: Records, recs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each date named in the texts of ``recs``: (index into ``recs``, named day), as a join would give."""
    order = np.argsort(records.named_row, kind="stable")
    rows, days = records.named_row[order], records.named_day[order]
    lo = np.searchsorted(rows, recs, side="left")
    n = np.searchsorted(rows, recs, side="right") - lo
    index = np.repeat(np.arange(len(recs)), n)
    within = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
    return index, days[np.repeat(lo, n) + within]


def _named_gap(records: Records, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Days between a date named in one record's text and the other's dates."""
    gap = np.full(len(a), np.iinfo(np.int64).max, dtype=np.int64)
    if records.named_row.size == 0 or len(a) == 0:
        return gap
    for own, other in ((a, b), (b, a)):
        pair, day = _named_of(records, own)
        o = other[pair]
        d = np.maximum(0, np.maximum(records.first_day[o] - day, day - records.last_day[o]))
        np.minimum.at(gap, pair, d)
    return gap


def _named_conflict(records: Records, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """True where both texts name dates and no two of them lie within a day."""
    conflict = np.zeros(len(a), dtype=bool)
    if records.named_row.size == 0 or len(a) == 0:
        return conflict
    pair, day_a = _named_of(records, a)
    left, day_b = _named_of(records, b[pair])
    both = pair[left]
    if both.size == 0:
        return conflict
    agree = np.zeros(len(a), dtype=bool)
    agree[both[np.abs(day_a[left] - day_b) <= 1]] = True
    named_both = np.unique(both)
    conflict[named_both] = ~agree[named_both]
    return conflict


def _shared_tokens(
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
    held = np.unique(rec[rare] * width + code[rare])  # (record, token) keys, sorted
    first = np.searchsorted(held // width, np.arange(len(tokens) + 1))
    n_a = first[a + 1] - first[a]
    pair = np.repeat(np.arange(len(a)), n_a)
    within = np.arange(int(n_a.sum())) - np.repeat(np.cumsum(n_a) - n_a, n_a)
    tok = held[np.repeat(first[a], n_a) + within] % width
    shared = np.isin(b[pair].astype(np.int64) * width + tok, held)
    for p, t in zip(pair[shared].tolist(), vocab[tok[shared]].tolist(), strict=True):
        out[p] = f"{out[p]};{t}" if out[p] else t
    return out


def _date_levels(records: Records, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    gap = np.maximum(
        0,
        np.maximum(records.first_day[a], records.first_day[b])
        - np.minimum(records.last_day[a], records.last_day[b]),
    )
    named = _named_gap(records, a, b)
    precise = (records.precision[a] <= 1) & (records.precision[b] <= 1)
    nearest = np.minimum(gap, named)
    level = _pick(
        [
            _named_conflict(records, a, b),
            precise & (gap == 0),
            named == 0,
            precise & (nearest == 1),
            ~precise & (gap == 0),
        ],
        ["named_conflict", "same_day", "named_date", "one_day", "approximate"],
        "further",
    )
    return nearest, level


def _time_levels(records: Records, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    minutes = np.abs(records.minute[a] - records.minute[b])
    level = _pick(
        [minutes <= 30, minutes <= 180, minutes > 180], ["within_30_min", "within_3_hours", "further"], ""
    )
    return minutes, level


def _handoff(records: Records, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    ag_a, ag_b = records.agency[a], records.agency[b]
    named = (
        ((records.to_agency[a] == ag_b) | (records.from_agency[a] == ag_b))
        | ((records.to_agency[b] == ag_a) | (records.from_agency[b] == ag_a))
    ) & (ag_a != ag_b)
    return _label(named, "named", "none")


def score_pairs(
    records: Records, a: np.ndarray, b: np.ndarray, settings: MatchSettings, vocab: Vocabulary
) -> pd.DataFrame:
    """Every feature, its level and its weight for each candidate pair, and the score.

    Args:
        records: The prepared records.
        a: Index of each pair's first record (the smaller record id).
        b: Index of each pair's second record.
        settings: Supplies the m/u values and the prior.
        vocab: Supplies related event types.

    Returns:
        One row per pair: record_a, record_b, for each feature ``F`` the
        columns ``F`` (value), ``F_level`` and ``w_F`` (weight), then prior,
        score (match weight), probability and the internal columns ``a``, ``b``.
    """
    present = (np.char.str_len(records.norm.astype(str)) > 0) if len(records) else np.zeros(0, bool)
    similarity = text_similarity(records.norm, a, b)
    overlap = np.round(word_overlap(records.norm, a, b), 3)
    days, date_level = _date_levels(records, a, b)
    minutes, time_level = _time_levels(records, a, b)
    refs = np.asarray(_shared_tokens(records.refs, records, a, b, limit=10**9), dtype=object)
    names = np.asarray(
        _shared_tokens(records.names, records, a, b, limit=settings.rare_name_records), dtype=object
    )
    same_agency = records.agency[a] == records.agency[b]
    columns: dict[str, object] = {"record_a": records.record_id[a], "record_b": records.record_id[b]}
    handoff = _handoff(records, a, b)
    values = {
        "text": (similarity, text_level(similarity, present[a] & present[b])),
        "words": (overlap, words_level(overlap, present[a] & present[b])),
        "event_type": (
            _joined(records.event_type, a, b),
            _type_level(records, a, b, vocab),
        ),
        "date": (days.astype(float), date_level),
        "time": (minutes, time_level),
        "agency": (_joined(records.agency, a, b), _label(same_agency, "same", "different")),
        "handoff": (handoff == "named", handoff),
        "references": (refs, _label(refs != "", "shared", "none")),
        "names": (names, _label(names != "", "shared", "none")),
    }
    total = np.full(len(a), settings.prior_weight, dtype=float)
    for feature, (value, level) in values.items():
        level = np.asarray(level, dtype=object)
        table = {lv: settings.weight(feature, lv) for lv in settings.m_u[feature]}
        weight = pd.Series(level, dtype=object).map(table).fillna(0.0).to_numpy(dtype=float)
        columns[feature] = value
        columns[f"{feature}_level"] = level
        columns[f"w_{feature}"] = np.round(weight, 3)
        total += weight
    columns["prior"] = np.full(len(a), round(settings.prior_weight, 3))
    columns["score"] = np.round(total, 3)
    columns["probability"] = np.round(1.0 / (1.0 + np.exp2(-total)), 4)
    frame = pd.DataFrame(columns)
    frame["a"] = a
    frame["b"] = b
    return frame
