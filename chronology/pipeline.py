"""The whole flow as plain functions: ingest -> match -> analyse, held in a Run.

Each stage is callable alone (``chronology.ingest.ingest_case``,
``chronology.match.match_events``, ``chronology.analysis.analyse``); this module
chains them the same way for the command line and for ``Case``.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

import pandas as pd

from chronology.config import CaseConfig
from chronology.corrections import TABLE_COLUMNS, Corrected, apply_corrections
from chronology.preflight import check_settings, read_checked_corrections
from chronology.vocabulary import Vocabulary, load_vocabulary

__all__ = ["Run", "agency_aliases", "check_settings", "ingest_only", "prepare", "run_case"]


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
        corrections: One row per line of corrections.csv: the original and
            the corrected value, and whether it was applied.
        match_weights: The m/u values and prior matching used, estimated on
            this case's candidate pairs (``chronology.match.em.Estimate.as_dict``);
            empty when estimation is off.
    """

    config: CaseConfig
    events: pd.DataFrame
    sources: pd.DataFrame
    clusters: pd.DataFrame
    pairs: pd.DataFrame
    findings: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    corrections: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(TABLE_COLUMNS)))
    match_weights: dict = field(default_factory=dict)


def prepare(config: CaseConfig, vocab: Vocabulary | None = None):  # noqa: ANN201
    """Ingest, map subject references and apply corrections.csv: the records matching starts from.

    Returns:
        (Ingested, Corrected): the ingested case, its events and per-source
        counts corrected, and the corrections with their originals.
    """
    from chronology.ingest import case_resolver, ingest_case
    from chronology.subjects import apply_subject_map, read_subject_map

    vocab = vocab or load_vocabulary()
    check_settings(config)
    corrections = read_checked_corrections(config, vocab)
    ingested = ingest_case(config, vocab)
    if config.subjects is not None:
        ingested.events = apply_subject_map(ingested.events, read_subject_map(config.subjects))
    fixed = Corrected(ingested.events)
    if corrections is not None:
        fixed = apply_corrections(
            ingested.events,
            corrections,
            timezone=config.timezone,
            vocab=vocab,
            resolver=case_resolver(config, vocab),
        )
        ingested.events = fixed.events
        ingested.sources = _recount(ingested.sources, fixed.events)
        ingested.warnings = [*ingested.warnings, *fixed.warnings]
    return ingested, fixed


def _recount(sources: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Per-source counts of events, continuations and rejected rows after corrections."""
    out = sources.copy()
    counts = events.groupby(["source_file", "status"]).size()
    for column, status in (("events", "event"), ("continuations", "continuation"), ("rejected", "rejected")):
        out[column] = [int(counts.get((f, status), 0)) for f in out["source_file"]]
    return out


def ingest_only(config: CaseConfig, vocab: Vocabulary | None = None):  # noqa: ANN201
    """Run ingestion alone (``chronology validate``): subject references mapped, corrections applied."""
    return prepare(config, vocab)[0]


def agency_aliases(config: CaseConfig) -> dict[str, list[str]]:
    """Each agency label's extra aliases from case.toml (sources sharing a label pool theirs)."""
    aliases: dict[str, list[str]] = {}
    for source in config.sources:
        aliases.setdefault(source.agency, []).extend(source.aliases)
    return aliases


def _quiet(what: str) -> AbstractContextManager[None]:
    return nullcontext()


def run_case(
    config: CaseConfig,
    vocab: Vocabulary | None = None,
    progress: Callable[[str], AbstractContextManager[None]] | None = None,
) -> Run:
    """Run ingest, match and analysis on a case.

    Args:
        config: The parsed case.toml.
        vocab: The vocabulary; the shipped one by default.
        progress: Called with each step's name, as a context around the step
            (the command line's progress on a terminal); nothing by default.

    Returns:
        The Run, ready for ``chronology.outputs.write_outputs``.
    """
    from chronology.analysis import analyse, read_decisions
    from chronology.match import match_events, read_overrides

    step = progress or _quiet
    vocab = vocab or load_vocabulary()
    with step(f"reading {len(config.sources)} agency files"):
        ingested, fixed = prepare(config, vocab)
    overrides = read_overrides(config.folder / "overrides.csv")
    with step(f"matching {len(ingested.events)} records"):
        matched = match_events(
            ingested.events, config.match, overrides, vocab=vocab, aliases=agency_aliases(config)
        )
    decisions = read_decisions(config.folder / "decisions.csv")
    with step("looking for where information did not travel"):
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
        corrections=fixed.table,
        match_weights=matched.estimate.as_dict() if matched.estimate is not None else {},
    )
