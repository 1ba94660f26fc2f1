"""The case file (case.toml): what to read, how, and the analysis settings.

Example case.toml::

    [case]
    name = "Child H review"
    timezone = "Europe/London"
    [[sources]]
    path = "police.xlsx"
    agency = "Police"

Every key is checked; a misspelt key is named with the closest valid one.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chronology.errors import ConfigError
from chronology.schema import DEFAULT_TIMEZONE, NAMED_FIELDS

#: Canonical fields a source column can be mapped to in [sources.columns].
CANONICAL_FIELDS = (
    "date",
    "time",
    "end_date",
    "event_type",
    "description",
    "outcome",
    "practitioner",
    "subject_ref",
    # the named fields of the event schema (other_fields is what no column names)
    "entry_date",
    "completed_date",
    *(f for f in NAMED_FIELDS if f not in {"entry_date", "end_date", "completed_date", "other_fields"}),
)

CASE_KEYS = ("name", "timezone", "date_of_birth", "pseudonymise", "subjects", "marking", "scope")
#: The protective marking printed on documents unless [case] marking says otherwise.
DEFAULT_MARKING = "OFFICIAL-SENSITIVE"
SOURCE_KEYS = (
    "path",
    "agency",
    "sheet",
    "header_row",
    "encoding",
    "delimiter",
    "aliases",
    "columns",
)
TOP_KEYS = ("case", "sources", "rules", "names", "match")


@dataclass(frozen=True)
class SourceConfig:
    """One agency file named in case.toml.

    Attributes:
        path: The path as written in case.toml (relative to the case file).
        agency: The agency label used everywhere downstream.
        resolved: The absolute path of the file.
        sheet: Worksheet to read, where auto-detection is wrong; a tuple of
            names for a chronology over several sheets, read as one source.
        header_row: Header row as a spreadsheet program numbers rows (1-based).
        encoding: Text encoding of a CSV, where detection is wrong.
        delimiter: CSV delimiter, where sniffing is wrong.
        aliases: What other agencies call this one, beyond the shipped list.
        columns: Canonical field -> the agency's column name.
    """

    path: str
    agency: str
    resolved: Path
    sheet: str | tuple[str, ...] | None = None
    header_row: int | None = None
    encoding: str | None = None
    delimiter: str | None = None
    aliases: tuple[str, ...] = ()
    columns: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CaseConfig:
    """A parsed case.toml.

    Attributes:
        path: The case file.
        name: The case's name ("Child H review").
        timezone: IANA timezone of the chronologies' local times.
        date_of_birth: The child's date of birth, where given.
        pseudonymise: Apply [names] to every output.
        sources: The agency files, in case.toml order.
        rules: The [rules] table (analysis thresholds), as written.
        names: The [names] table: real name -> pseudonym.
        match: The [match] table (matching thresholds), as written.
        subjects: Path of a table mapping agencies' subject references to one.
        marking: The protective marking in the header of printed documents.
        scope: The review's terms of reference, (start, end), either None when open.
        sha256: The case file's content hash.
    """

    path: Path
    name: str
    timezone: str = DEFAULT_TIMEZONE
    date_of_birth: date | None = None
    pseudonymise: bool = False
    sources: tuple[SourceConfig, ...] = ()
    rules: dict[str, Any] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    match: dict[str, Any] = field(default_factory=dict)
    subjects: Path | None = None
    marking: str = DEFAULT_MARKING
    scope: tuple[date | None, date | None] | None = None
    sha256: str = ""

    @property
    def folder(self) -> Path:
        """The folder holding the case file (and overrides.csv, decisions.csv)."""
        return self.path.parent


def _check_keys(table: dict[str, Any], valid: tuple[str, ...], where: str, file: str) -> None:
    for key in table:
        if key not in valid:
            close = difflib.get_close_matches(key, valid, n=1, cutoff=0.5)
            hint = f"did you mean '{close[0]}'?" if close else f"valid keys: {', '.join(valid)}"
            raise ConfigError(f"unknown key '{key}' in {where}", file=file, hint=hint)


def _expect(value: Any, kind: type | tuple[type, ...], key: str, where: str, file: str) -> Any:
    if not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise ConfigError(f"'{key}' in {where} must be a {names}, not {value!r}", file=file)
    return value


def _source(raw: Any, index: int, folder: Path, file: str) -> SourceConfig:
    where = f"[[sources]] #{index + 1}"
    _expect(raw, dict, "sources", "the case file", file)
    _check_keys(raw, SOURCE_KEYS, where, file)
    for key in ("path", "agency"):
        if key not in raw:
            raise ConfigError(f"{where} has no '{key}'", file=file, hint=f'add {key} = "..."')
        _expect(raw[key], str, key, where, file)
    path = raw["path"]
    resolved = (folder / path).resolve()
    if not resolved.is_relative_to(folder.resolve()):
        raise ConfigError(
            f"source path '{path}' is outside the case folder",
            file=file,
            hint="copy the file into the folder that holds case.toml",
        )
    columns = _expect(raw.get("columns", {}), dict, "columns", where, file)
    _check_keys(columns, CANONICAL_FIELDS, f"{where} columns", file)
    for key, value in columns.items():
        _expect(value, str, key, f"{where} columns", file)
    header_row = raw.get("header_row")
    if header_row is not None and (not isinstance(header_row, int) or header_row < 1):
        raise ConfigError(f"'header_row' in {where} must be a whole number from 1", file=file)
    aliases = _expect(raw.get("aliases", []), list, "aliases", where, file)
    for key in ("encoding", "delimiter"):
        if key in raw:
            _expect(raw[key], str, key, where, file)
    sheet = raw.get("sheet")
    if isinstance(sheet, list) and sheet and all(isinstance(name, str) for name in sheet):
        sheet = tuple(sheet)  # a chronology over several sheets (one a year), read as one source
    elif sheet is not None and not isinstance(sheet, str):
        raise ConfigError(f"'sheet' in {where} must be a sheet name or a list of sheet names", file=file)
    return SourceConfig(
        path=path,
        agency=raw["agency"].strip(),
        resolved=resolved,
        sheet=sheet,
        header_row=header_row,
        encoding=raw.get("encoding"),
        delimiter=raw.get("delimiter"),
        aliases=tuple(str(a) for a in aliases),
        columns=dict(columns),
    )


def _scope(raw: Any, file: str) -> tuple[date | None, date | None] | None:
    """``[case] scope = { start = 2019-01-01, end = 2020-12-31 }`` (either may be left out)."""
    if raw is None:
        return None
    _expect(raw, dict, "scope", "[case]", file)
    _check_keys(raw, ("start", "end"), "[case] scope", file)
    bounds: list[date | None] = []
    for key in ("start", "end"):
        value = raw.get(key)
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value)
            except ValueError:
                raise ConfigError(
                    f"scope {key} is not a date", file=file, hint="write it as 2019-01-01"
                ) from None
        if value is not None and not isinstance(value, date):
            raise ConfigError(f"scope {key} must be a date such as 2019-01-01", file=file)
        bounds.append(value)
    if bounds[0] and bounds[1] and bounds[1] < bounds[0]:
        raise ConfigError("scope ends before it starts", file=file)
    return bounds[0], bounds[1]


def load_config(path: str | Path) -> CaseConfig:
    """Read and check a case.toml.

    Args:
        path: The case file.

    Raises:
        ConfigError: One line naming the file and the key at fault.

    Example:
        >>> cfg = load_config("data_samples/child_h/case.toml")  # doctest: +SKIP
        >>> [s.agency for s in cfg.sources]  # doctest: +SKIP
        ['Police', "Children's Social Care", ...]
    """
    import hashlib

    path = Path(path)
    file = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError("case file not found", file=file) from None
    except OSError as exc:
        raise ConfigError(f"cannot read the case file ({exc.strerror})", file=file) from None
    try:
        doc = tomllib.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ConfigError("the case file is not UTF-8 text", file=file) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML ({exc})", file=file) from None
    _check_keys(doc, TOP_KEYS, "the case file", file)
    case = _expect(doc.get("case", {}), dict, "case", "the case file", file)
    _check_keys(case, CASE_KEYS, "[case]", file)
    timezone = _expect(case.get("timezone", DEFAULT_TIMEZONE), str, "timezone", "[case]", file)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"unknown timezone '{timezone}'", file=file, hint="e.g. Europe/London") from None
    dob = case.get("date_of_birth")
    if isinstance(dob, str):
        try:
            dob = date.fromisoformat(dob)
        except ValueError:
            raise ConfigError(
                f"date_of_birth '{dob}' is not a date", file=file, hint="write it as 2018-05-21"
            ) from None
    if dob is not None and not isinstance(dob, date):
        raise ConfigError("date_of_birth must be a date such as 2018-05-21", file=file)
    raw_sources = _expect(doc.get("sources", []), list, "sources", "the case file", file)
    folder = path.parent
    sources = tuple(_source(s, i, folder, file) for i, s in enumerate(raw_sources))
    if not sources:
        raise ConfigError(
            "the case file names no [[sources]]", file=file, hint="run 'chronology init FOLDER' to draft one"
        )
    names = _expect(doc.get("names", {}), dict, "names", "the case file", file)
    for key, value in names.items():
        _expect(value, str, key, "[names]", file)
    subjects = case.get("subjects")
    return CaseConfig(
        path=path,
        name=str(case.get("name", path.parent.name)),
        timezone=timezone,
        date_of_birth=dob,
        pseudonymise=bool(_expect(case.get("pseudonymise", False), bool, "pseudonymise", "[case]", file)),
        sources=sources,
        rules=dict(_expect(doc.get("rules", {}), dict, "rules", "the case file", file)),
        names=dict(names),
        match=dict(_expect(doc.get("match", {}), dict, "match", "the case file", file)),
        subjects=(folder / subjects) if isinstance(subjects, str) else None,
        marking=str(_expect(case.get("marking", DEFAULT_MARKING), str, "marking", "[case]", file)).strip(),
        scope=_scope(case.get("scope"), file),
        sha256=hashlib.sha256(data).hexdigest(),
    )
