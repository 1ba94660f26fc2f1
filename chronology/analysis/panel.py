"""The panel's view of the findings: one line per concern or handoff, not one per agency.

A reviewer cites one finding per (concern, agency) and per (handoff,
recipient); a panel reads dozens of lines, not hundreds. :func:`panel_lines`
groups the findings that share their concern (an information-sharing gap:
the same concern records, one finding per agency that shows no knowledge of
it) or their handoff (a missed handoff: one record sent to several agencies),
and lists the agencies of each line. Every other finding is a line of its own.
Lines are sorted by severity (high first), then by date; given the review's
scope (its terms of reference), the lines within it come first and those
wholly outside it after, marked so.

Example:
    >>> lines = panel_lines(analysed.findings)  # doctest: +SKIP
    >>> lines[["severity", "title", "agencies"]].head(1)  # doctest: +SKIP
    severity  title                                                  agencies
    high      Domestic abuse recorded by Police on 09/02/2019: ...   [GP, Health Visiting]
"""

from __future__ import annotations

from typing import Any

import numpy as np
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
    "in_scope",
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


def _column(findings: pd.DataFrame, name: str) -> list[Any]:
    if name in findings.columns:
        return findings[name].tolist()
    return [""] * len(findings)


def panel_lines(findings: pd.DataFrame, scope: tuple[Any, Any] | None = None) -> pd.DataFrame:
    """One line per concern or handoff (see the module docstring), in PANEL_COLUMNS.

    A concern (or handoff) is its kind, subject, agency and instant, whichever
    agency did not know of it.

    Args:
        findings: FINDING_COLUMNS rows (``analyse(...).findings``).
        scope: The review's (start, end) dates (``[case] scope``), either None
            when open; None: every line is within it.

    Returns:
        One row per line: its kind, the highest severity of its findings, the
        first start and last end, the agencies that did not know or receive,
        a title, and the finding ids and records it stands for.
    """
    if findings is None or len(findings) == 0:
        return pd.DataFrame(columns=list(PANEL_COLUMNS))
    kind, fid, start = _column(findings, "kind"), _column(findings, "finding_id"), _column(findings, "start")
    subject, frm, to = (
        _column(findings, "subject_ref"),
        _column(findings, "from_agency"),
        _column(findings, "to_agency"),
    )
    groups: dict[tuple[str, ...], list[int]] = {}
    for i in range(len(findings)):
        key = (
            (kind[i], str(subject[i]), str(frm[i]), str(start[i]))
            if kind[i] in GROUPED_KINDS
            else (str(fid[i]),)
        )
        groups.setdefault(key, []).append(i)
    severity, title, end = _column(findings, "severity"), _column(findings, "title"), _column(findings, "end")
    subkind, agencies_of, records_of = (
        _column(findings, "subkind"),
        _column(findings, "agencies"),
        _column(findings, "record_ids"),
    )
    rows = []
    for members in groups.values():
        first = members[0]
        worst = min((severity[m] for m in members), key=lambda v: _RANK.get(v, 3))
        agencies = sorted({str(to[m]) for m in members} - {"", "nan", "None"})
        line_title = title[first]
        if kind[first] in GROUPED_KINDS and agencies:
            when = fmt_date(pd.Timestamp(start[first]))
            verb = GROUPED_KINDS[kind[first]][len(agencies) > 1]
            if kind[first] == "info_sharing_gap":
                concern = title[first].split(" recorded by ")[0].split(" shows no knowledge of ")[-1]
                line_title = f"{concern[:1].upper()}{concern[1:]} recorded by {frm[first]} on {when}: "
            else:
                line_title = f"{title[first].split(' from ')[0]} from {frm[first]} on {when}: "
            line_title += f"{', '.join(agencies)} {verb}"
        rows.append(
            {
                "kind": kind[first],
                "subkind": subkind[first],
                "severity": worst,
                "start": min(start[m] for m in members),
                "end": max(end[m] for m in members),
                "from_agency": frm[first],
                "agencies": agencies or _ids(agencies_of[first]),
                "title": line_title,
                "finding_ids": [fid[m] for m in members],
                "record_ids": list(dict.fromkeys(r for m in members for r in _ids(records_of[m]))),
            }
        )
    out = pd.DataFrame(rows)
    out["in_scope"] = _within(out, scope)
    out["_outside"] = ~out["in_scope"]
    out["_rank"] = out["severity"].map(_RANK).fillna(3)
    out = out.sort_values(["_outside", "_rank", "start", "title"], kind="stable")
    out = out.drop(columns=["_rank", "_outside"])
    out.insert(0, "line", range(1, len(out) + 1))
    return out.reset_index(drop=True)[list(PANEL_COLUMNS)]


def _within(lines: pd.DataFrame, scope: tuple[Any, Any] | None) -> pd.Series:
    """Whether each line's period touches the review's scope (every line when there is none)."""
    inside = pd.Series(True, index=lines.index)
    if not scope:
        return inside
    first, last = scope

    def day(value: Any) -> Any:  # the day in the finding's own timezone
        return None if value is None or pd.isna(value) else pd.Timestamp(value).date()

    start, end = lines["start"].map(day), lines["end"].map(day)
    end = end.where(end.notna(), start)
    if first is not None:
        inside &= np.array([e is None or e >= first for e in end], dtype=bool)
    if last is not None:
        inside &= np.array([s is None or s <= last for s in start], dtype=bool)
    return inside.astype(bool)


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
