"""The match stage on one agency's dense export (issue 13 item 5): ``bench.data.dense_events(n)``.

One agency writing about 55 routine entries a day: every entry meets every
other of its day and the next, and its receipts and minutes meet two weeks of
entries, so this is the match stage's worst case for candidate pairs. Each
figure is a fresh process (``bench.measure``): wall time of ``match_events``
alone (the events are made before the clock starts) and the process's peak
memory (ru_maxrss, the events included).

Usage::

    python -m bench.bench_dense                      # 20,000 and 200,000, 3 runs each
    python -m bench.bench_dense --sizes 20000 --repeat 1
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from typing import Any

from bench.measure import fresh_run


def dense_match(n: int) -> dict[str, Any]:
    """match_events on dense_events(n), timed inside the process (the events made first)."""
    from bench.data import dense_events
    from chronology.match import match_events

    events = dense_events(n)
    started = time.perf_counter()
    result = match_events(events)
    seconds = time.perf_counter() - started
    return {
        "records": n,
        "inner": seconds,
        "pairs": len(result.pairs),
        "clusters": len(result.clusters),
        "largest": int(result.clusters["size"].max()) if len(result.clusters) else 0,
    }


def measure_dense(n: int, repeat: int = 3) -> dict[str, Any]:
    """Median wall seconds of ``dense_match(n)`` over ``repeat`` fresh processes, max peak MB, the load seen."""
    runs = []
    loads = []
    for _ in range(repeat):
        loads.append(os.getloadavg()[0])
        runs.append(fresh_run("bench.measure", "bench.bench_dense:dense_match", n))
    seconds = [r["result"]["inner"] for r in runs]
    return {
        "stage": "dense",
        "group": "dense",
        "size": n,
        "records": n,
        "seconds": statistics.median(seconds),
        "spread": [min(seconds), max(seconds)],
        "runs": len(runs),
        "peak_mb": max(r["peak_mb"] for r in runs),
        "pairs": runs[-1]["result"]["pairs"],
        "clusters": runs[-1]["result"]["clusters"],
        "largest": runs[-1]["result"]["largest"],
        "load": [round(x, 1) for x in loads],
    }


def table(rows: list[dict[str, Any]]) -> str:
    """The rows as a markdown table."""
    out = [
        "| records | wall s (median) | spread s | runs | peak MB | scored pairs | clusters | largest | load |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        out.append(
            f"| {r['size']:,} | {r['seconds']:.1f} | {r['spread'][0]:.1f}-{r['spread'][1]:.1f} | {r['runs']} "
            f"| {r['peak_mb']:,.0f} | {r['pairs']:,} | {r['clusters']:,} | {r['largest']} "
            f"| {', '.join(str(x) for x in r['load'])} |"
        )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[20_000, 200_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    rows = []
    for n in args.sizes:
        rows.append(measure_dense(n, args.repeat))
        print(
            f"{n:,}: {rows[-1]['seconds']:.1f} s, {rows[-1]['peak_mb']:,.0f} MB", file=sys.stderr, flush=True
        )
    print(table(rows))


if __name__ == "__main__":
    main()
