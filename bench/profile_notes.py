"""Where the time goes: cProfile of ``chronology merge`` (run_case + write_outputs).

``profile(case_file)`` runs ``python -m bench.profile_notes CASE_OR_BATCH [--cases K]`` in a
fresh process, keeps the stats in bench/out/profile_*.prof (open with ``python -m pstats``
or snakeviz) and returns the top entries by own time and by cumulative time as markdown.
Given a folder of case folders, it profiles the first K cases one after another in one
process (a batch's workers run exactly this per case; a profiler cannot follow them).
"""

from __future__ import annotations

import cProfile
import io
import json
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.data import OUT
from bench.measure import ROOT


def _merge_cases(case_files: list[Path]) -> None:
    from chronology.config import load_config
    from chronology.outputs import write_outputs
    from chronology.pipeline import run_case

    with tempfile.TemporaryDirectory(prefix="bench-prof-") as tmp:
        for k, case_file in enumerate(case_files):
            write_outputs(run_case(load_config(case_file)), Path(tmp) / f"out{k}")


def _entries(stats: pstats.Stats, key: str, top: int, only: str | None = None) -> list[dict[str, Any]]:
    stats.sort_stats(key)
    out = []
    funcs = stats.fcn_list  # type: ignore[attr-defined]
    if only:
        funcs = [f for f in funcs if only in f[0]]
    for func in funcs[:top]:
        cc, nc, tt, ct, _ = stats.stats[func]  # type: ignore[attr-defined]
        file, line, name = func
        where = file
        for marker in ("/chronology/", "/site-packages/", "/lib/python3"):
            if marker in file:
                where = marker.strip("/") + "/" + file.split(marker, 1)[1]
                break
        out.append({"function": f"{where}:{line}({name})", "calls": nc, "tottime": tt, "cumtime": ct})
    return out


def _main() -> None:
    target = Path(sys.argv[1])
    limit = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 25
    if target.is_dir():
        from chronology.batch import find_cases

        cases = find_cases(target)[:limit]
    else:
        cases = [target]
    # Import first so that the profile is of the work, not of module loading.
    import chronology.analysis  # noqa: F401
    import chronology.match  # noqa: F401
    import chronology.outputs  # noqa: F401
    import chronology.views.report  # noqa: F401

    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    _merge_cases(cases)
    profiler.disable()
    seconds = time.perf_counter() - started
    name = target.name if target.is_dir() else target.parent.name
    dump = OUT / f"profile_{name}.prof"
    dump.parent.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(dump)
    stats = pstats.Stats(profiler, stream=io.StringIO())
    total = stats.total_tt  # type: ignore[attr-defined]
    print(
        json.dumps(
            {
                "target": str(target),
                "cases": len(cases),
                "seconds": seconds,
                "total_tt": total,
                "dump": str(dump),
                "tottime": _entries(stats, "tottime", top),
                "cumtime": _entries(stats, "cumulative", top),
            }
        )
    )


def profile(target: str, cases: int = 50, top: int = 25) -> dict[str, Any]:
    """Profile ``chronology merge`` of a case file (or the first ``cases`` cases of a batch folder)."""
    proc = subprocess.run(
        [sys.executable, "-m", "bench.profile_notes", target, str(cases), str(top)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-3000:])
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    got["markdown"] = markdown(got)
    return got


def title(got: dict[str, Any]) -> str:
    """The profiled case's folder (or the batch folder's) name."""
    target = Path(got["target"])
    return target.name if got["cases"] > 1 or target.suffix != ".toml" else target.parent.name


def markdown(got: dict[str, Any], show: int = 15) -> str:
    """Top entries by own time and by cumulative time, as tables."""
    what = (
        f"the first {got['cases']} cases of `{Path(got['target']).name}` one after another"
        if got["cases"] > 1
        else f"`{title(got)}`"
    )
    lines = [
        f"cProfile of `run_case` + `write_outputs` on {what}: {got['seconds']:.1f} s under the profiler "
        f"(profiling slows Python-heavy code; the shares are what matter). Stats kept in "
        f"`bench/out/{Path(got['dump']).name}` (`python -m pstats`).",
        "",
        "By own time (tottime):",
        "",
        "| function | calls | own s | share | cumulative s |",
        "|---|---:|---:|---:|---:|",
    ]
    total = got["total_tt"] or 1
    for e in got["tottime"][:show]:
        lines.append(
            f"| `{e['function']}` | {e['calls']:,} | {e['tottime']:.2f} | {e['tottime'] / total:.0%} | {e['cumtime']:.2f} |"
        )
    lines += [
        "",
        "By cumulative time:",
        "",
        "| function | calls | cumulative s | share |",
        "|---|---:|---:|---:|",
    ]
    for e in got["cumtime"][:show]:
        lines.append(
            f"| `{e['function']}` | {e['calls']:,} | {e['cumtime']:.2f} | {e['cumtime'] / total:.0%} |"
        )
    dump = Path(got["dump"])
    if dump.exists():
        own = _entries(pstats.Stats(str(dump), stream=io.StringIO()), "cumulative", 25, only="/chronology/")
        lines += [
            "",
            "The package's own functions by cumulative time (where to act):",
            "",
            "| function | calls | cumulative s | share | own s |",
            "|---|---:|---:|---:|---:|",
        ]
        for e in own:
            lines.append(
                f"| `{e['function']}` | {e['calls']:,} | {e['cumtime']:.2f} | {e['cumtime'] / total:.0%} "
                f"| {e['tottime']:.2f} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    _main()
