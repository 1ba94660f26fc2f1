"""conflicting_accounts: one real event, explained differently to different agencies.

Rule: a matched cluster holding records of at least ``min_agencies`` (2)
agencies that each give an explanation, where two agencies' explanations
share nothing. An explanation is a mechanism phrase found in the description:
a fall ("fell off the sofa", "fell down the stairs", "slipped on"), a blow
("hit by", "kicked by", "pushed into"), a burn or scald ("burn from", "scalded
by"), a knock ("bumped his head on"), a bite ("bitten by", "dog bite"), or no
explanation at all ("unexplained", "unable to explain"). Each is reduced to a
mechanism and its object (fall/sofa, fall/stairs, hit/father); two agencies
agree when they share one. Records without any mechanism phrase are not
compared: silence is not a conflict. The statement shows the accounts side by
side.

Severity: high when the event is an injury, ED attendance or admission, or one
account is a blow or no explanation; medium otherwise.

Example:
    >>> mechanisms("Mother said he fell off the sofa onto the floor.")
    [('fall', 'sofa', 'fell off the sofa onto the floor')]
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from itertools import combinations
from typing import Any

import pandas as pd

from chronology.analysis.context import Context, Record, fmt_date
from chronology.analysis.finding import Finding
from chronology.analysis.phrases import matches_regex
from chronology.analysis.registry import register

NAME = "conflicting_accounts"
SEVERITY = "high when the event is an injury, ED attendance or admission, or one account is a blow or no explanation; medium otherwise"
_DET = r"(?:(?:the|a|an|his|her|their|its|my|some)\s+)?"
_OBJ = r"([a-z][a-z-]*(?:'s\s+[a-z][a-z-]*)?'?)"
_CLAUSE = re.compile(r"[^.;:,!?()\n]{0,40}")
MECHANISM_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "fall",
        re.compile(
            rf"\b(?:fell|fallen|falling|falls|fall|tripped|slipped|rolled)\s+(?:off|from|down|over|out of|onto|on|into|against|in)\s+{_DET}{_OBJ}"
        ),
    ),
    (
        "hit",
        re.compile(
            rf"\b(?:hit|struck|punched|kicked|slapped|smacked|pushed|thrown|grabbed|shaken|hurt)\s+(?:by|with|against|into)\s+{_DET}{_OBJ}"
        ),
    ),
    (
        "burn",
        re.compile(
            rf"\b(?:burn|burns|burnt|burned|scald|scalds|scalded)\s+(?:from|by|on|with|off)\s+{_DET}{_OBJ}"
        ),
    ),
    (
        "bump",
        re.compile(
            rf"\b(?:bumped|banged|knocked)\s+(?:(?:his|her|their|the)\s+)?(?:head|face|arm|leg|eye)?\s*(?:on|against|into)\s+{_DET}{_OBJ}"
        ),
    ),
    ("bite", re.compile(rf"\bbitten\s+by\s+{_DET}{_OBJ}|\b([a-z]+)\s+bite\b")),
    (
        "unexplained",
        re.compile(
            r"\b(?:no explanation|unexplained|unable to explain|could not explain|couldn't explain|did not know how|unsure how|no account given)()"
        ),
    ),
)
#: Any mechanism phrase at all: which records are worth a closer look.
ANY_MECHANISM = re.sub(r"\((?!\?)", "(?:", "|".join(f"(?:{p.pattern})" for _, p in MECHANISM_PATTERNS))
INJURY_TYPES = ("injury", "ed_attendance", "hospital_admission")


def _stem(word: str) -> str:
    word = word.split()[-1].strip("'-") if word.strip() else ""
    if word.endswith("'s"):
        word = word[:-2]
    if word.endswith("s") and len(word) > 3 and not word.endswith("ss"):
        word = word[:-1]
    return word


def mechanisms(text: str) -> list[tuple[str, str, str]]:
    """The mechanism phrases of a text: (mechanism, object, phrase as written).

    Example:
        >>> mechanisms("Fell down the stairs; no explanation for the bruise")
        [('fall', 'stair', 'Fell down the stairs'), ('unexplained', '', 'no explanation for the bruise')]
    """
    low = text.lower()
    found = []
    for mech, pattern in MECHANISM_PATTERNS:
        for m in pattern.finditer(low):
            obj = next((g for g in m.groups() if g), "")
            tail = _CLAUSE.match(low, m.end())
            end = m.end() + (len(tail.group(0).rstrip()) if tail and len(tail.group(0).split()) <= 4 else 0)
            found.append((m.start(), mech, _stem(obj), text[m.start() : end].strip()))
    return [(mech, obj, phrase) for _, mech, obj, phrase in sorted(found)]


@register(
    NAME,
    "conflicting_accounts",
    """One real event (a matched cluster) whose records in two or more agencies
    give materially different explanations, e.g. of an injury; the accounts are
    shown side by side.""",
    severity=SEVERITY,
)
def run(
    events: pd.DataFrame, clusters: pd.DataFrame, params: Mapping[str, Any], ctx: Context
) -> list[Finding]:
    """Find clusters whose agencies were given different explanations.

    Example:
        >>> run(prepared, clusters, {"min_agencies": 2}, ctx)  # doctest: +SKIP
        [Finding(kind='conflicting_accounts', ...)]
    """
    need = max(int(params["min_agencies"]), 2)
    clustered = (events["cluster_id"] != "").to_numpy()
    explains = clustered & matches_regex(events["description"].str.lower(), ANY_MECHANISM)
    rows = events[explains]
    if rows.empty:
        return []
    rows = rows[rows.groupby("cluster_id")["agency"].transform("nunique") >= need]
    findings = []
    for _, group in rows.groupby("cluster_id", sort=True):
        accounts: dict[str, list[tuple[Record, list[tuple[str, str, str]]]]] = {}
        for position in group.index:
            r = ctx.at(int(position))
            found = mechanisms(str(r["description"]))
            if found:
                accounts.setdefault(r["agency"], []).append((r, found))
        if len(accounts) < need:
            continue
        keys = {a: {(m, o) for _, ms in recs for m, o, _ in ms} for a, recs in accounts.items()}
        apart = [(a, b) for a, b in combinations(sorted(keys), 2) if not keys[a] & keys[b]]
        if not apart:
            continue
        cluster = events[events["cluster_id"] == group["cluster_id"].iat[0]]
        findings.append(_finding(apart[0], cluster, accounts, params, ctx))
    return findings


def _finding(
    apart: tuple[str, str],
    group: pd.DataFrame,
    accounts: dict[str, list[tuple[Record, list[tuple[str, str, str]]]]],
    params: Mapping[str, Any],
    ctx: Context,
) -> Finding:
    first = group.iloc[0]
    sides = []
    records = []
    mechs: set[str] = set()
    for agency in sorted(accounts):
        for r, found in accounts[agency]:
            phrases = " / ".join(f'"{p}"' for _, _, p in found)
            sides.append(f"{agency}: {phrases} ({ctx.cite(r['record_id'])})")
            records.append(r["record_id"])
            mechs.update(m for m, _, _ in found)
    agencies = sorted(accounts)
    statement = (
        f"On {fmt_date(first['day'])}, {len(agencies)} agencies recorded the same event "
        f"({ctx.type_name(first['event_type'])}) with different explanations: {'; '.join(sides)}. "
        f"The accounts recorded by {apart[0]} and {apart[1]} share no explanation."
    )
    injury = bool(group["event_type"].isin(INJURY_TYPES).any()) or bool(mechs & {"hit", "unexplained"})
    return Finding(
        kind="conflicting_accounts",
        detector=NAME,
        subject_ref=first["subject_ref"],
        severity="high" if injury else "medium",
        title=f"Different explanations of one event given to {apart[0]} and {apart[1]}",
        statement=statement,
        record_ids=records,
        start=group["start"].min(),
        end=group["start"].max(),
        agencies=agencies,
        params={"min_agencies": int(params["min_agencies"])},
    )
