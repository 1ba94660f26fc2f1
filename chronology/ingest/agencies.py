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
#: Aliases that end an institution's name and count only there: after a capitalised name word,
#: written with a capital ("Northbridge Primary", "Northshire General", "Larch MC"), never as the
#: running words "primary", "general" or "mc".
NAMED_ONLY: Final = frozenset({"primary", "general", "infirmary", "mc"})
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
#: A word of running text: letters and digits joined by &, ' or - ("a&e", "0-19", "children's"), or a lone &.
_TOKEN = re.compile(r"\w+(?:[&'-]\w+)*|&")


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


class _Words:
    """The words of a text: spans, flat forms, and whether two neighbours are joined by whitespace only."""

    __slots__ = ("text", "matches", "flat")

    def __init__(self, text: str) -> None:
        self.text = text
        self.matches = list(_TOKEN.finditer(text))
        self.flat = [m.group(0).lower() for m in self.matches]
        for k, word in enumerate(self.flat):
            if "'" in word:
                self.flat[k] = word.replace("'", "")

    def joined(self, k: int) -> bool:
        """Word k and word k+1 are separated by whitespace only."""
        gap = self.text[self.matches[k].end() : self.matches[k + 1].start()]
        return gap == "" or gap.isspace()


def _is_name_word(word: str, ignored: frozenset[str] | set[str]) -> bool:
    """A capitalised word that may be part of an organisation's name ("Hillside", not "Letter" or "PPN")."""
    return word[:1].isupper() and any(c.islower() for c in word) and _token(word) not in ignored


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
        for agency_kind in vocab.agencies.values():
            for alias in agency_kind.aliases:
                self._alias_kind.setdefault(_flat(alias), agency_kind.name)
        alias_words = {_token(w) for alias in self._alias_kind for w in _WORD.findall(alias)}
        self._ignored_words = alias_words | _STOP | QUALIFIERS
        # words that cannot start an agency's name in running text ("Letter To GP"); unlike
        # _ignored_words, words that only occur inside longer aliases ("General ED") may
        self._not_name_words = (
            ({a for a in self._alias_kind if " " not in a} - NAMED_ONLY) | _STOP | QUALIFIERS
        )

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
        self._longest = max((len(t.split()) for t in [*self._alias_kind, *self._own_terms]), default=1)
        self._first_words = {t.split()[0] for t in [*self._alias_kind, *self._own_terms] if t}
        self._kinds: dict[str, str | None] = {}
        for label in self.labels:
            kind = self._kind_in(label)
            for alias in extras[label]:
                kind = kind or self._kind_in(alias)
            self._kinds[label] = kind
        self._names: dict[str, frozenset[str]] = {label: self._name_tokens(label) for label in self.labels}
        self._all_terms = {**self._alias_kind, **self._own_terms}
        self._cache: dict[str, list[str]] = {}
        self._targets: dict[tuple[str, str], str] = {}  # (mention, own) -> resolve_target's answer

    # -- building ---------------------------------------------------------------

    def _terms_in(
        self, words: _Words, terms: dict[str, str], capitals: bool = False
    ) -> list[tuple[int, int, str]]:
        """Whole-word occurrences of terms (flat keys) among the words, longest first, left to right.

        Returns (first word index, word count, term) per occurrence.
        """
        flat = words.flat
        first_words = self._first_words
        found = []
        i = 0
        n = len(flat)
        while i < n:
            if flat[i] not in first_words:
                i += 1
                continue
            for size in range(min(self._longest, n - i), 0, -1):
                key = flat[i] if size == 1 else " ".join(flat[i : i + size])
                if key not in terms:
                    continue
                if size > 1 and not all(words.joined(j) for j in range(i, i + size - 1)):
                    continue  # words split by punctuation ("GP, HV") are not one term
                if capitals and key in CAPITALS_ONLY:
                    span = words.text[words.matches[i].start() : words.matches[i + size - 1].end()]
                    if not span.isupper():
                        continue
                if key in NAMED_ONLY and not self._ends_a_name(words, i):
                    continue
                found.append((i, size, key))
                i += size
                break
            else:
                i += 1
        return found

    def _ends_a_name(self, words: _Words, i: int) -> bool:
        """Whether word ``i``, capitalised, follows a capitalised name word ("Northbridge Primary")."""
        word = words.matches[i].group(0)
        followed = i + 1 < len(words.flat) and words.joined(i) and words.flat[i + 1] in self._first_words
        return (
            word[:1].isupper()
            and not followed  # "Northshire General ED": the name of the ED that follows
            and i > 0
            and words.joined(i - 1)
            and _is_name_word(words.matches[i - 1].group(0), self._not_name_words)
        )

    def _kind_in(self, text: str) -> str | None:
        """The kind of the longest shipped alias occurring in text (whole words)."""
        hits = self._terms_in(_Words(normalise_text(text)), self._alias_kind)
        if not hits:
            return None
        best = max(hits, key=lambda h: len(h[2]))  # the first of the longest
        return self._alias_kind[best[2]]

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
        cached = self._targets.get((mention, own))
        if cached is None:
            cached = self._targets[mention, own] = self._resolve_target(mention, own)
        return cached

    def _resolve_target(self, mention: str, own: str) -> str:
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
        cached = self._cache.get(mention)
        if cached is None:
            cached = self._cache[mention] = self._candidates_uncached(mention)
        return cached

    def _candidates_uncached(self, mention: str) -> list[str]:
        tidy = normalise_text(mention).strip(_TIDY)
        key = _flat(tidy)
        if key in self._own_terms:
            return [self._own_terms[key]]
        own_hits = self._terms_in(_Words(tidy), self._own_terms)
        if own_hits:
            label = self._own_terms[own_hits[0][2]]
            alias_hits = self._terms_in(_Words(tidy), self._alias_kind)
            longer = [h for h in alias_hits if len(h[2]) > len(own_hits[0][2])]
            # a longer shipped alias of another kind wins ("School Nursing" is health visiting, not "School")
            if not longer or self._alias_kind[max(longer, key=lambda h: len(h[2]))[2]] == self._kinds[label]:
                return [label]
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

    def may_mention(self, text: str) -> bool:
        """False only when no word of the text starts a term (then it mentions no agency).

        A quick check before the word-by-word scan: the words' flat forms
        (lower case, no apostrophes) against the terms' first words, in C. For
        ASCII text, lowering the whole text and then splitting it into words
        gives the words ``_Words`` finds, lowered; other text is always scanned.
        """
        if not text.isascii():
            return True
        words = _TOKEN.findall(text.lower())
        if "'" in text:
            words = [w.replace("'", "") for w in words]
        return not self._first_words.isdisjoint(words)

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
        if not self.may_mention(text):
            return []
        words = _Words(text)
        found = []
        for i, size, _ in self._terms_in(words, self._all_terms, capitals=True):
            first = i
            while (
                first > 0
                and i - first < 3
                and words.joined(first - 1)
                and _is_name_word(words.matches[first - 1].group(0), self._not_name_words)
            ):
                first -= 1
            if first > 0 and words.joined(first - 1) and words.flat[first - 1] in QUALIFIERS:
                first -= 1
            start, end = words.matches[first].start(), words.matches[i + size - 1].end()
            found.append((start, end, text[start:end]))
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


#: The last few resolvers made by ``shared_resolver``: sources -> (vocabulary, resolver).
_SHARED: dict[tuple[tuple[str, tuple[str, ...]], ...], tuple[Vocabulary, AgencyResolver]] = {}
_SHARED_KEPT: Final = 8


def shared_resolver(sources: Sequence[tuple[str, Sequence[str]]], vocab: Vocabulary) -> AgencyResolver:
    """``AgencyResolver(sources, vocab)``, the last few kept and handed out again.

    A resolver is the same for the same sources and vocabulary (what it remembers
    is only what it has worked out), so ingestion, the analysis of every subject
    and every case of a batch with the same agencies can share one.

    Example:
        >>> from chronology.vocabulary import load_vocabulary
        >>> vocab = load_vocabulary()
        >>> shared_resolver([("GP", [])], vocab) is shared_resolver([("GP", ())], vocab)
        True
    """
    key = tuple((label, tuple(aliases)) for label, aliases in sources)
    kept = _SHARED.get(key)
    if kept is not None and kept[0] is vocab:
        return kept[1]
    resolver = AgencyResolver([(label, list(aliases)) for label, aliases in key], vocab)
    if len(_SHARED) >= _SHARED_KEPT:
        del _SHARED[next(iter(_SHARED))]
    _SHARED[key] = (vocab, resolver)
    return resolver
