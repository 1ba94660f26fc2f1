"""A finding: one place where information did not travel, citable by a reviewer.

Detectors return :class:`Finding` objects; :func:`findings_frame` gives each a
stable ``finding_id``, its citations and cited records, and lays them out in
``FINDING_COLUMNS`` order.

The id is "F-" and the first 5 characters of the base32 of a sha256 of the
kind, the subkind (or detector name) and the sorted cited record ids; it does
not depend on run order or row position, so it survives re-runs and the
adding of an unrelated source. Two different findings whose ids would clash
are both lengthened by a character until they differ.

Example:
    >>> finding_key("missed_handoff", "missed_handoff", ["r2", "r1"])
    'missed_handoff|missed_handoff|r1,r2'
    >>> short_ids(["missed_handoff|missed_handoff|r1,r2"])["missed_handoff|missed_handoff|r1,r2"][:2]
    'F-'
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from chronology.analysis.context import Context, fmt_date, instant
from chronology.schema import FINDING_COLUMNS

ID_LENGTH = 5
EXCERPT_CHARS = 160


@dataclass
class Finding:
    """What a detector found, before ids, citations and decisions are added.

    Attributes:
        kind: One of ``FINDING_KINDS``.
        detector: The detector's registry name (also the rule's name).
        subject_ref: The child or family it is about.
        severity: high, medium or low, by the detector's documented rule.
        title: A short title.
        statement: One plain-English paragraph with the citations inline.
        record_ids: The cited records.
        start: First instant of the period it covers (tz-aware, or naive UTC).
        end: Last instant of the period it covers (tz-aware, or naive UTC).
        agencies: The agencies concerned.
        subkind: The timescale check, for timescale_breach ("" otherwise).
        from_agency: The sending agency, for a handoff ("" when n/a).
        to_agency: The receiving agency ("" when n/a).
        params: The parameters the detector used.
    """

    kind: str
    detector: str
    subject_ref: str
    severity: str
    title: str
    statement: str
    record_ids: Sequence[str]
    start: pd.Timestamp
    end: pd.Timestamp
    agencies: Sequence[str] = ()
    subkind: str = ""
    from_agency: str = ""
    to_agency: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    def key(self) -> str:
        """What the finding id is derived from: kind, subkind or rule name, cited records."""
        return finding_key(self.kind, self.subkind or self.detector, self.record_ids)


def finding_key(kind: str, rule: str, record_ids: Sequence[str]) -> str:
    """The text a finding id hashes.

    Example:
        >>> finding_key("contact_gap", "contact_gap", ["b", "a"])
        'contact_gap|contact_gap|a,b'
    """
    return f"{kind}|{rule}|{','.join(sorted(record_ids))}"


def _digest(key: str) -> str:
    return base64.b32encode(hashlib.sha256(key.encode("utf-8")).digest()).decode("ascii")


def short_ids(keys: Sequence[str]) -> dict[str, str]:
    """A short id for each distinct key, lengthened only where two would clash.

    Example:
        >>> ids = short_ids(["a", "b"])
        >>> sorted(len(v) for v in ids.values())
        [7, 7]
    """
    digests = {k: _digest(k) for k in sorted(set(keys))}
    ids: dict[str, str] = {}
    groups: list[tuple[int, list[str]]] = [(ID_LENGTH, list(digests))]
    while groups:
        length, members = groups.pop()
        by_prefix: dict[str, list[str]] = {}
        for k in members:
            by_prefix.setdefault(digests[k][:length], []).append(k)
        for prefix, same in by_prefix.items():
            if len(same) == 1:
                ids[same[0]] = "F-" + prefix
            else:
                groups.append((length + 1, same))
    return ids


def cited_records(ctx: Context, record_ids: Sequence[str]) -> list[dict[str, Any]]:
    """The cited records, each with agency, source file, sheet, row, date and an excerpt."""
    out = []
    for rid in sorted(record_ids):
        r = ctx.row(rid)
        text = " ".join(str(r["description"]).split())
        out.append(
            {
                "record_id": rid,
                "agency": r["agency"],
                "source_file": r["source_file"],
                "source_sheet": r["source_sheet"],
                "source_row": int(r["source_row"]),
                "date": fmt_date(r["day"]),
                "excerpt": text[:EXCERPT_CHARS],
            }
        )
    return out


def citations_text(cited: list[dict[str, Any]]) -> str:
    """ "police.xlsx:Chronology:14;gp.csv::22" in date order of the cited records."""
    ordered = sorted(
        cited,
        key=lambda c: (c["date"][6:] + c["date"][3:5] + c["date"][:2], c["source_file"], c["source_row"]),
    )
    return ";".join(f"{c['source_file']}:{c['source_sheet']}:{c['source_row']}" for c in ordered)


def empty_findings(timezone: str = "Europe/London") -> pd.DataFrame:
    """An empty findings frame with the right columns and types."""
    frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in FINDING_COLUMNS})
    for c in ("start", "end"):
        frame[c] = pd.Series([], dtype=f"datetime64[us, {timezone}]")
    return frame


def findings_frame(findings: Sequence[Finding], ctx: Context) -> pd.DataFrame:
    """Lay findings out in FINDING_COLUMNS order, with ids, citations and cited records.

    Identical findings (same kind, rule and records) are kept once. Rows are
    sorted by start, then finding_id; status is "open" until decisions apply.
    """
    unique: dict[str, Finding] = {}
    for f in findings:
        unique.setdefault(f.key(), f)
    if not unique:
        return empty_findings(ctx.timezone)
    ids = short_ids(list(unique))
    rows = []
    for key, f in unique.items():
        cited = cited_records(ctx, f.record_ids)
        rows.append(
            {
                "finding_id": ids[key],
                "subject_ref": f.subject_ref,
                "kind": f.kind,
                "subkind": f.subkind,
                "severity": f.severity,
                "title": f.title,
                "statement": f.statement,
                "agencies": sorted(set(f.agencies)),
                "start": f.start,
                "end": f.end,
                "record_ids": sorted(f.record_ids),
                "from_agency": f.from_agency,
                "to_agency": f.to_agency,
                "citations": citations_text(cited),
                "rule": json.dumps(
                    {"name": f.detector, "parameters": f.params}, sort_keys=True, ensure_ascii=False
                ),
                "status": "open",
                "decision_reason": "",
                "reviewer": "",
                "cited": json.dumps(cited, sort_keys=True, ensure_ascii=False),
            }
        )
        # Kept as a column so that it survives pseudonymisation of the cited text.
        rows[-1]["cited_hash"] = cited_hash(rows[-1]["cited"])
    frame = pd.DataFrame(rows, columns=list(FINDING_COLUMNS))
    for c in ("start", "end"):
        values = [instant(v, "UTC") for v in frame[c]]
        frame[c] = pd.Series(pd.to_datetime(values, utc=True).tz_convert(ctx.timezone)).astype(
            f"datetime64[us, {ctx.timezone}]"
        )
    frame = frame.sort_values(["start", "finding_id"], kind="stable").reset_index(drop=True)
    return frame


def cited_hash(cited: str) -> str:
    """A short hash of a finding's cited records (its ``cited`` JSON text).

    A reviewer may copy it into decisions.csv; when the cited records change
    (new wording, new date, moved row) the hash changes and the decision is
    flagged for re-review.

    Example:
        >>> cited_hash("[]")
        '4f53cda18c2b'
    """
    return hashlib.sha256(cited.encode("utf-8")).hexdigest()[:12]
