"""The registry and the [rules] table: defaults with sources, errors that name the closest key."""

from __future__ import annotations

import pytest

from chronology.analysis import DETECTORS, analyse
from chronology.analysis.registry import resolve_rules
from chronology.errors import ConfigError
from chronology.schema import FINDING_KINDS


def test_every_detector_is_registered_with_sourced_parameters():
    assert set(DETECTORS) == set(FINDING_KINDS)  # one detector per kind
    for d in DETECTORS.values():
        assert d.kind in FINDING_KINDS and d.description and d.severity and d.run is not None
        assert d.parameters, d.name
        for p in d.parameters.values():
            assert p.source and p.description, (d.name, p.name)


def test_statutory_defaults_cite_working_together():
    params = DETECTORS["timescale_breach"].parameters
    for name in (
        "referral_decision_working_days",
        "strategy_to_icpc_working_days",
        "assessment_working_days",
    ):
        assert params[name].source.startswith("Working Together to Safeguard Children 2023")
    assert params["cp_visit_working_days"].source.startswith("local practice")
    assert (params["strategy_to_icpc_working_days"].default, params["icpc_to_review_months"].default) == (
        15,
        3,
    )


def test_case_rules_override_defaults():
    params, _ = resolve_rules({"contact_gap": {"max_days": 90}, "missed_handoff": {"enabled": False}})
    assert params["contact_gap"]["max_days"] == 90
    assert params["missed_handoff"]["enabled"] is False
    assert params["info_sharing_gap"]["knew_within_days"] == 14  # untouched


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ({"contact_gaps": {}}, "unknown detector 'contact_gaps' in [rules]; did you mean 'contact_gap'?"),
        (
            {"contact_gap": {"max_day": 3}},
            "unknown parameter 'max_day' in [rules.contact_gap]; did you mean 'max_days'?",
        ),
        ({"contact_gap": {"max_days": "60"}}, "'max_days' in [rules.contact_gap] must be a int"),
        ({"contact_gap": {"max_days": -1}}, "must not be negative"),
        ({"contact_gap": {"enabled": "no"}}, "'enabled' in [rules.contact_gap] must be a bool"),
    ],
)
def test_bad_rules_name_the_key(rules, message):
    with pytest.raises(ConfigError) as err:
        resolve_rules(rules)
    assert message in str(err.value)


def test_disabled_detector_does_not_run(ev, frames):
    events_frame, clusters_frame = frames
    events = events_frame(
        ev("Health Visiting", "2019-01-10", "home_visit", "Child seen", rid="h1"),
        ev("School", "2019-06-10", "school_contact", "In class", rid="s1"),
    )
    assert (analyse(events, clusters_frame(events)).findings["kind"] == "contact_gap").sum() == 1  # 151 days
    off = analyse(events, clusters_frame(events), {"contact_gap": {"enabled": False}}).findings
    assert (off["kind"] == "contact_gap").sum() == 0


def test_csc_agencies_names_children_social_care(ev, frames):
    events_frame, clusters_frame = frames
    events = events_frame(
        ev("Police", "2019-03-04", "notification", "PPN", rid="p1", to_agency="Family Front Door"),
        ev("Family Front Door", "2019-04-04", "home_visit", "Visit", rid="f1"),
    )
    only = {name: {"enabled": False} for name in DETECTORS if name != "missed_handoff"}
    found = analyse(events, clusters_frame(events), only).findings
    assert found.iloc[0].severity == "medium"  # a notification, but not known to go to CSC
    found = analyse(events, clusters_frame(events), {**only, "csc_agencies": ["Family Front Door"]}).findings
    assert found.iloc[0].severity == "high"  # now named as children's social care


def test_a_case_without_childrens_social_care_says_so(ev, frames):
    events_frame, clusters_frame = frames
    events = events_frame(ev("Police", "2019-03-04", "police_attendance", "Attended", rid="p1"))
    warnings = analyse(events, clusters_frame(events)).warnings
    assert len(warnings) == 1 and "csc_agencies" in warnings[0]  # the checks that need CSC cannot run
    events = events_frame(ev("Children's Social Care", "2019-03-04", "home_visit", "Visit", rid="c1"))
    assert analyse(events, clusters_frame(events)).warnings == []
