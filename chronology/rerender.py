"""``chronology report``: the findings and every view again from a previous merge, without re-matching.

After a reviewer's decisions (decisions.csv) or a change of the analysis
settings ([rules]), the records and their matches have not changed: reading
and matching them again is the slow part of a merge and needless. ``load_run``
takes the records and clusters a merge wrote (events.parquet,
clusters.parquet), runs the analysis again with the current [rules] and
decisions.csv, and gives a Run that ``write_outputs`` renders as merge does.

It refuses, naming what changed, when the merge no longer describes the case:
an agency file changed, added or removed; a source's label or the [match]
settings changed in case.toml; overrides.csv, corrections.csv or the
subjects table edited since the merge. Then only ``chronology merge`` gives right outputs.

Example:
    >>> run = load_run(load_config("cases/child_h/case.toml"), Path("cases/child_h/out"))  # doctest: +SKIP
    >>> write_outputs(run, Path("cases/child_h/out"))  # doctest: +SKIP
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd

from chronology.config import CaseConfig
from chronology.corrections import TABLE_COLUMNS
from chronology.errors import InputError
from chronology.pipeline import Run, agency_aliases
from chronology.preflight import check_settings

#: The analyst's files whose change since the merge needs a new merge (and the subjects table).
MATCH_INPUTS = ("overrides.csv", "corrections.csv")


def _manifest(out_dir: Path) -> dict[str, Any]:
    path = out_dir / "manifest.json"
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise InputError(
            "no merge here to report from (no manifest.json)",
            file=str(out_dir),
            hint="run chronology merge first",
        ) from None
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read manifest.json ({exc})", file=str(out_dir)) from None


def was_pseudonymised(out_dir: Path) -> bool:
    """Whether the merge in ``out_dir`` applied pseudonyms (its records hold them, not the real names)."""
    return bool(_manifest(out_dir).get("pseudonymised"))


def stale_reason(config: CaseConfig, out_dir: Path, manifest: dict[str, Any]) -> str:
    """Why the merge in ``out_dir`` no longer describes the case ("" when it still does)."""
    from chronology.outputs import sha256_file

    inputs = {str(i.get("path")): i for i in manifest.get("inputs", [])}
    now = {s.path: s for s in config.sources}
    if set(inputs) != set(now):
        changed = sorted(set(inputs) ^ set(now))
        return f"the case's sources changed since the merge ({', '.join(changed)})"
    for path, source in now.items():
        if str(inputs[path].get("agency")) != source.agency:
            return f"the agency of {path} changed since the merge"
        try:
            if sha256_file(source.resolved) != inputs[path].get("sha256"):
                return f"{path} changed since the merge"
        except OSError:
            return f"{path} cannot be read"
    if (manifest.get("match") or {}) != json.loads(json.dumps(config.match, default=str)):
        return "[match] changed since the merge"
    made = (out_dir / "manifest.json").stat().st_mtime
    sides = [config.folder / name for name in MATCH_INPUTS] + ([config.subjects] if config.subjects else [])
    for side in sides:
        if side.exists() and side.stat().st_mtime > made:
            return f"{side.name} was edited after the merge"
    return ""


def _previous_corrections(out_dir: Path) -> pd.DataFrame:
    """The corrections table of the previous merge, from its workbook's Corrected sheet."""
    empty = pd.DataFrame(columns=list(TABLE_COLUMNS))
    path = out_dir / "chronology.xlsx"
    if not path.exists():
        return empty
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        if "Corrected" not in book.sheetnames:
            return empty
        rows = list(book["Corrected"].iter_rows(values_only=True))[1:]
    finally:
        book.close()
    names = ["source_file", "source_sheet", "source_row", "agency", "field", "original", "corrected"]
    names += ["reason", "who", "applied", "record_id"]
    frame = pd.DataFrame([dict(zip(names, r, strict=False)) for r in rows], columns=names)
    frame = frame.assign(row=range(2, len(frame) + 2)).fillna("")
    frame["source_row"] = pd.array([int(v) if v != "" else None for v in frame["source_row"]], dtype="Int64")
    return frame[list(TABLE_COLUMNS)]


#: How the analysis's own warnings start (the rest are reading's and matching's, kept from the merge).
ANALYSIS_WARNINGS = ("analysis:", "decisions.csv ")
_WARNINGS = re.compile(r"<summary>Warnings \(\d+\)</summary><ul>(.*?)</ul>", re.DOTALL)


def _previous_warnings(out_dir: Path) -> list[str]:
    """The merge's reading and matching warnings, as its timeline.html lists them."""
    try:
        page = (out_dir / "timeline.html").read_text(encoding="utf-8")
    except OSError:
        return []
    found = _WARNINGS.search(page)
    items = re.findall(r"<li>(.*?)</li>", found.group(1), re.DOTALL) if found else []
    lines = [html.unescape(item) for item in items]
    return [line for line in lines if not line.startswith(ANALYSIS_WARNINGS)]


def load_run(config: CaseConfig, out_dir: Path) -> Run:
    """A Run from a previous merge's records and clusters, analysed again with today's rules and decisions.

    Args:
        config: The parsed case.toml.
        out_dir: The folder a merge of this case wrote.

    Raises:
        InputError: No merge in the folder, or one that no longer describes
            the case (naming what changed).
    """
    from chronology.analysis import analyse, read_decisions
    from chronology.ingest import SOURCE_COLUMNS

    check_settings(config)
    manifest = _manifest(out_dir)
    stale = stale_reason(config, out_dir, manifest)
    if stale:
        raise InputError(
            stale, file=str(out_dir), hint="run chronology merge: report only re-renders a merge"
        )
    try:
        events = pd.read_parquet(out_dir / "events.parquet")
        clusters = pd.read_parquet(out_dir / "clusters.parquet")
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the merge's records ({exc})", file=str(out_dir)) from None
    sources = pd.DataFrame(
        [{"source_file": i["path"], **i} for i in manifest.get("inputs", [])], columns=list(SOURCE_COLUMNS)
    )
    analysed = analyse(
        events,
        clusters,
        config.rules,
        timezone=config.timezone,
        decisions=read_decisions(config.folder / "decisions.csv"),
        aliases=agency_aliases(config),
    )
    return Run(
        config=config,
        events=events,
        sources=sources,
        clusters=clusters,
        pairs=pd.DataFrame(),
        findings=analysed.findings,
        warnings=[*_previous_warnings(out_dir), *analysed.warnings],
        corrections=_previous_corrections(out_dir),
        match_weights=dict(manifest.get("match_weights") or {}),  # estimated by the merge's matching
    )
