"""The benchmark suite (``make bench``): every stage at 1k, 10k, 100k and 1M records, into BENCHMARKS.md.

Each figure is the median wall time of fresh-process runs (``bench.measure``;
one run where a run takes over a minute, and the table says so), records per
second, the process's own peak memory (ru_maxrss), and the growth factor from
the size before (time ratio / size ratio: 1 is linear). Beside each figure is a
baseline measured in the same run, as a ratio, since the machine is noisy.

Usage::

    python -m bench.run              # 1k, 10k, 100k
    python -m bench.run --quick      # 1k, 10k
    python -m bench.run --full       # 1k, 10k, 100k and 1M (1,000 cases of ~1,000 records)
    python -m bench.run --stages ingest match --sizes 1000 10000

Stages: ingest (CSV and XLSX beside pandas readers, DOCX beside python-docx), match (beside Splink on
DuckDB), analysis (beside a plain pandas pass), html (timeline.html, beside plain
plotly; in headless Chromium with bench.bench_report), e2e (chronology merge,
beside ingestion alone; the demo case through the command line; 1M through
chronology.batch), profile (cProfile of the largest end-to-end run).

Results are kept in bench/out/results.json, so a later run of some stages
rewrites BENCHMARKS.md with the others' last figures (each row names its run).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import data
from bench.measure import ROOT, fresh_run

RESULTS = Path(os.environ.get("BENCH_RESULTS", data.OUT / "results.json"))
STAGES = ("ingest", "match", "dense", "analysis", "html", "e2e", "profile", "demo")
#: A run longer than this is not repeated.
LONG_SECONDS = 60.0
MILLION = 1_000_000
#: The 1M shape: cases x records per case, run with chronology.batch.run_batch.
BATCH_CASES, BATCH_RECORDS = 1000, 1000
GB = 1024.0


# --- measuring ----------------------------------------------------------------------------------


def _fresh(target: str, *args: Any) -> dict[str, Any]:
    """One fresh-process run (``python -m bench.bench_pipeline``: bench.measure's protocol, plus CPU)."""
    return fresh_run("bench.bench_pipeline", target, *args)


def timed(target: str, *args: Any, repeat: int = 3) -> dict[str, Any]:
    """Median over fresh-process runs of ``target(*args)``; one run when the first is long.

    The time is the function's own ``inner`` seconds where it returns them (its stage
    alone, without loading cached inputs), else the whole call's; CPU seconds likewise.
    """
    runs = []
    for _ in range(repeat):
        got = _fresh(target, *args)
        result = got["result"]
        inner = isinstance(result, dict) and "inner" in result
        runs.append(
            {
                "seconds": result["inner"] if inner else got["seconds"],
                "cpu": result.get("inner_cpu", got["cpu"]) if inner else got["cpu"],
                "peak_mb": got["peak_mb"],
                "result": result,
            }
        )
        if got["seconds"] > LONG_SECONDS:
            break
    return {
        "seconds": statistics.median(r["seconds"] for r in runs),
        "cpu": statistics.median(r["cpu"] for r in runs),
        "spread": [min(r["seconds"] for r in runs), max(r["seconds"] for r in runs)],
        "runs": len(runs),
        "peak_mb": max(r["peak_mb"] for r in runs),
        "result": runs[-1]["result"],
    }


def log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def row(
    stage: str,
    size: int,
    ours: dict[str, Any],
    records: int,
    baseline: str = "",
    base: dict[str, Any] | None = None,
    note: str = "",
    **extra: Any,
) -> dict[str, Any]:
    """One result line: a stage at a size, with its baseline."""
    return {
        "stage": stage,
        "size": size,
        "records": records,
        "seconds": ours["seconds"],
        "cpu": ours["cpu"],
        "spread": ours["spread"],
        "runs": ours["runs"],
        "peak_mb": ours["peak_mb"],
        "baseline": baseline,
        "base_seconds": base["seconds"] if base else None,
        "base_cpu": base["cpu"] if base else None,
        "base_runs": base["runs"] if base else None,
        "base_peak_mb": base["peak_mb"] if base else None,
        "note": note,
        **extra,
    }


# --- stages -------------------------------------------------------------------------------------


#: Word documents are benchmarked up to this many rows (a chronology in Word is rarely longer).
DOCX_MAX = 100_000


def stage_ingest(sizes: list[int], repeat: int) -> list[dict[str, Any]]:
    """Ingest of one agency file (bench.bench_ingest's readers): CSV and XLSX beside pandas, DOCX beside
    python-docx's own table read."""
    out = []
    for n in sizes:
        path = data.csv_file(n)
        log(f"ingest CSV {n:,}")
        ours = timed("bench.bench_ingest:chronology_read", path, repeat=repeat)
        base = timed("bench.bench_ingest:pandas_csv", path, repeat=repeat)
        out.append(
            row("ingest CSV", n, ours, ours["result"]["rows_read"], "pandas.read_csv(dtype=str)", base)
        )
    for n in sizes:
        path = data.xlsx_file(n)
        log(f"ingest XLSX {n:,}")
        ours = timed("bench.bench_ingest:chronology_read", path, repeat=repeat)
        cal = timed("bench.bench_pipeline:pandas_calamine", path, repeat=repeat)
        # openpyxl takes minutes on a million rows: one run of that baseline there.
        opx = timed("bench.bench_ingest:pandas_openpyxl", path, repeat=1 if n >= MILLION else repeat)
        out.append(
            row(
                "ingest XLSX",
                n,
                ours,
                ours["result"]["rows_read"],
                "pandas.read_excel(calamine)",
                cal,
                openpyxl_seconds=opx["seconds"],
                openpyxl_runs=opx["runs"],
                openpyxl_peak_mb=opx["peak_mb"],
            )
        )
    for n in [n for n in sizes if n <= DOCX_MAX]:
        path = data.docx_file(n)
        log(f"ingest DOCX {n:,}")
        ours = timed("bench.bench_ingest:chronology_read", path, repeat=repeat)
        base = timed("bench.bench_ingest:python_docx_plain", path, repeat=repeat)
        out.append(
            row("ingest DOCX", n, ours, ours["result"]["rows_read"], "python-docx cell.text per row", base)
        )
    return out


def _match_folder(n: int, matched: bool = False) -> tuple[str, int]:
    subjects = BATCH_CASES if n >= MILLION else 1
    return data.matched_case(n, 0, subjects, matched=matched), subjects


def stage_match(sizes: list[int], repeat: int) -> list[dict[str, Any]]:
    """chronology.match.match_events on generated cases, beside Splink/DuckDB (bench.bench_match)."""
    out = []
    for n in sizes:
        log(f"match {n:,}: preparing")
        folder, subjects = _match_folder(n)
        log(f"match {n:,}")
        ours = timed("bench.bench_pipeline:match_stage", folder, repeat=repeat)
        res = ours["result"]
        base = None
        note = "one case" if subjects == 1 else f"{subjects:,} subjects in one call"
        if n < MILLION:
            try:
                base = timed(
                    "bench.bench_pipeline:splink_stage", folder, repeat=min(repeat, 1 if n >= 100_000 else 3)
                )
            except RuntimeError as exc:
                note += f"; Splink failed: {str(exc).splitlines()[-1][:120]}"
        else:
            note += "; Splink not run at 1M (over the time budget of the whole suite)"
        out.append(
            row(
                "match",
                n,
                ours,
                res["records"],
                "Splink 5 on DuckDB, EM" if base else "",
                base,
                note,
                f1=res["pairwise_f1"],
                precision=res["pairwise_precision"],
                recall=res["pairwise_recall"],
                bcubed=res["bcubed_f1"],
                base_f1=base["result"]["pairwise_f1"] if base else None,
                base_precision=base["result"]["pairwise_precision"] if base else None,
                base_recall=base["result"]["pairwise_recall"] if base else None,
                base_threshold=base["result"]["threshold"] if base else None,
            )
        )
    return out


def stage_dense(repeat: int) -> list[dict[str, Any]]:
    """match_events on one agency's dense export (bench.data.dense_events) at 20k and 200k entries."""
    from bench import bench_dense

    out = []
    for n in (20_000, 200_000):
        log(f"dense {n:,}")
        out.append(bench_dense.measure_dense(n, repeat))
    return out


def stage_analysis(sizes: list[int], repeat: int) -> list[dict[str, Any]]:
    """chronology.analysis.analyse on matched events, beside one plain pandas pass."""
    out = []
    for n in sizes:
        log(f"analysis {n:,}: preparing")
        folder, subjects = _match_folder(n, matched=True)
        log(f"analysis {n:,}")
        ours = timed("bench.bench_analysis:analyse_stage", folder, repeat=repeat)
        base = timed("bench.bench_analysis:pandas_floor", folder, repeat=repeat)
        note = "one case" if subjects == 1 else f"{subjects:,} subjects in one call"
        out.append(
            row(
                "analysis",
                n,
                ours,
                ours["result"]["records"],
                "pandas sort + gap + counts",
                base,
                note,
                findings=ours["result"]["findings"],
            )
        )
    return out


def stage_html(sizes: list[int], repeat: int) -> tuple[list[dict[str, Any]], str]:
    """timeline.html render in Python (beside plain plotly), and the browser table of bench.bench_report."""
    out = []
    html_sizes = [n for n in sizes if n < MILLION]
    for n in html_sizes:
        log(f"html {n:,}")
        ours = timed("bench.bench_pipeline:report_stage", n, repeat=repeat)
        base = timed("bench.bench_pipeline:plotly_baseline", n, repeat=repeat)
        out.append(
            row(
                "HTML export",
                n,
                ours,
                n,
                "plotly to_html, one Scattergl",
                base,
                "synthetic run (bench_report.synthetic_run)",
                mb=ours["result"]["bytes"] / 1e6,
                base_mb=base["result"]["bytes"] / 1e6,
            )
        )
    log(f"html in Chromium {html_sizes}")
    try:
        from bench.bench_report import section

        browser = section(tuple(html_sizes), repeat=repeat)
    except Exception as exc:  # noqa: BLE001 - a missing browser must not lose the other figures
        browser = f"Not measured: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    return out, browser


def stage_e2e(
    sizes: list[int], repeat: int, workers: int, batch_cases: tuple[int, ...] = (BATCH_CASES,)
) -> list[dict[str, Any]]:
    """chronology merge (run_case + write_outputs) beside ingestion alone; 1M through run_batch."""
    out = []
    for n in sizes:
        if n >= MILLION:
            for cases in batch_cases:
                log(f"e2e batch of {cases:,} cases: preparing")
                folder = data.batch_subset(cases, BATCH_RECORDS)
                log(f"e2e batch of {cases:,} cases: run_batch")
                ours = timed("bench.bench_pipeline:batch", folder, workers, repeat=1)
                base = timed("bench.bench_pipeline:batch_ingest", folder, workers, repeat=1)
                res = ours["result"]
                out.append(
                    row(
                        "end to end (batch)",
                        cases * BATCH_RECORDS,
                        ours,
                        res["records"],
                        "ingestion alone, same pool",
                        base,
                        f"chronology.batch.run_batch: {res['cases']:,} cases"
                        + (f" (the first of the 1M batch's {BATCH_CASES:,})" if cases < BATCH_CASES else "")
                        + f", {workers} workers, {res['errors']} errors",
                        cases=res["cases"],
                        worker_peak_mb=res["children_peak_mb"],
                        base_worker_peak_mb=base["result"]["children_peak_mb"],
                        findings=res["findings"],
                    )
                )
            continue
        case_file = data.case_folder(n)
        log(f"e2e {n:,}")
        ours = timed("bench.bench_pipeline:end_to_end", case_file, repeat=repeat)
        base = timed("bench.bench_pipeline:ingest_only", case_file, repeat=repeat)
        res = ours["result"]
        out.append(
            row(
                "end to end",
                n,
                ours,
                res["records"],
                "ingestion alone",
                base,
                "one case, six agencies (five CSV, one XLSX)",
                run_case=res["run_case"],
                write_outputs=res["write_outputs"],
                html_mb=res["sizes"]["timeline.html"] / 1e6,
                xlsx_mb=res["sizes"]["chronology.xlsx"] / 1e6,
                findings=res["findings"],
            )
        )
    return out


def _cli_seconds(args: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one command."""
    import resource

    def cpu() -> float:
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        return kids.ru_utime + kids.ru_stime

    started, cpu0 = time.perf_counter(), cpu()
    subprocess.run(args, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - started, cpu() - cpu0


def stage_demo(repeat: int) -> dict[str, Any]:
    """The demo case through the command line, start-up included, beside ``chronology validate``."""
    import shutil
    import tempfile

    exe = [sys.executable, "-m", "chronology"]
    case = str(ROOT / "data_samples" / "child_h" / "case.toml")
    merge, validate, bare = [], [], []
    for _ in range(max(3, repeat)):
        out = tempfile.mkdtemp(prefix="bench-demo-")
        try:
            merge.append(_cli_seconds([*exe, "merge", case, "--out", out]))
        finally:
            shutil.rmtree(out, ignore_errors=True)
        validate.append(_cli_seconds([*exe, "validate", case]))
        bare.append(_cli_seconds([sys.executable, "-c", "import pandas, pyarrow"]))

    def med(runs: list[tuple[float, float]], k: int) -> float:
        return statistics.median(r[k] for r in runs)

    return {
        "merge": med(merge, 0),
        "merge_cpu": med(merge, 1),
        "validate": med(validate, 0),
        "validate_cpu": med(validate, 1),
        "imports": med(bare, 0),
        "imports_cpu": med(bare, 1),
        "runs": len(merge),
    }


def stage_profile(n: int, batch: bool, top: int = 25) -> list[dict[str, Any]]:
    """cProfile of ``chronology merge`` on a case of n records and, with ``batch``, of 50 of the 1M cases."""
    from bench import profile_notes

    out = []
    if batch:
        log("profile: 50 cases of the 1M batch")
        out.append(profile_notes.profile(data.batch_folder(BATCH_CASES, BATCH_RECORDS), cases=50, top=top))
    log(f"profile {n:,}")
    out.append(profile_notes.profile(data.case_folder(n), top=top))
    return out


# --- the markdown -------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    import numpy
    import pandas
    import pyarrow

    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    try:
        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        load = "?"
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "cpu": f"{os.cpu_count()} cores (nproc), {platform.machine()}, {platform.processor() or platform.system()}",
        "memory": f"{mem_kb / 1024 / 1024:.1f} GB",
        "python": platform.python_version(),
        "pandas": pandas.__version__,
        "pyarrow": pyarrow.__version__,
        "numpy": numpy.__version__,
        "load": load,
        "commit": commit or os.environ.get("BENCH_COMMIT", "?"),
    }


def _fmt_s(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    return f"{seconds:.3f}" if seconds < 1 else f"{seconds:.2f}" if seconds < 100 else f"{seconds:.0f}"


def _growth(rows: list[dict[str, Any]], key: str) -> dict[int, str]:
    """Growth factor of each row from the row before: (time ratio) / (records ratio)."""
    out: dict[int, str] = {}
    for before, after in zip(rows, rows[1:], strict=False):
        if before.get(key) and after.get(key) and before["records"]:
            factor = (after[key] / before[key]) / (after["records"] / before["records"])
            out[id(after)] = f"{factor:.2f}"
    return out


def stage_table(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| stage | size | records | runs | wall s (median) | CPU s | records/s (wall) | peak MB "
        "| growth wall / CPU | baseline | baseline wall s | baseline CPU s | baseline peak MB "
        "| ratio wall / CPU | note |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|",
    ]
    by_stage: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_stage.setdefault(r["stage"], []).append(r)
    for stage_rows in by_stage.values():
        stage_rows.sort(key=lambda r: r["size"])
        wall, cpu = _growth(stage_rows, "seconds"), _growth(stage_rows, "cpu")
        for r in stage_rows:
            ratio = f"{r['seconds'] / r['base_seconds']:.2f}" if r.get("base_seconds") else "–"
            if r.get("base_cpu") and r.get("cpu"):
                ratio += f" / {r['cpu'] / r['base_cpu']:.2f}"
            base_peak = f"{r['base_peak_mb']:,.0f}" if r.get("base_peak_mb") else "–"
            runs = f"{r['runs']}" + (f" / {r['base_runs']}" if r.get("base_runs") else "")
            growth = f"{wall.get(id(r), '–')} / {cpu.get(id(r), '–')}" if id(r) in wall else "–"
            lines.append(
                f"| {r['stage']} | {r['size']:,} | {r['records']:,} | {runs} | {_fmt_s(r['seconds'])} "
                f"| {_fmt_s(r.get('cpu'))} | {r['records'] / r['seconds']:,.0f} | {r['peak_mb']:,.0f} | {growth} "
                f"| {r['baseline'] or '–'} | {_fmt_s(r.get('base_seconds'))} | {_fmt_s(r.get('base_cpu'))} "
                f"| {base_peak} | {ratio} | {r.get('note', '')} |"
            )
    return lines


def render(results: dict[str, Any]) -> str:
    """BENCHMARKS.md from the stored results."""
    rows: list[dict[str, Any]] = results.get("rows", [])
    info = results.get("machine", {})
    out = [
        "# Benchmarks",
        "",
        "Written by `bench/run.py` (`make bench`; not part of `make test`). Every figure below was measured "
        "on the machine named here; rerun the command to measure yours.",
        "",
        f"- Command: `{results.get('command', '?')}`",
        f"- Runs: {', '.join(results.get('runs', []))}",
        f"- Machine: {info.get('cpu', '?')}; memory {info.get('memory', '?')}; Python {info.get('python', '?')}; "
        f"pandas {info.get('pandas', '?')}; pyarrow {info.get('pyarrow', '?')}; numpy {info.get('numpy', '?')}; "
        f"load average at the start {info.get('load', '?')}; code at commit {info.get('commit', '?')}.",
        "",
        "How to read the tables: *wall s* is the median wall time of fresh-process runs (`bench/measure.py`'s "
        "protocol, run by `bench/bench_pipeline.py` to add CPU time; *runs* says how many, ours / baseline's: "
        "one where a run takes over a minute); *CPU s* is the user + system time of the same process and "
        "its workers (median), which other load on the machine disturbs less than wall time; *peak MB* is the "
        "measuring process's own peak resident memory (`ru_maxrss`); *growth* is (time ratio) / (records "
        "ratio) from the size above, so 1.00 is linear and 2 means the cost per record doubled; *ratio* is "
        "our time / the baseline's time measured in the same run (the machine is shared and noisy: the "
        "ratios are steadier than the seconds). Where a stage's function loads cached inputs, the seconds "
        "are the stage alone (timed inside the process) and peak memory includes the inputs.",
        "",
    ]
    out += _targets(results)
    out += results.get("summary", "").splitlines()
    if results.get("summary"):
        out.append("")
    sections = [
        ("ingest", "Ingest", _ingest_text),
        ("match", "Match", _match_text),
        ("analysis", "Analysis", _analysis_text),
        ("html", "HTML export (timeline.html)", _html_text),
        ("e2e", "End to end (`chronology merge`)", _e2e_text),
    ]
    for key, title, text in sections:
        stage_rows = [r for r in rows if r.get("group") == key]
        out += [f"## {title}", ""]
        if not stage_rows and key != "html":
            out += ["Not measured in the runs above.", ""]
            continue
        out += text(results)
        if stage_rows:
            out += stage_table(stage_rows)
        out.append("")
        if key == "html" and results.get("browser"):
            out += [
                "In headless Chromium (`bench/bench_report.py`: Debian's chromium through playwright, "
                "median of the runs; the same synthetic runs):",
                "",
                results["browser"],
                "",
            ]
        if key == "e2e" and results.get("demo"):
            d = results["demo"]
            out += [
                f"The demo case (`data_samples/child_h`) through the command line, Python start-up included, "
                f"median of {d['runs']}, wall (CPU): `chronology merge` {d['merge']:.2f} s "
                f"({d.get('merge_cpu', float('nan')):.2f} s); `chronology validate` (ingest alone) "
                f"{d['validate']:.2f} s ({d.get('validate_cpu', float('nan')):.2f} s), ratio "
                f"{d['merge'] / d['validate']:.2f}; `python -c 'import pandas, pyarrow'` alone "
                f"{d['imports']:.2f} s ({d.get('imports_cpu', float('nan')):.2f} s).",
                "",
            ]
    dense = [r for r in rows if r.get("group") == "dense"]
    if dense:
        from bench import bench_dense

        out += [
            "## Dense single-agency export (issue 13 item 5)",
            "",
            "`match_events` on `bench.data.dense_events(n)` (one agency, about 55 routine entries a day; "
            "`python -m bench.run --stages dense` or `python -m bench.bench_dense`): wall time of the call "
            "alone, median of fresh-process runs, and peak memory (ru_maxrss). Target: 200,000 entries "
            "under 60 s and 2 GB.",
            "",
            bench_dense.table(dense),
            "",
        ]
    out += ["## Profile", ""]
    profiles = results.get("profile") or []
    if isinstance(profiles, dict):
        profiles = [profiles]
    out += results.get("profile_notes", "").splitlines()
    from bench import profile_notes

    for prof in profiles:
        out += ["", f"### {profile_notes.title(prof)}", ""]
        out += profile_notes.markdown(prof).splitlines() + [""]
    if not profiles:
        out += ["Not measured in the runs above.", ""]
    missing = results.get("missing", [])
    if missing:
        out += ["## Not measured", ""] + [f"- {m}" for m in missing] + [""]
    return "\n".join(out).rstrip() + "\n"


def _find(results: dict[str, Any], stage: str, size: int) -> dict[str, Any] | None:
    for r in results.get("rows", []):
        if r["stage"] == stage and r["size"] == size:
            return r
    return None


def _verdict(ok: bool | None) -> str:
    return "not measured" if ok is None else ("**met**" if ok else "**not met**")


def _targets(results: dict[str, Any]) -> list[str]:
    lines = ["## Targets", "", "| target | measured | verdict |", "|---|---|---|"]

    def add(target: str, measured: str | None, ok: bool | None) -> None:
        lines.append(f"| {target} | {measured or '–'} | {_verdict(ok)} |")

    demo = results.get("demo")
    add(
        "Demo case end to end under 5 s",
        f"{demo['merge']:.2f} s wall, {demo.get('merge_cpu', float('nan')):.2f} s CPU "
        "(`chronology merge`, start-up included)"
        if demo
        else None,
        demo["merge"] < 5 if demo else None,
    )
    r = _find(results, "end to end", 100_000)
    add(
        "100k records in one case end to end under 60 s",
        f"{r['seconds']:.1f} s wall, {r['cpu']:.1f} s CPU, {r['peak_mb']:,.0f} MB" if r else None,
        r["seconds"] < 60 if r else None,
    )
    batches = sorted(
        (r for r in results.get("rows", []) if r["stage"] == "end to end (batch)"), key=lambda r: r["size"]
    )
    if batches:
        r = batches[-1]
        cases = r.get("cases", r["size"] // BATCH_RECORDS)
        memory = f"parent {r['peak_mb']:,.0f} MB, largest worker {r.get('worker_peak_mb', 0):,.0f} MB"
        if cases >= BATCH_CASES:
            measured = (
                f"{r['seconds']:.0f} s ({r['seconds'] / 60:.1f} min, CPU {r['cpu']:.0f} s), 1 run; {memory}"
            )
            add("1M records over 1,000 cases under 5 minutes", measured, r["seconds"] < 300)
        else:
            scale = BATCH_CASES / cases
            measured = (
                f"not run whole: {cases:,} of the 1,000 cases took {r['seconds']:.0f} s (CPU {r['cpu']:.0f} s); "
                f"at that rate 1,000 cases take about {r['seconds'] * scale / 60:.0f} min "
                f"(CPU {r['cpu'] * scale / 60:.0f} min, so at best about {r['cpu'] * scale / 120:.0f} min "
                f"on two idle cores); {memory}"
            )
            lines.append(
                f"| 1M records over 1,000 cases under 5 minutes | {measured} | "
                f"{'**not met** (extrapolated)' if r['seconds'] * scale >= 300 else 'met (extrapolated)'} |"
            )
    else:
        add("1M records over 1,000 cases under 5 minutes", None, None)
    peaks = sorted(
        ((r["peak_mb"] + 2 * r.get("worker_peak_mb", 0), r) for r in results.get("rows", [])),
        key=lambda p: -p[0],
    )
    if peaks:
        shown = "; ".join(
            f"{r['stage']} {r['size']:,}: {total:,.0f} MB"
            + (" (parent + 2 x largest worker, an upper bound)" if r.get("worker_peak_mb") else "")
            for total, r in peaks[:3]
        )
        add("Peak memory under 4 GB at every size", f"highest: {shown}", peaks[0][0] < 4 * GB)
    else:
        add("Peak memory under 4 GB at every size", None, None)
    r = _find(results, "end to end", 10_000)
    h = _find(results, "HTML export", 10_000)
    if r or h:
        parts = []
        if r:
            parts.append(f"{r['html_mb']:.1f} MB (generated 10k case, end to end)")
        if h:
            parts.append(f"{h['mb']:.1f} MB (bench_report's synthetic 10k run)")
        sizes = [x for x in ((r or {}).get("html_mb"), (h or {}).get("mb")) if x is not None]
        add("HTML export of a 10k-record case under 10 MB", "; ".join(parts), max(sizes) < 10)
    else:
        add("HTML export of a 10k-record case under 10 MB", None, None)
    r = _find(results, "ingest CSV", MILLION)
    add(
        "1M CSV rows ingested under 30 s and 2 GB",
        f"{r['seconds']:.1f} s wall, {r['cpu']:.1f} s CPU, {r['peak_mb']:,.0f} MB" if r else None,
        (r["seconds"] < 30 and r["peak_mb"] < 2 * GB) if r else None,
    )
    r = _find(results, "match", 100_000)
    add(
        "100k records matched under 20 s",
        f"{r['seconds']:.1f} s wall, {r['cpu']:.1f} s CPU, {r['peak_mb']:,.0f} MB" if r else None,
        r["seconds"] < 20 if r else None,
    )
    r = _find(results, "match", MILLION)
    if r:
        add(
            "1M records over 1,000 subjects matched under 3 minutes (issue 3)",
            f"{r['seconds']:.0f} s wall, {r['cpu']:.0f} s CPU, {r['peak_mb']:,.0f} MB",
            r["seconds"] < 180,
        )
    ten = results.get("browser_10k")
    add(
        "10k-record report interactive in headless Chromium within 3 s",
        f"{ten:.2f} s (bench_report)" if ten is not None else None,
        ten < 3 if ten is not None else None,
    )
    better = [r for r in results.get("rows", []) if r["stage"] == "match" and r.get("base_f1") is not None]
    if better:
        add(
            "Better pairwise F1 than the linkage library on the same data (issue 3)",
            "; ".join(f"{r['size']:,}: {r['f1']:.3f} vs Splink {r['base_f1']:.3f}" for r in better),
            all(r["f1"] > r["base_f1"] for r in better),
        )
    a = _find(results, "analysis", 100_000)
    add(
        "Analysis of a 100k-record case in seconds, not minutes (issue 4)",
        f"{a['seconds']:.1f} s wall, {a['cpu']:.1f} s CPU" if a else None,
        a["seconds"] < 60 if a else None,
    )
    lines.append("")
    return lines


def _ingest_text(results: dict[str, Any]) -> list[str]:
    xlsx = [r for r in results.get("rows", []) if r["stage"] == "ingest XLSX" and r.get("openpyxl_seconds")]
    lines = [
        "One agency file (`bench/data.py`: a title row, Date, Time, Contact type, Details, Outcome, Worker, "
        "a continuation row every 97 rows, a footer) read by `chronology.ingest.read_source` with "
        "auto-detection doing everything: layout, day-first dates, classification, the raw JSON of each "
        "row. The baselines only load cells as text. The DOCX rows read the same rows from a Word "
        "template's table (a preamble paragraph, a header row repeated on each page, the Details cell in "
        "two paragraphs) beside python-docx's own `[[c.text for c in row.cells] for row in table.rows]`.",
        "",
    ]
    if xlsx:
        lines += [
            "XLSX beside `pandas.read_excel(engine='openpyxl')` as well (runs in brackets): "
            + "; ".join(
                f"{r['size']:,}: {_fmt_s(r['openpyxl_seconds'])} s ({r['openpyxl_runs']}), {r['openpyxl_peak_mb']:,.0f} MB, "
                f"ratio {r['seconds'] / r['openpyxl_seconds']:.2f}"
                for r in xlsx
            )
            + ".",
            "",
        ]
    return lines


def _match_text(results: dict[str, Any]) -> list[str]:
    rows = [r for r in results.get("rows", []) if r["stage"] == "match"]
    lines = [
        "Generated labelled cases (`chronology.synth.generate_case`, about 2.1 records per real event, "
        f"at most {data.MAX_YEARS} years per case, so a large case is denser than a small one), matched by "
        "`chronology.match.match_events`; the baseline is Splink 5 on DuckDB as `bench/bench_match.py` "
        "configures it, unsupervised as issue 13 sets it up (its time includes its training and clustering; "
        "the best F1 of a sweep of thresholds). "
        "1M is 1,000 subjects in one call.",
        "",
        "| size | chronology precision / recall / F1 / B-cubed F1 | Splink precision / recall / F1 (threshold) |",
        "|---:|---|---|",
    ]
    for r in sorted(rows, key=lambda r: r["size"]):
        theirs = (
            f"{r['base_precision']:.3f} / {r['base_recall']:.3f} / {r['base_f1']:.3f} (p>={r['base_threshold']})"
            if r.get("base_f1") is not None
            else "–"
        )
        lines.append(
            f"| {r['size']:,} | {r['precision']:.3f} / {r['recall']:.3f} / {r['f1']:.3f} / {r['bcubed']:.3f} | {theirs} |"
        )
    lines.append("")
    return lines


def _analysis_text(results: dict[str, Any]) -> list[str]:
    return [
        "`chronology.analysis.analyse` (every detector) on the matched events and clusters of the match "
        "benchmark's cases; the baseline is one plain pandas pass (sort by subject and time, gap to the "
        "previous event, counts per subject, agency and type): the least any gap analysis does.",
        "",
    ]


def _html_text(results: dict[str, Any]) -> list[str]:
    return [
        "`chronology.views.report.write_report` on `bench_report.synthetic_run(n)` (invented records over "
        "eight agencies, 30% clustered, 20 findings); the baseline is plain plotly: one Scattergl of the "
        "same records with hover text, `plotly.io.to_html` with plotly.js inlined. File sizes: "
        + "; ".join(
            f"{r['size']:,}: {r['mb']:.1f} MB (plotly alone {r['base_mb']:.1f} MB)"
            for r in sorted(
                (r for r in results.get("rows", []) if r["stage"] == "HTML export"), key=lambda r: r["size"]
            )
        )
        + ".",
        "",
    ]


def _e2e_text(results: dict[str, Any]) -> list[str]:
    lines = [
        "Generated cases rendered as agency files (`bench/data.py: case_folder`: five CSVs with a title row "
        "and one XLSX with real date cells, headers Date, Time, Contact type, Details, Outcome, Worker, "
        "and a case.toml naming only path and agency), then `chronology.pipeline.run_case` and "
        "`chronology.outputs.write_outputs` (every output: parquet, findings, timeline.html, "
        "chronology.xlsx, manifest) in one process. The batch rows are case folders of about 1,000 records "
        "each (`batch_folder`: 1,000 of them make the 1M set; `--batch-cases K` runs the first K) through "
        "`chronology.batch.run_batch` with a pool of 2 workers, in one run; their peak MB is the parent's, "
        "the largest worker's is in the targets table. The baseline is ingestion alone of the same files "
        "(`chronology validate`; for batches, the same pool doing ingestion alone).",
        "",
    ]
    split = [
        r for r in results.get("rows", []) if r["stage"] == "end to end" and r.get("run_case") is not None
    ]
    if split:
        lines += [
            "Where the time goes (last run): "
            + "; ".join(
                f"{r['size']:,}: run_case {r['run_case']:.1f} s, write_outputs {r['write_outputs']:.1f} s, "
                f"timeline.html {r['html_mb']:.1f} MB, chronology.xlsx {r['xlsx_mb']:.1f} MB, "
                f"{r['findings']:,} findings"
                for r in sorted(split, key=lambda r: r["size"])
            )
            + ".",
            "",
        ]
    return lines


# --- main ---------------------------------------------------------------------------------------


def _load_results() -> dict[str, Any]:
    if RESULTS.exists():
        return json.loads(RESULTS.read_text(encoding="utf-8"))
    return {}


def _save(results: dict[str, Any], out: Path) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    out.write_text(render(results), encoding="utf-8")


def _merge(results: dict[str, Any], new_rows: list[dict[str, Any]], group: str, run_id: str) -> None:
    keep = [
        r
        for r in results.get("rows", [])
        if r.get("group") != group
        or not any(n["stage"] == r["stage"] and n["size"] == r["size"] for n in new_rows)
    ]
    for r in new_rows:
        r["group"] = group
        r["run"] = run_id
    results["rows"] = keep + new_rows


def main(argv: list[str] | None = None) -> None:
    """Run the selected stages and sizes and write BENCHMARKS.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1k and 10k only")
    parser.add_argument("--full", action="store_true", help="also 1M (1,000 cases of ~1,000 records)")
    parser.add_argument("--sizes", type=int, nargs="*", help="record counts (overrides --quick/--full)")
    parser.add_argument("--stages", nargs="*", choices=STAGES, default=list(STAGES))
    parser.add_argument("--repeat", type=int, default=3, help="fresh-process runs per figure (median)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes of the 1M batch")
    parser.add_argument(
        "--batch-cases",
        type=int,
        nargs="*",
        default=[BATCH_CASES],
        help="at 1M, run_batch on the first K of the 1,000 cases for each K (fewer when time is short)",
    )
    parser.add_argument(
        "--profile-size", type=int, help="records of the profiled case (default: largest ≤100k)"
    )
    parser.add_argument("--fresh", action="store_true", help="forget earlier runs' results")
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument("--render", action="store_true", help="only rewrite the file from stored results")
    parser.add_argument("--notes", type=Path, help="markdown to put under Profile (what to do about it)")
    parser.add_argument("--missing", type=Path, help="markdown lines for 'Not measured' (what and why)")
    parser.add_argument("--summary", type=Path, help="markdown to put under the targets (how to read them)")
    parser.add_argument(
        "--merge", type=Path, nargs="*", default=[], help="add the rows of other results files"
    )
    args = parser.parse_args(argv)
    if args.render or args.notes or args.merge or args.missing or args.summary:
        results = _load_results()
        if args.summary:
            results["summary"] = args.summary.read_text(encoding="utf-8")
        if args.missing:
            results["missing"] = [
                line.removeprefix("- ")
                for line in args.missing.read_text(encoding="utf-8").splitlines()
                if line
            ]
        for other_path in args.merge:
            other = json.loads(other_path.read_text(encoding="utf-8"))
            for group in {r["group"] for r in other.get("rows", [])}:
                rows_ = [r for r in other["rows"] if r["group"] == group]
                _merge(results, rows_, group, rows_[0].get("run", "?"))
            for key in ("demo", "browser", "browser_10k"):
                if other.get(key):  # the later run's figures
                    results[key] = other[key]
            if other.get("profile") and results.get("profile") is not other["profile"]:
                mine = results.get("profile") or []
                results["profile"] = [*other["profile"], *[p for p in mine if p not in other["profile"]]]
            results["runs"] = sorted({*results.get("runs", []), *other.get("runs", [])})
            if MILLION in {r["size"] for r in other.get("rows", [])}:
                results["missing"] = [m for m in results.get("missing", []) if not m.startswith("1M")]
        if args.notes:
            results["profile_notes"] = args.notes.read_text(encoding="utf-8")
        _save(results, args.out)
        if args.render:
            return
    sizes = args.sizes or (
        [1_000, 10_000]
        if args.quick
        else [1_000, 10_000, 100_000, MILLION]
        if args.full
        else [1_000, 10_000, 100_000]
    )
    results = {} if args.fresh else _load_results()
    run_id = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    command = "python -m bench.run " + " ".join(
        shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:])
    )
    results.setdefault("commands", [])
    results["command"] = command.strip()
    results["runs"] = sorted({*results.get("runs", []), f"{run_id}: `{command.strip()}`"})[-4:]
    results["machine"] = machine()
    log(f"sizes {sizes}, stages {args.stages}")
    if "e2e" in args.stages or "demo" in args.stages:
        results["demo"] = stage_demo(args.repeat)
        _save(results, args.out)
    runners = {
        "ingest": lambda: stage_ingest(sizes, args.repeat),
        "match": lambda: stage_match(sizes, args.repeat),
        "dense": lambda: stage_dense(args.repeat),
        "analysis": lambda: stage_analysis(sizes, args.repeat),
        "e2e": lambda: stage_e2e(sizes, args.repeat, args.workers, tuple(args.batch_cases)),
    }
    order = ["ingest", "e2e", "match", "dense", "analysis", "html", "profile"]
    for stage in order:
        if stage not in args.stages:
            continue
        started = time.perf_counter()
        if stage == "html":
            new_rows, browser = stage_html(sizes, args.repeat)
            results["browser"] = browser
            results["browser_10k"] = _browser_seconds(browser, 10_000)
            _merge(results, new_rows, "html", run_id)
        elif stage == "profile":
            n = args.profile_size or max([s for s in sizes if s <= 100_000] or [10_000])
            results["profile"] = stage_profile(n, MILLION in sizes)
        else:
            _merge(results, runners[stage](), stage, run_id)
        log(f"{stage} done in {time.perf_counter() - started:.0f} s")
        _save(results, args.out)
    missing = []
    if MILLION not in sizes and not any(r["size"] >= MILLION for r in results.get("rows", [])):
        missing.append("1M records: not run here (it is `python -m bench.run --full`).")
    results["missing"] = missing
    _save(results, args.out)
    log(f"wrote {args.out}")


def _browser_seconds(table: str, n: int) -> float | None:
    """The 'open to interactive' column of bench_report's table at n records."""
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells and cells[0].replace(",", "") == str(n):
            try:
                return float(cells[5])
            except (IndexError, ValueError):
                return None
    return None


if __name__ == "__main__":
    main()
