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
import tomllib
from collections.abc import Iterable
from pathlib import Path

from chronology.errors import InputError
from chronology.ingest.agency_guess import file_words, guess_agency, guess_file_agency
from chronology.ingest.files import SUFFIX_KIND, cell_text, open_book
from chronology.ingest.layout import Layout, choose_sheet
from chronology.schema import DEFAULT_TIMEZONE
from chronology.vocabulary import Vocabulary, load_vocabulary

__all__ = ["chronology_files", "draft_case", "guess_agency", "toml_string", "unlisted_files", "update_case"]

#: Files beside case.toml that are the analyst's, never an agency's chronology.
SIDE_FILES = frozenset({"overrides.csv", "decisions.csv", "corrections.csv", "subjects.csv"})


def toml_string(text: str) -> str:
    """A TOML basic string (JSON escaping is valid TOML).

    Example:
        >>> toml_string('Children\\'s "Social" Care')
        '"Children\\'s \\\\"Social\\\\" Care"'
    """
    return json.dumps(text, ensure_ascii=False)


def chronology_files(folder: Path, skip: Iterable[str] = ()) -> list[Path]:
    """The CSV and workbook files in a folder, sorted by name.

    Lock and hidden files are skipped, and so are the analyst's own files
    beside case.toml (overrides.csv, decisions.csv, corrections.csv,
    subjects.csv) and any name in ``skip``.

    Example:
        >>> [p.name for p in chronology_files(Path("data_samples/child_h"))]  # doctest: +SKIP
        ['gp.csv', 'police.xlsx']
    """
    skipped = SIDE_FILES | {name.lower() for name in skip}
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file()
        and p.suffix.lower() in SUFFIX_KIND
        and not p.name.startswith((".", "~$"))
        and p.name.lower() not in skipped
    )


def _source_block(path: Path, folder: Path, vocab: Vocabulary) -> tuple[list[str], str]:
    """A file's [[sources]] lines and the agency guessed ("" when the file cannot be read)."""
    name = path.relative_to(folder).as_posix()
    try:
        book = open_book(path, label=name)
        sheet, layout, _ = choose_sheet(book, file=name)
    except InputError as exc:
        guess = guess_file_agency(path.name, vocab=vocab)[0]
        lines = [
            f"# Could not read {name}: {exc.line()}",
            "# [[sources]]",
            f"# path = {toml_string(name)}",
            f"# agency = {toml_string(guess)}",
        ]
        return lines, ""
    title = " ".join(cell_text(c) for row in sheet.head(layout.header_index) for c in row)
    agency, how = guess_file_agency(path.name, title, [str(h) for h in layout.headers], vocab)
    lines = [
        "[[sources]]",
        f"path = {toml_string(name)}",
        f"agency = {toml_string(agency)}  # guessed from {how}",
    ]
    lines += _detected(book.kind, sheet.name, len(book.sheets), layout)
    return lines, agency


#: Words of a file name that say nothing of whose file it is.
_PLAIN_WORDS = frozenset(
    {"chronology", "chron", "imr", "export", "final", "draft", "child", "case", "review"}
)


def _name_of(path: Path) -> str:
    """The words of a file name that name its agency ("Chronology_StMarys_Primary" -> "St Marys Primary")."""
    words = [w for w in file_words(path.stem).split() if w not in _PLAIN_WORDS and len(w) > 1]
    return " ".join(w.capitalize() for w in words) or path.stem


def _detected(kind: str, sheet: str, sheets: int, layout: Layout) -> list[str]:
    lines = []
    if sheet:  # a worksheet, or a Word document's "table N" (CSV and a document's one table have none)
        note = f"  # chosen from {sheets} {'tables' if kind == 'docx' else 'sheets'}" if sheets > 1 else ""
        lines.append(f"# sheet = {toml_string(sheet)}{note}")
    lines.append(f"# header_row = {layout.header_row}  # detected")
    lines.append("# [sources.columns]  # detected; uncomment and correct where wrong")
    lines += [f"# {name} = {toml_string(header)}" for name, header in layout.column_names().items()]
    return lines


#: The optional settings a new case file shows, commented out, for the analyst to fill in.
CASE_PLACEHOLDERS = (
    "# date_of_birth = 2017-01-09   # the child's: ages on the timeline and in the workbook",
    "# pseudonymise = true          # apply [names] to every output (or: merge --pseudonymise)",
    '# subjects = "subjects.csv"    # files holding several children: agency,subject_ref,maps_to',
    '# marking = "OFFICIAL-SENSITIVE"  # the protective marking printed on the documents',
)
TAIL_PLACEHOLDERS = (
    "# [names]                      # real name = pseudonym, applied with --pseudonymise",
    '# "Jane Smith" = "Mother"',
    "",
    "# [rules]                      # analysis settings and their defaults: schemas/rules.toml",
    "# csc_agencies = [\"Children's Social Care\"]   # labels of children's social care, as above",
)


def _drafted(files: list[Path], folder: Path, vocab: Vocabulary, taken: Iterable[str] = ()) -> list[str]:
    """The [[sources]] blocks for some files; a label guessed twice gets the file's name beside it."""
    blocks = [_source_block(path, folder, vocab) for path in files]
    seen = list(taken) + [agency for _, agency in blocks if agency]
    out: list[str] = []
    for path, (lines, agency) in zip(files, blocks, strict=True):
        name = _name_of(path)
        if agency and seen.count(agency) > 1 and name.lower() != agency.lower():
            label = f"{agency} ({name})"
            lines = [
                f"agency = {toml_string(label)}  # two files guessed as {agency}; please check"
                if line.startswith("agency = ")
                else line
                for line in lines
            ]
        out += ["", *lines]
    return out


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
            hint="put the agencies' chronologies (.xlsx, .xls, .ods, .csv, .docx) in it",
        )
    out = [
        "# A starting case file drafted by `chronology init`. Check every agency label,",
        "# then run: chronology validate case.toml",
        "[case]",
        f"name = {toml_string(folder.resolve().name)}",
        f"timezone = {toml_string(DEFAULT_TIMEZONE)}",
        *CASE_PLACEHOLDERS,
    ]
    out += _drafted(files, folder, vocab)
    out += ["", *TAIL_PLACEHOLDERS]
    return "\n".join(out) + "\n"


_COMMENTED_PATH = re.compile(r"^#\s*path\s*=\s*(\".*\")\s*$", re.MULTILINE)


def listed_paths(text: str, folder: Path) -> set[Path]:
    """The files a case file's text names: its sources' paths, and those ``init`` left commented out."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML ({exc})", file="case.toml") from None
    paths = [str(s.get("path", "")) for s in doc.get("sources", []) if isinstance(s, dict)]
    for quoted in _COMMENTED_PATH.findall(text):
        try:
            paths.append(str(json.loads(quoted)))
        except ValueError:
            continue
    return {(folder / p).resolve() for p in paths if p}


def _subjects_name(text: str) -> list[str]:
    try:
        subjects = tomllib.loads(text).get("case", {}).get("subjects")
    except tomllib.TOMLDecodeError:
        return []
    return [Path(subjects).name] if isinstance(subjects, str) else []


def unlisted_files(case_file: Path) -> list[Path]:
    """Chronology files in the case's folder that its case.toml does not name.

    Example:
        >>> unlisted_files(Path("data_samples/child_h/case.toml"))  # doctest: +SKIP
        []
    """
    text = Path(case_file).read_text(encoding="utf-8-sig")
    folder = Path(case_file).parent
    listed = listed_paths(text, folder)
    return [p for p in chronology_files(folder, skip=_subjects_name(text)) if p.resolve() not in listed]


def update_case(case_file: Path) -> tuple[str, list[Path]]:
    """The case file's text with a [[sources]] block added for each file it does not name yet.

    Every existing line is kept as it is, byte for byte (labels, columns,
    names, comments, line endings): the new blocks are appended at the end,
    where TOML allows more [[sources]] after any table. Write the text back
    with ``newline=""``.

    Returns:
        (the new text, the files added); the text is unchanged when none is new.

    Raises:
        InputError: The case file is not valid TOML (nothing is written).
    """
    case_file = Path(case_file)
    folder = case_file.parent
    raw = case_file.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    new = unlisted_files(case_file)
    if not new:
        return ("\ufeff" if bom else "") + text, []
    vocab = load_vocabulary()
    taken = [str(s.get("agency", "")) for s in tomllib.loads(text).get("sources", []) if isinstance(s, dict)]
    lines = [
        "",
        "# Added by `chronology init --update`: check each agency label.",
        *_drafted(new, folder, vocab, taken),
    ]
    eol = "\r\n" if "\r\n" in text else "\n"  # the file's own line endings, and its byte-order mark
    updated = text.rstrip("\r\n") + eol + eol.join(lines) + eol
    tomllib.loads(updated)  # appending [[sources]] is valid after any table; checked all the same
    return ("\ufeff" if bom else "") + updated, new
