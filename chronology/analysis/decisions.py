"""The reviewer's decisions on findings: decisions.csv beside the case file.

The toolkit reads the file on every run and never writes it. Columns:
``finding_id, status, reason, reviewer`` and, optionally, ``cited_hash`` (the
short hash of the finding's cited records, shown in findings.md and
findings.json). A decision whose cited_hash no longer matches puts its
finding in status "re-review"; a decision naming a finding that no longer
exists (its cited records changed, so its id did) is reported as a warning.

Example decisions.csv::

    finding_id,status,reason,reviewer
    F-3A9C2,dismissed,PPN was phoned through; see MASH log,Reviewer A
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd

from chronology.analysis.finding import cited_hash
from chronology.errors import ConfigError

DECISION_COLUMNS = ("finding_id", "status", "reason", "reviewer")
OPTIONAL_COLUMNS = ("cited_hash",)
DECISION_STATUSES = ("accepted", "dismissed")
_ID = re.compile(r"^F-[A-Z2-7]{5,}$")


def read_decisions(path: Path) -> pd.DataFrame | None:
    """Read decisions.csv; None when the file is absent.

    Args:
        path: The decisions file (``decisions.csv`` beside case.toml).

    Returns:
        One row per decision: finding_id, status, reason, reviewer, cited_hash
        ("" when not given) and row (the file's row number, for messages).

    Raises:
        ConfigError: A missing column, a malformed finding id, an unknown status,
            a dismissal without a reason, a decision without a reviewer, or the
            same finding decided twice; naming the file, row and column.

    Example:
        >>> read_decisions(Path("no/such/decisions.csv")) is None
        True
    """
    path = Path(path)
    if not path.exists():
        return None
    name = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError("not UTF-8 text", file=name, hint="save it as CSV UTF-8") from None
    reader = csv.reader(text.splitlines())
    header = [h.strip().lower() for h in next(reader, [])]
    for col in DECISION_COLUMNS:
        if col not in header:
            raise ConfigError(
                f"no '{col}' column (its header has: {', '.join(h for h in header if h) or 'nothing'})",
                file=name,
                row=1,
                hint="the columns are: " + ", ".join(DECISION_COLUMNS + OPTIONAL_COLUMNS),
            )
    for col in header:
        if col and col not in DECISION_COLUMNS + OPTIONAL_COLUMNS:
            raise ConfigError(
                f"unknown column '{col}'",
                file=name,
                row=1,
                column=col,
                hint="columns: " + ", ".join(DECISION_COLUMNS + OPTIONAL_COLUMNS),
            )
    rows = []
    seen: dict[str, int] = {}
    for n, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        rec = {col: (cells[i].strip() if i < len(cells) else "") for i, col in enumerate(header) if col}
        fid = rec["finding_id"].upper()
        if not _ID.match(fid):
            raise ConfigError(
                f"'{rec['finding_id']}' is not a finding id",
                file=name,
                row=n,
                column="finding_id",
                hint="copy it from findings.csv, e.g. F-3A9C2",
            )
        status = rec["status"].lower()
        if status not in DECISION_STATUSES:
            raise ConfigError(
                f"status '{rec['status']}' is not accepted or dismissed", file=name, row=n, column="status"
            )
        if status == "dismissed" and not rec["reason"]:
            raise ConfigError("a dismissal needs a reason", file=name, row=n, column="reason")
        if not rec["reviewer"]:
            raise ConfigError(
                "a decision needs the reviewer's name or role", file=name, row=n, column="reviewer"
            )
        if fid in seen:
            raise ConfigError(
                f"finding {fid} is decided twice (also row {seen[fid]})",
                file=name,
                row=n,
                column="finding_id",
            )
        seen[fid] = n
        rows.append(
            {
                "finding_id": fid,
                "status": status,
                "reason": rec["reason"],
                "reviewer": rec["reviewer"],
                "cited_hash": rec.get("cited_hash", "").lower(),
                "row": n,
            }
        )
    return pd.DataFrame(rows, columns=[*DECISION_COLUMNS, "cited_hash", "row"])


def apply_decisions(
    findings: pd.DataFrame, decisions: pd.DataFrame, file: str = "decisions.csv"
) -> tuple[pd.DataFrame, list[str]]:
    """Set status, decision_reason and reviewer from the decisions.

    A decision whose cited_hash differs from the finding's puts it in
    "re-review"; a decision naming no current finding gives a warning.

    Example:
        >>> found, warnings = apply_decisions(findings, decisions)  # doctest: +SKIP
        >>> warnings  # doctest: +SKIP
        ['decisions.csv row 4: finding F-3A9C2 cites records that changed; flagged for re-review']
    """
    out = findings.copy()
    warnings: list[str] = []
    position = {fid: i for i, fid in enumerate(out["finding_id"])}
    for d in decisions.sort_values("row").itertuples(index=False):
        row = getattr(d, "row", "?")
        i = position.get(d.finding_id)
        if i is None:
            warnings.append(
                f"{file} row {row}: finding {d.finding_id} no longer exists (its cited records changed or "
                f"the rule no longer finds it); its decision is not applied"
            )
            continue
        status = d.status
        given = str(getattr(d, "cited_hash", "") or "")
        current = out.at[i, "cited_hash"] if "cited_hash" in out.columns else cited_hash(out.at[i, "cited"])
        if given and given != current:
            status = "re-review"
            warnings.append(
                f"{file} row {row}: finding {d.finding_id} cites records that changed; flagged for re-review"
            )
        out.at[i, "status"] = status
        out.at[i, "decision_reason"] = d.reason
        out.at[i, "reviewer"] = d.reviewer
    return out, warnings
