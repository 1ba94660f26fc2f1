"""The whole flow as plain functions: ingest -> match -> analyse, held in a Run.

Each stage is callable alone (``chronology.ingest.ingest_case``,
``chronology.match.match_events``, ``chronology.analysis.analyse``); this module
chains them the same way for the command line and for ``Case``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from chronology.config import CaseConfig
from chronology.vocabulary import Vocabulary, load_vocabulary


@dataclass
class Run:
    """Everything one run of the pipeline produced.

    Attributes:
        config: The case file it ran on.
        events: events.parquet: one row per non-empty source row.
        sources: One row per source: file, sheet, sha256 and row counts.
        clusters: clusters.parquet: one row per real event.
        pairs: Every scored candidate pair with its features and decision.
        findings: The findings, with the reviewer's decisions applied.
        warnings: Lines for the user (an override naming a record that no
            longer exists, a month-first column, a finding to re-review).
    """

    config: CaseConfig
    events: pd.DataFrame
    sources: pd.DataFrame
    clusters: pd.DataFrame
    pairs: pd.DataFrame
    findings: pd.DataFrame
    warnings: list[str] = field(default_factory=list)


def check_settings(config: CaseConfig) -> None:
    """Check the case file's [match] and [rules] tables before any file is read.

    Raises:
        ConfigError: A misspelt or mistyped setting, naming the case file.
    """
    from chronology.analysis.registry import resolve_rules
    from chronology.errors import ConfigError
    from chronology.match.settings import load_settings

    try:
        load_settings(config.match)
        resolve_rules(config.rules)
    except ConfigError as exc:
        raise ConfigError(exc.message, file=str(config.path), hint=exc.hint) from None


def ingest_only(config: CaseConfig, vocab: Vocabulary | None = None):  # noqa: ANN201
    """Run ingestion alone (``chronology validate``), subject references mapped."""
    from chronology.ingest import ingest_case

    check_settings(config)
    from chronology.subjects import apply_subject_map, read_subject_map

    ingested = ingest_case(config, vocab or load_vocabulary())
    if config.subjects is not None:
        ingested.events = apply_subject_map(ingested.events, read_subject_map(config.subjects))
    return ingested


def agency_aliases(config: CaseConfig) -> dict[str, list[str]]:
    """Each agency label's extra aliases from case.toml (sources sharing a label pool theirs)."""
    aliases: dict[str, list[str]] = {}
    for source in config.sources:
        aliases.setdefault(source.agency, []).extend(source.aliases)
    return aliases


def run_case(config: CaseConfig, vocab: Vocabulary | None = None) -> Run:
    """Run ingest, match and analysis on a case.

    Args:
        config: The parsed case.toml.
        vocab: The vocabulary; the shipped one by default.

    Returns:
        The Run, ready for ``chronology.outputs.write_outputs``.
    """
    from chronology.analysis import analyse, read_decisions
    from chronology.match import match_events, read_overrides

    vocab = vocab or load_vocabulary()
    ingested = ingest_only(config, vocab)
    overrides = read_overrides(config.folder / "overrides.csv")
    matched = match_events(ingested.events, config.match, overrides, vocab=vocab)
    decisions = read_decisions(config.folder / "decisions.csv")
    analysed = analyse(
        matched.events,
        matched.clusters,
        config.rules,
        timezone=config.timezone,
        decisions=decisions,
        vocab=vocab,
        aliases=agency_aliases(config),
    )
    return Run(
        config=config,
        events=matched.events,
        sources=ingested.sources,
        clusters=matched.clusters,
        pairs=matched.pairs,
        findings=analysed.findings,
        warnings=[*ingested.warnings, *matched.warnings, *analysed.warnings],
    )
