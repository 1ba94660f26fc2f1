"""Find the sending and receiving agency of chronology rows that hand something over.

Only rows whose type is in the handoff or receipt group, or is a meeting, are
read (see ``find_handoffs``). The text of a row (type cell and description) is
cut into clauses; in each clause the agency mentions are found
(``AgencyResolver.find_mentions``) and each is given a direction from the
words around it ("to", "from", "received by", "GP letter received"...).

Speed: distinct rows are read once, and each clause once per (clause, whether
the row records a receipt, the kind of type, own agency): real chronologies
repeat their phrases even when whole entries differ ("Referral to MASH re
neglect. Ref 123."). A clause in which no word can start an agency term is
passed over without a word-by-word scan.

Example:
    >>> from chronology.vocabulary import load_vocabulary
    >>> from chronology.ingest.agencies import AgencyResolver
    >>> r = AgencyResolver([("Police", []), ("GP", [])], load_vocabulary())
    >>> find_handoffs(["information_shared"], [""], ["PPN received from police"], ["GP"], r)
    (['Police'], [''])
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from chronology.ingest.agencies import AgencyResolver, normalise_text
from chronology.ingest.classify import LEAD_CHARS, MEETING_TYPES, _as_arrow

#: Types that record receiving something.
RECEIPT_TYPES: Final = frozenset({"information_shared"})
#: Types whose rows can carry a handoff target (group handoff or receipt).
HANDOFF_GROUPS: Final = ("handoff", "receipt")

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
#: The family's own contact with an agency ("mum phoned GP", "mother informed school") is not a handoff.
_FAMILY_CONTACT = re.compile(
    r"\b(mother|father|mum|dad|parents?|carers?|partner|grandmother|grandfather|nan|aunt|uncle|family)\s+"
    r"(has\s+|had\s+)?(informed|notified|contacted|phoned|rang|called|e-?mailed|texted|messaged|wrote to)\b",
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
    r"tell|pass|forward|notify|notified|informed|made|make|complete|submit|submitted|raise|raised|copy|copied|fax|faxed)",
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
#: Something handed over: without it or a sending verb, "with X" in a clause is company, not a recipient.
_MESSAGE = re.compile(
    r"\b(letters?|notifications?|referrals?|reports?|ppns?|vpas?|e-?mails?|tasks?|forms?|summary|minutes|"
    r"transfer|info|information|copy|cc|encompass|marf|fax(ed)?|file)\b",
    re.I,
)
#: "Shared" that names a kind of record ("noted on the shared record"), not a sending.
_SHARED_RECORD = re.compile(r"\bshared\s+(care\s+)?(record|records|drive|system)\b", re.I)
#: What lies between two mentions of one list ("GP, HV and school", "GP + HV", "GP/HV").
_LIST_GAP = re.compile(r"^[\s,&+/]*(\b(and|or)\s+)?(the\s+)?$", re.I)
#: Information given at a meeting ("shared with SW at core group") is not a handoff of its own.
_AT_MEETING = re.compile(
    r"\b(at|in|during|via)\s+(the\s+|a\s+)?(core group|strategy|conference|icpc|rcpc|cin (meeting|review)|"
    r"meeting|review|supervision)\b",
    re.I,
)
# the look-ahead only lets Python's engine skip quickly to where a separator can start
_CLAUSE = re.compile(r"(?=[.;\n\s])(?:[.;\n]+\s+|[;\n]+|\s+-\s+|\s+–\s+)")

_NOTHING: Final[tuple[tuple[str, ...], tuple[str, ...]]] = ((), ())
#: Pieces of lower-case ASCII text without which _RECEIPT and _PPN cannot match (a quick check first).
_RECEIPT_PIECES: Final = ("rec", "rcvd", "arrived", "came in", "in from")
_PPN_PIECES: Final = ("ppn", "vpa", "public protection notice")


def _has(pattern: re.Pattern[str], pieces: tuple[str, ...], text: str) -> bool:
    """Whether the pattern matches; ASCII text holding none of its pieces (in lower case) is not searched."""
    if text.isascii():
        low = text.lower()
        if not any(map(low.__contains__, pieces)):
            return False
    return pattern.search(text) is not None


def _directions(
    clause: str, text_receipt: bool, event_type: str, resolver: AgencyResolver, own: str
) -> tuple[list[str], list[str]]:
    """(from candidates, to candidates) found in one clause, as resolved labels."""
    froms: list[str] = []
    tos: list[str] = []
    found = resolver.find_mentions(clause)
    if not found:
        return froms, tos
    # what the family says or intends, advice to them and plans are not this agency's handoffs:
    # mentions after such words are dropped ("mum reports...", "advised mother to contact GP")
    cut = min(
        (m.start() for p in (_FAMILY_SPEECH, _FAMILY_CONTACT, _ADVICE, _PLANNED) if (m := p.search(clause))),
        default=None,
    )
    if cut is not None:
        found = [f for f in found if f[0] < cut]
    clause_receipt = bool(_RECEIPT.search(clause))
    clause_send = bool(_SEND.search(clause))
    at_meeting = bool(_AT_MEETING.search(clause))
    previous: tuple[int, str] = (-1, "")  # where the last mention ended, and its direction
    for start, end, mention in found:
        target = resolver.resolve_target(mention, own)
        if not target:
            continue
        before = clause[max(0, start - 40) : start]
        after = clause[end : end + 40]
        direction = ""
        if previous[1] and _LIST_GAP.match(clause[previous[0] : start]):
            direction = previous[1]  # the next item of a list: "letters to GP, HV and school"
        elif _BEFORE_FROM.search(before):
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
        previous = (end, direction)
        if direction == "from":
            froms.append(target)
        elif direction == "to" and not at_meeting:
            tos.append(target)
    return froms, tos


class _Reader:
    """Reads rows for ``find_handoffs``, remembering each clause's directions.

    ``_directions`` reads the event type only as "is it information_request"
    and "is it a receipt type", so clauses are remembered under those two
    facts rather than the type itself.
    """

    def __init__(self, resolver: AgencyResolver) -> None:
        self.resolver = resolver
        self.clauses: dict[tuple[str, bool, bool, bool, str], tuple[tuple[str, ...], tuple[str, ...]]] = {}

    def directions(
        self, clause: str, text_receipt: bool, event_type: str, own: str
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """``_directions`` of the clause, remembered."""
        key = (clause, text_receipt, event_type == "information_request", event_type in RECEIPT_TYPES, own)
        found = self.clauses.get(key)
        if found is None:
            if not self.resolver.may_mention(clause):  # no agency mentioned: nothing to remember
                return _NOTHING
            froms, tos = _directions(clause, text_receipt, event_type, self.resolver, own)
            found = self.clauses[key] = (tuple(froms), tuple(tos))
        return found

    def row(self, event_type: str, label: str, description: str, own: str) -> tuple[str, str]:
        """(from_agency, to_agency) of one row."""
        text = normalise_text(f"{label}. {description}" if label else description)
        if event_type in MEETING_TYPES:  # "ICPC outcome rec'd": a receipt of the meeting's record
            lead = text[:LEAD_CHARS]
            if not _has(_RECEIPT, _RECEIPT_PIECES, lead):
                return "", ""
            found = self.directions(lead, True, event_type, own)[0]
            return (found[0] if found else self.resolver.resolve_target("csc", own)), ""
        text_receipt = _has(_RECEIPT, _RECEIPT_PIECES, text)
        froms: list[str] = []
        tos: list[str] = []
        for clause in _CLAUSE.split(text):
            if clause.strip():
                f, t = self.directions(clause, text_receipt, event_type, own)
                froms += f
                tos += t
        if _has(_PPN, _PPN_PIECES, text):  # a PPN goes from the police to the front door
            if text_receipt and not froms:
                froms.append(self.resolver.resolve_target("police", own))
            elif not text_receipt and not tos:
                tos.append(self.resolver.resolve_target("mash", own))
        from_agency = next((f for f in froms if f), "")
        to_agency = next((t for t in tos if t and t != from_agency), "")
        return from_agency, to_agency


def _strings(values: Sequence[str]) -> list[str]:
    """Texts as a list of str (None and NaN become ""), as ``_as_arrow`` reads them."""
    if isinstance(values, list) and set(map(type, values)) <= {str}:
        return values
    return _as_arrow(values).to_pylist()


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
    are read, and meeting rows whose opening records a receipt ("ICPC minutes
    rec'd from police": from the police; children's social care when no
    sender is named). ``to_agency`` is the agency something was sent to ("PPN
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
    types = _strings(event_types)
    rows = [i for i, t in enumerate(types) if t in wanted]
    froms = [""] * n
    tos = [""] * n
    if not rows:
        return froms, tos
    labels = _strings(type_labels)
    descs = _strings(descriptions)
    owns = _strings(own_agencies)
    reader = _Reader(resolver)
    seen: dict[tuple[str, str, str, str], tuple[str, str]] = {}  # repeated rows read once
    for i in rows:
        key = (types[i], labels[i], descs[i], owns[i])
        found = seen.get(key)
        if found is None:
            found = seen[key] = reader.row(*key)
        froms[i], tos[i] = found
    return froms, tos


def find_directions(
    texts: Sequence[str], own_agencies: Sequence[str], resolver: AgencyResolver
) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """Every agency each text says something came from, and every one it says something went to.

    Unlike :func:`find_handoffs`, any row is read whatever its type, and every
    recipient is kept ("shared with health (GP + HV)", "closure letters to GP,
    HV, school"), in the order written, each once. Plans, the family's words,
    advice and what was said at a meeting are not handoffs (see ``_directions``).

    Example:
        >>> from chronology.vocabulary import load_vocabulary
        >>> r = AgencyResolver([("Police", []), ("GP", []), ("School", []), ("CSC", [])], load_vocabulary())
        >>> find_directions(["Closure letters to GP, school"], ["CSC"], r)
        ([()], [('GP', 'School')])
    """
    reader = _Reader(resolver)
    froms: list[tuple[str, ...]] = []
    tos: list[tuple[str, ...]] = []
    seen: dict[tuple[str, str], tuple[tuple[str, ...], tuple[str, ...]]] = {}
    values = _strings(texts)
    may = _may_mention_all(values, resolver)
    for text, own, maybe in zip(values, _strings(own_agencies), may, strict=True):
        if not maybe:
            froms.append(())
            tos.append(())
            continue
        key = (text, own)
        found = seen.get(key)
        if found is None:
            f: list[str] = []
            t: list[str] = []
            if text and resolver.may_mention(text):
                norm = normalise_text(text)
                receipt = _has(_RECEIPT, _RECEIPT_PIECES, norm)
                for clause in _CLAUSE.split(norm):
                    if clause.strip():
                        cf, ct = reader.directions(clause, receipt, "other", own)
                        f += cf
                        sends = _SEND.search(_SHARED_RECORD.sub(" ", clause)) or _MESSAGE.search(clause)
                        if ct and sends:
                            t += ct  # "joint visit with SW" names an agency but hands nothing over
            found = seen[key] = (
                tuple(dict.fromkeys(x for x in f if x and x != own)),
                tuple(dict.fromkeys(x for x in t if x and x != own)),
            )
        froms.append(found[0])
        tos.append(found[1])
    return froms, tos


def named_agencies(
    texts: Sequence[str], own_agencies: Sequence[str], resolver: AgencyResolver
) -> list[tuple[str, ...]]:
    """Every agency a cell names, for cells whose column states recipients ("Referral made to": "CSC; GP letter").

    Example:
        >>> from chronology.vocabulary import load_vocabulary
        >>> r = AgencyResolver([("Police", []), ("GP", []), ("ED", [])], load_vocabulary())
        >>> named_agencies(["Police; GP letter"], ["ED"], r)
        [('Police', 'GP')]
    """
    out: list[tuple[str, ...]] = []
    seen: dict[tuple[str, str], tuple[str, ...]] = {}
    for text, own in zip(_strings(texts), _strings(own_agencies), strict=True):
        key = (text, own)
        found = seen.get(key)
        if found is None:
            targets = (
                (resolver.resolve_target(m, own) for _s, _e, m in resolver.find_mentions(text))
                if text
                else ()
            )
            found = seen[key] = tuple(dict.fromkeys(t for t in targets if t and t != own))
        out.append(found)
    return out


#: Words without one of which no clause gives a direction (the words of the patterns above), for RE2.
_CUE: Final = (
    r"\b(to|from|with|cc|for|into|by|via|informed|notified|e-?mailed|copied|faxed|updated|contacted|phoned|"
    r"rang|called|telephoned|alerted|wrote|messaged|texted|advised|told|asked|requested|received|receives|"
    r"receiving|receipt|recd|rec'd|recvd|rcvd|recieved|arrived|came in|in from|sent|send|referred|shared|"
    r"submitted|forwarded|passed|raised|made|completed|posted|transferred|uploaded|have|has|had|reported|"
    r"accepted|acknowledged|processed|screened|seen|written)\b"
)


def _may_mention_all(texts: list[str], resolver: AgencyResolver) -> list[bool]:
    """``resolver.may_mention`` of many texts at once, in Arrow (a word that can start an agency term)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    words = sorted(getattr(resolver, "_first_words", ()), key=lambda w: (-len(w), w))
    if not texts or not words:
        return [bool(t) and resolver.may_mention(t) for t in texts]
    pattern = r"(^|[^\w])(" + "|".join(re.escape(w) for w in words) + r")($|[^\w])"
    arr = pc.replace_substring(pa.array(texts, type=pa.large_string()), "'", "")
    try:
        found = pc.match_substring_regex(arr, pattern, ignore_case=True)
    except pa.ArrowInvalid:  # a pattern RE2 cannot hold: one text at a time
        return [bool(t) and resolver.may_mention(t) for t in texts]
    cue = pc.match_substring_regex(arr, _CUE, ignore_case=True)
    flags = pc.fill_null(pc.and_(found, cue), False).to_pylist()
    return [bool(f) or (bool(t) and not t.isascii()) for f, t in zip(flags, texts, strict=True)]
