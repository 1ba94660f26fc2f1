"""Analyst overrides: overrides.csv beside the case file, applied on every run.

The file has a header row and the columns record_a, record_b, decision
(``same`` or ``different``) and, optionally, note::

    record_a,record_b,decision,note
    R-3f2a9c01,R-77b0e412,same,both are the 12/03 ED attendance
    R-3f2a9c01,R-90aa1b2c,different,two separate calls

Example:
    >>> read_overrides(Path("no-such-folder/overrides.csv")) is None
    True
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from chronology.errors import ConfigError
from chronology.match.records import Records

OVERRIDE_COLUMNS = ("record_a", "record_b", "decision", "note")
DECISIONS = ("same", "different")


def read_overrides(path: Path) -> pd.DataFrame | None:
    """Read overrides.csv; None when the file does not exist.

    Args:
        path: The overrides file (``overrides.csv`` beside case.toml).

    Returns:
        A table with record_a, record_b, decision and note, one row per line.

    Raises:
        ConfigError: A missing column, an empty record id or an unknown
            decision, named by file, row and column.

    Example:
        >>> read_overrides(Path("missing.csv")) is None
        True
    """
    path = Path(path)
    if not path.exists():
        return None
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError("the overrides file is not UTF-8 text", file=file) from None
    reader = csv.reader(text.splitlines())
    header = [h.strip().lower() for h in next(reader, [])]
    for column in OVERRIDE_COLUMNS[:3]:
        if column not in header:
            raise ConfigError(
                f"no '{column}' column",
                file=file,
                row=1,
                hint="the header is record_a,record_b,decision,note",
            )
    where = {name: header.index(name) for name in OVERRIDE_COLUMNS if name in header}
    rows: list[dict[str, str]] = []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        row = {name: (cells[i].strip() if i < len(cells) else "") for name, i in where.items()}
        for column in ("record_a", "record_b"):
            if not row[column]:
                raise ConfigError("empty record id", file=file, row=number, column=column)
        decision = row["decision"].lower()
        if decision not in DECISIONS:
            raise ConfigError(
                f"decision '{row['decision']}' is not 'same' or 'different'",
                file=file,
                row=number,
                column="decision",
            )
        rows.append(
            {
                "record_a": row["record_a"],
                "record_b": row["record_b"],
                "decision": decision,
                "note": row.get("note", ""),
            }
        )
    return pd.DataFrame(rows, columns=list(OVERRIDE_COLUMNS), dtype=object)


@dataclass
class ResolvedOverrides:
    """Overrides turned into record indexes.

    Attributes:
        same: Record index pairs (i < j by record id) to join.
        different: Record index pairs to keep apart.
        notes: (i, j) -> the analyst's note.
        warnings: One line per override that could not be applied.
    """

    same: list[tuple[int, int]] = field(default_factory=list)
    different: list[tuple[int, int]] = field(default_factory=list)
    notes: dict[tuple[int, int], str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def resolve_overrides(
    overrides: pd.DataFrame | None, records: Records, all_ids: set[str]
) -> ResolvedOverrides:
    """Map override rows to record indexes, with a warning for each that cannot apply.

    Later rows win over earlier rows for the same pair.

    Args:
        overrides: The table from ``read_overrides`` (or None).
        records: The prepared "event" records.
        all_ids: Every record id of the events table (any status).
    """
    out = ResolvedOverrides()
    if overrides is None or overrides.empty:
        return out
    position = {rid: i for i, rid in enumerate(records.record_id.tolist())}
    chosen: dict[tuple[int, int], tuple[str, str]] = {}
    for number, row in enumerate(overrides.itertuples(index=False), start=2):
        ra, rb = str(row.record_a), str(row.record_b)
        label = f"overrides.csv row {number} ({ra}, {rb})"
        missing = [r for r in (ra, rb) if r not in all_ids]
        if missing:
            out.warnings.append(
                f"{label}: record {', '.join(missing)} no longer exists; override not applied"
            )
            continue
        not_event = [r for r in (ra, rb) if r not in position]
        if not_event:
            out.warnings.append(
                f"{label}: record {', '.join(not_event)} is not an event row; override not applied"
            )
            continue
        i, j = position[ra], position[rb]
        if i == j:
            out.warnings.append(f"{label}: a record cannot be paired with itself; override not applied")
            continue
        if records.subject[i] != records.subject[j]:
            out.warnings.append(f"{label}: the records are about different subjects; override not applied")
            continue
        key = (i, j) if ra < rb else (j, i)
        chosen[key] = (str(row.decision), str(getattr(row, "note", "") or ""))
    for key in sorted(chosen, key=lambda k: (records.record_id[k[0]], records.record_id[k[1]])):
        decision, note = chosen[key]
        (out.same if decision == "same" else out.different).append(key)
        out.notes[key] = note
    return out


def add_pairs(
    a: np.ndarray, b: np.ndarray, extra: list[tuple[int, int]], records: Records
) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs with the override pairs added, sorted by record ids, no repeats."""
    if not extra:
        return a, b
    ea = np.asarray([p[0] for p in extra], dtype=np.int64)
    eb = np.asarray([p[1] for p in extra], dtype=np.int64)
    frame = pd.DataFrame({"a": np.concatenate([a, ea]), "b": np.concatenate([b, eb])}).drop_duplicates()
    frame["ra"] = records.record_id[frame["a"].to_numpy()]
    frame["rb"] = records.record_id[frame["b"].to_numpy()]
    frame = frame.sort_values(["ra", "rb"], kind="stable")
    return frame["a"].to_numpy(dtype=np.int64), frame["b"].to_numpy(dtype=np.int64)
