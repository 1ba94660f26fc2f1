"""Subject references: one reference per child across agencies.

Where agency files each hold many families (a thematic review), every row
carries a reference (Subject Ref, Case ID, Child ID, Patient Ref, MRN, Pupil
Ref...) that ingestion keeps as ``subject_ref``. Agencies use different
references for the same child; the case's subjects table (``[case] subjects =
"subjects.csv"``) maps them to one, with the columns:

    agency,subject_ref,maps_to
    GP,NHS-4821,H-001
    School,UPN-77,H-001

An agency column left empty applies the line to every agency. Matching and
analysis never compare records of different subjects.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from chronology.errors import ConfigError

SUBJECT_COLUMNS = ("agency", "subject_ref", "maps_to")


def read_subject_map(path: Path) -> pd.DataFrame:
    """Read and check a subjects table.

    Raises:
        ConfigError: The file is missing, lacks a column, or maps one
            reference to two subjects (naming the row).
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError("subjects table not found", file=str(path), hint="fix [case] subjects") from None
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise ConfigError("the subjects table is empty", file=str(path))
    header = [h.strip().lower() for h in rows[0]]
    for column in ("subject_ref", "maps_to"):
        if column not in header:
            raise ConfigError(
                f"no '{column}' column", file=str(path), row=1, hint="columns: agency, subject_ref, maps_to"
            )
    records = []
    seen: dict[tuple[str, str], tuple[str, int]] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = dict(zip(header, (c.strip() for c in row), strict=False))
        key = (cells.get("agency", ""), cells.get("subject_ref", ""))
        target = cells.get("maps_to", "")
        if not key[1] or not target:
            column = "subject_ref" if not key[1] else "maps_to"
            raise ConfigError("empty cell", file=str(path), row=number, column=column)
        if key in seen and seen[key][0] != target:
            raise ConfigError(
                f"'{key[1]}' maps to '{seen[key][0]}' at row {seen[key][1]} and to '{target}' here",
                file=str(path),
                row=number,
                column="maps_to",
            )
        seen[key] = (target, number)
        records.append({"agency": key[0], "subject_ref": key[1], "maps_to": target})
    return pd.DataFrame(records, columns=list(SUBJECT_COLUMNS))


def apply_subject_map(events: pd.DataFrame, mapping: pd.DataFrame) -> pd.DataFrame:
    """Replace agencies' references with the one reference per child.

    A line naming an agency applies to that agency's rows; a line with no
    agency to every agency's. References the table does not mention are kept.

    Example:
        >>> ev = pd.DataFrame({"agency": ["GP", "School"], "subject_ref": ["NHS-1", "UPN-7"]})
        >>> m = pd.DataFrame({"agency": ["GP", ""], "subject_ref": ["NHS-1", "UPN-7"], "maps_to": ["H1", "H1"]})
        >>> apply_subject_map(ev, m)["subject_ref"].tolist()
        ['H1', 'H1']
    """
    if mapping.empty:
        return events
    out = events.copy()
    refs = out["subject_ref"].astype(str)
    specific = mapping[mapping["agency"] != ""]
    general = mapping[mapping["agency"] == ""]
    mapped = refs.map(dict(zip(general["subject_ref"], general["maps_to"], strict=True)))
    if not specific.empty:
        keys = pd.Series(list(zip(out["agency"], refs, strict=True)), index=out.index)
        lookup = dict(
            zip(
                zip(specific["agency"], specific["subject_ref"], strict=True),
                specific["maps_to"],
                strict=True,
            )
        )
        mapped = keys.map(lookup).fillna(mapped)
    out["subject_ref"] = mapped.fillna(refs).astype(out["subject_ref"].dtype)
    return out
