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
           named_contact (two agencies' contacts, or untyped records, of
           one day, one naming the other's agency as the one who came: the
           school's "SW in to see H" and CSC's visit), unknown ("other", or
           two kinds of contact of two agencies: each names one contact by
           its own role),
           incompatible (also: a type of the
           ``own_event_groups`` of match.toml, such as a decision, beside any
           other type); the strongest of the records'
           types and, for a record of an earlier event, the type of what it
           records (minutes of a core group compare as a core group)
date       named_conflict (both texts name dates, a day or more apart:
           "PPN re incident 13/07" and "PPN re incident 14/07"; not for two
           rows of one kind within 30 minutes, which cite history), named_both
           (both texts name one same day, the records at most 7 days
           apart: a PPN "re incident 09/02" and its receipt "re incident
           09/02", whatever their own dates), same_day
           (both to the day), named_own (the later names the other's date,
           both are one agency's, and that agency recorded one moment on that
           day: "Visit record 30/06 completed" and the visit of 30/06),
           named_beside (the later names the other's date, but its own
           agency recorded on that day what it records, a visit for its
           write-up: it records its own record's event, and the other
           record is another agency's),
           named_date (the later names the other's
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
mention    both, one_way (a text mentions the other record's agency, not as
           a handoff's sender or recipient: a school's "SW in to see H" and
           CSC's visit), none; only for two agencies' records neither of
           which names the other as a handoff, and neither passing on what
           the other reports (``chronology.match.mentions``)
route      same_route (both pass something on, from the same sender to
           overlapping recipients: a PPN sent and its receipt),
           other_call (two agencies' receipts from one sender, one of them a
           telephone call: a call reaches one agency, so two handoffs),
           earlier_send (a receipt and its sender's record of sending to it,
           when the sender sent to it again before the receipt: a receipt
           records the latest; the police's assessment of the night and
           the next morning's PPN, both to CSC), other_recipient (the same
           sender, to other recipients),
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

from chronology.ingest.classify import MEETING_TYPES
from chronology.match.dates import date_levels
from chronology.match.levels import TYPE_RANK, as_categorical, pick, shared_tokens, type_ranks
from chronology.match.mentions import mention_levels
from chronology.match.records import Records
from chronology.match.settings import MatchSettings
from chronology.match.words import word_overlap
from chronology.vocabulary import Vocabulary

_shared_tokens = shared_tokens  # moved to ``levels``; the old name kept for callers

FEATURES = (
    "text",
    "event_type",
    "date",
    "time",
    "agency",
    "handoff",
    "mention",
    "route",
    "references",
    "names",
)


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
    inverse, unique = pd.factorize(key)  # each distinct pair of texts compared once
    left = texts.to_numpy(dtype=object)[unique // len(texts)]
    right = texts.to_numpy(dtype=object)[unique % len(texts)]
    sort = process.cpdist(left, right, scorer=fuzz.token_sort_ratio, workers=-1, dtype=np.float32)
    tset = process.cpdist(left, right, scorer=fuzz.token_set_ratio, workers=-1, dtype=np.float32)
    return np.round((sort.astype(float) + tset.astype(float)) / 2.0, 1)[inverse]


def _label(flag: np.ndarray, yes: str, no: str) -> np.ndarray:
    """``yes`` where ``flag``, else ``no``: an object array of two shared strings."""
    return np.asarray([no, yes], dtype=object)[np.asarray(flag, dtype=bool).astype(np.intp)]


def _joined(values: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``values[a] + " / " + values[b]``, each distinct string built once and shared."""
    if len(a) == 0:
        return np.empty(0, dtype=object)
    codes, uniques = pd.factorize(pd.Series(values, dtype=object))
    width = np.int64(len(uniques))
    inverse, key = pd.factorize(codes[a].astype(np.int64) * width + codes[b])
    names = uniques.to_numpy(dtype=object)
    built = names[key // width] + " / " + names[key % width]
    if len(set(built.tolist())) == len(built):  # a Categorical: each row holds a small code
        return pd.Categorical.from_codes(inverse.reshape(-1), categories=built.tolist())
    return np.asarray(built, dtype=object)[inverse.reshape(-1)]


def wording_level(similarity: np.ndarray, overlap: np.ndarray, present: np.ndarray) -> np.ndarray:
    """The text level from similarity and word overlap ("" where a text is empty).

    Example:
        >>> wording_level(np.array([50.0, 20.0]), np.array([0.1, 0.7]), np.array([True, True])).tolist()
        ['low', 'high']
    """
    level = pick(
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


def _type_level(
    records: Records,
    a: np.ndarray,
    b: np.ndarray,
    vocab: Vocabulary,
    own_groups: frozenset[str] = frozenset(),
) -> np.ndarray:
    """The event_type level: the strongest over each record's type and, for a
    record of an earlier event, the type of what it records (``content_type``);
    looked up in a small matrix of the case's types (``levels.type_ranks``). Two kinds of contact
    are "unknown" across agencies (each names one contact by its own role) but "incompatible"
    within one: one agency's phone call and its visit are two contacts."""
    best = type_ranks(records.event_type, records.content_type, a, b, vocab, own_groups)
    level = np.asarray(TYPE_RANK, dtype=object)[best]
    contact = np.isin(records.event_type, sorted(vocab.in_group("contact")))
    own = (
        (records.agency_code[a] == records.agency_code[b])
        & contact[a]
        & contact[b]
        & (records.event_type[a] != records.event_type[b])
        & (level == "unknown")
    )
    level[own] = "incompatible"
    return level


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
    return pick(
        [~same, moment, (gap == 0) & same_type, gap == 0, record_of, similarity >= 80],
        ["different", "same_moment", "same_day_type", "same_day", "same_record", "same_wording"],
        "same_repeat",
    )


def _time_levels(records: Records, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    minutes = np.abs(records.minute[a] - records.minute[b])
    level = pick(
        [minutes <= 30, minutes <= 180, minutes > 180], ["within_30_min", "within_3_hours", "further"], ""
    )
    return minutes, level


def _handoff(records: Records, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    n = len(records)
    # agencies as integer codes in one space (equal labels, equal codes): no string compared per pair
    codes, uniques = pd.factorize(
        pd.Series(np.concatenate([records.agency, records.to_agency, records.from_agency]), dtype=object)
    )
    agency, to, sender = codes[:n], codes[n : 2 * n], codes[2 * n :]
    blank = int(pd.Index(uniques).get_indexer([""])[0])
    blank = blank if blank >= 0 else -2
    ag_a, ag_b = agency[a], agency[b]
    a_names_b = (to[a] == ag_b) | (sender[a] == ag_b)
    b_names_a = (to[b] == ag_a) | (sender[b] == ag_a)
    a_route = (to[a] != blank) | (sender[a] != blank)
    b_route = (to[b] != blank) | (sender[b] != blank)
    both_ways = (a_names_b & b_names_a) & (ag_a != ag_b)
    one_way = ((a_names_b & ~b_route) | (b_names_a & ~a_route)) & (ag_a != ag_b)
    return pick([both_ways, one_way], ["named", "named_one_way"], "none")


def _routes(records: Records) -> tuple[np.ndarray, list[frozenset[str]]]:
    """Each record's sender ("" when it states no route) and recipients.

    A record naming a recipient (to_agency) was sent by its own agency; one
    naming a sender (from_agency) was received by its own agency. Recipients
    may be several, joined by ";".
    """
    sender = np.where(records.to_agency != "", records.agency, records.from_agency)
    sender = np.where((records.to_agency == "") & (records.from_agency == ""), "", sender)
    extra = records.sent_to if len(records.sent_to) == len(records) else [()] * len(records)
    recipients = [
        frozenset(p.strip() for p in str(to).split(";") if p.strip()) | frozenset(more)
        if to
        else (frozenset([own]) if sent else frozenset())
        for to, own, sent, more in zip(records.to_agency, records.agency, sender != "", extra, strict=True)
    ]
    return sender.astype(object), recipients


def latest_sent(records: Records, routes: tuple[np.ndarray, list[frozenset[str]]], lag: int) -> np.ndarray:
    """For each received record (it names its sender), the latest day at or before its own on which
    that sender recorded sending to its agency, within ``lag`` days (-1e9 for other records, or none).

    Example:
        >>> from chronology.synth import generate_case
        >>> from chronology.match.settings import load_settings
        >>> from chronology.match.records import prepare_records
        >>> recs = prepare_records(generate_case(30, seed=4)[0], load_settings())
        >>> latest_sent(recs, _routes(recs), 14).dtype
        dtype('int64')
    """
    none = -(10**9)
    out = np.full(len(records), none, dtype=np.int64)
    dated = records.first_day > -(10**8)
    sent: dict[tuple[int, str, str], list[int]] = {}
    for i in np.flatnonzero(dated & (records.to_agency != "")).tolist():
        for to in routes[1][i]:
            sent.setdefault((int(records.subject[i]), str(records.agency[i]), to), []).append(
                int(records.first_day[i])
            )
    if not sent:
        return out
    ordered = {k: np.unique(np.asarray(v, dtype=np.int64)) for k, v in sent.items()}
    for i in np.flatnonzero(dated & (records.from_agency != "") & (records.to_agency == "")).tolist():
        days = ordered.get((int(records.subject[i]), str(records.from_agency[i]), str(records.agency[i])))
        if days is None:
            continue
        at = int(np.searchsorted(days, records.first_day[i], side="right")) - 1
        if at >= 0 and records.first_day[i] - days[at] <= lag:
            out[i] = days[at]
    return out


#: A record of a telephone call, by its opening words ("Call from SW", "SW phoned DSL").
_CALL = (
    r"^\W*(?:[\w&'’.]+\s+){0,4}?(?:call|called|phoned|rang|telephoned|phone call|telephone call|tel call)\b"
)


def _calls(text: np.ndarray) -> np.ndarray:
    """Whether each record's text opens as a telephone call."""
    if len(text) == 0:
        return np.zeros(0, dtype=bool)
    lead = pd.Series(text, dtype=object).fillna("").astype(str).str.slice(0, 60)
    return lead.str.contains(_CALL, case=False, regex=True).to_numpy(dtype=bool)


def _route_levels(
    records: Records,
    routes: tuple[np.ndarray, list[frozenset[str]]],
    a: np.ndarray,
    b: np.ndarray,
    lag: int,
) -> np.ndarray:
    """same_route, earlier_send, other_recipient, other_sender, or "" where a record states no
    route (``_routes``). earlier_send: a receipt and its sender's record of sending to it, when
    the sender recorded sending to it again on a later day, at or before the receipt's: a
    receipt most likely records the latest. Vectorised: senders as codes, recipients as bit masks.
    """
    sender, recipients = routes
    level = np.full(len(a), "", dtype=object)
    both = (sender[a] != "") & (sender[b] != "")
    if not both.any():
        return level
    names = sorted({r for held in recipients for r in held})
    if len(names) <= 63:  # a mask is one int64
        bit = {name: np.int64(1) << np.int64(n) for n, name in enumerate(names)}
        masks = np.fromiter(
            (int(sum(bit[r] for r in held)) for held in recipients), dtype=np.int64, count=len(recipients)
        )
        shared = (masks[a] & masks[b]) != 0
    else:  # many recipients in one run: compared pair by pair where both state a route
        shared = np.zeros(len(a), dtype=bool)
        for k in np.flatnonzero(both).tolist():
            shared[k] = bool(recipients[int(a[k])] & recipients[int(b[k])])
    codes = pd.factorize(pd.Series(sender, dtype=object))[0]
    latest = latest_sent(records, routes, lag)
    sends = records.to_agency != ""
    got_a = (latest[a] > -(10**8)) & sends[b] & (records.first_day[b] < latest[a])
    got_b = (latest[b] > -(10**8)) & sends[a] & (records.first_day[a] < latest[b])
    # a phone call reaches one agency: two agencies' receipts of one sender, one of them a call, are
    # two handoffs, whatever they say (a notification or email may go to several at once)
    receipt = (records.from_agency != "") & ~sends
    call = _calls(records.text)
    two_calls = ~shared & receipt[a] & receipt[b] & (call[a] | call[b])
    picked = pick(
        [codes[a] != codes[b], two_calls, ~shared, got_a | got_b],
        ["other_sender", "other_call", "other_recipient", "earlier_send"],
        "same_route",
    )
    level[both] = picked[both]
    return level


def _named_contact(
    records: Records,
    a: np.ndarray,
    b: np.ndarray,
    type_level: np.ndarray,
    mention_level: np.ndarray,
    date_level: np.ndarray,
    vocab: Vocabulary,
) -> np.ndarray:
    """``named_contact`` where two agencies' records of one day are contacts (or untyped) and one
    names the other's agency: the school's "SW in to see H" (or its "SW visited H in school",
    typed a visit too) and CSC's visit that day, one contact seen from either side."""
    contact = np.isin(records.event_type, sorted(vocab.in_group("contact") | {"other"}))
    named = (
        np.isin(type_level, ["unknown", "same_contact"])
        & contact[a]
        & contact[b]
        & ((records.event_type[a] != "other") | (records.event_type[b] != "other"))
        & np.isin(mention_level, ["one_way", "both"])
        & (date_level == "same_day")
    )
    if named.any():
        type_level = type_level.copy()
        type_level[named] = "named_contact"
    return type_level


def _mention(
    records: Records, a: np.ndarray, b: np.ndarray, handoff: np.ndarray, type_level: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The mention feature (value: whether either text mentions the other's agency; level). Not
    read where one record passes on or receives what the other reports (type level passed_on): a
    receipt of a notification mentions the agencies of the incident ("police attended"), which says
    nothing of whether it is the incident."""
    level = mention_levels(records.mentions, records.agency_code, a, b, handoff)
    level[np.asarray(type_level, dtype=object) == "passed_on"] = ""
    return np.isin(level, ["both", "one_way"]), level


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
    handoff = _handoff(records, a, b)
    routes = _routes(records)
    route_level = _route_levels(records, routes, a, b, settings.lag_days)
    # two records of one handoff: one names the other's agency as sender or recipient, or both state
    # one route; two receipts of one sender by other recipients only on one day (one share to both)
    same_day = records.first_day[a] == records.first_day[b]
    linked = (
        (handoff != "none") | (route_level == "same_route") | ((route_level == "other_recipient") & same_day)
    )
    days, date_level = date_levels(
        records,
        a,
        b,
        settings.own_event_groups,
        vocab.in_group("contact"),
        linked=linked,
        meeting_types=MEETING_TYPES,
    )
    type_level = _type_level(records, a, b, vocab, settings.own_event_groups)
    agency_level = _agency_levels(
        records,
        a,
        b,
        similarity,
        np.isin(date_level, ["named_date", "named_own"]),
        np.isin(type_level, ["same", "same_contact"]),
    )
    minutes, time_level = _time_levels(records, a, b)
    refs = np.asarray(shared_tokens(records.refs, records, a, b, limit=10**9), dtype=object)
    names = np.asarray(
        shared_tokens(records.names, records, a, b, limit=settings.rare_name_records), dtype=object
    )
    mention = _mention(records, a, b, handoff, type_level)
    type_level = _named_contact(records, a, b, type_level, mention[1], date_level, vocab)
    columns: dict[str, object] = {"record_a": records.record_id[a], "record_b": records.record_id[b]}
    values = {
        "text": (similarity, wording_level(similarity, overlap, present[a] & present[b])),
        "event_type": (_joined(records.event_type, a, b), type_level),
        "date": (days.astype(float), date_level),
        "time": (minutes, time_level),
        "agency": (_joined(records.agency, a, b), agency_level),
        "handoff": (handoff == "named", handoff),
        "mention": mention,
        "route": (_joined(routes[0], a, b), route_level),
        "references": (refs, _label(refs != "", "shared", "none")),
        "names": (names, _label(names != "", "shared", "none")),
    }
    del similarity, date_level, type_level, agency_level, time_level, refs, names, handoff, route_level
    del mention
    for feature in list(values):
        value, level = values.pop(feature)  # each level array freed once coded
        columns[feature] = value
        columns[f"{feature}_level"] = as_categorical(level)  # readable strings, integer-coded
        del value, level
    columns["words"] = overlap
    columns["a"] = a
    columns["b"] = b
    frame = pd.DataFrame(columns, copy=False)  # the arrays as they are: no second copy of millions of rows
    del columns
    return weigh(frame, settings)


def weigh(frame: pd.DataFrame, settings: MatchSettings) -> pd.DataFrame:
    """Fill each feature's weight ``w_F``, the prior, score and probability (in place; returned).

    The levels stay as they are: re-weighing with estimated m and u values
    (``chronology.match.em``) does not compare the records again.
    """
    total = np.full(len(frame), settings.prior_weight, dtype=float)
    for feature in FEATURES:
        table = {lv: settings.weight(feature, lv) for lv in settings.m_u[feature]}
        codes, uniques = _level_codes(frame[f"{feature}_level"])
        per_level = np.asarray([table.get(lv, 0.0) for lv in uniques] + [0.0], dtype=float)
        weight = per_level[codes]
        frame[f"w_{feature}"] = np.round(weight, 3)
        total += weight
    frame["prior"] = np.full(len(frame), round(settings.prior_weight, 3))
    frame["score"] = np.round(total, 3)
    frame["probability"] = np.round(1.0 / (1.0 + np.exp2(-total)), 4)
    order = [c for c in frame.columns if c not in ("a", "b")] + [c for c in ("a", "b") if c in frame.columns]
    order = _column_order(order)
    return frame if order == list(frame.columns) else frame[order]


def _level_codes(column: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Integer codes (-1 for missing) and the level names of a level column, categorical or not."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy(dtype=np.int64), [str(c) for c in column.cat.categories]
    codes, uniques = pd.factorize(column.to_numpy(dtype=object))
    return codes, [str(u) for u in uniques]


def _column_order(columns: list[str]) -> list[str]:
    """record_a, record_b, each feature's value, level and weight, then prior, score, probability, a, b."""
    head = ["record_a", "record_b"]
    body = [c for f in FEATURES for c in (f, f"{f}_level", f"w_{f}")]
    tail = ["words", "prior", "score", "probability", "a", "b"]
    known = set(head + body + tail)
    return [c for c in head + body + tail if c in columns] + [c for c in columns if c not in known]
