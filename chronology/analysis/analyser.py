"""Run every enabled detector over a case's events and apply the reviewer's decisions.

Example:
    >>> result = analyse(events, clusters, {"contact_gap": {"max_days": 90}})  # doctest: +SKIP
    >>> result.findings[["finding_id", "kind", "severity"]].head()  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from chronology.analysis.context import Context, case_resolver, prepare_events
from chronology.analysis.decisions import apply_decisions
from chronology.analysis.finding import Finding, FindingsTable
from chronology.analysis.registry import DETECTORS, resolve_rules
from chronology.schema import DEFAULT_TIMEZONE
from chronology.vocabulary import Vocabulary, load_vocabulary


@dataclass
class Analysed:
    """The result of :func:`analyse`.

    Attributes:
        findings: FINDING_COLUMNS in that order, sorted by start then finding_id.
        warnings: Lines for the user, e.g. "decisions.csv row 4: finding F-3A9C2
            cites records that changed; flagged for re-review".
    """

    findings: pd.DataFrame
    warnings: list[str] = field(default_factory=list)


def analyse(
    events: pd.DataFrame,
    clusters: pd.DataFrame,
    rules: Mapping[str, Any] | None = None,
    *,
    timezone: str = DEFAULT_TIMEZONE,
    decisions: pd.DataFrame | None = None,
    vocab: Vocabulary | None = None,
    aliases: Mapping[str, Sequence[str]] | None = None,
) -> Analysed:
    """Find where information did not travel, per subject, with every enabled detector.

    Args:
        events: events.parquet rows (EVENT_COLUMNS); only ``status == "event"``
            rows with a start are read.
        clusters: clusters.parquet rows (CLUSTER_COLUMNS); cluster membership is
            read from events' ``cluster_id``, filled from ``record_ids`` here
            where an event has none.
        rules: The ``[rules]`` table of case.toml as written.
        timezone: The case's timezone (days are local calendar days).
        decisions: The reviewer's decisions (:func:`read_decisions`), or None.
        vocab: The vocabulary; the shipped one by default.
        aliases: Each agency label's extra aliases from case.toml (what other
            agencies call it), used to resolve agency mentions in text.

    Raises:
        ConfigError: An unknown detector or parameter in ``rules``.

    Example:
        >>> analyse(events, clusters, {"contact_gap": {"enabled": False}}).findings.kind.unique()  # doctest: +SKIP
        array(['missed_handoff', 'timescale_breach'], dtype=object)
    """
    vocab = vocab or load_vocabulary()
    params, general = resolve_rules(rules)
    prepared = prepare_events(
        _with_cluster_ids(events, clusters),
        timezone,
        vocab,
        general["csc_agencies"],
        aliases,
        record_rules=general["record"],
    )
    # What every subject shares: the case's agencies, which of them are CSC, and one resolver.
    agencies = tuple(sorted(set(prepared["agency"])))
    csc = frozenset(prepared.loc[prepared["is_csc"], "agency"])
    resolver = case_resolver(agencies, vocab, aliases)
    enabled = [
        (name, d, {k: v for k, v in params[name].items() if k != "enabled"})
        for name, d in DETECTORS.items()
        if params[name].get("enabled", True) and d.run is not None
    ]
    # One subject at a time: its context, its findings laid out at once (so a case of many
    # subjects never holds every Finding object), and nothing of it kept but those rows.
    table = FindingsTable(timezone)
    for subject, rows in _subjects(prepared):
        ctx = Context.build(rows, vocab, timezone, agencies, aliases, resolver=resolver)
        ctx.csc, ctx.rules = csc, params
        found: list[Finding] = []
        for _name, detector, used in enabled:
            assert detector.run is not None
            for f in detector.run(rows, clusters, used, ctx):
                f.subject_ref = subject
                found.append(f)
        table.add(found, ctx)
        del ctx, found, rows
    has_events = len(prepared) > 0
    del prepared
    findings = table.frame()
    warnings: list[str] = []
    if has_events and not csc:
        warnings.append(
            "analysis: no agency of the case is known as children's social care, so referral decisions, "
            'visits on a plan and closures are not checked; name it in [rules] csc_agencies = ["..."]'
        )
    if decisions is not None and len(decisions):
        findings, warnings = apply_decisions(findings, decisions)
    return Analysed(findings=findings, warnings=warnings)


def _subjects(prepared: pd.DataFrame) -> Iterator[tuple[str, pd.DataFrame]]:
    """Each subject's rows of the prepared events, by subject_ref in sorted order, one at a time.

    prepare_events sorts by subject first, so a subject's rows are one run of
    rows: each is a slice (no copy), the same rows in the same order as
    ``groupby("subject_ref", sort=True)`` gives.
    """
    if prepared["subject_ref"].nunique() <= 1:
        yield (prepared["subject_ref"].iat[0] if len(prepared) else ""), prepared
        return
    subjects = prepared["subject_ref"].to_numpy()
    starts = [0, *(np.flatnonzero(subjects[1:] != subjects[:-1]) + 1).tolist()]
    names = [subjects[i] for i in starts]
    if any(a >= b for a, b in zip(names, names[1:], strict=False)):  # not sorted by subject: group them
        for s, g in prepared.groupby("subject_ref", sort=True):
            yield str(s), g.reset_index(drop=True)
        return
    for lo, hi in zip(starts, [*starts[1:], len(prepared)], strict=True):
        yield str(subjects[lo]), prepared.iloc[lo:hi].reset_index(drop=True)


def _with_cluster_ids(events: pd.DataFrame, clusters: pd.DataFrame) -> pd.DataFrame:
    """Events with ``cluster_id`` filled from clusters' record_ids where missing."""
    if clusters is None or len(clusters) == 0 or "record_ids" not in clusters.columns:
        return events
    if "cluster_id" in events.columns and (events["cluster_id"].fillna("").astype(str) != "").all():
        return events
    member = clusters[["cluster_id", "record_ids"]].explode("record_ids").dropna()
    mapping = dict(zip(member["record_ids"].astype(str), member["cluster_id"].astype(str), strict=True))
    out = events.copy()
    current = (
        out["cluster_id"].fillna("").astype(str)
        if "cluster_id" in out.columns
        else pd.Series("", index=out.index)
    )
    out["cluster_id"] = current.where(current != "", out["record_id"].astype(str).map(mapping).fillna(""))
    return out
