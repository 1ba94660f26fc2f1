"""Features of candidate pairs and their Fellegi-Sunter match weights.

Each feature puts a pair in one level; each level has m and u values in
schemas/match.toml and adds log2(m/u) to the pair's score. A missing value
(no text, no times) adds 0. The levels, read in order (first that applies):

========== ==================================================================
feature    levels
========== ==================================================================
text       the wording, from two measures read as one level so that they
           are not counted twice: the similarity (the mean of rapidfuzz
           token_sort_ratio and token_set_ratio on normalised text) and the
           word overlap (the share of the rarer-worded record's words,
           idf-weighted, that the other repeats, shown as ``words``):
           near_identical (similarity >= 95), high (>= 80 or overlap >= 0.6),
           medium (>= 60 or >= 0.4), low (>= 40 or >= 0.2), none
event_type same, same_contact (the same type of routine contact: each agency
           makes its own visits and appointments), related (vocabulary ``related``), passed_on (one is a handoff or
           receipt: a letter, notification or referral about the other),
           unknown ("other"), incompatible (also: a type of the
           ``own_event_groups`` of match.toml, such as a decision, beside any
           other type); the strongest of the records'
           types and, for a record of an earlier event, the type of what it
           records (minutes of a core group compare as a core group)
date       named_conflict (both texts name dates, a day or more apart:
           "PPN re incident 13/07" and "PPN re incident 14/07"), same_day
           (both to the day), named_date (the later names the other's
           date and records that event: minutes, a receipt, a letter),
           named_about (the later names the other's date but is a happening
           of its own: it sends something on, as a PPN about an incident
           does, it is a decision, or its agency saw a concern itself, as a
           school seeing the dressing of a burn treated at ED), one_day (or a named date a day out), lag_short (a record
           of an earlier event 2-7 days after it), lag_long (8 days or more),
           approximate (an approximate range overlaps), further
time       within_30_min, within_3_hours, further (only when both have times)
agency     different, same_moment (one agency, the same minute: an
           attendance's triage and review rows), same_day_type (one agency,
           the same day, the same type: an incident's call and occurrence
           rows), same_day (other types), same_record (the
           later record records an earlier event: minutes, a write-up, or
           it names the other's date and passes nothing on),
           same_wording (one agency on another day, in the same words
           (text >= 80), not saying it records an earlier event: its routine
           entry for the next happening), same_repeat (likewise, other words)
handoff    named (each names the other's agency as sender or recipient: a
           PPN to the MASH and the MASH's "PPN received from police"),
           named_one_way (one names the other's agency, the other passes
           nothing on: a receipt and the sender's record of what it reports,
           which is the notification's subject, not the notification), none
route      same_route (both pass something on, from the same sender to
           overlapping recipients: a PPN sent and its receipt),
           other_recipient (the same sender, to other recipients),
           other_sender (different senders: the police's PPN to the MASH and
           the MASH's onward notification to health); only when both records
           state a route
references shared (a reference number in both texts), none
names      shared (a rare capitalised name in both texts), none
========== ==================================================================

Example:
    >>> from chronology.match.settings import load_settings
    >>> wording_level(np.array([97.0, 50.0]), np.array([0.9, 0.1]), np.array([True, True])).tolist()
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

FEATURES = (
    "text",
    "event_type",
    "date",
    "time",
    "agency",
    "handoff",
    "route",
    "references",
    "names",
)
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


def wording_level(similarity: np.ndarray, overlap: np.ndarray, present: np.ndarray) -> np.ndarray:
    """The text level from similarity and word overlap ("" where a text is empty).

    Example:
        >>> wording_level(np.array([50.0, 20.0]), np.array([0.1, 0.7]), np.array([True, True])).tolist()
        ['low', 'high']
    """
    level = _pick(
        [
            similarity >= 95,
            (similarity >= 80) | (overlap >= 0.6),
            (similarity >= 60) | (overlap >= 0.4),
            (similarity >= 40) | (overlap >= 0.2),
        ],
        ["near_identical", "high", "medium", "low"],
        "none",
    )
    level[~present] = ""
    return level


#: Type levels from the strongest evidence of one event to the weakest.
_TYPE_RANK = ("same", "same_contact", "related", "passed_on", "unknown", "incompatible")


def _type_pair_levels(
    ta: np.ndarray, tb: np.ndarray, vocab: Vocabulary, own_groups: frozenset[str] = frozenset()
) -> np.ndarray:
    """The event_type level of each pair of types ("" where either is "")."""
    codes, uniques = pd.factorize(pd.Series(ta + "|" + tb))
    passing = vocab.in_group("handoff", "receipt")
    contacts = vocab.in_group("contact")
    own = vocab.in_group(*own_groups) if own_groups else frozenset()
    table = []
    for key in uniques:
        x, y = key.split("|", 1)
        if x == "" or y == "":
            table.append("")
        elif x in _UNKNOWN_TYPES or y in _UNKNOWN_TYPES:
            table.append("unknown")
        elif x == y:
            table.append("same_contact" if x in contacts else "same")
        elif x in own or y in own:
            table.append("incompatible")  # a decision is a happening of its own
        elif vocab.related(x, y):
            table.append("related")
        elif x in passing or y in passing:
            table.append("passed_on")
        else:
            table.append("incompatible")
    return np.asarray(table + [""], dtype=object)[np.asarray(codes)]


def _type_level(
    records: Records,
    a: np.ndarray,
    b: np.ndarray,
    vocab: Vocabulary,
    own_groups: frozenset[str] = frozenset(),
) -> np.ndarray:
    """The event_type level: the strongest over each record's type and, for a
    record of an earlier event, the type of what it records (``content_type``)."""
    ta, tb = records.event_type[a], records.event_type[b]
    ca, cb = records.content_type[a], records.content_type[b]
    rank = {lv: i for i, lv in enumerate(_TYPE_RANK)}
    best = np.full(len(a), len(_TYPE_RANK), dtype=np.int64)
    for x, y in ((ta, tb), (ca, tb), (ta, cb), (ca, cb)):
        level = _type_pair_levels(x, y, vocab, own_groups)
        here = np.fromiter((rank.get(v, len(_TYPE_RANK)) for v in level), dtype=np.int64, count=len(level))
        best = np.minimum(best, here)
    return np.asarray([*_TYPE_RANK, ""], dtype=object)[best]


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
    """True where both texts name dates and none of them is the same day."""
    conflict = np.zeros(len(a), dtype=bool)
    if records.named_row.size == 0 or len(a) == 0:
        return conflict
    pair, day_a = _named_of(records, a)
    left, day_b = _named_of(records, b[pair])
    both = pair[left]
    if both.size == 0:
        return conflict
    agree = np.zeros(len(a), dtype=bool)
    agree[both[day_a[left] == day_b]] = True
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


def last_of_type_before(records: Records) -> np.ndarray:
    """For each record of an earlier event, the latest day before it holding a record of what it records.

    What it records is its content type ("minutes of a core group": a core
    group), else its own type. -1e9 for other records, or when no such day
    lies within ``lag``: the day a late record most likely refers to.

    Example:
        >>> from chronology.synth import generate_case
        >>> from chronology.match.settings import load_settings
        >>> from chronology.match.records import prepare_records
        >>> recs = prepare_records(generate_case(30, seed=4)[0], load_settings())
        >>> last = last_of_type_before(recs)
        >>> bool((last[recs.retro & (last > -10**8)] < recs.first_day[recs.retro & (last > -10**8)]).all())
        True
    """
    out = np.full(len(records), -(10**9), dtype=np.int64)
    late = np.flatnonzero(records.retro & (records.first_day > -(10**8)))
    if late.size == 0:
        return out
    wanted = np.where(records.content_type[late] != "", records.content_type[late], records.event_type[late])
    dated = np.flatnonzero(records.first_day > -(10**8))
    frame = pd.DataFrame(
        {
            "subject": np.concatenate([records.subject[dated], records.subject[dated]]),
            "kind": np.concatenate([records.event_type[dated], records.content_type[dated]]),
            "day": np.concatenate([records.first_day[dated], records.first_day[dated]]),
        }
    )
    frame = frame[frame["kind"] != ""]
    codes, kinds = pd.factorize(pd.concat([frame["kind"], pd.Series(wanted)], ignore_index=True))
    width = np.int64(1) << 32
    key = (frame["subject"].to_numpy(np.int64) * np.int64(len(kinds)) + codes[: len(frame)]) * width
    key = np.sort(key + frame["day"].to_numpy(np.int64) + (np.int64(1) << 31))
    want = (records.subject[late].astype(np.int64) * np.int64(len(kinds)) + codes[len(frame) :]) * width
    at = np.searchsorted(key, want + records.first_day[late] - 1 + (np.int64(1) << 31), side="right") - 1
    ok = (at >= 0) & ((key[np.maximum(at, 0)] // width) == (want // width))
    out[late[ok]] = key[at[ok]] % width - (np.int64(1) << 31)
    return out


def _date_levels(
    records: Records, a: np.ndarray, b: np.ndarray, own_groups: frozenset[str] = frozenset()
) -> tuple[np.ndarray, np.ndarray]:
    gap = np.maximum(
        0,
        np.maximum(records.first_day[a], records.first_day[b])
        - np.minimum(records.last_day[a], records.last_day[b]),
    )
    named = _named_gap(records, a, b)
    precise = (records.precision[a] <= 1) & (records.precision[b] <= 1)
    nearest = np.minimum(gap, named)
    last = last_of_type_before(records)
    later = np.where(records.first_day[a] >= records.first_day[b], a, b)
    earlier = np.where(later == a, b, a)
    latest = (last[later] == records.first_day[earlier]) & (last[later] > -(10**8))
    # the later record names the earlier's date: it records that event unless it
    # is a happening of its own (it sends something on, it is a decision, or
    # its agency observed a concern itself)
    happening = (
        (records.to_agency[later] != "")
        | np.isin(records.group[later], sorted(own_groups))
        | (records.group[later] == "concern")
    )
    later_retro = records.retro[later] | ~happening
    level = _pick(
        [
            _named_conflict(records, a, b),
            precise & (gap == 0),
            (named == 0) & later_retro,
            named == 0,
            precise & (nearest == 1),
            precise & (nearest >= 2) & (nearest <= 14) & latest,
            precise & (nearest >= 2) & (nearest <= 7),
            precise & (nearest >= 8) & (nearest <= 14),
            ~precise & (gap == 0),
        ],
        [
            "named_conflict",
            "same_day",
            "named_date",
            "named_about",
            "one_day",
            "lag_latest",
            "lag_short",
            "lag_long",
            "approximate",
        ],
        "further",
    )
    return nearest, level


def _agency_levels(
    records: Records,
    a: np.ndarray,
    b: np.ndarray,
    similarity: np.ndarray,
    named: np.ndarray,
    same_type: np.ndarray,
) -> np.ndarray:
    """The agency level of each pair (see the module table)."""
    same = records.agency[a] == records.agency[b]
    moment = ~np.isnan(records.minute[a]) & (records.minute[a] == records.minute[b])
    gap = np.maximum(
        0,
        np.maximum(records.first_day[a], records.first_day[b])
        - np.minimum(records.last_day[a], records.last_day[b]),
    )
    later = np.where(records.first_day[a] > records.first_day[b], a, b)
    passes_on = (records.to_agency[later] != "") | (records.from_agency[later] != "")
    # the later record records the earlier: it says so, or it names the
    # earlier's date without passing anything on (a PPN naming its incident's
    # date is a new happening: the notification)
    record_of = records.retro[later] | (named & ~passes_on)
    return _pick(
        [~same, moment, (gap == 0) & same_type, gap == 0, record_of, similarity >= 80],
        ["different", "same_moment", "same_day_type", "same_day", "same_record", "same_wording"],
        "same_repeat",
    )


def _time_levels(records: Records, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    minutes = np.abs(records.minute[a] - records.minute[b])
    level = _pick(
        [minutes <= 30, minutes <= 180, minutes > 180], ["within_30_min", "within_3_hours", "further"], ""
    )
    return minutes, level


def _handoff(records: Records, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    ag_a, ag_b = records.agency[a], records.agency[b]
    a_names_b = (records.to_agency[a] == ag_b) | (records.from_agency[a] == ag_b)
    b_names_a = (records.to_agency[b] == ag_a) | (records.from_agency[b] == ag_a)
    a_route = (records.to_agency[a] != "") | (records.from_agency[a] != "")
    b_route = (records.to_agency[b] != "") | (records.from_agency[b] != "")
    both_ways = (a_names_b & b_names_a) & (ag_a != ag_b)
    one_way = ((a_names_b & ~b_route) | (b_names_a & ~a_route)) & (ag_a != ag_b)
    return _pick([both_ways, one_way], ["named", "named_one_way"], "none")


def _routes(records: Records) -> tuple[np.ndarray, list[frozenset[str]]]:
    """Each record's sender ("" when it states no route) and recipients.

    A record naming a recipient (to_agency) was sent by its own agency; one
    naming a sender (from_agency) was received by its own agency. Recipients
    may be several, joined by ";".
    """
    sender = np.where(records.to_agency != "", records.agency, records.from_agency)
    sender = np.where((records.to_agency == "") & (records.from_agency == ""), "", sender)
    recipients = [
        frozenset(p.strip() for p in str(to).split(";") if p.strip())
        if to
        else (frozenset([own]) if sent else frozenset())
        for to, own, sent in zip(records.to_agency, records.agency, sender != "", strict=True)
    ]
    return sender.astype(object), recipients


def _route_levels(records: Records, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """same_route, other_recipient, other_sender, or "" where a record states no route."""
    sender, recipients = _routes(records)
    both = (sender[a] != "") & (sender[b] != "")
    level = np.full(len(a), "", dtype=object)
    for k in np.flatnonzero(both).tolist():
        i, j = int(a[k]), int(b[k])
        if sender[i] != sender[j]:
            level[k] = "other_sender"
        else:
            level[k] = "same_route" if recipients[i] & recipients[j] else "other_recipient"
    return level


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
    days, date_level = _date_levels(records, a, b, settings.own_event_groups)
    type_level = _type_level(records, a, b, vocab, settings.own_event_groups)
    agency_level = _agency_levels(
        records, a, b, similarity, date_level == "named_date", np.isin(type_level, ["same", "same_contact"])
    )
    minutes, time_level = _time_levels(records, a, b)
    refs = np.asarray(_shared_tokens(records.refs, records, a, b, limit=10**9), dtype=object)
    names = np.asarray(
        _shared_tokens(records.names, records, a, b, limit=settings.rare_name_records), dtype=object
    )
    columns: dict[str, object] = {"record_a": records.record_id[a], "record_b": records.record_id[b]}
    handoff = _handoff(records, a, b)
    values = {
        "text": (similarity, wording_level(similarity, overlap, present[a] & present[b])),
        "event_type": (_joined(records.event_type, a, b), type_level),
        "date": (days.astype(float), date_level),
        "time": (minutes, time_level),
        "agency": (_joined(records.agency, a, b), agency_level),
        "handoff": (handoff == "named", handoff),
        "route": (_joined(_routes(records)[0], a, b), _route_levels(records, a, b)),
        "references": (refs, _label(refs != "", "shared", "none")),
        "names": (names, _label(names != "", "shared", "none")),
    }
    for feature, (value, level) in values.items():
        columns[feature] = value
        columns[f"{feature}_level"] = np.asarray(level, dtype=object)
    columns["words"] = overlap
    frame = pd.DataFrame(columns)
    frame["a"] = a
    frame["b"] = b
    return weigh(frame, settings)


def weigh(frame: pd.DataFrame, settings: MatchSettings) -> pd.DataFrame:
    """Fill each feature's weight ``w_F``, the prior, score and probability (in place; returned).

    The levels stay as they are: re-weighing with estimated m and u values
    (``chronology.match.em``) does not compare the records again.
    """
    total = np.full(len(frame), settings.prior_weight, dtype=float)
    for feature in FEATURES:
        table = {lv: settings.weight(feature, lv) for lv in settings.m_u[feature]}
        codes, uniques = pd.factorize(frame[f"{feature}_level"].to_numpy(dtype=object))
        per_level = np.asarray([table.get(lv, 0.0) for lv in uniques] + [0.0], dtype=float)
        weight = per_level[codes]
        frame[f"w_{feature}"] = np.round(weight, 3)
        total += weight
    frame["prior"] = np.full(len(frame), round(settings.prior_weight, 3))
    frame["score"] = np.round(total, 3)
    frame["probability"] = np.round(1.0 / (1.0 + np.exp2(-total)), 4)
    order = [c for c in frame.columns if c not in ("a", "b")] + [c for c in ("a", "b") if c in frame.columns]
    return frame[_column_order(order)]


def _column_order(columns: list[str]) -> list[str]:
    """record_a, record_b, each feature's value, level and weight, then prior, score, probability, a, b."""
    head = ["record_a", "record_b"]
    body = [c for f in FEATURES for c in (f, f"{f}_level", f"w_{f}")]
    tail = ["words", "prior", "score", "probability", "a", "b"]
    known = set(head + body + tail)
    return [c for c in head + body + tail if c in columns] + [c for c in columns if c not in known]
