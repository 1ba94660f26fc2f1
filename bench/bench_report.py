"""Benchmark of timeline.html: Python render time, file size, and time to interactive in Chromium.

Not a test. Synthetic invented records (seeded) for 1k, 10k and 100k events across
eight agencies; each report is written (``write_report``), opened from disk in
headless Chromium (Debian's /usr/bin/chromium driven by playwright) and timed from
navigation start until the plot's first ``plotly_afterplot`` has passed and the
table is drawn (``window.__plotReady``), then the time of one zoom
(``Plotly.relayout``). "Data read" is the time from the page's script starting
to its data unpacked (base64, gzip) and parsed.

Each target is a size (a synthetic run), a case folder or case.toml (run
through the pipeline), or a page already written (``.html``: timed as it is,
e.g. one written by an older version, to compare in the same run). The loads
of the targets take turns (target 1, 2, ..., then again), so that a busy
machine slows them alike.

Usage:
    .venv/bin/python -m bench.bench_report            # 1k, 10k, 100k; median of 3
    .venv/bin/python -m bench.bench_report 1000 10000 --repeat 1
    .venv/bin/python -m bench.bench_report bench/out/cases/case_10000_s0 /tmp/old_timeline.html

Example:
    >>> print(section((1000,), repeat=1))  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from chronology.config import CaseConfig, SourceConfig
from chronology.pipeline import Run
from chronology.schema import CLUSTER_COLUMNS, EVENT_COLUMNS, FINDING_COLUMNS
from chronology.views.report import write_report
from chronology.vocabulary import load_vocabulary

AGENCIES = [
    "Police",
    "Children's Social Care",
    "GP",
    "Health Visiting",
    "School",
    "Emergency Department",
    "Housing",
    "Probation",
]
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
WORDS = [
    "visit",
    "child",
    "seen",
    "mother",
    "partner",
    "concern",
    "bruise",
    "school",
    "nursery",
    "referral",
    "strategy",
    "plan",
    "review",
    "letter",
    "phone",
    "home",
]


def synthetic_run(n: int, seed: int = 0) -> Run:
    """A Run of n invented event records over ~3 years (100k: ~10 years), with clusters and findings.

    Example:
        >>> len(synthetic_run(100).events)
        100
    """
    rng = np.random.default_rng(seed)
    types = list(load_vocabulary().types)
    years = 3 if n <= 10_000 else 10
    start = pd.Timestamp("2015-01-01", tz="Europe/London")
    minutes = np.sort(rng.integers(0, years * 365 * 24 * 60, n))
    starts = start + pd.to_timedelta(minutes, unit="min")
    agency = rng.choice(AGENCIES, n)
    precision = rng.choice(["time", "day", "week", "month"], n, p=[0.5, 0.4, 0.05, 0.05])
    ends = [
        s + pd.Timedelta(days=6) if p == "week" else s + pd.Timedelta(days=27) if p == "month" else s
        for s, p in zip(starts, precision, strict=True)
    ]
    cluster = np.where(rng.random(n) < 0.3, np.char.add("c", (np.arange(n) // 2).astype(str)), "")
    to_agency = np.where(rng.random(n) < 0.05, rng.choice(AGENCIES, n), "")
    words = rng.choice(WORDS, (n, 18))
    events = pd.DataFrame(
        {
            "record_id": [f"r{i:06d}" for i in range(n)],
            "subject_ref": "",
            "agency": agency,
            "source_file": np.char.add(np.char.lower(np.char.replace(agency, " ", "_")), ".xlsx"),
            "source_sheet": "Chronology",
            "source_row": np.arange(n) + 2,
            "status": "event",
            "reason": "",
            "start": starts,
            "end": pd.DatetimeIndex(ends),
            "date_precision": precision,
            "event_type": rng.choice(types, n),
            "type_label": "",
            "description": [" ".join(w) for w in words],
            "outcome": "",
            "practitioner": "",
            "from_agency": "",
            "to_agency": to_agency,
            "cluster_id": cluster,
            "raw": "{}",
        },
        columns=list(EVENT_COLUMNS),
    )
    clustered = events[events["cluster_id"] != ""]
    clusters = (
        clustered.groupby("cluster_id")
        .agg(
            start=("start", "min"),
            end=("end", "max"),
            event_type=("event_type", "first"),
            description=("description", "first"),
            agencies=("agency", list),
            record_ids=("record_id", list),
            size=("record_id", "size"),
        )
        .reset_index()
        .assign(subject_ref="", date_precision="day", evidence="")
    )[list(CLUSTER_COLUMNS)]
    picks = rng.choice(n, 20, replace=False)
    findings = pd.DataFrame(
        [
            {
                "finding_id": f"F-{i:05d}",
                "subject_ref": "",
                "kind": ["contact_gap", "info_sharing_gap", "missed_handoff", "timescale_breach"][i % 4],
                "subkind": "",
                "severity": "medium",
                "title": f"Synthetic finding {i}",
                "statement": "An invented finding for the benchmark.",
                "agencies": [events.at[p, "agency"]],
                "start": events.at[p, "start"],
                "end": events.at[p, "start"] + pd.Timedelta(days=30),
                "record_ids": [events.at[p, "record_id"]],
                "from_agency": "",
                "to_agency": "",
                "citations": "",
                "rule": "{}",
                "status": "open",
                "decision_reason": "",
                "reviewer": "",
                "cited": "",
            }
            for i, p in enumerate(sorted(picks))
        ],
        columns=list(FINDING_COLUMNS),
    )
    config = CaseConfig(
        path=Path("case.toml"),
        name=f"Synthetic case ({n} records)",
        date_of_birth=pd.Timestamp("2012-06-01").date(),
        sources=tuple(
            SourceConfig(path=f"{a}.xlsx", agency=a, resolved=Path(f"/{a}.xlsx")) for a in AGENCIES
        ),
    )
    return Run(
        config=config,
        events=events,
        sources=pd.DataFrame({"agency": AGENCIES}),
        clusters=clusters,
        pairs=pd.DataFrame(),
        findings=findings,
    )


def browser_times(path: Path, repeat: int) -> tuple[list[float], list[float], list[tuple[float, float]]]:
    """Per page load: seconds to interactive, seconds for one zoom, and (page parsed, data read) stages."""
    from playwright.sync_api import sync_playwright

    ready: list[float] = []
    zoom: list[float] = []
    stages: list[tuple[float, float]] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for _ in range(repeat):
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
            page.goto(path.resolve().as_uri(), timeout=300_000)
            page.wait_for_function("window.__plotReady !== null", timeout=300_000)
            timings = page.evaluate("window.__timings")
            ready.append(timings["ready"] / 1000)
            stages.append((timings["script"] / 1000, (timings["parsed"] - timings["script"]) / 1000))
            zoom.append(
                page.evaluate(
                    """async () => {
                        const gd = document.querySelector('.js-plotly-plot');
                        const t0 = performance.now();
                        await Plotly.relayout(gd, {'xaxis.range': ['2016-01-01', '2016-03-01']});
                        return (performance.now() - t0) / 1000;
                    }"""
                )
            )
            page.close()
        browser.close()
    return ready, zoom, stages


def _render(target: str, folder: Path) -> tuple[str, Path, float | None]:
    """A target's row label, its page (written into ``folder`` unless it is a page) and the seconds to write it."""
    if target.endswith(".html"):
        return Path(target).name, Path(target), None
    if target.isdigit():
        n = int(target)
        label, run = f"{n:,}", synthetic_run(n)
    else:
        from chronology.config import load_config
        from chronology.pipeline import run_case

        case = Path(target)
        run = run_case(load_config(case / "case.toml" if case.is_dir() else case))
        label = f"{case.name if case.is_dir() else case.parent.name} ({len(run.events):,})"
    path = folder / f"report_{len(list(folder.iterdir()))}.html"
    t0 = time.perf_counter()
    write_report(run, path)
    return label, path, time.perf_counter() - t0


def section(targets: tuple[int | str, ...] = (1_000, 10_000, 100_000), repeat: int = 3) -> str:
    """The markdown table for BENCHMARKS.md: one row per target (see the module docstring).

    Example:
        >>> print(section((1000,), repeat=1))  # doctest: +SKIP
    """
    lines = [
        "| records | render in Python (s) | timeline.html (MB) | page + plotly.js parsed (s) "
        "| data read (s) | open to interactive in Chromium (s) | zoom (s) |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        pages = [_render(str(t), Path(tmp)) for t in targets]
        times: list[tuple[list[float], list[float], list[tuple[float, float]]]] = [
            ([], [], []) for _ in pages
        ]
        for _ in range(repeat):
            for (_, path, _), (ready, zoom, stages) in zip(pages, times, strict=True):
                r, z, s = browser_times(path, 1)
                ready += r
                zoom += z
                stages += s
        for (label, path, render), (ready, zoom, stages) in zip(pages, times, strict=True):
            size = path.stat().st_size / 1e6
            lines.append(
                f"| {label} | {'-' if render is None else f'{render:.2f}'} | {size:.1f} "
                f"| {statistics.median(s[0] for s in stages):.2f} "
                f"| {statistics.median(s[1] for s in stages):.2f} | {statistics.median(ready):.2f} "
                f"| {statistics.median(zoom):.2f} |"
            )
            if repeat > 1:
                lines[-1] += f" <!-- interactive: {', '.join(f'{r:.2f}' for r in ready)} -->"
    return "\n".join(lines)


def main() -> None:
    """Print the table (see the module docstring for usage)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "targets",
        nargs="*",
        default=["1000", "10000", "100000"],
        help="sizes of synthetic runs, case folders (or case.toml), or pages already written (.html)",
    )
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(section(tuple(args.targets), args.repeat))


if __name__ == "__main__":
    main()
