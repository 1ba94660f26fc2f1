"""Checks that can fail cheaply, run before any agency file is read.

A run that reads twenty thousand rows, matches them and then refuses on its
last line wastes the analyst's time; these checks read only case.toml and the
small files beside it:

- the [match] and [rules] settings (misspelt keys, wrong types);
- every agency label the case names outside [[sources]] (``[rules]
  csc_agencies`` and any other ``*_agencies`` list of [rules], the agency
  column of the subjects table, corrected agencies in corrections.csv)
  against the sources' labels, with the closest one suggested: a misspelt
  label would otherwise silently change the findings;
- corrections.csv, read and checked line by line;
- pseudonyms asked for with no [names];
- an output folder that is a file, or that cannot be written.

Example:
    >>> from chronology.config import load_config
    >>> preflight(load_config("data_samples/child_h/case.toml"))  # doctest: +SKIP
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from chronology.config import CaseConfig
from chronology.errors import ConfigError, InputError


def check_settings(config: CaseConfig) -> None:
    """Check the case file's [match] and [rules] tables and every agency label it names.

    Raises:
        ConfigError: A misspelt or mistyped setting, or an agency label that
            no source has, naming the case file and the closest label.
    """
    from chronology.analysis.registry import resolve_rules
    from chronology.match.settings import load_settings

    try:
        load_settings(config.match)
        resolve_rules(config.rules)
    except ConfigError as exc:
        raise ConfigError(exc.message, file=str(config.path), hint=exc.hint) from None
    check_labels(config)


def _rule_labels(rules: Mapping[str, Any], where: str = "[rules]") -> Iterator[tuple[str, str]]:
    """(where, label) for each entry of an ``*agencies`` list in [rules], at any depth."""
    for key, value in rules.items():
        if isinstance(value, Mapping):
            yield from _rule_labels(value, f"[rules.{key}]" if where == "[rules]" else f"{where[:-1]}.{key}]")
        elif str(key).endswith("agencies") and isinstance(value, list):
            for label in value:
                if isinstance(label, str):
                    yield f"{where} {key}", label


def named_labels(config: CaseConfig) -> Iterator[tuple[str, str, str]]:
    """Every agency label the case names outside [[sources]]: (file, where, label).

    Example:
        >>> list(named_labels(config))  # doctest: +SKIP
        [('case.toml', '[rules] csc_agencies', "Children's Social Care")]
    """
    file = str(config.path)
    for where, label in _rule_labels(config.rules):
        yield file, where, label
    if config.subjects is not None and config.subjects.exists():
        from chronology.subjects import read_subject_map

        mapping = read_subject_map(config.subjects)
        for number, label in enumerate(mapping["agency"].tolist(), start=2):
            if label:
                yield config.subjects.name, f"row {number}, column 'agency'", str(label)


def closest_label(label: str, labels: list[str]) -> str | None:
    """The case label a misspelt one most likely means (case and punctuation aside).

    Example:
        >>> closest_label("Childrens Social Care", ["Police", "Children's Social Care"])
        "Children's Social Care"
        >>> closest_label("Probation", ["Police", "GP"]) is None
        True
    """
    flat = {" ".join("".join(c for c in x.lower() if c.isalnum() or c.isspace()).split()): x for x in labels}
    key = " ".join("".join(c for c in label.lower() if c.isalnum() or c.isspace()).split())
    if key in flat:
        return flat[key]
    close = difflib.get_close_matches(key, list(flat), n=1, cutoff=0.6)
    return flat[close[0]] if close else None


def unknown_label_error(label: str, labels: list[str], file: str, where: str) -> ConfigError:
    """The one-line error for a label that names no source, with the closest one."""
    close = closest_label(label, labels)
    hint = f"did you mean '{close}'?" if close else "the case's agencies are: " + ", ".join(labels)
    return ConfigError(f"{where}: '{label}' is not an agency of this case", file=file, hint=hint)


def check_labels(config: CaseConfig) -> None:
    """Refuse an agency label, named anywhere in the case, that no source has.

    Raises:
        ConfigError: Naming the file, the place and the closest label.
    """
    labels = list(dict.fromkeys(s.agency for s in config.sources))
    for file, where, label in named_labels(config):
        if label.strip() not in labels:
            raise unknown_label_error(label, labels, file, where)


def read_checked_corrections(config: CaseConfig, vocab: Any = None) -> Any:
    """corrections.csv read and checked, its corrected agencies among the case's labels (None if absent).

    Raises:
        ConfigError: A bad line, or a corrected agency no source has (the closest suggested).
    """
    from chronology.corrections import read_corrections

    corrections = read_corrections(config.folder / "corrections.csv", timezone=config.timezone, vocab=vocab)
    if corrections is not None:
        labels = list(dict.fromkeys(s.agency for s in config.sources))
        for c in corrections[corrections["field"] == "agency"].itertuples(index=False):
            if str(c.value) not in labels:
                raise unknown_label_error(
                    str(c.value), labels, "corrections.csv", f"row {c.row}, column 'value'"
                )
    return corrections


def check_output_folder(out_dir: Path) -> None:
    """Refuse an output folder that is a file or cannot be written, before any work is done.

    Example:
        >>> check_output_folder(Path("/proc/version"))
        Traceback (most recent call last):
        ...
        chronology.errors.InputError: /proc/version: the output folder is a file; give --out a folder
    """
    out_dir = Path(out_dir)
    if out_dir.exists():
        if not out_dir.is_dir():
            raise InputError("the output folder is a file", file=str(out_dir), hint="give --out a folder")
        if not os.access(out_dir, os.W_OK | os.X_OK):
            raise InputError("the output folder cannot be written", file=str(out_dir))
        return
    parent = out_dir.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise InputError(f"cannot create the output folder: {parent} is a file", file=str(out_dir))
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(f"cannot create the output folder: {parent} cannot be written", file=str(out_dir))


def preflight(config: CaseConfig, *, out_dir: Path | None = None, pseudonymise: bool | None = None) -> None:
    """Every cheap check, before any agency file is read.

    Args:
        config: The parsed case.toml.
        out_dir: The output folder, when the run will write one.
        pseudonymise: Pseudonyms asked for on the command line; None follows
            ``[case] pseudonymise``.

    Raises:
        InputError: The first problem found, as one line.
    """
    wants_names = config.pseudonymise if pseudonymise is None else pseudonymise
    if wants_names and not config.names:
        raise ConfigError(
            "pseudonyms were asked for but [names] is empty",
            file=str(config.path),
            hint='add a [names] table ("Real Name" = "Pseudonym"); nothing was read',
        )
    check_settings(config)
    read_checked_corrections(config)
    if out_dir is not None:
        check_output_folder(out_dir)
