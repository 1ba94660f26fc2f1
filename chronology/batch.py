"""Many cases at once: a folder of case folders, processed in parallel across cores.

Thematic reviews look across many cases. ``chronology batch FOLDER --out DIR``
finds every ``case.toml`` below FOLDER (one per sub-folder), runs the whole
pipeline on each in a pool of worker processes, writes one output folder per
case under DIR, and a ``summary.csv`` with one line per case. A case with bad
input does not stop the others: its line says what is wrong.
"""

from __future__ import annotations

import csv
import io
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from chronology.csv_safety import neutralise_cell
from chronology.errors import InputError

SUMMARY_COLUMNS = (
    "case",
    "status",
    "message",
    "sources",
    "events",
    "continuations",
    "rejected",
    "clusters",
    "findings",
    "subjects",
)


@dataclass(frozen=True)
class CaseSummary:
    """One line of summary.csv: what happened to one case."""

    case: str
    status: str
    message: str = ""
    sources: int = 0
    events: int = 0
    continuations: int = 0
    rejected: int = 0
    clusters: int = 0
    findings: int = 0
    subjects: int = 0


def find_cases(folder: Path) -> list[Path]:
    """Every case.toml in FOLDER's sub-folders (or FOLDER itself), sorted by path."""
    found = sorted(folder.glob("*/case.toml"))
    if (folder / "case.toml").exists():
        found.insert(0, folder / "case.toml")
    return found


def folders_without_case(folder: Path) -> list[Path]:
    """FOLDER's sub-folders that hold agency files but no case.toml (a case not set up yet)."""
    from chronology.ingest.draft import chronology_files

    return sorted(
        sub
        for sub in folder.iterdir()
        if sub.is_dir() and not (sub / "case.toml").exists() and chronology_files(sub)
    )


def _case_name(case_file: Path, root: Path) -> str:
    rel = case_file.parent.relative_to(root)
    return str(rel) if str(rel) != "." else case_file.parent.name


def run_one(case_file: Path, out_dir: Path, name: str, pseudonymise: bool | None = None) -> CaseSummary:
    """Run one case and write its outputs; bad input becomes a summary line, not an exception."""
    from chronology.config import load_config
    from chronology.outputs import write_outputs
    from chronology.pipeline import run_case

    try:
        run = run_case(load_config(case_file))
        write_outputs(run, out_dir, pseudonymise=pseudonymise)
    except InputError as exc:
        return CaseSummary(case=name, status="error", message=exc.line())
    ev = run.events
    status = ev["status"]
    return CaseSummary(
        case=name,
        status="ok",
        sources=len(run.sources),
        events=int((status == "event").sum()),
        continuations=int((status == "continuation").sum()),
        rejected=int((status == "rejected").sum()),
        clusters=len(run.clusters),
        findings=len(run.findings),
        subjects=int(ev.loc[status == "event", "subject_ref"].nunique()),
    )


def run_batch(
    folder: Path, out_dir: Path, *, workers: int | None = None, pseudonymise: bool | None = None
) -> list[CaseSummary]:
    """Run every case under ``folder`` in parallel; write per-case outputs and summary.csv.

    Args:
        folder: A folder of case folders, each with its case.toml.
        out_dir: One output folder per case is made here, plus summary.csv.
        workers: Worker processes; the number of cores by default.
        pseudonymise: As ``merge --pseudonymise``; each case's own setting by default.

    Returns:
        One summary per case, in case-path order (the same order as summary.csv),
        then a "skipped" line for each sub-folder holding agency files but no case.toml.
    """
    cases = find_cases(folder)
    uncased = folders_without_case(folder)
    if not cases:
        hint = f"run: chronology init {uncased[0]}" if uncased else None
        raise InputError("no case.toml found in this folder or its sub-folders", file=str(folder), hint=hint)
    out_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    names = [_case_name(c, folder) for c in cases]
    workers = max(1, min(workers or os.cpu_count() or 1, len(cases)))
    if workers == 1:
        results = [run_one(c, out_dir / n, n, pseudonymise) for c, n in zip(cases, names, strict=True)]
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [
                pool.submit(run_one, c, out_dir / n, n, pseudonymise)
                for c, n in zip(cases, names, strict=True)
            ]
            results = [f.result() for f in futures]
    for sub in uncased:  # said, never skipped without a word
        results.append(
            CaseSummary(
                case=_case_name(sub / "case.toml", folder),
                status="skipped",
                message=f"agency files but no case.toml; run: chronology init {sub}",
            )
        )
    summary = out_dir / "summary.csv"
    # Owner-only, like every output: a case's name or message can hold personal data.
    descriptor = os.open(summary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as fh:
        fh.write(summary_csv(results))
    os.chmod(summary, 0o600)
    return results


def summary_csv(results: list[CaseSummary]) -> str:
    """The summary table as CSV text (no timings, so it is byte-identical across runs).

    Example:
        >>> print(summary_csv([CaseSummary(case="=cmd", status="error", message="bad")]).splitlines()[1])
        '=cmd,error,bad,0,0,0,0,0,0,0
    """
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=SUMMARY_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for result in results:
        # Case names and messages are text the user did not type into a cell: neutralised for Excel.
        writer.writerow(
            {k: neutralise_cell(v) if isinstance(v, str) else v for k, v in asdict(result).items()}
        )
    return buffer.getvalue()
