"""info_sharing_gap: one agency knew of a concern, another agency working with the family did not.

Rule: agency A records a significant concern (a type with a concern category
in the vocabulary: injury, disclosure, domestic abuse, neglect, missing
episode, self-harm) while agency B is actively involved (B has a record within
``involvement_days`` (60) days before the concern and another within 60 days
after), and nothing shows B knew within ``knew_within_days`` (14) days:

- no matched cluster holds the concern record and a record of B;
- no handoff from A to B in those days (any record of A with ``to_agency`` B);
- no record of B in those days that names A as its sender (``from_agency``);
- no record of B in those days of the same concern category, or whose text
  uses one of the category's key words (``keywords``).

Concerns with a date no closer than a month (month, term, year) are skipped:
the windows cannot be placed.

Severity: high when the concern is an injury or a disclosure, or B is
children's social care; medium otherwise.

Example:
    >>> from chronology.analysis import DETECTORS
    >>> DETECTORS["info_sharing_gap"].parameters["knew_within_days"].default
    14
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from chronology.analysis.context import Context, fmt_date, local_midnight
from chronology.analysis.finding import Finding
from chronology.analysis.phrases import matches
from chronology.analysis.registry import register

NAME = "info_sharing_gap"
SEVERITY = "high when the concern is an injury or a disclosure, or the agency that did not know is children's social care; medium otherwise"
IMPRECISE = ("month", "term", "year")
CONCERN_WORDS = {
    "injury": "an injury",
    "disclosure": "a disclosure",
    "domestic_abuse": "domestic abuse",
    "neglect": "neglect",
    "missing": "a missing episode",
    "self_harm": "self-harm",
}


@register(
    NAME,
    "info_sharing_gap",
    """Agency A records a significant concern while agency B is actively involved
    (records within the involvement window before and after), and nothing shows B
    knew within the window: no shared cluster, no handoff from A to B, no record of
    B mentioning the concern.""",
    severity=SEVERITY,
)
def run(
    events: pd.DataFrame, clusters: pd.DataFrame, params: Mapping[str, Any], ctx: Context
) -> list[Finding]:
    """Find concerns that an involved agency shows no sign of knowing.

    Example:
        >>> run(prepared, clusters, DETECTORS["info_sharing_gap"].defaults(), ctx)  # doctest: +SKIP
        [Finding(kind='info_sharing_gap', ...)]
    """
    involve = np.timedelta64(int(params["involvement_days"]), "D")
    knew = np.timedelta64(int(params["knew_within_days"]), "D")
    keywords: Mapping[str, list[str]] = params["keywords"]
    ev = events
    is_concern = (ev["concern"] != "").to_numpy() & ~ev["date_precision"].isin(IMPRECISE).to_numpy()
    if not is_concern.any():
        return []
    days = ev["day"].to_numpy()
    agency = ev["agency"].to_numpy()
    concern_cat = ev["concern"].to_numpy()
    categories = sorted(set(concern_cat[is_concern]))
    # Which records speak of each category: same concern type, or its key words.
    speaks = {c: (concern_cat == c) | matches(ev["text"], keywords.get(c, [])) for c in categories}
    from_agency = ev["from_agency"].to_numpy()
    handoffs = ev[ev["to_agency"] != ""]
    sent_days = {
        key: np.sort(days[handoffs.index.to_numpy()[pos]])
        for key, pos in handoffs.groupby(["agency", "to_agency"]).indices.items()
    }
    by_agency = {a: pos for a, pos in ev.groupby("agency").indices.items()}
    concerns = np.flatnonzero(is_concern)
    findings: list[Finding] = []
    for b in sorted(by_agency):
        rows_b = by_agency[b]
        days_b = days[rows_b]
        cand = concerns[agency[concerns] != b]
        if cand.size == 0:
            continue
        d = days[cand]
        lo_before = np.searchsorted(days_b, d - involve, "left")
        lo_d = np.searchsorted(days_b, d, "left")
        hi_d = np.searchsorted(days_b, d, "right")
        hi_after = np.searchsorted(days_b, d + involve, "right")
        hi_knew = np.searchsorted(days_b, d + knew, "right")
        active = (lo_d > lo_before) & (hi_after > hi_d)
        told = np.zeros(cand.size, dtype=bool)
        for c in categories:
            cum = np.concatenate([[0], np.cumsum(speaks[c][rows_b])])
            sel = concern_cat[cand] == c
            told[sel] |= (cum[hi_knew[sel]] - cum[lo_d[sel]]) > 0
        for a in sorted(set(agency[cand])):
            sel = agency[cand] == a
            cum = np.concatenate([[0], np.cumsum(from_agency[rows_b] == a)])
            told[sel] |= (cum[hi_knew[sel]] - cum[lo_d[sel]]) > 0
            sent = sent_days.get((a, b))
            if sent is not None:
                told[sel] |= np.searchsorted(sent, d[sel] + knew, "right") > np.searchsorted(
                    sent, d[sel], "left"
                )
        for k in np.flatnonzero(active & ~told):
            i = cand[k]
            if b in ctx.cluster_agencies(ctx.value("cluster_id", int(i))):
                continue  # a matched record of B holds it
            before = rows_b[lo_d[k] - 1]
            after = rows_b[hi_d[k]]
            findings.append(_finding(ev, i, b, before, after, params, ctx))
    return findings


def _finding(
    ev: pd.DataFrame, i: int, b: str, before: int, after: int, params: Mapping[str, Any], ctx: Context
) -> Finding:
    c = ctx.at(i)
    a, cat = c["agency"], c["concern"]
    what = ctx.type_label(c["event_type"])
    rb, ra = ctx.at(before), ctx.at(after)
    knew_days = int(params["knew_within_days"])
    by = c["day"] + np.timedelta64(knew_days, "D")
    words = CONCERN_WORDS.get(cat, cat.replace("_", " "))
    statement = (
        f"On {fmt_date(c['day'])} {a} recorded {what} ({ctx.cite(c['record_id'])}): "
        f'"{ctx.excerpt(c["record_id"])}". {b} was working with the family at the time '
        f"(records on {fmt_date(rb['day'])}, {ctx.cite(rb['record_id'])}, and on "
        f"{fmt_date(ra['day'])}, {ctx.cite(ra['record_id'])}), but nothing shows {b} knew of it "
        f"within {knew_days} days (by {fmt_date(by)}): no shared record of the event, no handoff "
        f"from {a} to {b}, and no {b} record mentioning {words}."
    )
    severity = "high" if cat in ("injury", "disclosure") or ctx.is_csc(b) else "medium"
    return Finding(
        kind="info_sharing_gap",
        detector=NAME,
        subject_ref=c["subject_ref"],
        severity=severity,
        title=f"{b} shows no knowledge of {words} recorded by {a}",
        statement=statement,
        record_ids=[c["record_id"], rb["record_id"], ra["record_id"]],
        start=c["start"],
        end=local_midnight(by, ctx.timezone),
        agencies=[a, b],
        from_agency=a,
        to_agency=b,
        params=dict(params),
    )
