"""Run one measured call in a fresh process: wall time and the process's own peak memory.

Each measurement runs ``python -m bench.measure MODULE:FUNCTION ARGS_JSON`` so that
peak memory (``resource.getrusage(RUSAGE_SELF).ru_maxrss``) belongs to that call
alone; the parent takes the median wall time over several runs.
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def fresh_run(runner: str, target: str, *args: Any) -> dict[str, Any]:
    """One run of ``python -m RUNNER TARGET ARGS_JSON`` in a fresh process; its last stdout line as JSON.

    Args:
        runner: The module whose ``__main__`` times the call (``bench.measure``,
            or ``bench.bench_pipeline``, which adds CPU time).
        target: What the runner calls ("module:function" or a name it knows).
        args: JSON-serialisable arguments.
    """
    proc = subprocess.run(
        [sys.executable, "-m", runner, target, json.dumps(args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{target} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure(target: str, *args: Any, repeat: int = 3) -> dict[str, float]:
    """Median wall seconds and max peak MB of ``target(*args)`` over ``repeat`` fresh processes.

    Args:
        target: "module:function", importable from the project root.
        args: JSON-serialisable arguments.
        repeat: How many runs.

    Returns:
        {"seconds": median, "seconds_min": ..., "seconds_max": ..., "peak_mb": max, "result": last result}
    """
    runs = [fresh_run("bench.measure", target, *args) for _ in range(repeat)]
    seconds = [r["seconds"] for r in runs]
    return {
        "seconds": statistics.median(seconds),
        "seconds_min": min(seconds),
        "seconds_max": max(seconds),
        "peak_mb": max(r["peak_mb"] for r in runs),
        "result": runs[-1]["result"],
    }


def _main() -> None:
    target, raw_args = sys.argv[1], sys.argv[2]
    module, _, name = target.partition(":")
    func = getattr(importlib.import_module(module), name)
    args = json.loads(raw_args)
    started = time.perf_counter()
    result = func(*args)
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "peak_mb": peak_kb / 1024, "result": result}))


if __name__ == "__main__":
    _main()
