"""``chronology init FOLDER``: draft a starting case.toml from the files in a folder.

Each CSV or workbook found becomes a ``[[sources]]`` entry. The agency label
is guessed from the file name, then from the title rows above the header,
through the shipped agency aliases (``schemas/agencies.toml``); failing both,
the file name itself. What detection found (sheet, header row, columns) is
written as comments: reading does the same detection on every run, and the
analyst uncomments a line only to correct it. A file that cannot be read is
listed commented out, with the reason.

Example:
    >>> print(draft_case(Path("data_samples/child_h")))  # doctest: +SKIP
    [case]
    name = "child_h"
    ...
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from chronology.errors import InputError
from chronology.ingest.files import SUFFIX_KIND, cell_text, open_book
from chronology.ingest.layout import Layout, choose_sheet
from chronology.schema import DEFAULT_TIMEZONE
from chronology.vocabulary import Vocabulary, load_vocabulary

_WORDS = re.compile(r"[^a-z0-9&']+")


def toml_string(text: str) -> str:
    """A TOML basic string (JSON escaping is valid TOML).

    Example:
        >>> toml_string('Children\\'s "Social" Care')
        '"Children\\'s \\\\"Social\\\\" Care"'
    """
    return json.dumps(text, ensure_ascii=False)


def guess_agency(text: str, vocab: Vocabulary | None = None) -> str | None:
    """The agency label whose longest alias appears in the text as whole words.

    Example:
        >>> guess_agency("child_h_police_IMR.xlsx")
        'Police'
        >>> guess_agency("Health Visiting chronology - Child H")
        'Health Visiting'
    """
    vocab = vocab or load_vocabulary()
    words = f" {_WORDS.sub(' ', text.lower().replace('_', ' '))} "
    best: tuple[int, str | None] = (0, None)
    for kind in vocab.agencies.values():
        for alias in (kind.label.lower(), *kind.aliases):
            alias_words = _WORDS.sub(" ", alias).strip()
            if alias_words and f" {alias_words} " in words and len(alias_words) > best[0]:
                best = (len(alias_words), kind.label)
    return best[1]


def chronology_files(folder: Path) -> list[Path]:
    """The CSV and workbook files in a folder, sorted by name (lock and hidden files skipped).

    Example:
        >>> [p.name for p in chronology_files(Path("data_samples/child_h"))]  # doctest: +SKIP
        ['gp.csv', 'police.xlsx']
    """
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in SUFFIX_KIND and not p.name.startswith((".", "~$"))
    )


def _source_block(path: Path, folder: Path, vocab: Vocabulary) -> list[str]:
    name = path.relative_to(folder).as_posix()
    try:
        book = open_book(path, label=name)
        sheet, layout, _ = choose_sheet(book, file=name)
    except InputError as exc:
        guess = guess_agency(path.stem, vocab) or path.stem
        return [
            f"# Could not read {name}: {exc.line()}",
            "# [[sources]]",
            f"# path = {toml_string(name)}",
            f"# agency = {toml_string(guess)}",
        ]
    title = " ".join(cell_text(c) for row in sheet.head(layout.header_index) for c in row)
    agency, how = guess_agency(path.stem, vocab), "the file name"
    if agency is None:
        agency, how = guess_agency(title, vocab), "the title rows"
    if agency is None:
        agency, how = path.stem.replace("_", " ").strip().title(), "nothing: the file name; please correct"
    lines = [
        "[[sources]]",
        f"path = {toml_string(name)}",
        f"agency = {toml_string(agency)}  # guessed from {how}",
    ]
    lines += _detected(book.kind, sheet.name, len(book.sheets), layout)
    return lines


def _detected(kind: str, sheet: str, sheets: int, layout: Layout) -> list[str]:
    lines = []
    if kind != "csv":
        note = f"  # chosen from {sheets} sheets" if sheets > 1 else ""
        lines.append(f"# sheet = {toml_string(sheet)}{note}")
    lines.append(f"# header_row = {layout.header_row}  # detected")
    lines.append("# [sources.columns]  # detected; uncomment and correct where wrong")
    lines += [f"# {name} = {toml_string(header)}" for name, header in layout.column_names().items()]
    return lines


def draft_case(folder: Path) -> str:
    """The text of a starting case.toml for the chronology files in a folder.

    Args:
        folder: The folder holding the agencies' files.

    Raises:
        InputError: The folder holds no CSV or workbook.

    Example:
        >>> "[[sources]]" in draft_case(Path("data_samples/child_h"))  # doctest: +SKIP
        True
    """
    folder = Path(folder)
    vocab = load_vocabulary()
    files = chronology_files(folder)
    if not files:
        raise InputError(
            "no CSV or spreadsheet files in the folder",
            file=str(folder),
            hint="put the agencies' chronologies (.xlsx, .xls, .ods, .csv) in it",
        )
    out = [
        "# A starting case file drafted by `chronology init`. Check every agency label,",
        "# then run: chronology validate case.toml",
        "[case]",
        f"name = {toml_string(folder.resolve().name)}",
        f"timezone = {toml_string(DEFAULT_TIMEZONE)}",
    ]
    for path in files:
        out += ["", *_source_block(path, folder, vocab)]
    return "\n".join(out) + "\n"
