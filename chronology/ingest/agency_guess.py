"""Guess a file's agency for ``chronology init``: from its name, its title rows and its columns.

The shipped agency aliases (``schemas/agencies.toml``) are looked for, as whole
words, in the file name (``child_h_police_IMR.xlsx``; ``StMarysPrimary`` is read
as "St Marys Primary"), then in the title rows above the header. Words that
name an agency only in a file name (``primary``, ``infants``, ``cpoms``) count
there too. Failing those, the columns tell: the headers of school safeguarding
systems (CPOMS: Student, Year group, Categories), of emergency departments
(Triage, Arrival, Presenting complaint) and of police records (Occurrence,
Crime reference, Collar number) each point to one kind of agency.

Example:
    >>> guess_file_agency("Chronology_StMarys_Primary.xlsx")
    ('School', 'the file name')
    >>> guess_file_agency("export.csv", columns=["Arrival", "Triage category", "Presenting complaint"])
    ('Emergency Department', 'the columns')
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from chronology.vocabulary import Vocabulary, load_vocabulary

_WORDS = re.compile(r"[^a-z0-9&']+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")

#: Words that name a kind of agency in a file name, beyond the shipped aliases.
FILE_NAME_WORDS: Final[dict[str, str]] = {
    "primary": "school",
    "secondary": "school",
    "infant": "school",
    "infants": "school",
    "junior": "school",
    "juniors": "school",
    "nursery": "school",
    "cpoms": "school",
    "myconcern": "school",
    "pupil": "school",
    "niche": "police",
    "storm": "police",
    "athena": "police",
    "emis": "gp",
    "systmone": "gp",
    "mosaic": "csc",
    "lcs": "csc",
    "liquidlogic": "csc",
    "symphony": "emergency_department",
}

#: Column headers (lower case, whole words) that point to one kind of agency.
COLUMN_WORDS: Final[dict[str, tuple[str, ...]]] = {
    "school": (
        "student",
        "pupil",
        "year group",
        "form group",
        "linked student",
        "linked students",
        "upn",
        "categories",
        "dsl",
        "class",
    ),
    "emergency_department": (
        "triage",
        "triage category",
        "arrival",
        "arrival time",
        "arrival mode",
        "presenting complaint",
        "chief complaint",
        "attendance",
        "attendance number",
        "discharge",
        "disposal",
        "mrn",
        "acuity",
    ),
    "police": (
        "occurrence",
        "occurrence no",
        "occurrence number",
        "crime ref",
        "crime reference",
        "crime number",
        "incident number",
        "collar number",
        "collar no",
        "officer",
        "ppn",
        "storm ref",
        "log number",
    ),
    "gp": ("consultation", "consultation type", "read code", "snomed"),
}


def file_words(text: str) -> str:
    """A file name or title as lower-case words with spaces around ("StMarys_Primary" -> " st marys primary ").

    Example:
        >>> file_words("Chronology_StMarys_Primary.xlsx")
        ' chronology st marys primary xlsx '
    """
    spaced = _CAMEL.sub(" ", text.replace("_", " "))
    return f" {' '.join(_WORDS.sub(' ', spaced.lower()).split())} "


def guess_agency(text: str, vocab: Vocabulary | None = None) -> str | None:
    """The agency label whose longest alias appears in the text as whole words.

    Example:
        >>> guess_agency("child_h_police_IMR.xlsx")
        'Police'
        >>> guess_agency("Health Visiting chronology - Child H")
        'Health Visiting'
    """
    vocab = vocab or load_vocabulary()
    words = file_words(text)
    best: tuple[int, str | None] = (0, None)
    for kind in vocab.agencies.values():
        for alias in (kind.label.lower(), *kind.aliases):
            alias_words = _WORDS.sub(" ", alias).strip()
            if alias_words and f" {alias_words} " in words and len(alias_words) > best[0]:
                best = (len(alias_words), kind.label)
    return best[1]


def _kind_label(kind: str, vocab: Vocabulary) -> str | None:
    found = vocab.agencies.get(kind)
    return found.label if found else None


def guess_from_columns(columns: Sequence[str], vocab: Vocabulary | None = None) -> str | None:
    """The agency label the column headers point to: the kind with the most telling headers.

    Example:
        >>> guess_from_columns(["Date/Time", "Student", "Categories", "Action taken"])
        'School'
        >>> guess_from_columns(["Date", "Details"]) is None
        True
    """
    vocab = vocab or load_vocabulary()
    heads = [file_words(str(c)) for c in columns]
    scores: dict[str, int] = {}
    for kind, words in COLUMN_WORDS.items():
        scores[kind] = sum(any(f" {w} " in h for w in words) for h in heads)
    kind, score = max(scores.items(), key=lambda kv: kv[1])
    if score == 0 or list(scores.values()).count(score) > 1:
        return None
    return _kind_label(kind, vocab)


def guess_file_agency(
    name: str, title: str = "", columns: Sequence[str] = (), vocab: Vocabulary | None = None
) -> tuple[str, str]:
    """The agency label for a file, and what it was guessed from.

    Args:
        name: The file name (its stem is used).
        title: The text of the rows above the header.
        columns: The header row's cells.
        vocab: The vocabulary with the agency aliases.

    Returns:
        (label, "the file name" | "the title rows" | "the columns"); failing
        all three, the file name tidied and "nothing: the file name; please correct".
    """
    vocab = vocab or load_vocabulary()
    stem = name.rsplit(".", 1)[0] if "." in name else name
    label = guess_agency(stem, vocab)
    if label:
        return label, "the file name"
    words = file_words(stem).split()
    for word in words:
        if word in FILE_NAME_WORDS and (label := _kind_label(FILE_NAME_WORDS[word], vocab)):
            return label, "the file name"
    label = guess_agency(title, vocab) if title.strip() else None
    if label:
        return label, "the title rows"
    label = guess_from_columns(columns, vocab)
    if label:
        return label, "the columns"
    tidy = " ".join(w.capitalize() for w in words) or stem
    return tidy, "nothing: the file name; please correct"
