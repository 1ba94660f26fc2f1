"""Matching settings: schemas/match.toml defaults, overlaid by case.toml's [match].

Example:
    >>> s = load_settings({"threshold": 5.0})
    >>> s.threshold, s.window_days
    (5.0, 1)
"""

from __future__ import annotations

import difflib
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from chronology.errors import ConfigError
from chronology.vocabulary import SCHEMAS_DIR

MATCH_TOML = SCHEMAS_DIR / "match.toml"

#: The keys case.toml's [match] table may set, with their types.
SETTING_TYPES: dict[str, type | tuple[type, ...]] = {
    "threshold": (int, float),
    "window_days": int,
    "lag_days": int,
    "named_date_days": int,
    "rare_name_records": int,
    "cluster_floor": (int, float),
    "cluster_mean": (int, float),
    "prior": float,
    "estimate": bool,
    "max_candidates": int,
}


@dataclass(frozen=True)
class MatchSettings:
    """Everything matching reads: thresholds, weights and text tables.

    Attributes:
        threshold: Match weight at which a pair joins.
        window_days: Days either side of a record's date for candidates.
        lag_days: How many days after an event a record of it may be dated
            (minutes, letters, receipts, write-ups): the widest lag window.
        named_date_days: How far back a date named in the text may lie.
        rare_name_records: A name counts when at most this many records hold it.
        cluster_floor: A merge is refused when a cross pair scores below this.
        cluster_mean: A merge is refused when the mean score of the pairs
            across the two clusters is below this (average linkage).
        prior: Prior probability that a candidate pair is one event.
        estimate: Whether the m and u values are re-estimated on the case's
            own candidate pairs (expectation maximisation, shipped values as
            priors) before the pairs are scored.
        max_candidates: A candidate pair is kept when it is among the best
            this many of either of its records by a cheap pre-score
            (``chronology.match.bound``), so that dense days cost little.
        lag_windows: Event-type group of the earlier record -> days a later
            record of it may lag (``[lag.windows]``).
        lag_groups: Event-type groups whose records are receipts or reports of
            an earlier event, whatever their wording (``[lag] groups``).
        lag_cues: Words that mark a record as a record of an earlier event
            ("minutes", "write-up", "received": ``[lag] cues``).
        own_event_groups: Type groups whose records are happenings of their
            own, never another record of a different type (``[types]``).
        estimate_strength: How many pairs the shipped m/u values are worth in
            the estimation (``[estimate] strength``).
        estimate_hold: Features whose shipped m/u values are held, not
            estimated (``[estimate] hold``).
        m_u: feature -> level -> (m, u).
        abbreviations: token or phrase -> expansion.
        stopwords: Tokens dropped before scoring.
        boilerplate: Phrases dropped before scoring.
    """

    threshold: float
    window_days: int
    lag_days: int
    named_date_days: int
    rare_name_records: int
    cluster_floor: float
    prior: float
    cluster_mean: float = 2.0
    estimate: bool = True
    max_candidates: int = 40
    lag_windows: dict[str, int] = field(default_factory=dict)
    lag_groups: frozenset[str] = frozenset()
    lag_cues: tuple[str, ...] = ()
    own_event_groups: frozenset[str] = frozenset()
    estimate_strength: float = 30.0
    estimate_hold: frozenset[str] = frozenset()
    m_u: dict[str, dict[str, tuple[float, float]]] = field(default_factory=dict)
    abbreviations: dict[str, str] = field(default_factory=dict)
    stopwords: frozenset[str] = frozenset()
    boilerplate: tuple[str, ...] = ()

    def weight(self, feature: str, level: str) -> float:
        """The match weight log2(m/u) of one feature level.

        Example:
            >>> round(load_settings().weight("agency", "same_repeat"), 2) < 0
            True
        """
        m, u = self.m_u[feature][level]
        return math.log2(m / u)

    @property
    def prior_weight(self) -> float:
        """log2 of the prior odds that a candidate pair is one event."""
        return math.log2(self.prior / (1.0 - self.prior))


@lru_cache(maxsize=4)
def _read_match_toml(path: Path) -> dict[str, Any]:
    with path.open("rb") as fh:
        return tomllib.load(fh)


def _check(settings: Mapping[str, Any]) -> None:
    valid = tuple(SETTING_TYPES)
    for key, value in settings.items():
        if key not in SETTING_TYPES:
            close = difflib.get_close_matches(key, valid, n=1, cutoff=0.5)
            hint = f"did you mean '{close[0]}'?" if close else f"valid keys: {', '.join(valid)}"
            raise ConfigError(f"unknown key '{key}' in [match]", hint=hint)
        kind = SETTING_TYPES[key]
        if kind is bool:
            if not isinstance(value, bool):
                raise ConfigError(f"'{key}' in [match] must be true or false, not {value!r}")
        elif isinstance(value, bool) or not isinstance(value, kind):
            raise ConfigError(f"'{key}' in [match] must be a number, not {value!r}")
    for key in ("window_days", "lag_days"):
        if settings.get(key, 0) < 0:
            raise ConfigError(f"'{key}' in [match] must be 0 or more")
    if settings.get("max_candidates", 1) < 1:
        raise ConfigError("'max_candidates' in [match] must be 1 or more")
    prior = settings.get("prior", 0.5)
    if not 0.0 < prior < 1.0:
        raise ConfigError("'prior' in [match] must lie between 0 and 1")


def load_settings(overrides: Mapping[str, Any] | None = None, path: Path = MATCH_TOML) -> MatchSettings:
    """Read schemas/match.toml and apply case.toml's [match] table.

    Args:
        overrides: The [match] table as written; unknown keys are refused.
        path: The match.toml to read.

    Raises:
        ConfigError: An unknown key (naming the closest valid one) or a bad value.

    Example:
        >>> load_settings({"window_days": 2}).window_days
        2
    """
    overrides = dict(overrides or {})
    _check(overrides)
    doc = _read_match_toml(path)
    values = {**doc.get("settings", {}), **overrides}
    m_u = {
        feature: {level: (float(v["m"]), float(v["u"])) for level, v in levels.items()}
        for feature, levels in doc.get("m_u", {}).items()
    }
    text = doc.get("text", {})
    lag = doc.get("lag", {})
    hold = frozenset(str(f) for f in doc.get("estimate", {}).get("hold", ()))
    for entry in sorted(hold):
        feature, _, level = entry.partition(".")
        if feature not in m_u or (level and level not in m_u[feature]):
            raise ConfigError(
                f"unknown feature or level '{entry}' in [estimate] hold of {path.name}",
                hint='write a feature of [m_u] ("agency") or one of its levels ("date.named_date")',
            )
    return MatchSettings(
        threshold=float(values["threshold"]),
        window_days=int(values["window_days"]),
        lag_days=int(values["lag_days"]),
        named_date_days=int(values["named_date_days"]),
        rare_name_records=int(values["rare_name_records"]),
        cluster_floor=float(values["cluster_floor"]),
        cluster_mean=float(values["cluster_mean"]),
        prior=float(values["prior"]),
        estimate=bool(values["estimate"]),
        max_candidates=int(values["max_candidates"]),
        lag_windows={str(k): int(v) for k, v in lag.get("windows", {}).items()},
        lag_groups=frozenset(str(g) for g in lag.get("groups", ())),
        lag_cues=tuple(str(c).lower() for c in lag.get("cues", ())),
        own_event_groups=frozenset(str(g) for g in doc.get("types", {}).get("own_event_groups", ())),
        estimate_strength=float(doc.get("estimate", {}).get("strength", 30.0)),
        estimate_hold=hold,
        m_u=m_u,
        abbreviations={str(k).lower(): str(v).lower() for k, v in doc.get("abbreviations", {}).items()},
        stopwords=frozenset(str(w).lower() for w in text.get("stopwords", ())),
        boilerplate=tuple(str(p).lower() for p in text.get("boilerplate", ())),
    )
