"""Classify chronology entries into the event-type vocabulary; find handoff targets.

Each type in ``schemas/vocabulary.toml`` carries regular expressions. A text is
given the first type, in file order, whose patterns match it (the file is
ordered most specific first). The agency's own type cell and the description
are classified separately and then combined:

* a type cell that names a type wins over the description;
* except a type cell that only says *how* the contact happened (a phone call,
  an email, a meeting, a school contact, a police attendance: ``WEAK_LABEL_TYPES``)
  yields to a description that names *what* happened (any type outside the
  ``contact`` group, or a missed appointment);
* and a type cell that means the child was seen ("Home visit", "Appointment")
  yields to a description that says the contact failed (``missed_appointment``:
  "no access", "DNA");
* "other" when neither names a type.

Classification is vectorised: one RE2 pass per type with
``pyarrow.compute.match_substring_regex`` over the rows still unclassified, and
type cells are classified once per distinct value.

Example:
    >>> from chronology.vocabulary import load_vocabulary
    >>> classify_events(["Home visit", ""], ["No access", "Strategy discussion re bruising"],
    ...                 load_vocabulary())
    ['missed_appointment', 'strategy_discussion']
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from chronology.ingest.agencies import AgencyResolver, normalise_text
from chronology.vocabulary import Vocabulary

#: Type-cell types that say how a contact happened rather than what happened.
WEAK_LABEL_TYPES: Final = frozenset(
    {"phone_call", "meeting", "information_shared", "school_contact", "police_attendance"}
)
#: Types a receipt keeps when its opening words name them: the record is of the meeting.
MEETING_TYPES: Final = frozenset(
    {"initial_conference", "review_conference", "strategy_discussion", "core_group", "cin_meeting", "meeting"}
)
#: Groups an emergency department's own row keeps (anything else is its attendance).
ED_KEEPS_GROUPS: Final = ("handoff", "receipt", "decision", "statutory", "meeting", "closure")
#: How many characters open a description (where a receipt says what it is).
LEAD_CHARS: Final = 60
_AGENCY_WORDS = (
    r"(?:mash|police|paed(?:iatric)?s? liaison|paediatric|hospital|a ?& ?e|(?-i:ED)|gp|csc|sw|social worker|"
    r"school|dsl|nursery|hv|health visit(?:or|ing)|midwife|midwifery|operation encompass|edt|camhs|lado|"
    r"housing|probation|ambulance|maternity|cait|ppu)"
)
#: A type cell that records a receipt ("Information received", "Correspondence in").
RECEIPT_LABEL: Final = r"\b(received|rec'?d|rec’d|recvd|rcvd|incoming|in)\b"
#: A description opening with a receipt ("PPN received from", "Call from SW", "Referral from school").
RECEIPT_LEAD: Final = (
    r"^\W*(?:[\w&'’]+[:,]?\s+){0,4}?(?:call|telephone call|tel call|phone call|email|e-mail|information|info|"
    r"update|letter|referral|notification|ppn|vpa|message|response|correspondence|report|request|fax)s?\b"
    r"[^.:;\n]{0,50}?(?:\b(?:received|rec'?d|rec’d|recvd|rcvd)\b|\bfrom\s+(?:the\s+)?(?:[\w&'’]+\s+){0,2}?"
    + _AGENCY_WORDS
    + r"\b)"
)
#: A description opening with a sender and what it sent ("MASH notification:", "SW phoned DSL").
SENDER_LEAD: Final = (
    r"^\W*"
    + _AGENCY_WORDS
    + r"\s+(?:discharge\s+)?(?:notification|letter|email|e-mail|referral|update|report|"
    r"summary|minutes|call|message)\b|^\W*" + _AGENCY_WORDS + r"\s+(?:phoned|rang|called|e-?mailed|informed|"
    r"updated|telephoned|advised)\b"
)
#: An opening clause that sends something (so it is not a receipt).
SEND_LEAD: Final = (
    r"^[^.;\n]*\b(?:sent|submitted|completed|made|faxed|forwarded|posted|to (?:the )?"
    + _AGENCY_WORDS
    + r")\b"
)
#: Threads for the regex passes (the result never depends on it).
THREADS: Final = min(8, os.cpu_count() or 1)
#: Types that record receiving something.
RECEIPT_TYPES: Final = frozenset({"information_shared"})
#: Types whose rows can carry a handoff target (group handoff or receipt).
HANDOFF_GROUPS: Final = ("handoff", "receipt")


@dataclass(frozen=True)
class _Rules:
    names: tuple[str, ...]  # type ids in classification order
    patterns: tuple[str | None, ...]  # one alternation per type (None: no patterns)
    python: tuple[re.Pattern[str] | None, ...]  # the same, compiled for Python re
    arrow_ok: tuple[bool, ...]  # whether RE2 accepts the pattern
    weak: np.ndarray  # bool per code (+1 for "none"): a weak type-cell type
    seen: np.ndarray  # bool per code: a child-seen type
    overrides_weak: np.ndarray  # bool per code: a description type that beats a weak cell
    missed: int  # code of missed_appointment (-1 if absent)
    handoff: np.ndarray  # bool per code: a sender's type (group handoff)


_RULES_CACHE: dict[int, tuple[Vocabulary, _Rules]] = {}


def _rules(vocab: Vocabulary) -> _Rules:
    cached = _RULES_CACHE.get(id(vocab))
    if cached is not None and cached[0] is vocab:
        return cached[1]
    names = tuple(n for n in vocab.types if n != "other")
    patterns: list[str | None] = []
    python: list[re.Pattern[str] | None] = []
    arrow_ok: list[bool] = []
    probe = pa.array([""], type=pa.large_string())
    for name in names:
        pats = vocab.types[name].patterns
        if not pats:
            patterns.append(None)
            python.append(None)
            arrow_ok.append(True)
            continue
        joined = "|".join(f"(?:{p})" for p in pats)
        try:
            compiled = re.compile(joined, re.IGNORECASE)
        except re.error as exc:
            raise ValueError(
                f"vocabulary type '{name}': a pattern is not a valid regular expression ({exc})"
            ) from None
        try:
            pc.match_substring_regex(probe, joined, ignore_case=True)
            ok = True
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            ok = False
        patterns.append(joined)
        python.append(compiled)
        arrow_ok.append(ok)
    n = len(names)
    groups = [vocab.types[name].group for name in names] + ["other"]
    weak = np.array([name in WEAK_LABEL_TYPES for name in names] + [False])
    seen = np.array([vocab.types[name].child_seen for name in names] + [False])
    overrides = np.array(
        [(g != "contact" or name == "missed_appointment") for name, g in zip(names, groups[:n], strict=True)]
        + [False]
    )
    rules = _Rules(
        names=names,
        patterns=tuple(patterns),
        python=tuple(python),
        arrow_ok=tuple(arrow_ok),
        weak=weak,
        seen=seen,
        overrides_weak=overrides,
        missed=names.index("missed_appointment") if "missed_appointment" in names else -1,
        handoff=np.array([g == "handoff" for g in groups]),
    )
    _RULES_CACHE[id(vocab)] = (vocab, rules)
    return rules


def _as_arrow(values: Sequence[str]) -> pa.Array:
    """Texts as one Arrow large_string array (None and NaN become "")."""
    if isinstance(values, pa.ChunkedArray):
        arr = values.combine_chunks()
    elif isinstance(values, pa.Array):
        arr = values
    else:
        try:
            arr = pa.array(values, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            arr = pa.array(["" if v is None else str(v) for v in values])
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = pc.cast(arr, pa.large_string()) if pa.types.is_null(arr.type) else arr.cast(pa.large_string())
    return pc.fill_null(arr, "")


def _mask(texts: pa.Array, code: int, rules: _Rules) -> np.ndarray:
    """Which texts match type ``code``'s patterns."""
    if rules.arrow_ok[code]:
        hit = pc.match_substring_regex(texts, rules.patterns[code], ignore_case=True)
        return hit.to_numpy(zero_copy_only=False).astype(bool)
    search = rules.python[code].search  # type: ignore[union-attr]
    return np.fromiter((search(t) is not None for t in texts.to_pylist()), bool, len(texts))


def _codes(texts: pa.Array, rules: _Rules, dedupe: bool = False) -> np.ndarray:
    """The first matching type per text, as an index into ``rules.names``; len(names) for none.

    With ``dedupe``, distinct texts are classified once (for type cells, which
    repeat; hashing a million distinct descriptions costs more than it saves).
    Types are tried in priority order, a
    batch of them at a time in threads (Arrow's regex kernels release the
    GIL); rows matched by one batch are not searched by the next. The result
    does not depend on the number of threads.
    """
    n = len(texts)
    none = len(rules.names)
    if n == 0:
        return np.full(0, none, dtype=np.int32)
    if dedupe:
        encoded = pc.dictionary_encode(texts)
        distinct = encoded.dictionary
    else:
        distinct = texts
    codes = np.full(len(distinct), none, dtype=np.int32)
    pending = np.arange(len(distinct))
    order = [code for code, pattern in enumerate(rules.patterns) if pattern is not None]
    workers = max(1, min(THREADS, len(order)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for first in range(0, len(order), workers):
            if len(pending) == 0:
                break
            batch = order[first : first + workers]
            subset = distinct if len(pending) == len(distinct) else distinct.take(pa.array(pending))
            masks = list(pool.map(lambda code, subset=subset: _mask(subset, code, rules), batch))
            taken = np.zeros(len(pending), dtype=bool)
            for code, mask in zip(batch, masks, strict=True):
                fresh = mask & ~taken
                codes[pending[fresh]] = code
                taken |= mask
            pending = pending[~taken]
    return codes[encoded.indices.to_numpy(zero_copy_only=False)] if dedupe else codes


def classify_text(text: str, vocab: Vocabulary) -> str:
    """The type of one text alone (first type whose patterns match), or "other".

    Example:
        >>> from chronology.vocabulary import load_vocabulary
        >>> classify_text("ICPC held - child made subject of CP plan", load_vocabulary())
        'initial_conference'
    """
    rules = _rules(vocab)
    for name, compiled in zip(rules.names, rules.python, strict=True):
        if compiled is not None and compiled.search(text):
            return name
    return "other"


def _matches(texts: pa.Array, pattern: str) -> np.ndarray:
    return (
        pc.match_substring_regex(texts, pattern, ignore_case=True).to_numpy(zero_copy_only=False).astype(bool)
    )


def _receipts(labels: pa.Array, descriptions: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Rows that record receiving something: (by their type cell, by their description's opening)."""
    encoded = pc.dictionary_encode(labels)
    label_hit = _matches(encoded.dictionary, RECEIPT_LABEL)[encoded.indices.to_numpy(zero_copy_only=False)]
    lead = pc.utf8_slice_codeunits(descriptions, 0, LEAD_CHARS)
    sent = _matches(lead, SEND_LEAD)
    return label_hit, (_matches(lead, RECEIPT_LEAD) | _matches(lead, SENDER_LEAD)) & ~sent


def classify_events(
    type_labels: Sequence[str],
    descriptions: Sequence[str],
    vocab: Vocabulary,
    kinds: Sequence[str | None] | None = None,
) -> list[str]:
    """One event type id per row, from the agency's type cell and the description.

    After the type cell and description are combined (see the module's
    docstring), two conventions apply:

    * a row that records *receiving* something (a type cell such as
      "Information received" or "Correspondence in"; a description opening
      with "PPN received from...", "Call from SW", "MASH notification:",
      "A&E discharge letter:") is ``information_shared``, even when it says
      "PPN", "referral" or "letter": only the sender's record is a
      ``notification``, ``referral``, ``letter``, ``transfer`` or
      ``information_request``. A receipt whose opening words name a meeting
      ("ICPC outcome rec'd", "Minutes rec'd: core group") takes the meeting's type;
    * with ``kinds``, an emergency department's own row is ``ed_attendance``
      whatever it presents with (unless it is a handoff, receipt, decision,
      statutory step, meeting or missed appointment).

    Args:
        type_labels: The agency's own type cell per row ("" when the file has none).
        descriptions: The entry's text per row.
        vocab: The vocabulary; its type order is the priority order.
        kinds: Optional agency kind of each row's own source
            (``AgencyResolver.kind_of(agency)``).

    Returns:
        A type id per row; "other" when nothing fits.

    Example:
        >>> from chronology.vocabulary import load_vocabulary
        >>> classify_events(["Telephone call", "DA incident", ""],
        ...                 ["Strategy discussion with police", "Officers attended", "PPN received from police"],
        ...                 load_vocabulary())
        ['strategy_discussion', 'domestic_abuse_incident', 'information_shared']
    """
    if len(type_labels) != len(descriptions) or (kinds is not None and len(kinds) != len(descriptions)):
        raise ValueError("type_labels, descriptions and kinds differ in length")
    rules = _rules(vocab)
    none = len(rules.names)
    descs = _as_arrow(descriptions)
    labels = _as_arrow(type_labels)
    desc_codes = _codes(descs, rules)
    label_codes = _codes(labels, rules, dedupe=True)

    result = np.where(label_codes != none, label_codes, desc_codes)
    weak_yields = rules.weak[label_codes] & rules.overrides_weak[desc_codes]
    seen_yields = rules.seen[label_codes] & (desc_codes == rules.missed)
    result = np.where(weak_yields | seen_yields, desc_codes, result)

    names = [*rules.names, "other"]
    code_of = {name: code for code, name in enumerate(names)}
    shared = code_of.get("information_shared")
    if shared is not None and len(result):
        label_receipt, lead_receipt = _receipts(labels, descs)
        label_open = (label_codes == none) | rules.weak[label_codes] | rules.handoff[label_codes]
        receipt = label_receipt | (lead_receipt & label_open)
        rows = np.flatnonzero(receipt)
        if len(rows):
            lead = pc.utf8_slice_codeunits(descs.take(pa.array(rows)), 0, LEAD_CHARS)
            lead_codes = _codes(lead, rules)
            meetings = np.array([n in MEETING_TYPES for n in names])
            result[rows] = np.where(meetings[lead_codes], lead_codes, shared)
    if kinds is not None and "ed_attendance" in code_of:
        is_ed = np.array([k == "emergency_department" for k in kinds], dtype=bool)
        keeps = np.array(
            [vocab.types[n].group in ED_KEEPS_GROUPS or n == "missed_appointment" for n in names[:-1]]
            + [False]
        )
        result = np.where(is_ed & ~keeps[result], code_of["ed_attendance"], result)
    return np.array(names, dtype=object)[result].tolist()


# --- handoffs -----------------------------------------------------------------

_RECEIPT = re.compile(
    r"\b(received|receives|receiving|receipt|rec'?d|recvd|rcvd|recieved|arrived|came in|in from)\b", re.I
)
_SEND = re.compile(
    r"\b(sent|send|submitted|completed|made|faxed|e-?mailed|forwarded|posted|shared|referred|"
    r"transferred|passed|notified|informed|raised|uploaded|copied)\b",
    re.I,
)
_FAMILY_SPEECH = re.compile(
    r"\b(mother|father|mum|dad|parents?|carers?|partner|grandmother|grandfather|nan|aunt|uncle|"
    r"child|she|he|they|family)\s+(has\s+|had\s+)?(said|says|stated|states|reported|reports|told|"
    r"would|will|is going to|was going to|plans?|planned|intends?|intended|wants?|wanted)\b",
    re.I,
)
_ADVICE = re.compile(
    r"\b(advised|encouraged|asked|told|signposted|reminded|suggested)\b.*\b(to|will|would|should)\s+"
    r"(contact|see|ring|call|phone|tell|speak to|inform|visit|attend|register with|book|make an appointment)\b",
    re.I,
)
_PLANNED = re.compile(
    r"\b(will|would|to be|plans? to|planned to|needs? to|should|is to|are to|going to|agreed to|"
    r"intend(s|ed)? to)\s+(be\s+)?(contact|liais|refer|send|sent|share|shared|inform|e-?mail|write|"
    r"tell|pass|forward|notify|made|make|complete)",
    re.I,
)
_BEFORE_FROM = re.compile(r"\b(from|via|rec'?d from|received from)\s+(the\s+|a\s+)?$", re.I)
_BEFORE_BY_SENDER = re.compile(
    r"\b(referred|sent|made|submitted|completed|written|raised|reported|shared|forwarded|notified)\s+by\s+(the\s+)?$",
    re.I,
)
_BEFORE_BY_RECEIVER = re.compile(
    r"\b(received|rec'?d|accepted|acknowledged|processed|screened|seen)\s+by\s+(the\s+)?$", re.I
)
_BEFORE_TO = re.compile(
    r"(\b(to|with|cc|for|into)|\b(e-?mailed|informed|notified|updated|contacted|phoned|rang|called|"
    r"telephoned|alerted|copied|faxed|wrote|messaged|texted|advised|told|asked|requested))\s+(the\s+|a\s+)?$",
    re.I,
)
_BEFORE_TOPIC = re.compile(r"\b(re|about|regarding|concerning|at|in|of|on|around)\s+(the\s+|a\s+)?$", re.I)
_AFTER_NOUN = re.compile(
    r"^\s*(letter|notification|referral|report|ppn|vpa|liaison|discharge|summary|e-?mail|update|request|"
    r"minutes|checks|form|information|info|file|records?|correspondence)\b",
    re.I,
)
_AFTER_SUBJECT_SENDS = re.compile(
    r"^\s*(have\s+|has\s+|had\s+)?(referred|sent|submitted|e-?mailed|phoned|rang|called|reported|notified|"
    r"shared|faxed|forwarded|raised|made a referral|contacted)\b",
    re.I,
)
_PPN = re.compile(r"\b(ppns?|vpas?|public protection notice)\b", re.I)
_CLAUSE = re.compile(r"[.;\n]+\s+|[;\n]+|\s+-\s+|\s+–\s+")


def _directions(clause: str, text_receipt: bool, event_type: str, resolver: AgencyResolver, own: str):
    """(from candidates, to candidates) found in one clause, as resolved labels."""
    froms: list[str] = []
    tos: list[str] = []
    found = resolver.find_mentions(clause)
    if not found:
        return froms, tos
    # what the family says or intends, advice to them and plans are not this agency's handoffs:
    # mentions after such words are dropped ("mum reports...", "advised mother to contact GP")
    cut = min(
        (m.start() for p in (_FAMILY_SPEECH, _ADVICE, _PLANNED) if (m := p.search(clause))), default=None
    )
    if cut is not None:
        found = [f for f in found if f[0] < cut]
    clause_receipt = bool(_RECEIPT.search(clause))
    clause_send = bool(_SEND.search(clause))
    for start, end, mention in found:
        target = resolver.resolve_target(mention, own)
        if not target:
            continue
        before = clause[max(0, start - 40) : start]
        after = clause[end : end + 40]
        direction = ""
        if _BEFORE_FROM.search(before):
            direction = "to" if event_type == "information_request" and not clause_receipt else "from"
        elif _BEFORE_BY_SENDER.search(before):
            direction = "from"
        elif _BEFORE_BY_RECEIVER.search(before):
            direction = "to"
        elif _BEFORE_TOPIC.search(before):
            continue
        elif _BEFORE_TO.search(before):
            direction = "to"
        elif _AFTER_NOUN.search(after):  # "GP letter received", "HV liaison form sent", "MASH notification:"
            if clause_receipt or (event_type in RECEIPT_TYPES and not clause_send):
                direction = "from"
            elif clause_send:
                direction = "to"
        elif _AFTER_SUBJECT_SENDS.search(after) or clause_receipt:
            direction = "from"
        elif clause_send and not text_receipt:
            direction = "to"
        if direction == "from":
            froms.append(target)
        elif direction == "to":
            tos.append(target)
    return froms, tos


def _handoff(
    event_type: str, label: str, description: str, own: str, resolver: AgencyResolver
) -> tuple[str, str]:
    text = normalise_text(f"{label}. {description}" if label else description)
    text_receipt = bool(_RECEIPT.search(text))
    if event_type in MEETING_TYPES:  # "ICPC outcome rec'd": a receipt of the meeting's record
        if not _RECEIPT.search(text[:LEAD_CHARS]):
            return "", ""
        found = _directions(text[:LEAD_CHARS], True, event_type, resolver, own)[0]
        return (found[0] if found else resolver.resolve_target("csc", own)), ""
    froms: list[str] = []
    tos: list[str] = []
    for clause in _CLAUSE.split(text):
        if clause.strip():
            f, t = _directions(clause, text_receipt, event_type, resolver, own)
            froms += f
            tos += t
    if _PPN.search(text):  # a PPN goes from the police to the front door
        if text_receipt and not froms:
            froms.append(resolver.resolve_target("police", own))
        elif not text_receipt and not tos:
            tos.append(resolver.resolve_target("mash", own))
    from_agency = next((f for f in froms if f), "")
    to_agency = next((t for t in tos if t and t != from_agency), "")
    return from_agency, to_agency


def find_handoffs(
    event_types: Sequence[str],
    type_labels: Sequence[str],
    descriptions: Sequence[str],
    own_agencies: Sequence[str],
    resolver: AgencyResolver,
) -> tuple[list[str], list[str]]:
    """The sending and receiving agency of each row that hands something over.

    Only rows whose type is in the handoff or receipt group (referral,
    notification, letter, transfer, information_request, information_shared)
    are read. ``to_agency`` is the agency something was sent to ("PPN
    submitted to MASH", "letter to GP", "HV liaison form sent", "emailed SW");
    ``from_agency`` the agency it came from ("referral rec'd from school", "GP
    letter received", "discharge letter from hospital"). A PPN or VPA with no
    named agency goes from the police to the front door (MASH). Clauses that
    report the family's words or intentions ("Mother said she would tell the
    GP"), advice ("advised mother to contact GP") or plans ("SW to contact GP")
    are not handoffs. A row's own agency is never returned; a kind mention
    that resolves to it ("new school" in a school's file) is taken as another
    case source of that kind, or kept as written when qualified ("new school").

    Args:
        event_types: Type id per row (from ``classify_events``).
        type_labels: The agency's type cell per row ("" when none).
        descriptions: The entry's text per row.
        own_agencies: The case agency label of each row's own source.
        resolver: Resolves mentions to the case's agency labels.

    Returns:
        (from_agency, to_agency): one string per row each, "" when none.

    Example:
        >>> from chronology.vocabulary import load_vocabulary
        >>> from chronology.ingest.agencies import AgencyResolver
        >>> r = AgencyResolver([("Police", []), ("Children's Social Care", [])], load_vocabulary())
        >>> find_handoffs(["notification"], [""], ["PPN submitted to MASH"], ["Police"], r)
        ([''], ["Children's Social Care"])
    """
    n = len(event_types)
    if not (len(type_labels) == len(descriptions) == len(own_agencies) == n):
        raise ValueError("event_types, type_labels, descriptions and own_agencies differ in length")
    wanted = {t for t, et in resolver.vocab.types.items() if et.group in HANDOFF_GROUPS} | MEETING_TYPES
    types = np.asarray(_as_arrow(event_types).to_numpy(zero_copy_only=False), dtype=object)
    rows = np.flatnonzero(np.isin(types, list(wanted)))
    froms = [""] * n
    tos = [""] * n
    labels = _as_arrow(type_labels)
    descs = _as_arrow(descriptions)
    owns = _as_arrow(own_agencies)
    if len(rows):
        idx = pa.array(rows)
        seen: dict[tuple[str, str, str, str], tuple[str, str]] = {}  # repeated rows read once
        for i, label, desc, own in zip(
            rows.tolist(),
            labels.take(idx).to_pylist(),
            descs.take(idx).to_pylist(),
            owns.take(idx).to_pylist(),
            strict=True,
        ):
            key = (str(types[i]), label, desc, own)
            if key not in seen:
                seen[key] = _handoff(*key, resolver)
            froms[i], tos[i] = seen[key]
    return froms, tos
