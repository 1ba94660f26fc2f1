"""Pseudonyms: replace the real names of ``[names]`` in every output, and check.

``[names]`` in case.toml maps real names to pseudonyms::

    [names]
    "Jodie Brennan" = "Mother"
    "Kai" = "Child H"
    "J.B." = "Mother"

How names are matched (one pass over each text, so a pseudonym is never
replaced again):

- Whole words, case-insensitive: "Kai" matches "KAI" and "kai." but not
  "Kaiser". A name that is also an everyday word ("May", "Will") is therefore
  replaced everywhere it appears; list the fuller name instead if that is a
  problem. Over-replacing is the safe direction.
- Possessives come for free: "Jodie's" and "Jodie’s" become "Mother's".
- Longest first: "Jodie Brennan" wins over "Jodie" where both are listed.
- Spaces inside a name match any run of white space ("Jodie  Brennan",
  a line break, a non-breaking space).
- Initials are matched only where listed. A listed entry made of single
  letters ("J.B.", "JB", "J. B.") matches all its dotted and undotted forms.
- From a listed full name of two or more words the toolkit derives the
  initial-and-surname forms "J Brennan", "J. Brennan", "J.Brennan" and the
  reversed "Brennan, Jodie", mapped to the same pseudonym. A derived form
  that two listed names share with different pseudonyms (Jodie and John
  Brennan) is left out as ambiguous; list it explicitly to cover it.
- A surname alone is replaced only where it is listed.
- Both composed and decomposed Unicode spellings ("Zoë") are matched.

Columns holding identifiers and codes (``record_id``, ``cluster_id``,
``finding_id``, ``event_type``, ``status``...) are left alone; every other
text column of events, clusters, pairs, findings and sources is rewritten.
Cells that hold JSON (``raw``, ``rule``, ``cited``) are rewritten inside their
string values and stay valid JSON; keys (fields, an agency's column headers)
are kept, so a name in a column header fails the check rather than being
rewritten.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import gzip
import html
import json
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from chronology.errors import InputError
from chronology.pipeline import Run

#: Columns never rewritten: identifiers and codes from fixed vocabularies.
KEEP_COLUMNS = frozenset(
    {
        "record_id",
        "record_ids",
        "cluster_id",
        "finding_id",
        "event_type",
        "status",
        "date_precision",
        "kind",
        "subkind",
        "severity",
        "sha256",
        "cited_hash",
        "decision",
    }
)
_ID_COLUMN = re.compile(r"(?:^|_)ids?(?:_|$)")
_INITIALS = re.compile(r"^(?:[^\W\d_]\.?\s*){2,4}$")


def _is_initials(name: str) -> bool:
    """Single letters with dots or spaces ("J.B.", "J B") or in capitals ("JB")."""
    name = name.strip()
    return bool(_INITIALS.match(name)) and (name.isupper() or any(c in name for c in ". "))


class PseudonymisationError(InputError):
    """Pseudonyms were asked for but a real name would be left in an output."""


def _name_pattern(name: str) -> str:
    """The regular expression (without boundaries) of one listed name."""
    name = name.strip()
    if _is_initials(name):
        letters = [c for c in name if c.isalpha()]
        return r"\.?\s*".join(re.escape(c) for c in letters) + r"\.?"
    return r"\s+".join(re.escape(word) for word in name.split())


def _derived(name: str) -> list[str]:
    """Initial-and-surname and reversed forms of a full name of 2+ words."""
    words = name.split()
    if len(words) < 2 or _is_initials(name):
        return []
    first, surname = words[0], words[-1]
    initial = first[0]
    return [
        f"{initial} {surname}",
        f"{initial}. {surname}",
        f"{initial}.{surname}",
        f"{surname}, {' '.join(words[:-1])}",
    ]


def _variants(names: Mapping[str, str]) -> dict[str, str]:
    """Every form to replace -> its pseudonym: listed names, then derived forms."""
    listed = {k.strip(): v for k, v in names.items() if k.strip()}
    derived: dict[str, set[str]] = {}
    for name, pseudonym in listed.items():
        for form in _derived(name):
            derived.setdefault(form.casefold(), set()).add(pseudonym)
    forms: dict[str, str] = dict(listed)
    listed_folded = {k.casefold() for k in listed}
    for name, pseudonym in listed.items():
        for form in _derived(name):
            key = form.casefold()
            if key not in listed_folded and len(derived[key]) == 1:
                forms.setdefault(form, pseudonym)
    return forms


def _compile(forms: Iterable[str]) -> re.Pattern[str] | None:
    """One alternation of the forms, longest first, with whole-word boundaries."""
    patterns: dict[str, int] = {}
    for form in forms:
        for spelling in {form, unicodedata.normalize("NFD", form), unicodedata.normalize("NFC", form)}:
            patterns.setdefault(_name_pattern(spelling), len(spelling))
    if not patterns:
        return None
    ordered = sorted(patterns, key=lambda p: (-patterns[p], p))
    return re.compile(r"(?<!\w)(?:" + "|".join(ordered) + r")(?!\w)", re.IGNORECASE)


def _lookup(forms: Mapping[str, str]) -> Callable[[str], str]:
    """A function from a matched text to the pseudonym of its form."""
    exact = {re.sub(r"\s+", " ", unicodedata.normalize("NFC", k)).casefold(): v for k, v in forms.items()}
    squeezed = {re.sub(r"[\s.]", "", k): v for k, v in exact.items()}

    def find(matched: str) -> str:
        key = re.sub(r"\s+", " ", unicodedata.normalize("NFC", matched)).casefold()
        if key in exact:
            return exact[key]
        return squeezed.get(re.sub(r"[\s.]", "", key), matched)

    return find


class Pseudonymiser:
    """Replaces listed real names in text, JSON text and table cells.

    Example:
        >>> p = Pseudonymiser({"Jodie Brennan": "Mother", "Kai": "Child H"})
        >>> p.text("Kai seen with J. Brennan; Jodie Brennan's phone off")
        "Child H seen with Mother; Mother's phone off"
    """

    def __init__(self, names: Mapping[str, str]) -> None:
        forms = _variants(names)
        self.pattern = _compile(forms)
        self._find = _lookup(forms)

    def text(self, value: str) -> str:
        """Replace every listed name in one text."""
        if self.pattern is None or not self.pattern.search(value):
            return value
        return self.pattern.sub(lambda m: self._find(m.group(0)), value)

    def json_text(self, value: str) -> str:
        """Replace names inside the strings of a JSON text; other text as plain text.

        A JSON text is parsed first, so that a name after an escape
        (``"\\nKai"``) is found; it is written again only if a name was replaced.
        """
        if self.pattern is None:
            return value
        if value.lstrip()[:1] in ("{", "["):
            try:
                parsed = json.loads(value)
            except ValueError:
                return self.text(value)
            replaced = self.value(parsed)
            return value if replaced == parsed else json.dumps(replaced, ensure_ascii=False)
        return self.text(value)

    def value(self, value: Any) -> Any:
        """Replace names in a cell: text, JSON text, list, dict values; others as they are."""
        if isinstance(value, str):
            return self.json_text(value)
        if isinstance(value, dict):
            # Keys are structure (a record's fields, an agency's column headers): kept.
            return {k: self.value(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
            items = value.tolist() if hasattr(value, "tolist") else value
            if isinstance(items, list):
                return [self.value(v) for v in items]
        return value

    def frame(self, frame: pd.DataFrame) -> pd.DataFrame:
        """A copy of a table with names replaced in every text column."""
        out = frame.copy()
        for column in out.columns:
            name = str(column)
            if name in KEEP_COLUMNS or _ID_COLUMN.search(name):
                continue
            series = out[column]
            if not (pd.api.types.is_string_dtype(series.dtype) or series.dtype == object or _is_list(series)):
                continue
            mapped = series.map(self.value, na_action="ignore")
            try:
                out[column] = mapped.astype(series.dtype)
            except (TypeError, ValueError):
                out[column] = mapped
        return out


def _is_list(series: pd.Series) -> bool:
    return isinstance(series.dtype, pd.ArrowDtype) and "list" in str(series.dtype)


def pseudonymise_run(run: Run, names: Mapping[str, str]) -> Run:
    """A new Run with the real names replaced in every text of every table.

    Args:
        run: The run to copy.
        names: Real name -> pseudonym, as in ``[names]``.

    Returns:
        A new Run (the input is not changed): events, clusters, pairs,
        findings, sources, warnings and the case's name rewritten.

    Example:
        >>> safe = pseudonymise_run(run, {"Jodie Brennan": "Mother"})  # doctest: +SKIP
    """
    p = Pseudonymiser(names)
    config = dataclasses.replace(run.config, name=p.text(run.config.name))
    return Run(
        config=config,
        events=p.frame(run.events),
        sources=p.frame(run.sources),
        clusters=p.frame(run.clusters),
        pairs=p.frame(run.pairs),
        findings=p.frame(run.findings),
        warnings=[p.text(w) for w in run.warnings],
        corrections=p.frame(run.corrections),
    )


def names_left(texts: Iterable[str], names: Mapping[str, str]) -> list[str]:
    """The listed real names still present in some text, in the map's order.

    Matching is the same as for replacing (whole word, case-insensitive,
    listed initials in all their forms); derived forms are not checked.

    Example:
        >>> names_left(["Mother called", "kai at school"], {"Jodie": "Mother", "Kai": "Child H"})
        ['Kai']
    """
    checks = [(name, _compile([name])) for name in names if name.strip()]
    anyone = _compile([name for name, _ in checks])
    found: set[str] = set()
    for text in texts:
        if anyone is None or not anyone.search(text):
            continue
        for name, pattern in checks:
            if name not in found and pattern is not None and pattern.search(text):
                found.add(name)
        if len(found) == len(checks):
            break
    return [name for name, _ in checks if name in found]


def unlisted_surnames(names: Mapping[str, str]) -> list[str]:
    """Last words of listed full names that are not listed alone, which stay as written.

    Police and case-system entries often name people by surname alone
    ("BRENNAN states accident"); the command line can warn with this list.

    Example:
        >>> unlisted_surnames({"Jodie Brennan": "Mother", "Ryan Cole": "Partner", "Cole": "Partner",
        ...                    "14 Larch Close": "the family home"})
        ['Brennan']
    """
    listed = {k.strip().casefold() for k in names}
    out: dict[str, None] = {}
    for name in names:
        words = name.split()
        if any(ch.isdigit() for ch in name):
            continue  # an address ("14 Larch Close"), not a person
        if len(words) >= 2 and not _is_initials(name) and words[-1].casefold() not in listed:
            out.setdefault(words[-1], None)
    return list(out)


_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_BACKSLASH_ESCAPE = re.compile(r"\\[nrtbf]")


def _unescape(text: str) -> str:
    """Undo HTML entities and JSON escapes so that hidden names show.

    ``\\u004bai`` becomes "Kai"; ``\\nKai`` (a line break written inside JSON)
    becomes " Kai", so the name stands as a whole word again.
    """
    text = _JSON_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    text = _BACKSLASH_ESCAPE.sub(" ", text).replace("\\/", "/")
    return html.unescape(text)


def _without_plotly(text: str) -> str:
    """The page without the embedded plotly.js bundle.

    The bundle is fixed third-party code whose minified identifiers include
    short names ("Kai", "Eva"); it holds none of the case's data, so it is
    left out of the check. Everything else in the page is checked.
    """
    try:
        import plotly.offline
    except ImportError:
        return text
    bundle = plotly.offline.get_plotlyjs()
    for form in (bundle, bundle.replace("</script", "<\\/script")):
        if form in text:
            text = text.replace(form, "")
    return text


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)


_TAG = re.compile(r"<[^>]*>")
_BLOCK = re.compile(r"<(script|style)\b([^>]*)>(.*?)</\1\s*>", re.S | re.I)
_ATTRIBUTE = re.compile(r"""([^\s=/<>"']+)\s*=\s*("[^"]*"|'[^']*'|[^\s>"']+)""")
#: Attributes that hold markup, not text: their values are not checked.
_MARKUP_ATTRIBUTES = frozenset(
    {"style", "class", "id", "for", "lang", "role", "type", "scope", "charset", "http-equiv", "rel", "name"}
)
#: ``<script type=...>`` values a browser runs as code; a script block of any other type holds data.
_CODE_TYPES = frozenset(
    {
        "",
        "module",
        "text/javascript",
        "application/javascript",
        "application/ecmascript",
        "application/x-javascript",
        "application/x-ecmascript",
        "text/ecmascript",
        "text/jscript",
        "text/livescript",
    }
)
#: Script types whose text is gzip in base64 (timeline.html's data: ``chronology.views.report.pack_data``).
_GZIP_TYPES = frozenset({"application/gzip", "application/x-gzip"})


def _xml_text(xml: str) -> str:
    """The text of an XML part: element text only (the workbook keeps no data in attributes)."""
    return _TAG.sub(" ", xml)


def _attributes(tag: str) -> dict[str, str]:
    return {k.lower(): v.strip("\"'") for k, v in _ATTRIBUTE.findall(tag)}


def _unpacked(text: str, file: str) -> str:
    """The text of a gzip-in-base64 data block; PseudonymisationError if it cannot be read.

    A block that cannot be read cannot be checked, so the check fails rather
    than pass a page whose data it has not seen.
    """
    try:
        return gzip.decompress(base64.b64decode("".join(text.split()), validate=True)).decode("utf-8")
    except (binascii.Error, OSError, EOFError, zlib.error, UnicodeDecodeError) as err:
        raise PseudonymisationError(
            f"its compressed data could not be read to check it for names ({err})",
            file=file,
            hint="write the outputs again",
        ) from err


def _page_texts(page: str, file: str = "page") -> list[str]:
    """What a page shows and holds as data: its text and attribute values, then each data block's text.

    Code (``<script>`` of a JavaScript type, ``<style>``, ``on...`` and markup
    attributes, tag names) is left out: minified code and CSS hold words such
    as "max" and "Kai" that are no one's name. Any other script block is data:
    its text is checked as it stands (JSON) or once unpacked (gzip in base64),
    apart from the page's markup, so that a ``<`` in the data cannot hide a
    name from the tag pattern.
    """
    page = _without_plotly(page)
    data: list[str] = []

    def block(m: re.Match[str]) -> str:
        kind = _attributes(m.group(2)).get("type", "").strip().lower().split(";")[0].strip()
        if m.group(1).lower() == "script" and kind not in _CODE_TYPES:
            data.append(_unpacked(m.group(3), file) if kind in _GZIP_TYPES else m.group(3))
        return " "

    def tag(m: re.Match[str]) -> str:
        values = [
            v.strip("\"'")
            for k, v in _ATTRIBUTE.findall(m.group(0))
            if k.lower() not in _MARKUP_ATTRIBUTES and not k.lower().startswith("on")
        ]
        return " " + " ".join(values) + " "

    return [_TAG.sub(tag, _BLOCK.sub(block, page)), *data]


def output_texts(path: Path) -> list[str]:
    """Every text an output file holds, read back the way a reader would see it.

    Parquet through pyarrow (every string cell), xlsx and docx as the element
    text of every XML part, HTML as its text, attribute values and data blocks (JSON,
    and gzip in base64 unpacked; not its code), other files as text; each text
    also with HTML entities and JSON escapes undone (a JSON cell, the JSON
    inside a page).

    Raises:
        PseudonymisationError: A page's compressed data block cannot be read.

    Example:
        >>> texts = output_texts(Path("out/findings.md"))  # doctest: +SKIP
    """
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        meta = table.schema.metadata or {}
        # Arrow's own schema record is binary; anything else written there is checked.
        texts = [v.decode("utf-8", "replace") for k, v in meta.items() if not k.startswith(b"ARROW:")]
        for column in table.columns:
            # One text per column, cells on lines of their own: few, long texts check fast.
            texts.append("\n".join(_strings(column.to_pylist())))
    elif suffix in (".xlsx", ".docx"):
        with zipfile.ZipFile(path) as archive:
            texts = [_xml_text(archive.read(n).decode("utf-8", "replace")) for n in archive.namelist()]
    else:
        raw = path.read_bytes().decode("utf-8-sig", "replace")
        texts = _page_texts(raw, path.name) if suffix in (".html", ".htm") else [raw]
    return [*texts, *(u for t in texts if (u := _unescape(t)) != t)]


def check_files(files: Mapping[str, Path], names: Mapping[str, str]) -> list[str]:
    """Like ``check_outputs`` for files named by label: ``"label: name"`` per name left.

    Raises:
        PseudonymisationError: A page's compressed data cannot be read, so cannot be checked.
    """
    left: list[str] = []
    for label, path in files.items():
        try:
            texts = output_texts(path)
        except PseudonymisationError as err:  # named by its label, not the file's temporary name
            raise PseudonymisationError(err.message, file=label, hint=err.hint) from err
        left.extend(f"{label}: {name}" for name in names_left(texts, names))
    return left


def check_outputs(out_dir: Path, names: Mapping[str, str]) -> list[str]:
    """List ``"file: name"`` for each real name still present in an output.

    Args:
        out_dir: The folder ``merge`` wrote.
        names: Real name -> pseudonym, as in ``[names]``.

    Returns:
        One line per (output file, real name) found; empty when clean.

    Example:
        >>> check_outputs(Path("out/child_h"), {"Jodie Brennan": "Mother"})  # doctest: +SKIP
        []
    """
    from chronology.outputs import OUTPUT_FILES

    files = {name: Path(out_dir) / name for name in OUTPUT_FILES if (Path(out_dir) / name).exists()}
    return check_files(files, names)
