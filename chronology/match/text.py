"""What matching reads from a record's text: normalised words, references,
named people and dates named in the text.

Each function works on one string; ``read_texts`` applies them once per
distinct description, so repeated wording costs nothing.

Example:
    >>> from chronology.match.settings import load_settings
    >>> normalise_text("Strat mtg re DA, see notes", load_settings())
    'strategy meeting domestic abuse'
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from functools import lru_cache

import numpy as np
import pandas as pd

from chronology.match.settings import MatchSettings

_NUMBER = re.compile(r"\d+")
_TOKEN = re.compile(r"[a-z0-9]+(?:[&'][a-z0-9]+)*")
_DATE_NUMERIC = re.compile(r"(?<![\d/])(\d{1,2})[/-](\d{1,2})(?:[/-](\d{4}|\d{2}))?(?![\d/])")
#: "5/7" five days, "4/10" a score, "3/12" three months, "2/52" two weeks.
_FRACTION_DENOMINATORS = frozenset({"7", "10", "12", "52"})
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DATE_WORDS = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?(?:\s+(\d{4}))?\b",
    re.IGNORECASE,
)
#: Reference numbers: a run of digits (with / or - inside) at least 5 digits
#: long (occurrence, attendance, MASH numbers), or an NHS number "485 777 3456".
_REFERENCE = re.compile(r"\b(\d{3} \d{3} \d{4}|\d[\d/-]{3,}\d)\b")
#: A capitalised word that does not start a sentence ("Dr Okafor", "Amy
#: Clarke"), or a surname in capitals as police records write them ("COLE").
_CAPITALISED = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]{2,}|[A-Z]{4,})\b")


#: Words just before a date that say the record is not about that day's event
#: ("first visit since 25/07", "booked for 12/03").
_NOT_THAT_EVENT = re.compile(
    r"\b(?:since|until|till|before|after|next|due|booked|planned|rearranged|last seen|dob|born)\b[^.;]*$",
    re.IGNORECASE,
)


@lru_cache(maxsize=16)
def _phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern[str] | None:
    if not phrases:
        return None
    ordered = sorted(phrases, key=lambda p: (-len(p), p))
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(re.escape(p) for p in ordered) + r")(?![a-z0-9])")


def normalise_text(text: str, settings: MatchSettings) -> str:
    """Lower-case, drop boilerplate, expand abbreviations, drop stop-words.

    Args:
        text: A record's description (and outcome).
        settings: Supplies the abbreviation, stop-word and boilerplate tables.

    Example:
        >>> from chronology.match.settings import load_settings
        >>> normalise_text("ICPC held; Mum attended", load_settings())
        'initial child protection conference held mother attended'
    """
    return _Normaliser.of(settings)(text)


class _Normaliser:
    """normalise_text for one settings object, with its patterns and a token cache."""

    _made: dict[int, _Normaliser] = {}

    def __init__(self, settings: MatchSettings) -> None:
        self.settings = settings
        self.boiler = _phrase_pattern(settings.boilerplate)
        self.phrases = _phrase_pattern(tuple(k for k in settings.abbreviations if " " in k))
        self.tokens: dict[str, str] = {}

    @classmethod
    def of(cls, settings: MatchSettings) -> _Normaliser:
        made = cls._made.get(id(settings))
        if made is None or made.settings is not settings:
            if len(cls._made) > 8:
                cls._made.clear()
            made = cls._made[id(settings)] = cls(settings)
        return made

    def token(self, token: str) -> str:
        """The token expanded, stop-words dropped ("" when nothing is left)."""
        out = self.tokens.get(token)
        if out is None:
            expanded = self.settings.abbreviations.get(token, token)
            out = self.tokens[token] = " ".join(
                w for w in expanded.split() if w not in self.settings.stopwords
            )
        return out

    def __call__(self, text: str) -> str:
        lowered = text.lower()
        if self.boiler is not None:
            lowered = self.boiler.sub(" ", lowered)
        if self.phrases is not None:
            lowered = self.phrases.sub(lambda m: self.settings.abbreviations[m.group(0)], lowered)
        return " ".join(w for w in map(self.token, _TOKEN.findall(lowered)) if w)


def find_references(text: str) -> tuple[str, ...]:
    """Reference numbers in the text (occurrence, attendance, MASH, NHS numbers).

    Dates are not references. Each is returned as its digits, so "OCC 1234/21"
    and "occurrence 123421" agree.

    Example:
        >>> find_references("PPN ref OCC-55123/21, seen 03/03/2021, NHS 485 777 3456")
        ('4857773456', '5512321')
    """
    found: set[str] = set()
    for match in _REFERENCE.finditer(text):
        body = match.group(1)
        if _DATE_NUMERIC.fullmatch(body):
            continue
        digits = re.sub(r"\D", "", body)
        if len(digits) >= 5:
            found.add(digits)
    return tuple(sorted(found))


def find_names(text: str, common: frozenset[str]) -> tuple[str, ...]:
    """Capitalised words not at a sentence start and not common words.

    A text written mostly in capitals (as police records often are) says
    nothing by its capitals: only its title-case words count there.

    Example:
        >>> find_names("Seen by Dr Okafor with Mother. Bruise noted", frozenset({"mother"}))
        ('okafor',)
        >>> find_names("OCCURRENCE RECORDED. DA FLAG ADDED", frozenset())
        ()
    """
    letters = [c for c in text if c.isalpha()]
    shouting = bool(letters) and sum(c.isupper() for c in letters) > 0.6 * len(letters)
    words = _CAPITALISED.findall(text)
    if shouting:
        words = [w for w in words if not w.isupper()]
    names = {w.lower() for w in words}
    return tuple(sorted(n for n in names if n not in common))


def _make_date(day: int, month: int, year: int | None, own: date) -> date | None:
    if year is not None and year < 100:
        year += 2000
    try:
        named = date(year or own.year, month, day)
    except ValueError:
        return None
    if year is None and named > own:
        try:
            named = date(own.year - 1, month, day)
        except ValueError:
            return None
    return named


def find_named_dates(text: str, own: date, max_days: int) -> tuple[date, ...]:
    """Earlier dates named in the text, day-first, year from ``own`` when missing.

    A day and month without a year whose day is one digit over 7, 10, 12 or 52
    ("4/10", "5/7", "3/12") is read as a score or a duration (days, out of ten,
    months, weeks as clinicians write them), not a date.

    Only dates before ``own`` and at most ``max_days`` before it are kept: a
    record that names an earlier date may be a late record of that day's event.
    A date just after "since", "until", "next", "booked"... is not kept.

    Example:
        >>> find_named_dates("ED letter re attendance on 12/03", date(2021, 3, 19), 60)
        (datetime.date(2021, 3, 12),)
        >>> find_named_dates("CP visit, first since 25/02", date(2021, 3, 19), 60)
        ()
        >>> find_named_dates("Pain score 4/10, cough 5/7", date(2021, 3, 19), 60)
        ()
    """
    found: set[date] = set()
    for m in _DATE_NUMERIC.finditer(text):
        if _NOT_THAT_EVENT.search(text[max(0, m.start() - 20) : m.start()]):
            continue
        if m.group(3) is None and len(m.group(1)) == 1 and m.group(2) in _FRACTION_DENOMINATORS:
            continue  # "4/10", "5/7", "3/12": a score or a duration as clinicians write them
        year = int(m.group(3)) if m.group(3) else None
        named = _make_date(int(m.group(1)), int(m.group(2)), year, own)
        if named is not None:
            found.add(named)
    for m in _DATE_WORDS.finditer(text):
        if _NOT_THAT_EVENT.search(text[max(0, m.start() - 20) : m.start()]):
            continue
        month = _MONTHS.index(m.group(2)[:3].lower()) + 1
        year = int(m.group(3)) if m.group(3) else None
        named = _make_date(int(m.group(1)), month, year, own)
        if named is not None:
            found.add(named)
    earliest = own - timedelta(days=max_days)
    return tuple(sorted(d for d in found if earliest <= d < own))


def common_words(settings: MatchSettings) -> frozenset[str]:
    """Words that are never names: stop-words, abbreviations and their expansions."""
    words = set(settings.stopwords) | set(settings.abbreviations)
    for expansion in settings.abbreviations.values():
        words.update(expansion.split())
    words.update(
        [
            "mother",
            "father",
            "partner",
            "child",
            "baby",
            "police",
            "school",
            "nursery",
            "health",
            "visitor",
            "social",
            "worker",
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
            "dash",
            "cpoms",
            "lado",
            "ehcp",
            "occ",
            "nfa",
            "note",
            "update",
        ]
    )
    return frozenset(words)


def read_texts(texts: pd.Series, settings: MatchSettings) -> pd.DataFrame:
    """Normalised text, references, names and numbers of each text, one row per input row.

    Example:
        >>> from chronology.match.settings import load_settings
        >>> read_texts(pd.Series(["DA incident, occ 44556/21"]), load_settings())["norm"].tolist()
        ['domestic abuse incident occ 44556 21']
    """
    codes, uniques = pd.factorize(texts.astype(str).to_numpy(), sort=False)
    common = common_words(settings)
    norm = [normalise_text(t, settings) for t in uniques]
    refs = [find_references(t) for t in uniques]
    names = [find_names(t, common) for t in uniques]
    numbers = [" ".join(_NUMBER.findall(t)) for t in uniques]
    take = np.asarray(codes)
    return pd.DataFrame(
        {
            "norm": _objects(norm)[take],
            "refs": _objects(refs)[take],
            "names": _objects(names)[take],
            "numbers": _objects(numbers)[take],
        },
        index=texts.index,
    )


def _objects(values: list) -> np.ndarray:
    """A 1-D object array holding ``values`` as they are (tuples stay tuples)."""
    out = np.empty(len(values), dtype=object)
    for i, value in enumerate(values):
        out[i] = value
    return out
