"""Write every output of ``merge``: all or nothing, owner-only, reproducible.

The outputs (``OUTPUT_FILES``) are first written under temporary names
(``.tmp-<name>``) in the output folder; only when every one of them has been
written (and, with pseudonyms, checked for real names) are they renamed into
place; should a rename fail, those already renamed are put back. An
exception anywhere therefore leaves the previous run's outputs as they were
and no temporary file behind. (A process killed outright between two renames,
a window of microseconds, can leave a mix, and ``.tmp-``/``.prev-`` files that
the next run removes.) Output files are readable
by their owner only (mode 0o600: they hold personal data); a new output
folder gets mode 0o700.

The same run gives byte-identical files: parquet with fixed options and no
pandas metadata, the workbook with fixed dates, the manifest with sorted keys
and no timestamp (unless ``CHRONOLOGY_TIMESTAMP`` is set).

Example:
    >>> paths = write_outputs(run, Path("out/child_h"))  # doctest: +SKIP
    >>> sorted(paths) == sorted(OUTPUT_FILES)  # doctest: +SKIP
    True
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from chronology.csv_safety import findings_csv
from chronology.errors import InputError
from chronology.ingest import SOURCE_COLUMNS
from chronology.pipeline import Run
from chronology.pseudonyms import PseudonymisationError, check_files, pseudonymise_run
from chronology.schema import CLUSTER_COLUMNS, EVENT_COLUMNS, event_schema, with_named_fields

__all__ = [
    "OUTPUT_FILES",
    "WRITERS",
    "cluster_schema",
    "findings_csv",
    "manifest",
    "manifest_json",
    "sha256_file",
    "toolkit_version",
    "write_clusters_parquet",
    "write_events_parquet",
    "write_outputs",
]

#: Every file ``merge`` writes, in the order they are written (manifest last).
OUTPUT_FILES: Final = (
    "events.parquet",
    "clusters.parquet",
    "findings.csv",
    "findings.json",
    "findings.md",
    "timeline.html",
    "chronology.xlsx",
    "chronology.docx",
    "packs.docx",
    "manifest.json",
)
TEMP_PREFIX: Final = ".tmp-"
BACKUP_PREFIX: Final = ".prev-"
FILE_MODE: Final = 0o600
DIR_MODE: Final = 0o700
#: Fixed parquet writer options: the same table gives the same bytes.
PARQUET_OPTIONS: Final[dict[str, Any]] = {
    "compression": "zstd",
    "compression_level": 3,
    "use_dictionary": True,
    "write_statistics": True,
    "version": "2.6",
    "data_page_version": "1.0",
}


def _timestamps(series: pd.Series, timezone: str) -> pa.Array:
    """Timestamps in the case's timezone, microseconds.

    Aware values keep their instant (whatever their zone); naive ones, which
    the contract does not allow, are read as the case's local time.
    """
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        values = series
    else:
        cells = series.astype(object).where(series.notna(), None)
        if any(getattr(v, "tzinfo", None) is not None for v in cells):
            values = pd.to_datetime(cells, utc=True)
        else:
            values = pd.to_datetime(cells).dt.tz_localize(
                timezone, ambiguous=True, nonexistent="shift_forward"
            )
    values = values.dt.tz_convert(timezone).dt.as_unit("us")
    return pa.array(values, type=pa.timestamp("us", tz=timezone), from_pandas=True)


def _listish(value: Any) -> list[Any] | None:
    if value is None:
        return None
    if hasattr(value, "tolist") and not isinstance(value, str):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return [None if v is None else str(v) for v in value]
    if isinstance(value, str):
        return [value]
    return None if pd.isna(value) else [str(value)]


def _column(series: pd.Series, kind: pa.DataType, timezone: str) -> pa.Array:
    if pa.types.is_timestamp(kind):
        return _timestamps(series, timezone)
    if pa.types.is_list(kind):
        if pa.types.is_integer(kind.value_type):
            return pa.array(
                [
                    [int(x) for x in v] if isinstance(v, (list, tuple, np.ndarray)) else None
                    for v in series.astype(object)
                ],
                type=kind,
            )
        return pa.array([_listish(v) for v in series.astype(object)], type=kind)
    if pa.types.is_string(kind):
        if isinstance(series.dtype, pd.StringDtype):  # text already: no trip through Python strings
            arr = pa.array(series, type=kind, from_pandas=True)
            # one chunk, as a list would give: the file's bytes must not follow how the frame was built
            return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
        values = series.astype(object).where(series.notna(), None)
        return pa.array([None if v is None else str(v) for v in values], type=kind)
    return pa.array(series.astype(object).where(series.notna(), None).tolist(), type=kind)


def _table(frame: pd.DataFrame, schema: pa.Schema, timezone: str, what: str) -> pa.Table:
    missing = [f.name for f in schema if f.name not in frame.columns]
    if missing:
        raise ValueError(f"{what} lacks the column(s) {', '.join(missing)}")
    arrays = []
    for f in schema:
        series = frame[f.name]
        if pa.types.is_string(f.type) and not f.nullable:
            if isinstance(series.dtype, pd.StringDtype):
                series = series.fillna("")
            else:
                series = series.astype(object).where(series.notna(), "")
        arrays.append(_column(series, f.type, timezone))
    return pa.Table.from_arrays(arrays, schema=schema)


def write_events_parquet(events: pd.DataFrame, path: Path, timezone: str) -> None:
    """Write events.parquet with the contract schema, reproducibly.

    Args:
        events: One row per source row, with every column of EVENT_COLUMNS (a
            named field missing is written as "").
        path: Where to write.
        timezone: The case's timezone, stored with the timestamps.

    Example:
        >>> write_events_parquet(run.events, Path("events.parquet"), "Europe/London")  # doctest: +SKIP
    """
    table = _table(with_named_fields(events), event_schema(timezone), timezone, "events")
    pq.write_table(table, str(path), **PARQUET_OPTIONS)


def cluster_schema(timezone: str, evidence: pa.DataType | None = None) -> pa.Schema:
    """The pyarrow schema of clusters.parquet (CLUSTER_COLUMNS in order).

    Example:
        >>> cluster_schema("Europe/London").field("record_ids").type
        ListType(list<item: string>)
    """
    ts = pa.timestamp("us", tz=timezone)
    kinds: dict[str, pa.DataType] = {
        "start": ts,
        "end": ts,
        "agencies": pa.list_(pa.string()),
        "record_ids": pa.list_(pa.string()),
        "member_agencies": pa.list_(pa.string()),
        "member_starts": pa.list_(pa.string()),
        "member_lag_days": pa.list_(pa.int64()),
        "size": pa.int64(),
        "evidence": evidence or pa.string(),
    }
    return pa.schema([pa.field(n, kinds.get(n, pa.string())) for n in CLUSTER_COLUMNS])


def write_clusters_parquet(clusters: pd.DataFrame, path: Path, timezone: str) -> None:
    """Write clusters.parquet reproducibly.

    Contract columns come first with fixed types; ``evidence`` is text, or
    the type pyarrow infers when it holds structures; any further columns
    follow in the frame's order, typed as pyarrow infers them.

    Example:
        >>> write_clusters_parquet(run.clusters, Path("clusters.parquet"), "Europe/London")  # doctest: +SKIP
    """
    evidence = None
    if "evidence" in clusters and len(clusters):
        values = clusters["evidence"].astype(object).where(clusters["evidence"].notna(), None)
        if any(v is not None and not isinstance(v, str) for v in values):
            evidence = pa.array(values.tolist()).type
    schema = cluster_schema(timezone, evidence)
    table = _table(clusters, schema, timezone, "clusters")
    for name in clusters.columns:
        if name not in CLUSTER_COLUMNS:
            series = clusters[name].astype(object).where(clusters[name].notna(), None)
            table = table.append_column(str(name), pa.array(series.tolist()))
    pq.write_table(table, str(path), **PARQUET_OPTIONS)


def _write_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    with open(path, "w", encoding=encoding, newline="") as fh:
        fh.write(text)


def _events(run: Run, path: Path) -> None:
    write_events_parquet(with_named_fields(run.events)[list(EVENT_COLUMNS)], path, run.config.timezone)


def _clusters(run: Run, path: Path) -> None:
    write_clusters_parquet(run.clusters, path, run.config.timezone)


def _findings_csv(run: Run, path: Path) -> None:
    # A byte-order mark so that Excel reads the file as UTF-8.
    _write_text(path, findings_csv(run.findings), encoding="utf-8-sig")


#: finding_records of the findings being written, shared by findings.json and findings.md
#: (held with the frame, so that the identity check cannot meet a recycled id).
_RECORDS: dict[int, tuple[pd.DataFrame, list[dict[str, Any]]]] = {}


def _finding_records(run: Run) -> list[dict[str, Any]]:
    from chronology.analysis.report import finding_records

    held = _RECORDS.get(id(run.findings))
    if held is None or held[0] is not run.findings:
        _RECORDS.clear()
        held = _RECORDS[id(run.findings)] = (run.findings, finding_records(run.findings))
    return held[1]


def _findings_json(run: Run, path: Path) -> None:
    from chronology.analysis import findings_json

    _write_text(path, findings_json(run.findings, _finding_records(run)))


def _findings_md(run: Run, path: Path) -> None:
    from chronology.views.findings_text import files_per_agency, findings_markdown

    text = findings_markdown(_finding_records(run), run.config.name, files_per_agency(run.sources))
    _write_text(path, text)


def _timeline(run: Run, path: Path) -> None:
    from chronology.views.report import write_report

    write_report(run, path)


def _workbook(run: Run, path: Path) -> None:
    from chronology.views.workbook import write_workbook

    write_workbook(run, path)


def _document(run: Run, path: Path) -> None:
    from chronology.views.document import write_document

    write_document(run, path, _finding_records(run))


def _packs(run: Run, path: Path) -> None:
    from chronology.views.packs import write_packs

    write_packs(run, path, _finding_records(run))


#: Output name -> the function writing it (the manifest is written last, apart).
WRITERS: dict[str, Callable[[Run, Path], None]] = {
    "events.parquet": _events,
    "clusters.parquet": _clusters,
    "findings.csv": _findings_csv,
    "findings.json": _findings_json,
    "findings.md": _findings_md,
    "timeline.html": _timeline,
    "chronology.xlsx": _workbook,
    "chronology.docx": _document,
    "packs.docx": _packs,
}


def toolkit_version() -> str:
    """The toolkit's version: ``chronology.__version__``, else the installed package's.

    Example:
        >>> toolkit_version()  # doctest: +SKIP
        '0.1.0'
    """
    import chronology

    version = getattr(chronology, "__version__", None)
    if version:
        return str(version)
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("chronology")
    except PackageNotFoundError:
        return "unknown"


def sha256_file(path: Path) -> str:
    """The sha256 of a file's bytes, as hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _plain(value: Any) -> Any:
    """numpy and pandas scalars as plain JSON values."""
    if value is None:
        return None
    if hasattr(value, "tolist") and not isinstance(value, str):
        return _plain(value.tolist())
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return None if value != value else value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


#: What the manifest says of each input: the per-source table's columns but the file's name.
_INPUT_KEYS: Final = tuple(c for c in SOURCE_COLUMNS if c != "source_file")


def manifest(run: Run, outputs: Mapping[str, Path], pseudonymised: bool) -> dict[str, Any]:
    """What produced the outputs: version, case file, inputs, outputs, rules.

    ``rules`` and ``match`` are the case file's tables as written;
    ``rules_in_force`` and ``match_in_force`` the values used, defaults
    included; ``match_weights`` the m/u values and prior estimated on the
    case's own candidate pairs; ``rules_in_findings`` each distinct rule a
    finding cites.

    Args:
        run: The run written.
        outputs: Output name -> the file written (hashed here).
        pseudonymised: Whether pseudonyms were applied.

    Example:
        >>> manifest(run, {"events.parquet": Path("events.parquet")}, False)["outputs"]  # doctest: +SKIP
        {'events.parquet': {'sha256': '...', 'size': 1234}}
    """
    inputs = []
    for source in run.sources.to_dict("records"):
        entry = {"path": _plain(source.get("source_file"))}
        entry.update({k: _plain(source.get(k)) for k in _INPUT_KEYS if k in source})
        inputs.append(entry)
    rules = sorted({str(r) for r in run.findings.get("rule", pd.Series(dtype=object)).dropna() if str(r)})
    doc: dict[str, Any] = {
        "toolkit": {"name": "chronology", "version": toolkit_version()},
        "case": {"name": run.config.name, "file": run.config.path.name, "sha256": run.config.sha256},
        "inputs": inputs,
        "outputs": {
            name: {"sha256": sha256_file(p), "size": p.stat().st_size} for name, p in outputs.items()
        },
        "counts": {"records": len(run.events), "clusters": len(run.clusters), "findings": len(run.findings)},
        "rules": _plain(run.config.rules),
        "match": _plain(run.config.match),
        **_effective_settings(run),
        "match_weights": _plain(getattr(run, "match_weights", {}) or {}),
        "rules_in_findings": [_parse(r) for r in rules],
        "pseudonymised": bool(pseudonymised),
    }
    if os.environ.get("CHRONOLOGY_TIMESTAMP"):
        doc["generated_at"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return doc


def _effective_settings(run: Run) -> dict[str, Any]:
    """The analysis rules and matching thresholds in force: case.toml over the shipped defaults."""
    out: dict[str, Any] = {}
    try:
        from chronology.analysis.registry import resolve_rules
    except ImportError:
        pass
    else:
        detectors, general = resolve_rules(run.config.rules)
        out["rules_in_force"] = _plain({"detectors": detectors, **general})
    try:
        from chronology.match.settings import SETTING_TYPES, load_settings
    except ImportError:
        pass
    else:
        settings = load_settings(run.config.match)
        out["match_in_force"] = _plain({key: getattr(settings, key) for key in SETTING_TYPES})
    return out


def _parse(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def manifest_json(doc: Mapping[str, Any]) -> str:
    """The manifest as text: sorted keys, two-space indent, a final newline."""
    return json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False, default=str) + "\n"


def _fresh(path: Path) -> None:
    """Create an empty owner-only file (removing a stale one), for a writer to fill."""
    path.unlink(missing_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE))


def _sync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _prepare_dir(out_dir: Path) -> None:
    """Create the output folder owner-only if new; refuse a file or an unwritable place."""
    try:
        if not out_dir.exists():
            out_dir.mkdir(parents=True, mode=DIR_MODE)
            os.chmod(out_dir, DIR_MODE)
        elif not out_dir.is_dir():
            raise InputError("the output folder is a file", file=str(out_dir), hint="give --out a folder")
    except OSError as exc:
        raise InputError(f"cannot create the output folder ({exc.strerror})", file=str(out_dir)) from None


def _keep_copy(final: Path, backup: Path) -> None:
    """A second name for the previous output (a copy where hard links are not allowed)."""
    backup.unlink(missing_ok=True)
    try:
        os.link(final, backup)
    except OSError:
        shutil.copyfile(final, backup)


def _swap_in(temps: Mapping[str, Path], out_dir: Path) -> None:
    """Rename every temporary file into place; if any rename fails, put the previous files back.

    Each rename is atomic. Should the run stop between two of them (an
    exception, Ctrl-C), the files already renamed are replaced by the
    previous run's again, kept meanwhile under ``.prev-<name>``.
    """
    backups: dict[str, Path] = {}
    renamed: list[str] = []
    try:
        for name in temps:
            if (out_dir / name).exists():
                backups[name] = out_dir / f"{BACKUP_PREFIX}{name}"
                _keep_copy(out_dir / name, backups[name])
        for name, temp in temps.items():
            os.replace(temp, out_dir / name)
            renamed.append(name)
        _sync(out_dir)
    except BaseException:
        for name in renamed:
            if name in backups:
                os.replace(backups.pop(name), out_dir / name)
            else:
                (out_dir / name).unlink(missing_ok=True)
        raise
    finally:
        for backup in backups.values():
            backup.unlink(missing_ok=True)


def write_outputs(run: Run, out_dir: Path, *, pseudonymise: bool | None = None) -> dict[str, Path]:
    """Write every output of ``merge`` into ``out_dir``, all or nothing.

    Args:
        run: The run to write.
        out_dir: The output folder (created with mode 0o700 if new).
        pseudonymise: Apply ``[names]``; None follows ``[case] pseudonymise``.

    Returns:
        Output name -> its path, for every name of OUTPUT_FILES.

    Raises:
        PseudonymisationError: Pseudonyms asked for with an empty ``[names]``,
            or a real name still present in an output; nothing is renamed in.
        Exception: Whatever a writer raised; nothing is renamed in.

    Example:
        >>> write_outputs(run, Path("out/child_h"), pseudonymise=True)["manifest.json"]  # doctest: +SKIP
        PosixPath('out/child_h/manifest.json')
    """
    out_dir = Path(out_dir)
    if pseudonymise is None:
        pseudonymise = run.config.pseudonymise
    names = dict(run.config.names)
    if pseudonymise:
        if not names:
            raise PseudonymisationError(
                "pseudonyms were asked for but [names] is empty",
                file=str(run.config.path),
                hint='add a [names] table ("Real Name" = "Pseudonym")',
            )
        run = pseudonymise_run(run, names)
    _prepare_dir(out_dir)
    temps = {name: out_dir / f"{TEMP_PREFIX}{name}" for name in OUTPUT_FILES}
    for name in OUTPUT_FILES:  # left by a run killed outright
        (out_dir / f"{BACKUP_PREFIX}{name}").unlink(missing_ok=True)
    try:
        for name, write in WRITERS.items():
            _fresh(temps[name])
            write(run, temps[name])
        _fresh(temps["manifest.json"])
        doc = manifest(run, {n: temps[n] for n in WRITERS}, pseudonymise)
        _write_text(temps["manifest.json"], manifest_json(doc))
        if pseudonymise:
            left = check_files(temps, names)
            if left:
                raise PseudonymisationError(
                    f"real names left in the outputs ({'; '.join(left)})",
                    file=str(run.config.path),
                    hint="add the forms they appear in to [names]; no output was written",
                )
        for temp in temps.values():
            os.chmod(temp, FILE_MODE)
            _sync(temp)
        _swap_in(temps, out_dir)
    finally:
        _RECORDS.clear()
        for temp in temps.values():
            temp.unlink(missing_ok=True)
    return {name: out_dir / name for name in OUTPUT_FILES}
