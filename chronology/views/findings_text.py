"""Findings in the reviewer's words: findings.md and the findings section of the Word documents.

A reviewer pastes findings into a report, so nothing here is an identifier of
the code: kinds are named as a reviewer names them ("Timescales not met"),
severities as words, rules by what they expect, and every citation reads
"GP chronology, row 17, 24/06/2021" (with the file named only where an agency
sent more than one). The finding id and the cited hash stay, at the end of
each finding, because decisions.csv needs them.

Example:
    >>> plain_citation({"agency": "GP", "source_row": 17, "date": "24/06/2021"})
    'GP chronology, row 17, 24/06/2021'
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

#: Each finding kind as a reviewer names it (a heading for a group of findings).
KIND_HEADINGS: dict[str, str] = {
    "missed_handoff": "Referrals and notifications not recorded as received",
    "info_sharing_gap": "Concerns an involved agency shows no sign of knowing",
    "contact_gap": "Periods when no professional saw the child",
    "timescale_breach": "Timescales not met",
    "repeated_concern": "Repeated concerns with no strategy discussion, conference or assessment",
    "closure_after_concern": "Case closed around a new concern",
    "conflicting_accounts": "Different explanations of one event",
}
#: One finding of each kind, in a few words (tables, the per-agency packs).
KIND_NAMES: dict[str, str] = {
    "missed_handoff": "Referral or notification not recorded as received",
    "info_sharing_gap": "Information not shared",
    "contact_gap": "Child not seen",
    "timescale_breach": "Timescale not met",
    "repeated_concern": "Repeated concern",
    "closure_after_concern": "Closure around a concern",
    "conflicting_accounts": "Conflicting accounts",
}
#: Which timescale a breach is about.
SUBKIND_NAMES: dict[str, str] = {
    "referral_decision": "decision on a referral within 1 working day",
    "strategy_to_icpc": "initial child protection conference within 15 working days of the strategy discussion",
    "icpc_to_core_group": "first core group within 10 working days of the initial conference",
    "icpc_to_review": "first review conference within 3 months of the initial conference",
    "review_interval": "review conferences at most 6 months apart",
    "assessment_duration": "assessment completed within 45 working days",
    "cp_visits": "child on a plan seen by a social worker at least every 10 working days",
}
SEVERITY_ORDER = ("high", "medium", "low")
STATUS_WORDS: dict[str, str] = {
    "open": "open: no decision recorded yet",
    "accepted": "accepted by the reviewer",
    "dismissed": "dismissed by the reviewer",
}
#: Characters of a cited record's text quoted with its citation.
QUOTE_LENGTH = 140


def plain_citation(cited: Mapping[str, Any], files_of: Mapping[str, int] | None = None) -> str:
    """One cited record as a reviewer cites it: "GP chronology, row 17, 24/06/2021".

    Args:
        cited: A cited record (``agency``, ``source_row``, ``date``, and
            ``source_file``/``source_sheet``), as in findings.json's ``cited``.
        files_of: Agency -> how many files it sent; where more than one, the
            file (and sheet) is named after the row so that the row is unique.

    Example:
        >>> plain_citation({"agency": "GP", "source_row": 17, "date": "", "source_file": "gp2.csv"}, {"GP": 2})
        'GP chronology (gp2.csv), row 17'
    """
    agency = str(cited.get("agency") or "Unknown agency")
    where = ""
    if files_of and files_of.get(agency, 1) > 1:
        sheet = f", sheet {cited['source_sheet']}" if cited.get("source_sheet") else ""
        where = f" ({cited.get('source_file', '')}{sheet})"
    text = f"{agency} chronology{where}, row {cited.get('source_row', '?')}"
    return f"{text}, {cited['date']}" if cited.get("date") else text


def files_per_agency(sources: pd.DataFrame | None) -> dict[str, int]:
    """Agency -> the number of files it sent (from the run's per-source table)."""
    if sources is None or not len(sources) or "agency" not in sources.columns:
        return {}
    return {str(k): int(v) for k, v in sources["agency"].astype(str).value_counts().items()}


def _quote(text: Any) -> str:
    text = " ".join(str(text or "").split())
    if len(text) > QUOTE_LENGTH:
        text = text[:QUOTE_LENGTH].rsplit(" ", 1)[0] + " \u2026"
    return text


def _list(value: Any) -> list[Any]:
    if value is None or (isinstance(value, float) and value != value):
        return []
    if isinstance(value, str):
        if not value:
            return []
        try:
            parsed = json.loads(value)
        except ValueError:
            return [v for v in value.split(";") if v]
        return parsed if isinstance(parsed, list) else [parsed]
    return list(value)


def _day(value: Any) -> str:
    if value is None or value == "" or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return f"{pd.Timestamp(value):%d/%m/%Y}"


@dataclass
class PlainFinding:
    """One finding as the reviewer reads it.

    Attributes:
        finding_id: The stable id (for decisions.csv).
        kind: The kind's code (for grouping, never shown).
        heading: The kind as a reviewer names it.
        severity: high, medium or low.
        title: The finding's title.
        statement: The sentence to paste.
        period: "22/03/2019 to 17/04/2019" (one date when both are the same day).
        agencies: The agencies it is about.
        timescale: For a timescale not met, the timescale in words.
        status: open, accepted or dismissed.
        decision: The reviewer's words on it ("" when none).
        evidence: (citation, quoted text) per cited record, by date.
        cited_hash: The hash decisions.csv is checked against.
        from_agency: Who sent or recorded what did not travel ("" when not a handoff or gap).
        to_agency: Who did not receive or know of it.
    """

    finding_id: str
    kind: str
    heading: str
    severity: str
    title: str
    statement: str
    period: str
    agencies: list[str]
    timescale: str
    status: str
    decision: str
    evidence: list[tuple[str, str]] = field(default_factory=list)
    cited_hash: str = ""
    from_agency: str = ""
    to_agency: str = ""

    @property
    def status_text(self) -> str:
        """The status in words, with the decision where there is one."""
        words = STATUS_WORDS.get(self.status, self.status or "open")
        return f"{words}: {self.decision}" if self.decision and self.status != "open" else words


def _by_date(cited: Mapping[str, Any]) -> tuple[str, str, str, str, int]:
    day = str(cited.get("date") or "")
    row = cited.get("source_row")
    return (day[6:], day[3:5], day[:2], str(cited.get("source_file", "")), row if isinstance(row, int) else 0)


def plain_findings(
    records: Sequence[Mapping[str, Any]], files_of: Mapping[str, int] | None = None
) -> list[PlainFinding]:
    """Findings (``finding_records``' dicts) as PlainFinding, by kind, then severity, then date.

    Example:
        >>> plain_findings([])
        []
    """
    kinds = list(KIND_HEADINGS)
    out = []
    for r in records:
        kind = str(r.get("kind") or "")
        first, last = _day(r.get("start")), _day(r.get("end"))
        period = first if last in ("", first) else f"{first} to {last}"
        decision = str(r.get("decision_reason") or "")
        if decision and r.get("reviewer"):
            decision = f"{decision} ({r['reviewer']})"
        cited = sorted((c for c in _list(r.get("cited")) if isinstance(c, Mapping)), key=_by_date)
        out.append(
            PlainFinding(
                finding_id=str(r.get("finding_id") or ""),
                kind=kind,
                heading=KIND_HEADINGS.get(kind, kind.replace("_", " ").capitalize()),
                severity=str(r.get("severity") or ""),
                title=str(r.get("title") or ""),
                statement=str(r.get("statement") or ""),
                period=period,
                agencies=[str(a) for a in _list(r.get("agencies"))],
                timescale=SUBKIND_NAMES.get(str(r.get("subkind") or ""), ""),
                status=str(r.get("status") or "open"),
                decision=decision,
                evidence=[(plain_citation(c, files_of), _quote(c.get("excerpt"))) for c in cited],
                cited_hash=str(r.get("cited_hash") or ""),
                from_agency=str(r.get("from_agency") or ""),
                to_agency=str(r.get("to_agency") or ""),
            )
        )
    rank = {s: i for i, s in enumerate(SEVERITY_ORDER)}

    def order(f: PlainFinding) -> tuple[int, int, str, str]:
        day = f.period[:10]  # dd/mm/yyyy
        return (
            kinds.index(f.kind) if f.kind in kinds else len(kinds),
            rank.get(f.severity, len(rank)),
            f"{day[6:]}{day[3:5]}{day[:2]}",
            f.finding_id,
        )

    return sorted(out, key=order)


def counts_line(found: Sequence[PlainFinding]) -> str:
    """ "9 findings: 2 high, 6 medium and 1 low severity; 1 dismissed by the reviewer."

    Example:
        >>> counts_line([])
        'No findings.'
    """
    live = [f for f in found if f.status != "dismissed"]
    if not found:
        return "No findings."
    per = [f"{sum(f.severity == s for f in live)} {s}" for s in SEVERITY_ORDER]
    text = f"{len(live)} finding{'' if len(live) == 1 else 's'}: {', '.join(per[:-1])} and {per[-1]} severity"
    gone = len(found) - len(live)
    return text + (f"; {gone} dismissed by the reviewer (listed at the end)." if gone else ".")


def facts_line(f: PlainFinding) -> str:
    """Severity, timescale, agencies, period and status of a finding in one line (findings.md and Word)."""
    facts = [f"Severity: {f.severity}."]
    if f.timescale:
        facts.append(f"Timescale: {f.timescale}.")
    if f.agencies:
        facts.append(f"Agencies: {', '.join(f.agencies)}.")
    if f.period:
        facts.append(f"Period: {f.period}.")
    facts.append(f"Status: {f.status_text}.")
    return " ".join(facts)


def _finding_lines(f: PlainFinding) -> list[str]:
    lines = [f"### {f.title}", "", facts_line(f), "", f.statement, "", "Evidence:", ""]
    lines += [f'- {cite}: "{quote}"' if quote else f"- {cite}" for cite, quote in f.evidence]
    ref = f"Reference: {f.finding_id}" + (f" (cited records {f.cited_hash})" if f.cited_hash else "")
    return [*lines, "", f"*{ref}.*", ""]


def findings_markdown(
    records: Sequence[Mapping[str, Any]], case_name: str = "", files_of: Mapping[str, int] | None = None
) -> str:
    """findings.md: each finding in plain words, grouped by what was found, dismissed ones last.

    Args:
        records: ``chronology.analysis.report.finding_records`` of the findings.
        case_name: The review's name, for the title.
        files_of: Agency -> number of files it sent (see ``plain_citation``).

    Example:
        >>> print(findings_markdown([], "Child H review"))
        # Findings: Child H review
        <BLANKLINE>
        No findings.
        <BLANKLINE>
    """
    found = plain_findings(records, files_of)
    lines = [f"# Findings: {case_name}" if case_name else "# Findings", "", counts_line(found), ""]
    if not found:
        return "\n".join(lines)
    live = [f for f in found if f.status != "dismissed"]
    headings = list(dict.fromkeys(f.heading for f in live))
    lines += ["| What was found | High | Medium | Low | Total |", "|---|---|---|---|---|"]
    for h in headings:
        group = [f for f in live if f.heading == h]
        per = [str(sum(f.severity == s for f in group)) for s in SEVERITY_ORDER]
        lines.append(f"| {h} | {' | '.join(per)} | {len(group)} |")
    lines.append("")
    for h in headings:
        group = [f for f in live if f.heading == h]
        lines += [f"## {h} ({len(group)})", ""]
        for f in group:
            lines += _finding_lines(f)
    gone = [f for f in found if f.status == "dismissed"]
    if gone:
        lines += [f"## Dismissed by the reviewer ({len(gone)})", ""]
        for f in gone:
            lines += _finding_lines(f)
    lines += [
        "To record a decision on a finding, add a row to decisions.csv beside case.toml with its reference "
        "(the finding id and the cited records' hash).",
        "",
    ]
    return "\n".join(lines)
