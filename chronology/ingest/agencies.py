"""Resolve agency mentions ("MASH", "the GP", "Oakfield school") to the case's agency labels.

The case names its agencies freely ("Police", "Children's Social Care",
"Oakfield Primary School"). Each label is given a kind (``csc``, ``police``,
``school``...) from the aliases shipped in ``schemas/agencies.toml`` that occur
in it (the longest alias wins), or from the source's extra aliases in case.toml.
A mention then resolves, in this order, to:

1. the source whose label or extra alias it is (case-insensitive);
2. the source whose label or extra alias occurs in it as whole words;
3. a source of the kind its shipped aliases name. When the mention carries a
   name ("Hillside School") and the case's sources of that kind carry names
   too, the source whose name shares a word with it; if none does, the mention
   is an agency outside the review and is kept as written. When two sources
   share the kind and the mention names neither ("school"), the first source
   of that kind in case order;
4. otherwise the mention as written, tidied of surrounding whitespace and
   punctuation: an agency outside the review is kept, never dropped.

Example:
    >>> from chronology.vocabulary import load_vocabulary
    >>> r = AgencyResolver([("Northshire Police", []), ("Children's Social Care", ["FAST"])],
    ...                    load_vocabulary())
    >>> r.resolve("MASH"), r.resolve("constabulary"), r.resolve("Housing Options.")
    ("Children's Social Care", 'Northshire Police', 'Housing Options')
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from chronology.vocabulary import Vocabulary

#: Short aliases that are also English words or names: in running text they
#: count only when written in capitals ("ED", not "Ed" or "-ed").
CAPITALS_ONLY: Final = frozenset({"ed", "la", "pc", "dc", "ds", "fast", "cid", "nps", "cdc", "asc", "ewo"})
#: Words that qualify a kind mention as another agency of the kind ("new school").
QUALIFIERS: Final = frozenset(
    {"new", "receiving", "another", "other", "previous", "former", "old", "current"}
)
#: Words never taken as part of an agency's name.
_STOP: Final = frozenset(
    [
        "a",
        "an",
        "and",
        "or",
        "the",
        "of",
        "for",
        "to",
        "from",
        "by",
        "via",
        "with",
        "at",
        "in",
        "on",
        "into",
        "re",
        "about",
        "regarding",
        "st",
        "saint",
        "letter",
        "letters",
        "sent",
        "send",
        "referral",
        "referred",
        "email",
        "emailed",
        "e-mail",
        "copy",
        "cc",
        "shared",
        "informed",
        "notified",
        "contacted",
        "called",
        "phoned",
        "rang",
        "spoke",
        "update",
        "updated",
        "liaison",
        "form",
        "received",
        "report",
        "made",
        "request",
        "requested",
        "transfer",
        "transferred",
        "file",
        "records",
        "ppn",
        "vpa",
        "submitted",
        "forwarded",
        "passed",
        "minutes",
        "information",
        "info",
        "discharge",
        "summary",
        "notification",
        "checks",
        "mother",
        "father",
        "mum",
        "dad",
        "child",
        "family",
        "nfa",
        "da",
        "tel",
        "call",
        "visit",
        "meeting",
        "strategy",
    ]
)
_TIDY = " \t\r\n.,;:!?()[]{}\"'`-–—/\\|*"
_WORD = re.compile(r"[\w&'-]+")
_QUALIFIER_BEFORE = re.compile(r"\b(" + "|".join(sorted(QUALIFIERS)) + r")\s+$", re.IGNORECASE)
_NAME_BEFORE = re.compile(r"((?:[A-Z][\w'&.-]*\s+){1,3})$")


def normalise_text(text: str) -> str:
    """Text with typographic apostrophes and dashes made plain and whitespace runs made one space.

    Example:
        >>> normalise_text("Children’s  Services")
        "Children's Services"
    """
    return " ".join(text.replace("’", "'").replace("‘", "'").replace("`", "'").split())


def _key(text: str) -> str:
    return normalise_text(text).strip(_TIDY).lower()


def _flat(text: str) -> str:
    """A lookup key: lower case, no apostrophes, single spaces, no surrounding punctuation."""
    return " ".join(_key(text).replace("'", "").split())


def _token(word: str) -> str:
    word = word.lower()
    return word[:-2] if word.endswith("'s") else word.strip("'-")


class AgencyResolver:
    """Resolves agency mentions in chronology text to the case's agency labels.

    Args:
        sources: (case agency label, extra aliases from case.toml) per source,
            in case order. A label given twice counts once.
        vocab: The vocabulary whose agency kinds supply the shipped aliases.

    Example:
        >>> from chronology.vocabulary import load_vocabulary
        >>> r = AgencyResolver([("GP", []), ("Health Visiting", [])], load_vocabulary())
        >>> r.mentions("Liaison with HV; letter to GP, HV copied")
        ['Health Visiting', 'GP']
    """

    def __init__(self, sources: Sequence[tuple[str, Sequence[str]]], vocab: Vocabulary) -> None:
        self.vocab = vocab
        self._alias_kind: dict[str, str] = {}
        for kind in vocab.agencies.values():
            for alias in kind.aliases:
                self._alias_kind.setdefault(_flat(alias), kind.name)
        alias_words = {_token(w) for alias in self._alias_kind for w in _WORD.findall(alias)}
        self._ignored_words = alias_words | _STOP | QUALIFIERS
        kind_terms = sorted(self._alias_kind, key=len, reverse=True)
        self._kind_pattern = self._compile(kind_terms)

        self.labels: list[str] = []
        self._own_terms: dict[str, str] = {}  # label or extra alias (key) -> label
        extras: dict[str, list[str]] = {}
        for label, aliases in sources:
            label = label.strip()
            if label in self.labels or not label:
                continue
            self.labels.append(label)
            extras[label] = [a for a in aliases if _flat(a)]
            self._own_terms.setdefault(_flat(label), label)
        for label in self.labels:
            for alias in extras[label]:
                self._own_terms.setdefault(_flat(alias), label)
        self._kinds: dict[str, str | None] = {}
        for label in self.labels:
            kind = self._kind_in(label)
            for alias in extras[label]:
                kind = kind or self._kind_in(alias)
            self._kinds[label] = kind
        self._names: dict[str, frozenset[str]] = {label: self._name_tokens(label) for label in self.labels}
        own_terms = sorted(self._own_terms, key=len, reverse=True)
        self._own_pattern = self._compile(own_terms)
        self._scan = self._compile(sorted({*own_terms, *kind_terms}, key=len, reverse=True), capitals=True)

    # -- building ---------------------------------------------------------------

    @staticmethod
    def _compile(terms: Sequence[str], capitals: bool = False) -> re.Pattern[str] | None:
        if not terms:
            return None
        parts = []
        for term in terms:
            # terms are flat keys (no apostrophes): "childrens" also matches "children's"
            escaped = "'?s".join(re.escape(piece) for piece in term.split("s"))
            escaped = escaped.replace(r"\ ", " ").replace(" ", r"\s+")
            if capitals and term in CAPITALS_ONLY:
                escaped = f"(?-i:{re.escape(term.upper())})"
            parts.append(escaped)
        return re.compile(r"(?<![\w&])(?:" + "|".join(parts) + r")(?![\w&])", re.IGNORECASE)

    def _kind_in(self, text: str) -> str | None:
        """The kind of the longest shipped alias occurring in text (whole words)."""
        if self._kind_pattern is None:
            return None
        best = ""
        for m in self._kind_pattern.finditer(normalise_text(text)):
            key = _flat(m.group(0))
            if key in self._alias_kind and len(key) > len(best):
                best = key
        return self._alias_kind[best] if best else None

    def _name_tokens(self, text: str) -> frozenset[str]:
        """Words of text that name an organisation: not aliases, qualifiers or stop words."""
        tokens = {_token(w) for w in _WORD.findall(normalise_text(text))}
        return frozenset(t for t in tokens if t and t not in self._ignored_words and not t.isdigit())

    # -- public -----------------------------------------------------------------

    def kind_of(self, agency_label: str) -> str | None:
        """The agency kind id of a case agency label (or any name), None when no alias occurs in it.

        Example:
            >>> from chronology.vocabulary import load_vocabulary
            >>> r = AgencyResolver([("St Mary's Hospital ED", [])], load_vocabulary())
            >>> r.kind_of("St Mary's Hospital ED"), r.kind_of("Northshire Constabulary")
            ('emergency_department', 'police')
        """
        label = agency_label.strip()
        if label in self._kinds:
            return self._kinds[label]
        return self._kind_in(label)

    def resolve(self, mention: str) -> str:
        """The case agency label a mention means, else the mention tidied of surrounding punctuation.

        Example:
            >>> from chronology.vocabulary import load_vocabulary
            >>> r = AgencyResolver([("Oakfield Primary School", []), ("CSC", [])], load_vocabulary())
            >>> r.resolve("the school"), r.resolve("Hillside School"), r.resolve("social worker")
            ('Oakfield Primary School', 'Hillside School', 'CSC')
        """
        found = self._candidates(mention)
        return found[0] if found else normalise_text(mention).strip(_TIDY)

    def resolve_target(self, mention: str, own: str) -> str:
        """Like ``resolve``, but never ``own``: "" when the mention can only mean the own agency.

        A kind mention that resolves to the own agency means another case
        source of that kind if there is one; when qualified ("new school",
        "another GP") it is kept as written.

        Example:
            >>> from chronology.vocabulary import load_vocabulary
            >>> r = AgencyResolver([("Oakfield School", []), ("Police", [])], load_vocabulary())
            >>> r.resolve_target("new school", "Oakfield School"), r.resolve_target("school", "Oakfield School")
            ('new school', '')
        """
        tidy = normalise_text(mention).strip(_TIDY)
        found = [c for c in self._candidates(mention) if c]
        if not found:
            return tidy
        for candidate in found:
            if candidate != own:
                return candidate
        words = {w.lower() for w in _WORD.findall(tidy)}
        return tidy if words & QUALIFIERS else ""

    def _candidates(self, mention: str) -> list[str]:
        """Case labels the mention may mean, best first; [] when it is outside the review."""
        tidy = normalise_text(mention).strip(_TIDY)
        key = _flat(tidy)
        if key in self._own_terms:
            return [self._own_terms[key]]
        if self._own_pattern is not None:
            m = self._own_pattern.search(tidy.replace("'", ""))
            if m:
                return [self._own_terms[_flat(m.group(0))]]
        kind = self._kind_in(tidy)
        if kind is None:  # a bare name ("Oakfield") that names exactly one source
            names = self._name_tokens(tidy)
            named = [label for label in self.labels if names and self._names[label] & names]
            return named if len(named) == 1 else []
        same_kind = [label for label in self.labels if self._kinds[label] == kind]
        if not same_kind:
            return []
        names = self._name_tokens(tidy)
        if names:
            named = [label for label in same_kind if self._names[label] & names]
            if named:
                return named + [x for x in same_kind if x not in named]
            if any(self._names[label] for label in same_kind):
                return []
        return same_kind

    def find_mentions(self, text: str) -> list[tuple[int, int, str]]:
        """Agency mentions in running text: (start, end, mention) with any name words before an alias.

        A short alias that is also a word ("ED", "LA") counts only in capitals.
        Capitalised words just before an alias are taken as its name
        ("Hillside Academy"), except words of the chronology's trade
        ("Letter To GP" is "GP"); so is a qualifier ("new school").

        Example:
            >>> from chronology.vocabulary import load_vocabulary
            >>> r = AgencyResolver([("Police", [])], load_vocabulary())
            >>> [m for _, _, m in r.find_mentions("Referral to Hillside Academy; Ed said")]
            ['Hillside Academy']
        """
        if self._scan is None:
            return []
        found = []
        for m in self._scan.finditer(text):
            start = m.start()
            names = _NAME_BEFORE.search(text[:start])
            if names:
                for word in reversed(list(re.finditer(r"\S+", names.group(1)))):
                    bare = _token(word.group(0).strip(".,"))
                    if bare in self._ignored_words or not any(c.islower() for c in word.group(0)):
                        break
                    start = names.start(1) + word.start()
            qualifier = _QUALIFIER_BEFORE.search(text[:start])
            if qualifier:
                start = qualifier.start(1)
            found.append((start, m.end(), text[start : m.end()]))
        return found

    def mentions(self, text: str) -> list[str]:
        """Case agency labels mentioned in the text, in order of first appearance, once each.

        Example:
            >>> from chronology.vocabulary import load_vocabulary
            >>> r = AgencyResolver([("Police", []), ("GP", []), ("CSC", [])], load_vocabulary())
            >>> r.mentions("Officers attended; GP and social worker informed; police updated")
            ['Police', 'GP', 'CSC']
        """
        labels: list[str] = []
        for _, _, mention in self.find_mentions(normalise_text(text)):
            found = self._candidates(mention)
            if found and found[0] and found[0] not in labels:
                labels.append(found[0])
        return labels
