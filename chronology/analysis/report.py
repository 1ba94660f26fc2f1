"""Findings for people: findings.json, findings.md and the command line's summary.

Example:
    >>> print(summary(analysed.findings))  # doctest: +SKIP
    kind                   high  medium  low  total
    missed_handoff            1       0    0      1
    ...
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from chronology.analysis.finding import cited_hash, empty_findings  # noqa: F401  (used in examples)
from chronology.schema import FINDING_COLUMNS, FINDING_KINDS, SEVERITIES

KIND_HEADINGS = {
    "missed_handoff": "Referrals and notifications not recorded as received",
    "info_sharing_gap": "Concerns an involved agency shows no sign of knowing",
    "contact_gap": "Periods when no professional saw the child",
    "timescale_breach": "Timescales not met",
    "repeated_concern": "Repeated concerns with no strategy discussion, conference or assessment",
    "closure_after_concern": "Case closed around a new concern",
    "conflicting_accounts": "Different explanations of one event",
}


def _as_list(value: Any) -> list[str]:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    if isinstance(value, str):
        return [v for v in value.split(";") if v] if value else []
    return [str(v) for v in list(value)]


def _as_json(value: Any, empty: Any) -> Any:
    if isinstance(value, str):
        return json.loads(value) if value else empty
    return value if value is not None else empty


def _iso(value: Any) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return ""
    return (value if isinstance(value, pd.Timestamp) else pd.Timestamp(value)).isoformat()


def _iso_column(values: pd.Series) -> list[str]:
    """``_iso`` of a whole column: datetime columns at once, anything else value by value."""
    kind = values.dtype
    if not (isinstance(kind, pd.DatetimeTZDtype) or (kind.kind == "M" and isinstance(kind, np.dtype))):
        return [_iso(v) for v in values.astype(object).tolist()]
    aware = isinstance(kind, pd.DatetimeTZDtype)
    wall = values.dt.tz_localize(None) if aware else values
    micros = wall.to_numpy().astype("datetime64[us]")
    whole = np.datetime_as_string(micros, unit="s").tolist()
    fraction = (micros.astype(np.int64) % 1_000_000 != 0).tolist()
    missing = values.isna().to_numpy().tolist()
    offsets = [""] * len(values)
    if aware:
        utc = values.dt.tz_convert("UTC").dt.tz_localize(None)
        minutes = ((wall - utc).dt.total_seconds().fillna(0) // 60).astype(int).tolist()
        offsets = [f"{'-' if m < 0 else '+'}{abs(m) // 60:02d}:{abs(m) % 60:02d}" for m in minutes]
    out = []
    for k, (text, part, gone, offset) in enumerate(zip(whole, fraction, missing, offsets, strict=True)):
        if gone:
            out.append("")
        elif part:
            out.append(_iso(values.iat[k]))
        else:
            out.append(text + offset)
    return out


def finding_records(findings: pd.DataFrame) -> list[dict[str, Any]]:
    """Findings as JSON-ready objects: lists as lists, rule and cited as JSON, dates as ISO 8601.

    Example:
        >>> finding_records(findings)[0]["record_ids"]  # doctest: +SKIP
        ['a1f3...', 'c2d9...']
    """
    n = len(findings)
    columns = {
        c: findings[c].astype(object).tolist() if c in findings.columns else [""] * n for c in FINDING_COLUMNS
    }
    for c in ("start", "end"):
        if c in findings.columns:
            columns[c] = _iso_column(findings[c])
    rules: dict[str, Any] = {}  # one rule text per detector and parameters: parsed once
    out = []
    for values in zip(*columns.values(), strict=True):
        rec = dict(zip(FINDING_COLUMNS, values, strict=True))
        rec["agencies"] = _as_list(rec["agencies"])
        rec["record_ids"] = _as_list(rec["record_ids"])
        cited_text = (
            rec["cited"]
            if isinstance(rec["cited"], str)
            else json.dumps(rec["cited"], sort_keys=True, ensure_ascii=False)
        )
        # The hash of the real cited text, kept even when the text was pseudonymised.
        rec["cited_hash"] = str(rec.get("cited_hash") or "") or cited_hash(cited_text)
        rule = rec["rule"]
        if isinstance(rule, str):
            if rule not in rules:
                rules[rule] = _as_json(rule, {})
            rec["rule"] = rules[rule]
        else:
            rec["rule"] = _as_json(rule, {})
        rec["cited"] = _as_json(rec["cited"], [])
        for c in FINDING_COLUMNS:
            if rec[c] is None or (isinstance(rec[c], float) and pd.isna(rec[c])):
                rec[c] = ""
        out.append(rec)
    return out


def findings_json(findings: pd.DataFrame, records: list[dict[str, Any]] | None = None) -> str:
    """findings.json: a deterministic JSON array valid against schemas/finding.schema.json.

    Each finding carries the FINDING_COLUMNS, with agencies and record_ids as
    lists, rule and cited as JSON, and ``cited_hash`` for decisions.csv. One
    finding per line: readable in a diff, and written by the C encoder (an
    indented dump goes through json's pure-Python encoder, ten times slower).
    ``records`` is ``finding_records(findings)`` when the caller has it already.

    Example:
        >>> findings_json(empty_findings())
        '[]\\n'
    """
    if records is None:
        records = finding_records(findings)
    lines = [json.dumps(rec, sort_keys=True, ensure_ascii=False) for rec in records]
    return "[\n" + ",\n".join(lines) + "\n]\n" if lines else "[]\n"


def _citation_line(c: dict[str, Any]) -> str:
    sheet = f", sheet {c['source_sheet']}" if c.get("source_sheet") else ""
    return f"{c['agency']} chronology, row {c['source_row']} ({c['date']}) — {c['source_file']}{sheet}"


def findings_markdown(
    findings: pd.DataFrame, case_name: str = "", records: list[dict[str, Any]] | None = None
) -> str:
    """findings.md: reviewer-ready, grouped by kind, each finding with its statement and citations.

    ``records`` is ``finding_records(findings)`` when the caller has it already.

    Example:
        >>> print(findings_markdown(empty_findings(), "Child H review"))  # doctest: +NORMALIZE_WHITESPACE
        # Findings: Child H review
        <BLANKLINE>
        No findings.
        <BLANKLINE>
    """
    if records is None:
        records = finding_records(findings)
    title = f"# Findings: {case_name}" if case_name else "# Findings"
    lines = [title, ""]
    if not records:
        lines += ["No findings.", ""]
        return "\n".join(lines)
    lines += [summary(findings, markdown=True), ""]
    for kind in FINDING_KINDS:
        group = [r for r in records if r["kind"] == kind]
        if not group:
            continue
        lines += [f"## {KIND_HEADINGS.get(kind, kind)} ({kind}, {len(group)})", ""]
        for r in group:
            sub = f", {r['subkind']}" if r["subkind"] else ""
            subject = f", subject {r['subject_ref']}" if r["subject_ref"] else ""
            lines += [f"### {r['finding_id']}: {r['title']}", ""]
            lines += [f"*Severity {r['severity']}{sub}{subject}; status {r['status']}.*", ""]
            lines += [r["statement"], ""]
            lines += ["Citations:", ""]
            in_date_order = sorted(
                r["cited"],
                key=lambda c: (
                    c["date"][6:],
                    c["date"][3:5],
                    c["date"][:2],
                    c["source_file"],
                    c["source_row"],
                ),
            )
            lines += [f"- {_citation_line(c)}" for c in in_date_order]
            rule = r["rule"]
            params = ", ".join(
                f"{k} = {json.dumps(v, ensure_ascii=False)}"
                for k, v in sorted(rule.get("parameters", {}).items())
            )
            lines += ["", f"Rule: {rule.get('name', '')} ({params}). Cited hash: `{r['cited_hash']}`.", ""]
            if r["status"] != "open":
                lines += [f"Decision: {r['status']} by {r['reviewer']}: {r['decision_reason']}", ""]
    return "\n".join(lines)


def summary(findings: pd.DataFrame, markdown: bool = False) -> str:
    """A short text table: findings per kind and severity, for the command line.

    Example:
        >>> print(summary(empty_findings()))
        No findings.
    """
    if findings is None or len(findings) == 0:
        return "No findings."
    counts = findings.groupby(["kind", "severity"]).size()
    header = ["kind", *SEVERITIES, "total"]
    rows = []
    for kind in FINDING_KINDS:
        per = [int(counts.get((kind, s), 0)) for s in SEVERITIES]
        if sum(per):
            rows.append([kind, *map(str, per), str(sum(per))])
    totals = [
        int(counts.xs(s, level="severity").sum()) if s in counts.index.get_level_values("severity") else 0
        for s in SEVERITIES
    ]
    rows.append(["all", *map(str, totals), str(sum(totals))])
    if markdown:
        out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        out += ["| " + " | ".join(r) + " |" for r in rows]
        return "\n".join(out)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    fmt = [
        r[0].ljust(widths[0]) + "".join("  " + c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True))
        for r in [header, *rows]
    ]
    return "\n".join(fmt)
