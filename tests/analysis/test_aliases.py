"""A source's aliases from case.toml reach the analysis."""

from __future__ import annotations

from chronology.analysis import analyse

HUB = "Front Door Hub"  # a label no shipped alias recognises as children's social care


def _referral_breach(ev, frames, aliases: dict[str, list[str]] | None) -> list[str]:  # noqa: ANN001
    # School refers on Monday 04/03/2019; the hub receives it that day and
    # decides only on Thursday 07/03/2019: 3 working days, over the 1-day rule,
    # but only if the hub is known to be children's social care. Matching put
    # the referral and its receipt in one cluster.
    events_frame, clusters_frame = frames
    events = events_frame(
        ev(
            "School",
            "2019-03-04",
            "referral",
            "Referral to MASH re bruising",
            to_agency=HUB,
            cluster_id="C-1",
        ),
        ev(HUB, "2019-03-04", "information_shared", "Referral received from school", cluster_id="C-1"),
        ev(HUB, "2019-03-07", "referral_decision", "Decision: S47 strategy discussion"),
    )
    found = analyse(events, clusters_frame(events), aliases=aliases).findings
    return sorted(found.loc[found["kind"] == "timescale_breach", "subkind"])


def test_alias_makes_the_hub_childrens_social_care(ev, frames) -> None:  # noqa: ANN001
    # With "MASH" as the hub's alias, the referral-decision timescale applies.
    assert _referral_breach(ev, frames, {HUB: ["MASH"]}) == ["referral_decision"]


def test_without_the_alias_the_hub_is_not_csc(ev, frames) -> None:  # noqa: ANN001
    # Without it, nothing says the hub is CSC, so no referral timescale runs.
    assert _referral_breach(ev, frames, None) == []
