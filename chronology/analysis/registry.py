"""The detector registry: each detector a named unit with its parameters and their sources.

A detector module registers itself with :func:`register`; its parameters and
their defaults come from ``schemas/rules.toml`` (data, so users can read the
source of every default), and a case overrides them in the ``[rules]`` table of
case.toml. :func:`resolve_rules` checks that table and names the closest valid
detector or parameter for a misspelling.

Example:
    >>> from chronology.analysis import DETECTORS
    >>> DETECTORS["contact_gap"].parameters["max_days"].default
    60
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from chronology.errors import ConfigError
from chronology.vocabulary import SCHEMAS_DIR

if TYPE_CHECKING:
    import pandas as pd

    from chronology.analysis.context import Context
    from chronology.analysis.finding import Finding

RULES_FILE = SCHEMAS_DIR / "rules.toml"

#: Keys of [rules] that are settings shared by all detectors, not detectors.
GENERAL_KEYS = ("csc_agencies", "record")


@dataclass(frozen=True)
class Parameter:
    """One threshold of a detector.

    Attributes:
        name: The key in ``[rules.DETECTOR]``.
        default: The default value; its type is the type a case file must use.
        source: Where the default comes from (Working Together 2023, KCSIE, local practice).
        description: What it controls.
    """

    name: str
    default: Any
    source: str
    description: str


RunFunction = Callable[["pd.DataFrame", "pd.DataFrame", Mapping[str, Any], "Context"], "list[Finding]"]


@dataclass(frozen=True)
class Detector:
    """A registered detector: one pattern reviews look for.

    Attributes:
        name: Registry key and ``[rules]`` table name (``missed_handoff``).
        kind: The finding kind it produces (one of ``FINDING_KINDS``).
        description: One paragraph: what it looks for and what counts.
        parameters: Name -> Parameter, from ``schemas/rules.toml``.
        severity: The rule that sets each finding's severity, in words.
        run: ``run(events, clusters, params, context) -> list[Finding]``; events is
            the prepared frame of :func:`chronology.analysis.context.prepare_events`.
    """

    name: str
    kind: str
    description: str
    parameters: dict[str, Parameter] = field(default_factory=dict)
    severity: str = ""
    run: RunFunction | None = None

    def defaults(self) -> dict[str, Any]:
        """Parameter name -> default value (``enabled`` not included)."""
        return {name: p.default for name, p in self.parameters.items()}


#: The registry: detector name -> Detector, in registration order.
DETECTORS: dict[str, Detector] = {}


@lru_cache(maxsize=1)
def _rules_file() -> dict[str, Any]:
    with RULES_FILE.open("rb") as fh:
        return tomllib.load(fh)


def default_parameters(name: str) -> dict[str, Parameter]:
    """The parameters of detector ``name`` as written in ``schemas/rules.toml``.

    Example:
        >>> default_parameters("missed_handoff")["window_working_days"].default
        5
    """
    table = _rules_file().get(name, {})
    return {
        key: Parameter(
            name=key,
            default=value["default"],
            source=str(value.get("source", "")),
            description=str(value.get("description", "")),
        )
        for key, value in table.items()
    }


def register(
    name: str, kind: str, description: str, severity: str = ""
) -> Callable[[RunFunction], RunFunction]:
    """Register a detector's run function under ``name``.

    Example:
        >>> @register("example", "contact_gap", "Finds nothing.")  # doctest: +SKIP
        ... def run(events, clusters, params, context):
        ...     return []
    """

    def wrap(run: RunFunction) -> RunFunction:
        DETECTORS[name] = Detector(
            name=name,
            kind=kind,
            description=" ".join(description.split()),
            parameters=default_parameters(name),
            severity=severity,
            run=run,
        )
        return run

    return wrap


def _closest(key: str, valid: list[str]) -> str:
    close = difflib.get_close_matches(key, valid, n=1, cutoff=0.4)
    return f"did you mean '{close[0]}'?" if close else f"valid names: {', '.join(valid)}"


def _same_type(value: Any, default: Any) -> bool:
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(default, list):
        return isinstance(value, list)
    if isinstance(default, dict):
        return isinstance(value, dict)
    return isinstance(value, type(default))


def resolve_rules(rules: Mapping[str, Any] | None) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Check a ``[rules]`` table and merge it over the defaults.

    Args:
        rules: The ``[rules]`` table of case.toml as written (or None).

    Returns:
        (detector name -> parameters with ``enabled``, general settings).

    Raises:
        ConfigError: An unknown detector or parameter (naming the closest valid
            one), a value of the wrong type, or a negative number.

    Example:
        >>> params, general = resolve_rules({"contact_gap": {"max_days": 90}})
        >>> params["contact_gap"]["max_days"], params["missed_handoff"]["window_working_days"]
        (90, 5)
    """
    rules = dict(rules or {})
    general: dict[str, Any] = {"csc_agencies": [], "record": {}}
    resolved = {name: {"enabled": True, **d.defaults()} for name, d in DETECTORS.items()}
    valid_tables = [*DETECTORS, *GENERAL_KEYS]
    for key, table in rules.items():
        if key == "csc_agencies":
            if not isinstance(table, list) or not all(isinstance(x, str) for x in table):
                raise ConfigError(
                    "'csc_agencies' in [rules] must be a list of agency labels", file="case.toml"
                )
            general["csc_agencies"] = list(table)
            continue
        if key == "record":
            general["record"] = _record_rules(table)
            continue
        if key not in DETECTORS:
            raise ConfigError(
                f"unknown detector '{key}' in [rules]", file="case.toml", hint=_closest(key, valid_tables)
            )
        if not isinstance(table, Mapping):
            raise ConfigError(f"[rules.{key}] must be a table of parameters", file="case.toml")
        params = resolved[key]
        for pname, value in table.items():
            if pname not in params:
                raise ConfigError(
                    f"unknown parameter '{pname}' in [rules.{key}]",
                    file="case.toml",
                    hint=_closest(pname, sorted(params)),
                )
            default = params[pname]
            if not _same_type(value, default):
                raise ConfigError(
                    f"'{pname}' in [rules.{key}] must be a {type(default).__name__}, not {value!r}",
                    file="case.toml",
                )
            if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
                raise ConfigError(f"'{pname}' in [rules.{key}] must not be negative", file="case.toml")
            params[pname] = value
    return resolved, general


def _record_rules(table: Any) -> dict[str, Any]:
    """The ``[rules.record]`` table checked against ``[record]`` of ``schemas/rules.toml``."""
    from chronology.analysis.attributes import record_defaults

    if not isinstance(table, Mapping):
        raise ConfigError("[rules.record] must be a table of word lists", file="case.toml")
    defaults = record_defaults()
    out: dict[str, Any] = {}
    for name, value in table.items():
        if name not in defaults:
            raise ConfigError(
                f"unknown key '{name}' in [rules.record]",
                file="case.toml",
                hint=_closest(name, sorted(defaults)),
            )
        if not _same_type(value, defaults[name]):
            kind = type(defaults[name]).__name__
            raise ConfigError(f"[rules.record] {name} must be a {kind}", file="case.toml")
        out[name] = value
    return out
