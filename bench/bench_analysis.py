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
