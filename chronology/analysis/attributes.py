"""What a record says, read from every text column: concern, child seen, handoffs, plans, closure.

One event type per record cannot say all of it: "Case closed ... assessment
concluded" is a closure whatever its type; an ED attendance with a fracture in
its Diagnosis column is a concern; "DA notification shared with health (GP +
HV)" hands something to two agencies. :func:`add_attributes` reads each
prepared record's text (type cell, description, outcome and every named field
the layout found: action, plan, diagnosis, presenting complaint, referral made
to, safeguarding flag, significance, analysis...) and adds these columns:

- ``concern``: the category of a *new* concern the record raises (injury,
  disclosure, domestic_abuse, neglect, missing, self_harm), or "". A type
  with a concern category counts, and so do the category's signs in any text
  column of a record that can raise one; not when the record reports history
  ("previous DA call (2018)"), a denial or a negation ("no injuries"), a risk
  assessment, a follow-up (an arrest, an interview, minutes, an update), a
  receipt of another agency's news, a meeting, or a report of a concern
  already recorded on a day it names ("seen at A&E on 26/09/2020").
- ``seen``: a professional saw the child (see :func:`child_seen`).
- ``recipients`` / ``senders``: every case agency the record says something
  went to / came from, whatever its type (tuples of labels).
- ``planned``: the record's opening states a plan, not a happening ("ICPC to
  be convened", "PPN to be submitted").
- ``closure``: the record closes the case ("case closed", "closed to CSC").
- ``named_days``: the days the text names ("re incident 09/02/19").
- ``refs``: reference numbers in the text or the reference column.
- ``nouns``: what kind of document or message it speaks of (letter,
  notification, referral, minutes...).

The words are data: ``[record]`` in ``schemas/rules.toml`` (a case file may
override them in ``[rules.record]``).

Example:
    >>> prepared = prepare_events(events, "Europe/London")  # doctest: +SKIP
    >>> prepared[["concern", "seen", "recipients"]].head()  # doctest: +SKIP
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping, Sequence
from datetime import date
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from chronology.analysis.phrases import matches, matches_regex, phrase_regex
from chronology.ingest.agencies import AgencyResolver
from chronology.ingest.handoffs import find_directions, named_agencies
from chronology.schema import NAMED_FIELDS
from chronology.vocabulary import SCHEMAS_DIR, Vocabulary

#: Named fields of the event record whose text is read beside the description and outcome.
NAMED_TEXT_FIELDS = tuple(
    f
    for f in NAMED_FIELDS
    # dates, who recorded it and where it came from say nothing of what happened
    if f not in {"information_source", "entry_date", "end_date", "completed_date", "recorded_by"}
)
#: Fields whose text states what was planned, not what happened: not read for handoffs.
PLAN_FIELDS = ("plan",)
#: Type groups whose records can raise a new concern (meetings, receipts, decisions and handoffs cannot).
CONCERN_GROUPS = frozenset({"concern", "health", "contact", "other"})
#: Statutory types whose visits can find a new concern (a section 47 visit finding no bedding).
CONCERN_TYPES = frozenset({"s47_enquiry", "assessment"})
#: Types of a multi-agency response to a concern: taking part in one is being told of it.
RESPONSE_TYPES = frozenset({"strategy_discussion", "s47_enquiry", "initial_conference"})
#: How far back (days) a record naming the day of a recorded concern is about that concern.
ABOUT_DAYS = 31
#: How many characters of a description make its opening ("lead"), with the type cell.
LEAD_CHARS = 80

_DAY = re.compile(r"\b(\d{1,2})[/.](\d{1,2})(?:[/.](\d{2}|\d{4}))?\b")
_REF = re.compile(r"\b[a-z]{2,}\d*[/-]\d{2,}(?:[/-]\d+)*\b")


@lru_cache(maxsize=1)
def record_defaults() -> dict[str, Any]:
    """The ``[record]`` table of ``schemas/rules.toml``: each list's ``default``."""
    with (SCHEMAS_DIR / "rules.toml").open("rb") as fh:
        table = tomllib.load(fh).get("record", {})
    return {k: v["default"] for k, v in table.items()}


@lru_cache(maxsize=1)
def _field_synonyms() -> dict[str, str]:
    """Normalised header -> named field, from ``schemas/columns.toml`` (for events without named columns)."""
    with (SCHEMAS_DIR / "columns.toml").open("rb") as fh:
        fields = tomllib.load(fh).get("fields", {})
    out: dict[str, str] = {}
    for name in NAMED_TEXT_FIELDS:
        for syn in fields.get(name, {}).get("synonyms", []):
            out.setdefault(syn, name)
    return out


def _norm_header(header: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", header.lower()).split())


def _texts(values: pd.Series) -> pd.Series:
    """A column as plain ``object`` strings ("" for missing), positionally indexed, without Arrow strings."""
    out = values.to_numpy(dtype=object, na_value="") if len(values) else np.array([], dtype=object)
    if not all(type(v) is str for v in out):
        out = np.array(["" if v is None else str(v) for v in out], dtype=object)
    return pd.Series(out, dtype=object)


def named_cells(events: pd.DataFrame) -> dict[str, pd.Series]:
    """Each named text field per row ("" when none), by position.

    The events' own columns where the layout wrote them; for events written
    before those columns existed, read from ``raw`` by the header synonyms of
    ``schemas/columns.toml`` (a header must equal a synonym).

    Example:
        >>> named_cells(events)["referral_to"].head()  # doctest: +SKIP
    """
    n = len(events)
    present = [f for f in NAMED_TEXT_FIELDS if f in events.columns]
    if present or "raw" not in events.columns:
        return {
            f: _texts(events[f]) if f in events.columns else pd.Series([""] * n, dtype=object)
            for f in NAMED_TEXT_FIELDS
        }
    synonyms = _field_synonyms()
    known = {"description", "outcome", "type_label"}
    cols: dict[str, list[str]] = {f: [""] * n for f in NAMED_TEXT_FIELDS}
    headers: dict[str, str | None] = {}
    for i, raw in enumerate(events["raw"].fillna("{}").astype(str).tolist()):
        try:
            cells = json.loads(raw) if raw and raw != "{}" else {}
        except ValueError:
            continue
        if not isinstance(cells, dict):
            continue
        for header, value in cells.items():
            field = headers.get(header, "?")
            if field == "?":
                field = headers[header] = synonyms.get(_norm_header(str(header)))
            if field and field not in known and value not in (None, ""):
                cols[field][i] = (cols[field][i] + " " + str(value)).strip()
    return {f: pd.Series(v, dtype=object) for f, v in cols.items()}


def _apply_masks(text: pd.Series, regexes: Sequence[str]) -> pa.Array:
    """The texts with every span matching one of the regexes blanked (RE2)."""
    arr = pa.array(text.astype(str), type=pa.large_string())
    for regex in regexes:
        arr = pc.replace_substring_regex(arr, regex, " ")
    return arr


def _arrow_matches(arr: pa.Array, phrases: Sequence[str]) -> np.ndarray:
    regex = phrase_regex(phrases)
    if regex is None or len(arr) == 0:
        return np.zeros(len(arr), dtype=bool)
    found = pc.match_substring_regex(arr, regex)
    return pc.fill_null(found, False).to_numpy(zero_copy_only=False).astype(bool)


def _any(text: pd.Series, phrases: Sequence[str], regexes: Sequence[str] = ()) -> np.ndarray:
    out = matches(text, phrases)
    for regex in regexes:
        out |= matches_regex(text, regex)
    return out


def concerns(
    frame: pd.DataFrame, vocab: Vocabulary, rules: Mapping[str, Any], receipts: np.ndarray
) -> tuple[np.ndarray, list[frozenset[str]]]:
    """The category of the new concern each record raises ("" when none), and every category it speaks of.

    Example:
        >>> concerns(prepared, vocab, record_defaults(), receipts)  # doctest: +SKIP
        array(['', 'domestic_abuse', ...], dtype=object)
    """
    text, lead = frame["text"], frame["lead"]
    masked = _apply_masks(text, rules["not_this_concern"])
    by_type = frame["concern"].to_numpy(dtype=object)
    words: Mapping[str, list[str]] = rules["concern_signs"]
    patterns: Mapping[str, list[str]] = rules.get("concern_patterns", {})
    may_raise = (
        frame["group"].isin(CONCERN_GROUPS).to_numpy() | frame["event_type"].isin(CONCERN_TYPES).to_numpy()
    )
    not_new = (
        _any(lead, rules["not_new_lead"], rules.get("not_new_lead_patterns", []))
        | receipts
        | frame["planned"].to_numpy()
    )
    out = np.full(len(frame), "", dtype=object)
    masked_text = pd.Series(masked.to_pylist(), dtype=object) if len(frame) else text
    signs: dict[str, np.ndarray] = {}
    for category in words:
        signs[category] = _arrow_matches(masked, words[category])
        for regex in patterns.get(category, []):
            signs[category] |= matches_regex(masked_text, regex)
    for category in words:  # a type's own category first, unless its signs are all negated ("denies DA")
        typed = (by_type == category) & (signs[category] | ~matches(text, words[category])) & ~not_new
        out[typed] = category
    for category in words:  # then, in the file's order, the first category whose signs the text shows
        hit = signs[category] & may_raise & (out == "") & (by_type == "") & ~not_new
        out[hit] = category
    names = list(words)
    stacked = np.stack([signs[c] for c in names], axis=1) if names else np.zeros((len(frame), 0), bool)
    cache: dict[bytes, frozenset[str]] = {}
    topics = []
    for row in stacked:
        key = row.tobytes()
        found = cache.get(key)
        if found is None:
            found = cache[key] = frozenset(c for c, h in zip(names, row, strict=True) if h)
        topics.append(found)
    return out, topics


def child_seen(
    frame: pd.DataFrame, vocab: Vocabulary, rules: Mapping[str, Any], kinds: np.ndarray
) -> np.ndarray:
    """Whether a professional saw the child in each record.

    A "Child seen (Y/N)" cell decides where it is filled. Otherwise a record
    saw the child when its type means so (a home visit, an appointment, an ED
    attendance) or its text says so ("H seen", "seen and spoken to"), or when
    a school or nursery records the child there (arrived, attended, in class,
    a concern it noticed); never when the text says the child was not seen
    (no access, asleep, doorstep with the child not seen, a video or phone
    contact), nor an appointment of a parent's own service (probation,
    antenatal, adult mental health) that does not say the child was there.

    Example:
        >>> child_seen(prepared, vocab, record_defaults(), kinds)  # doctest: +SKIP
        array([ True, False, ...])
    """
    text = frame["text"]
    cell = frame["child_seen_cell"].astype(str).str.strip().str.lower().to_numpy(dtype=object)
    yes = np.array([c[:1] == "y" for c in cell], dtype=bool)
    no = np.array([c[:1] == "n" for c in cell], dtype=bool)
    by_type = frame["event_type"].isin(vocab.child_seen_types()).to_numpy()
    said = _any(text, rules["seen_phrases"], rules.get("seen_patterns", []))
    not_seen = _any(text, rules["not_seen_phrases"], rules.get("not_seen_patterns", []))
    school = np.isin(kinds, list(rules["setting_kinds"]))
    not_seen |= matches(text, rules["away_phrases"]) & ~school
    not_seen |= matches(frame["lead"], rules["write_up_lead"]) | matches(frame["lead"], rules["remote_lead"])
    at_setting = school & (
        _any(text, rules["at_setting_phrases"]) | (frame["concern"].to_numpy(dtype=object) != "")
    )
    parent_service = np.isin(kinds, list(rules["parent_service_kinds"]))
    child_there = matches(text, rules["child_present_phrases"])
    seen = ((by_type & (~parent_service | child_there)) | said | at_setting) & ~not_seen
    return np.where(yes, True, np.where(no, False, seen))


def _named_days(texts: pd.Series, days: np.ndarray) -> list[tuple[np.datetime64, ...]]:
    """The days each text names (day first; a missing year is the record's, or the year before)."""
    out: list[tuple[np.datetime64, ...]] = [()] * len(texts)
    if not len(texts):
        return out
    values = texts.tolist()
    for i in np.flatnonzero(matches_regex(texts, r"\d[/.]\d")).tolist():
        found = []
        ref = days[i].astype("datetime64[D]").astype(date)
        for m in _DAY.finditer(values[i]):
            d, mth, y = int(m.group(1)), int(m.group(2)), m.group(3)
            year = (int(y) + 2000 if len(y) == 2 else int(y)) if y else ref.year
            try:
                named = date(year, mth, d)
            except ValueError:
                continue
            if not y and named > ref:
                try:
                    named = date(year - 1, mth, d)
                except ValueError:
                    continue
            found.append(np.datetime64(named, "D"))
        out[i] = tuple(found)
    return out


def _refs(texts: pd.Series, references: pd.Series) -> list[frozenset[str]]:
    """Reference numbers in each text ("PPN/19/1182", "ED19-15512") and its reference cell."""
    empty: frozenset[str] = frozenset()
    out = [empty] * len(texts)
    if not len(texts):
        return out
    values, refs = texts.tolist(), references.astype(str).str.strip().str.lower().tolist()
    has_ref = matches_regex(texts, _REF.pattern) | (references.astype(str).str.len() >= 4).to_numpy()
    for i in np.flatnonzero(has_ref).tolist():
        found = set(_REF.findall(values[i]))
        ref = refs[i]
        if len(ref) >= 4 and any(ch.isdigit() for ch in ref):
            found.add(ref)
        out[i] = frozenset(found) if found else empty
    return out


def _about_earlier(concern: np.ndarray, days: np.ndarray, named: np.ndarray) -> np.ndarray:
    """Concerns with the ones that report an earlier recorded concern removed.

    A record naming an earlier day on which a concern is already recorded
    ("mum said she touched hair straighteners on 26/09/2020; seen at A&E") is
    about that concern, not a new one; it still shows its agency knew of it.
    """
    out = concern.copy()
    day = days.astype("datetime64[D]")
    with_concern = set(day[concern != ""].tolist())
    for i in np.flatnonzero(concern != ""):
        earlier = [d for d in named[i] if d < day[i] and (day[i] - d).astype(int) <= ABOUT_DAYS]
        if any(d.tolist() in with_concern for d in earlier):
            out[i] = ""
    return out


def _nouns(text: pd.Series, rules: Mapping[str, Any]) -> list[frozenset[str]]:
    nouns: Mapping[str, list[str]] = rules["document_nouns"]
    hits = {name: matches(text, words) for name, words in nouns.items()}
    names = list(hits)
    stacked = np.stack([hits[n] for n in names], axis=1) if names else np.zeros((len(text), 0), bool)
    cache: dict[bytes, frozenset[str]] = {}
    out = []
    for row in stacked:
        key = row.tobytes()
        found = cache.get(key)
        if found is None:
            found = cache[key] = frozenset(n for n, h in zip(names, row, strict=True) if h)
        out.append(found)
    return out


def add_attributes(
    frame: pd.DataFrame,
    cells: Mapping[str, pd.Series],
    vocab: Vocabulary,
    resolver: AgencyResolver,
    rules: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """The prepared frame with the record attributes of the module docstring added (in place).

    Args:
        frame: The prepared events (``text``, ``event_type``, ``group``,
            ``concern`` by type, ``agency``, ``from_agency``, ``to_agency``, ``day``).
        cells: Each named text field per row, in the frame's row order.
        vocab: The vocabulary.
        resolver: The case's agency resolver.
        rules: The ``[record]`` rules; the shipped ones by default.
    """
    rules = {**record_defaults(), **(rules or {})}
    n = len(frame)
    agency = frame["agency"].to_numpy(dtype=object)
    kinds = (
        np.array([resolver.kind_of(a) or "" for a in agency], dtype=object)
        if n
        else np.array([], dtype=object)
    )
    description = _texts(frame["description"])
    label = _texts(frame["type_label"])
    frame["lead"] = pd.Series(
        [f"{a}. {b[:LEAD_CHARS]}".lower() for a, b in zip(label.tolist(), description.tolist(), strict=True)],
        dtype=object,
    )
    frame["planned"] = _any(frame["lead"], rules["planned_lead"], rules.get("planned_lead_patterns", []))
    frame["child_seen_cell"] = cells["child_seen"].to_numpy(dtype=object)
    frame["referral_to"] = cells["referral_to"].to_numpy(dtype=object)
    # Handoffs: every recipient and sender named in the text that is not a plan, and the referral column.
    said = [
        f"{a}. {b}. {c}. {d}"
        for a, b, c, d in zip(
            label.tolist(),
            description.tolist(),
            _texts(frame["outcome"]).tolist(),
            _texts(cells["action"]).tolist(),
            strict=True,
        )
    ]
    froms, tos = find_directions(said, agency.tolist(), resolver)
    column = named_agencies(_texts(cells["referral_to"]).tolist(), agency.tolist(), resolver)
    ingest_to = frame["to_agency"].to_numpy(dtype=object)
    ingest_from = frame["from_agency"].to_numpy(dtype=object)
    planned = frame["planned"].to_numpy()
    recipients = []
    senders = []
    for i in range(n):
        own = agency[i]
        r = (
            ()
            if planned[i]
            else tuple(dict.fromkeys((*(x for x in (ingest_to[i],) if x), *tos[i], *column[i])))
        )
        recipients.append(tuple(x for x in r if x != own))
        s = tuple(dict.fromkeys((*(x for x in (ingest_from[i],) if x), *froms[i])))
        senders.append(tuple(x for x in s if x != own))
    frame["recipients"] = pd.Series(recipients, dtype=object)
    frame["senders"] = pd.Series(senders, dtype=object)
    # A receipt by its type, its opening, or the sender ingest read from it ("PPN received from police");
    # a sender named further on ("advice from MASH: refer") does not make a concern someone else's news.
    receipts = (
        (frame["group"] == "receipt").to_numpy()
        | (ingest_from != "")
        | _any(frame["lead"], rules["receipt_lead"], rules.get("receipt_lead_patterns", []))
    )
    frame["named_days"] = pd.Series(_named_days(frame["text"], frame["day"].to_numpy()), dtype=object)
    found, topics = concerns(frame, vocab, rules, receipts)
    frame["concern"] = _about_earlier(found, frame["day"].to_numpy(), frame["named_days"].to_numpy())
    frame["topics"] = pd.Series(topics, dtype=object)
    frame["receipt"] = receipts
    frame["response"] = frame["event_type"].isin(RESPONSE_TYPES).to_numpy() | _any(
        frame["lead"], rules["response_phrases"]
    )
    frame["seen"] = child_seen(frame, vocab, rules, kinds)
    frame["write_up"] = matches(frame["lead"], rules["write_up_lead"])
    frame["plan_end"] = matches(frame["text"], rules["plan_end_phrases"])
    frame["closure"] = (frame["event_type"] == "case_closure").to_numpy() | _any(
        frame["text"], rules["closure_phrases"]
    )
    frame["refs"] = pd.Series(_refs(frame["text"], cells["reference"]), dtype=object)
    frame["nouns"] = pd.Series(_nouns(frame["text"], rules), dtype=object)
    return frame
