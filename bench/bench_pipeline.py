"""End to end, match and HTML export: the functions ``bench.run`` measures in fresh processes.

Each function takes JSON-serialisable arguments and returns a small dict, so
that ``bench.measure`` can run it alone in a new process (peak memory is then
that call's own). Where set-up (reading cached inputs) would blur the figure,
the function times its stage itself and returns it as ``inner`` seconds;
``bench.run`` reports that.

Example:
    >>> from bench.measure import measure
    >>> measure("bench.bench_pipeline:end_to_end", "bench/out/cases/case_1000_s0/case.toml")  # doctest: +SKIP
"""

from __future__ import annotations

import resource
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any


def cpu_seconds() -> float:
    """CPU seconds (user + system) of this process and its reaped children so far."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


class Stopwatch:
    """Wall and CPU seconds of a block: ``with Stopwatch() as sw: ...; sw.wall, sw.cpu``."""

    wall = cpu = 0.0

    def __enter__(self) -> Stopwatch:
        self._wall, self._cpu = time.perf_counter(), cpu_seconds()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self._wall
        self.cpu = cpu_seconds() - self._cpu


def _children_peak_mb() -> float:
    """Largest peak resident memory of any finished child process (worker pools)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def end_to_end(case_file: str) -> dict[str, Any]:
    """``chronology merge``: load the case, run_case, write_outputs (into a temporary folder).

    Returns records (source rows), the seconds of run_case and of write_outputs,
    and the size of each output in bytes.
    """
    from chronology.config import load_config
    from chronology.outputs import write_outputs
    from chronology.pipeline import run_case

    out = Path(tempfile.mkdtemp(prefix="bench-e2e-"))
    try:
        t0 = time.perf_counter()
        run = run_case(load_config(Path(case_file)))
        t1 = time.perf_counter()
        written = write_outputs(run, out / "out")
        t2 = time.perf_counter()
        sizes = {name: path.stat().st_size for name, path in written.items()}
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return {
        "records": len(run.events),
        "events": int((run.events["status"] == "event").sum()),
        "clusters": len(run.clusters),
        "findings": len(run.findings),
        "run_case": t1 - t0,
        "write_outputs": t2 - t1,
        "sizes": sizes,
    }


def ingest_only(case_file: str) -> dict[str, Any]:
    """The end-to-end baseline: ingestion alone of the same case (``chronology validate``)."""
    from chronology.config import load_config
    from chronology.pipeline import ingest_only as ingest

    ingested = ingest(load_config(Path(case_file)))
    return {"records": len(ingested.events)}


def _case_files(folder: str) -> list[Path]:
    from chronology.batch import find_cases

    return find_cases(Path(folder))


def batch(folder: str, workers: int = 2) -> dict[str, Any]:
    """``chronology batch``: every case under ``folder`` with chronology.batch.run_batch."""
    from chronology.batch import run_batch

    out = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    try:
        results = run_batch(Path(folder), out / "out", workers=workers)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return {
        "cases": len(results),
        "errors": sum(r.status != "ok" for r in results),
        "records": sum(r.events + r.continuations + r.rejected for r in results),
        "clusters": sum(r.clusters for r in results),
        "findings": sum(r.findings for r in results),
        "children_peak_mb": _children_peak_mb(),
    }


def _ingest_count(case_file: Path) -> int:
    from chronology.config import load_config
    from chronology.pipeline import ingest_only as ingest

    return len(ingest(load_config(case_file)).events)


def batch_ingest(folder: str, workers: int = 2) -> dict[str, Any]:
    """The batch baseline: ingestion alone of every case, in the same size of worker pool."""
    from concurrent.futures import ProcessPoolExecutor

    cases = _case_files(folder)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        records = sum(pool.map(_ingest_count, cases, chunksize=8))
    return {"cases": len(cases), "records": records, "children_peak_mb": _children_peak_mb()}


def _load(folder: str, name: str):  # noqa: ANN202
    import pandas as pd

    return pd.read_parquet(Path(folder) / name)


def match_stage(folder: str) -> dict[str, Any]:
    """chronology.match.match_events on cached generated events, scored against their truth."""
    from chronology.match import match_events
    from chronology.match.metrics import cluster_scores

    events = _load(folder, "events.parquet")
    truth = _load(folder, "truth.parquet")["true_event"]
    with Stopwatch() as sw:
        result = match_events(events)
    scores = cluster_scores(result.events["cluster_id"], truth)
    from bench.data import save_matched

    save_matched(folder, result)
    return {
        "inner": sw.wall,
        "inner_cpu": sw.cpu,
        "records": len(events),
        "pairs": len(result.pairs),
        **scores,
    }


def splink_stage(folder: str) -> dict[str, Any]:
    """The match baseline: Splink 5 on DuckDB, unsupervised (bench.bench_match.run_splink), on the same events.

    Issue 13's set-up (blocked on subject within a day and on subject and type
    within 14 days, EM, no labels); reports the threshold with the best
    pairwise F1 (Splink's time includes its training and clustering).
    """
    from bench.bench_match import run_splink

    events = _load(folder, "events.parquet")
    truth = _load(folder, "truth.parquet")["true_event"]
    with Stopwatch() as sw:
        scores = run_splink(events, truth)
    return {
        "inner": scores["seconds"],
        "inner_cpu": sw.cpu * scores["seconds"] / max(sw.wall, 1e-9),
        "records": len(events),
        "threshold": scores["best"],
        **{k: scores[k] for k in ("pairwise_precision", "pairwise_recall", "pairwise_f1", "bcubed_f1")},
    }


def report_stage(n: int) -> dict[str, Any]:
    """timeline.html of n synthetic records (bench.bench_report.synthetic_run): render and write."""
    from bench.bench_report import synthetic_run
    from chronology.views.report import write_report

    run = synthetic_run(n)
    out = Path(tempfile.mkdtemp(prefix="bench-html-"))
    try:
        with Stopwatch() as sw:
            write_report(run, out / "timeline.html")
        size = (out / "timeline.html").stat().st_size
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return {"inner": sw.wall, "inner_cpu": sw.cpu, "records": n, "bytes": size}


def plotly_baseline(n: int) -> dict[str, Any]:
    """The HTML baseline: plain plotly, one Scattergl of the same records with hover text, to_html."""
    import plotly.graph_objects as go
    import plotly.io as pio

    from bench.bench_report import synthetic_run

    events = synthetic_run(n).events
    sw = Stopwatch().__enter__()
    fig = go.Figure(
        go.Scattergl(
            x=events["start"],
            y=events["agency"],
            mode="markers",
            text=events["description"].str.slice(0, 120),
            hoverinfo="text",
        )
    )
    page = pio.to_html(fig, include_plotlyjs=True, full_html=True)
    sw.__exit__()
    return {"inner": sw.wall, "inner_cpu": sw.cpu, "records": n, "bytes": len(page.encode())}


def pandas_calamine(path: str) -> dict[str, int]:
    """A second XLSX baseline: pandas with the calamine engine (what chronology reads with)."""
    import pandas as pd

    frame = pd.read_excel(path, engine="calamine", dtype=str, skiprows=1)
    return {"rows": len(frame)}


def _main() -> None:
    """``python -m bench.bench_pipeline MODULE:FUNCTION ARGS_JSON``: as bench.measure, with CPU seconds.

    Prints one JSON line: wall seconds, CPU seconds (this process and its
    workers), peak MB (ru_maxrss of this process) and the function's result.
    """
    import importlib
    import json
    import sys

    target, raw_args = sys.argv[1], sys.argv[2]
    module, _, name = target.partition(":")
    func = getattr(importlib.import_module(module), name)
    with Stopwatch() as sw:
        result = func(*json.loads(raw_args))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": sw.wall, "cpu": sw.cpu, "peak_mb": peak, "result": result}))


if __name__ == "__main__":
    _main()
