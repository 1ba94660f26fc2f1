"""Analysis benchmark: chronology.analysis.analyse on matched events, beside a plain pandas floor.

The input is cached (bench.data.matched_case: generated events, matched once
and stored), so the figure is the analysis alone. The baseline is the least
any gap analysis does, in plain pandas: sort every event by subject and time,
the gap to the subject's previous event, and counts per subject, agency and
type; a ratio near 1 would mean the detectors cost no more than one pass of pandas.

Example:
    >>> analyse_stage("bench/out/matched/m_1000_x1_s0")  # doctest: +SKIP
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

import pandas as pd

from bench.bench_pipeline import Stopwatch


def _inputs(folder: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    events = pd.read_parquet(Path(folder) / "matched.parquet")
    clusters = pd.read_pickle(Path(folder) / "clusters.pkl")
    return events, clusters


def analyse_stage(folder: str) -> dict[str, Any]:
    """chronology.analysis.analyse on the matched events and clusters of ``folder``."""
    from chronology.analysis import analyse

    events, clusters = _inputs(folder)
    with Stopwatch() as sw:
        found = analyse(events, clusters)
    kinds = found.findings["kind"].value_counts().to_dict() if len(found.findings) else {}
    return {
        "inner": sw.wall,
        "inner_cpu": sw.cpu,
        "records": len(events),
        "findings": len(found.findings),
        "kinds": kinds,
    }


def pandas_floor(folder: str) -> dict[str, Any]:
    """The baseline: one sort, one gap per event, one count per subject, agency and type."""
    events, _ = _inputs(folder)
    sw = Stopwatch().__enter__()
    live = events[events["status"] == "event"].sort_values(["subject_ref", "start"], kind="stable")
    gaps = live.groupby("subject_ref", sort=False)["start"].diff()
    longest = gaps.groupby(live["subject_ref"], sort=False).max()
    counts = live.groupby(["subject_ref", "agency", "event_type"], sort=False).size()
    sw.__exit__()
    return {
        "inner": sw.wall,
        "inner_cpu": sw.cpu,
        "records": len(events),
        "subjects": len(longest),
        "groups": len(counts),
    }


def per_case(batch: str, cases: int = 20, runs: int = 7) -> dict[str, Any]:
    """chronology.analysis.analyse alone on the first ``cases`` cases of a batch folder, per case.

    Each case is ingested and matched once (chronology.pipeline.ingest_only,
    chronology.match.match_events); its analysis is then run ``runs`` times
    after one warm-up run. Returns the median over cases of each case's median
    wall and CPU milliseconds.

    Example:
        >>> per_case("bench/out/batches/batch_1000x1000_s0", cases=5)  # doctest: +SKIP
    """
    from chronology.analysis import analyse, read_decisions
    from chronology.config import load_config
    from chronology.match import match_events, read_overrides
    from chronology.pipeline import agency_aliases, ingest_only
    from chronology.vocabulary import load_vocabulary

    vocab = load_vocabulary()
    walls, cpus, records = [], [], 0
    for folder in sorted(p for p in Path(batch).iterdir() if (p / "case.toml").exists())[:cases]:
        config = load_config(folder / "case.toml")
        ingested = ingest_only(config, vocab)
        matched = match_events(
            ingested.events, config.match, read_overrides(folder / "overrides.csv"), vocab=vocab
        )
        records += len(matched.events)
        args = (matched.events, matched.clusters, config.rules)
        kwargs = {
            "timezone": config.timezone,
            "decisions": read_decisions(folder / "decisions.csv"),
            "vocab": vocab,
            "aliases": agency_aliases(config),
        }
        timed = []
        for run in range(runs + 1):  # the first is a warm-up
            with Stopwatch() as sw:
                analyse(*args, **kwargs)
            if run:
                timed.append(sw)
        walls.append(statistics.median(sw.wall for sw in timed) * 1000)
        cpus.append(statistics.median(sw.cpu for sw in timed) * 1000)
    return {
        "cases": len(walls),
        "records": records,
        "wall_ms": statistics.median(walls),
        "cpu_ms": statistics.median(cpus),
    }
