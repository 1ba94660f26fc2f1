"""A source's aliases from case.toml reach the analysis."""

from __future__ import annotations

from tests.analysis.conftest import clusters_frame, ev, events_frame

from chronology.analysis import analyse

HUB = "Front Door Hub"  # a label no shipped alias recognises as children's social care


def _referral_breach(aliases: dict[str, list[str]] | None) -> list[str]:
    # School refers on Monday 04/03/2019; the hub receives it that day and
    # decides only on Thursday 07/03/2019: 3 working days, over the 1-day rule,
    # but only if the hub is known to be children's social care. Matching put
    # the referral and its receipt in one cluster.
    events = events_frame(
        ev(
            "School",
            "2019-03-04",
            "referral",
            "Referral to MASH re bruising",
            to_agency=HUB,
            cluster_id="C-1",
        ),
        ev(
            HUB,
            "2019-03-04",
            "information_shared",
            "Referral received from school",
            from_agency="School",
            cluster_id="C-1",
        ),
        ev(HUB, "2019-03-07", "referral_decision", "Decision: S47 strategy discussion"),
    )
    found = analyse(events, clusters_frame(events), aliases=aliases).findings
    return sorted(found.loc[found["kind"] == "timescale_breach", "subkind"])


def test_alias_makes_the_hub_childrens_social_care() -> None:
    # With "MASH" as the hub's alias, the referral-decision timescale applies.
    assert _referral_breach({HUB: ["MASH"]}) == ["referral_decision"]


def test_without_the_alias_the_hub_is_not_csc() -> None:
    # Without it, nothing says the hub is CSC, so no referral timescale runs.
    assert _referral_breach(None) == []
