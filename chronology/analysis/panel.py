"""The panel's view of the findings: one line per concern or handoff, not one per agency.

A reviewer cites one finding per (concern, agency) and per (handoff,
recipient); a panel reads dozens of lines, not hundreds. :func:`panel_lines`
groups the findings that share their concern (an information-sharing gap:
the same concern records, one finding per agency that shows no knowledge of
it) or their handoff (a missed handoff: one record sent to several agencies),
and lists the agencies of each line. Every other finding is a line of its own.
Lines are sorted by severity (high first), then by date.

Example:
    >>> lines = panel_lines(analysed.findings)  # doctest: +SKIP
    >>> lines[["severity", "title", "agencies"]].head(1)  # doctest: +SKIP
    severity  title                                                  agencies
    high      Domestic abuse recorded by Police on 09/02/2019: ...   [GP, Health Visiting]
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from chronology.analysis.days import fmt_date

#: Columns of :func:`panel_lines`.
PANEL_COLUMNS = (
    "line",
    "kind",
    "subkind",
    "severity",
    "start",
    "end",
    "from_agency",
    "agencies",
    "title",
    "finding_ids",
    "record_ids",
)
#: Kinds whose findings are one per agency of one concern or handoff: grouped for the panel.
GROUPED_KINDS = {
    "info_sharing_gap": ("shows no knowledge of it", "show no knowledge of it"),
    "missed_handoff": ("records no receipt", "record no receipt"),
}
_RANK = {"high": 0, "medium": 1, "low": 2}


def _ids(value: Any) -> list[str]:
    if isinstance(value, str):
        return [v for v in value.split(";") if v]
    return [str(v) for v in list(value)] if value is not None else []


def _key(row: pd.Series) -> tuple[str, ...]:
    if row["kind"] not in GROUPED_KINDS:
        return (row["finding_id"],)
    # One concern (or handoff): its agency and its instant, whichever agency did not know of it.
    return (row["kind"], str(row.get("subject_ref", "")), str(row.get("from_agency", "")), str(row["start"]))


def panel_lines(findings: pd.DataFrame) -> pd.DataFrame:
    """One line per concern or handoff (see the module docstring), in PANEL_COLUMNS.

    Args:
        findings: FINDING_COLUMNS rows (``analyse(...).findings``).

    Returns:
        One row per line: its kind, the highest severity of its findings, the
        first start and last end, the agencies that did not know or receive,
        a title, and the finding ids and records it stands for.
    """
    if findings is None or len(findings) == 0:
        return pd.DataFrame(columns=list(PANEL_COLUMNS))
    groups: dict[tuple[str, ...], list[pd.Series]] = {}
    for _, row in findings.iterrows():
        groups.setdefault(_key(row), []).append(row)
    rows = []
    for members in groups.values():
        first = members[0]
        severity = min((m["severity"] for m in members), key=lambda s: _RANK.get(s, 3))
        agencies = sorted({str(m.get("to_agency", "")) for m in members} - {"", "nan"})
        if first["kind"] in GROUPED_KINDS and agencies:
            what = first["title"].split(" recorded by ")[0] if first["kind"] == "info_sharing_gap" else ""
            if first["kind"] == "info_sharing_gap":
                concern = what.split(" shows no knowledge of ")[-1]
                title = (
                    f"{concern[:1].upper()}{concern[1:]} recorded by {first.get('from_agency', '')} on "
                    f"{fmt_date(pd.Timestamp(first['start']))}: {', '.join(agencies)} "
                    f"{GROUPED_KINDS[first['kind']][len(agencies) > 1]}"
                )
            else:
                sent = first["title"].split(" from ")[0]
                title = (
                    f"{sent} from {first.get('from_agency', '')} on {fmt_date(pd.Timestamp(first['start']))}: "
                    f"{', '.join(agencies)} {GROUPED_KINDS[first['kind']][len(agencies) > 1]}"
                )
        else:
            title = first["title"]
        records = list(dict.fromkeys(r for m in members for r in _ids(m.get("record_ids"))))
        rows.append(
            {
                "kind": first["kind"],
                "subkind": first.get("subkind", ""),
                "severity": severity,
                "start": min(m["start"] for m in members),
                "end": max(m["end"] for m in members),
                "from_agency": first.get("from_agency", ""),
                "agencies": agencies or _ids(first.get("agencies")),
                "title": title,
                "finding_ids": [m["finding_id"] for m in members],
                "record_ids": records,
            }
        )
    out = pd.DataFrame(rows)
    out["_rank"] = out["severity"].map(_RANK).fillna(3)
    out = out.sort_values(["_rank", "start", "title"], kind="stable").drop(columns="_rank")
    out.insert(0, "line", range(1, len(out) + 1))
    return out.reset_index(drop=True)[list(PANEL_COLUMNS)]


def grouped_share(findings: pd.DataFrame) -> float:
    """The share of findings that the panel reads inside a line of several (0 when none).

    Example:
        >>> grouped_share(empty_findings())  # doctest: +SKIP
        0.0
    """
    lines = panel_lines(findings)
    if not len(lines):
        return 0.0
    sizes = lines["finding_ids"].map(len)
    return float(sizes[sizes > 1].sum() / sizes.sum())
