"""Classify chronology entries into the event-type vocabulary.

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

Classification is vectorised with RE2 (``pyarrow.compute.match_substring_regex``)
and reads each distinct type cell, description and description opening once.
The first matching type of a text is found by halving: a text is searched for
the union of the first half of the types, then for the union of the first or
the second half of that half, and so on, about log2(types) passes per text
instead of one per type tried. Handoff targets are found in
``chronology.ingest.handoffs`` (``find_handoffs`` is importable from here too).

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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from chronology.vocabulary import Vocabulary

if TYPE_CHECKING:
    from chronology.ingest.handoffs import find_handoffs as find_handoffs

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
#: Fewest texts worth a thread of their own.
_ROWS_PER_THREAD: Final = 20_000
#: Up to this many texts, a run's types are searched one after another (see ``_first_in_run``).
_FEW_TEXTS: Final = 2_000


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
    unions: dict[tuple[int, ...], str | None] = field(default_factory=dict)  # see _union

    @property
    def segments(self) -> list[tuple[int, ...]]:
        """Codes with patterns in priority order, in runs that RE2 can search together.

        A type whose pattern RE2 rejects is a run of its own (searched with Python re).
        """
        runs: list[tuple[int, ...]] = []
        run: list[int] = []
        for code, pattern in enumerate(self.patterns):
            if pattern is None:
                continue
            if self.arrow_ok[code]:
                run.append(code)
                continue
            if run:
                runs.append(tuple(run))
                run = []
            runs.append((code,))
        if run:
            runs.append(tuple(run))
        return runs

    def union(self, codes: tuple[int, ...]) -> str | None:
        """One RE2 pattern that matches a text when any of the types matches it; None if RE2 rejects it."""
        if codes not in self.unions:
            joined: str | None = "|".join(f"(?:{self.patterns[c]})" for c in codes)
            try:
                pc.match_substring_regex(pa.array([""], type=pa.large_string()), joined, ignore_case=True)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                joined = None
            self.unions[codes] = joined
        return self.unions[codes]


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


def _large(texts: pa.Array) -> pa.Array:
    return texts if pa.types.is_large_string(texts.type) else texts.cast(pa.large_string())


def _search(texts: pa.Array, pattern: str) -> pa.BooleanArray:
    """Whether each text matches the RE2 pattern (case-insensitive), as an Arrow mask."""
    return pc.match_substring_regex(texts, pattern, ignore_case=True)


def _first_in_run(texts: pa.Array, run: tuple[int, ...], rules: _Rules) -> np.ndarray:
    """Per text, the first code of ``run`` whose pattern matches it; len(names) for none.

    Many texts, halving: the texts that match the union of the run's first half have their
    type in that half, the others can only have it in the second half; each half
    is split the same way until one type is left. A text is known to match one
    of a range once it matched the union of that range, so the last type is then
    not searched again.
    """
    none = len(rules.names)
    codes = np.full(len(texts), none, dtype=np.int32)
    if len(texts) <= _FEW_TEXTS:
        # Few texts: compiling a pattern costs more than searching them, and halving
        # compiles about log2(types) unions of every type; one pass per type compiles
        # each type once. Same engine, same first match: only the cost differs.
        pending = np.arange(len(texts))
        for code in run:
            if len(pending) == 0:
                break
            subset = texts if len(pending) == len(texts) else texts.take(pa.array(pending))
            hit = _search(subset, rules.patterns[code]).to_numpy(zero_copy_only=False)  # type: ignore[arg-type]
            codes[pending[hit]] = code
            pending = pending[~hit]
        return codes

    def solve(subset: pa.Array, rows: np.ndarray, lo: int, hi: int, known: bool) -> None:
        if len(rows) == 0:
            return
        if hi - lo == 1:
            if known:
                codes[rows] = run[lo]
            else:
                hit = _search(subset, rules.patterns[run[lo]])  # type: ignore[arg-type]
                codes[rows[hit.to_numpy(zero_copy_only=False)]] = run[lo]
            return
        mid = (lo + hi) // 2
        pattern = rules.union(run[lo:mid])
        if pattern is None:  # RE2 cannot hold the union (too large): the halves in turn
            solve(subset, rows, lo, mid, False)
            left = codes[rows] == none
            solve(subset.filter(pa.array(left)), rows[left], mid, hi, known)
            return
        hit = _search(subset, pattern)
        mask = hit.to_numpy(zero_copy_only=False)
        solve(subset.filter(hit), rows[mask], lo, mid, True)
        solve(subset.filter(pc.invert(hit)), rows[~mask], mid, hi, known)

    solve(texts, np.arange(len(texts)), 0, len(run), False)
    return codes


def _first_codes(texts: pa.Array, rules: _Rules) -> np.ndarray:
    """The first matching type per text, as an index into ``rules.names``; len(names) for none."""
    none = len(rules.names)
    codes = np.full(len(texts), none, dtype=np.int32)
    pending = np.arange(len(texts))
    for run in rules.segments:
        if len(pending) == 0:
            break
        subset = texts if len(pending) == len(texts) else texts.take(pa.array(pending))
        if rules.arrow_ok[run[0]]:
            found = _first_in_run(subset, run, rules)
        else:  # a pattern RE2 rejects: Python re, one text at a time
            search = rules.python[run[0]].search  # type: ignore[union-attr]
            hit = np.fromiter((search(t) is not None for t in subset.to_pylist()), bool, len(subset))
            found = np.where(hit, run[0], none).astype(np.int32)
        codes[pending] = found
        pending = pending[found == none]
    return codes


def _codes(texts: pa.Array, rules: _Rules) -> np.ndarray:
    """The first matching type per text, as an index into ``rules.names``; len(names) for none.

    Types are tried in priority order (see ``_first_in_run``). Large inputs
    are cut into one slice per thread (Arrow's regex kernels release the GIL);
    the result does not depend on the number of threads.
    """
    n = len(texts)
    parts = max(1, min(THREADS, n // _ROWS_PER_THREAD))
    if parts == 1:
        return _first_codes(texts, rules)
    bounds = np.linspace(0, n, parts + 1).astype(int)
    with ThreadPoolExecutor(max_workers=parts) as pool:
        found = pool.map(
            lambda k: _first_codes(texts.slice(bounds[k], bounds[k + 1] - bounds[k]), rules), range(parts)
        )
        return np.concatenate(list(found))


def classify_text(text: str, vocab: Vocabulary, skip: frozenset[str] = frozenset()) -> str:
    """The type of one text alone (first type whose patterns match, leaving out ``skip``), or "other".

    Example:
        >>> from chronology.vocabulary import load_vocabulary
        >>> classify_text("ICPC held - child made subject of CP plan", load_vocabulary())
        'initial_conference'
        >>> classify_text("CP conference - report submitted", load_vocabulary(), frozenset({"letter"}))
        'meeting'
    """
    rules = _rules(vocab)
    for name, compiled in zip(rules.names, rules.python, strict=True):
        if compiled is not None and name not in skip and compiled.search(text):
            return name
    return "other"


def _matches(texts: pa.Array, pattern: str) -> np.ndarray:
    return _search(texts, pattern).to_numpy(zero_copy_only=False).astype(bool)


def _distinct(texts: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """The distinct texts and, per text, the index of its distinct value."""
    encoded = pc.dictionary_encode(texts)
    return encoded.dictionary, encoded.indices.to_numpy(zero_copy_only=False)


def _lead_receipts(leads: pa.Array) -> np.ndarray:
    """Description openings that record receiving something ("PPN received from", "Call from SW")."""
    sent = _matches(leads, SEND_LEAD)
    return (_matches(leads, RECEIPT_LEAD) | _matches(leads, SENDER_LEAD)) & ~sent


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
    # each distinct description, type cell and description opening is read once
    desc_values, desc_of_row = _distinct(_as_arrow(descriptions))
    label_values, label_of_row = _distinct(_as_arrow(type_labels))
    if len(desc_values) + len(label_values) <= _FEW_TEXTS:  # one pass: each pattern compiled once
        both = _codes(pa.concat_arrays([_large(desc_values), _large(label_values)]), rules)
        desc_codes = both[: len(desc_values)][desc_of_row]
        label_codes = both[len(desc_values) :][label_of_row]
    else:
        desc_codes = _codes(desc_values, rules)[desc_of_row]
        label_codes = _codes(label_values, rules)[label_of_row]

    result = np.where(label_codes != none, label_codes, desc_codes)
    weak_yields = rules.weak[label_codes] & rules.overrides_weak[desc_codes]
    seen_yields = rules.seen[label_codes] & (desc_codes == rules.missed)
    result = np.where(weak_yields | seen_yields, desc_codes, result)

    names = [*rules.names, "other"]
    code_of = {name: code for code, name in enumerate(names)}
    shared = code_of.get("information_shared")
    if shared is not None and len(result):
        # receipts: by the type cell, or by the description's opening (see _receipts)
        lead_values, lead_of_desc = _distinct(pc.utf8_slice_codeunits(desc_values, 0, LEAD_CHARS))
        lead_of_row = lead_of_desc[desc_of_row]
        label_receipt = _matches(label_values, RECEIPT_LABEL)[label_of_row]
        lead_receipt = _lead_receipts(lead_values)[lead_of_row]
        label_open = (label_codes == none) | rules.weak[label_codes] | rules.handoff[label_codes]
        receipt = label_receipt | (lead_receipt & label_open)
        rows = np.flatnonzero(receipt)
        if len(rows):
            leads = np.unique(lead_of_row[rows])
            lead_codes = np.full(len(lead_values), none, dtype=np.int32)
            lead_codes[leads] = _codes(lead_values.take(pa.array(leads)), rules)
            row_codes = lead_codes[lead_of_row[rows]]
            meetings = np.array([n in MEETING_TYPES for n in names])
            result[rows] = np.where(meetings[row_codes], row_codes, shared)
    if kinds is not None and "ed_attendance" in code_of:
        is_ed = np.array([k == "emergency_department" for k in kinds], dtype=bool)
        keeps = np.array(
            [vocab.types[n].group in ED_KEEPS_GROUPS or n == "missed_appointment" for n in names[:-1]]
            + [False]
        )
        result = np.where(is_ed & ~keeps[result], code_of["ed_attendance"], result)
    return np.array(names, dtype=object)[result].tolist()


def __getattr__(name: str) -> Any:
    # find_handoffs lives in chronology.ingest.handoffs, which imports this module
    if name == "find_handoffs":
        from chronology.ingest.handoffs import find_handoffs

        return find_handoffs
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
