"""What a record says, read from every text column (chronology.analysis.attributes)."""

from __future__ import annotations

import pytest

from chronology.analysis import analyse
from chronology.analysis.context import prepare_events
from chronology.errors import ConfigError
from tests.analysis.conftest import CSC, TZ, clusters_frame, ev, events_frame


def _prepared(*records, **rules):
    return prepare_events(events_frame(*records), TZ, record_rules=rules or None).set_index("record_id")


def test_new_concern_told_apart_from_history_denial_and_follow_up():
    p = _prepared(
        ev(
            "Police",
            "2019-02-09",
            "domestic_abuse_incident",
            "Officers attended: partner punched mother",
            rid="new",
        ),
        ev(
            "Police",
            "2019-02-10",
            "domestic_abuse_incident",
            "Partner arrested and interviewed re the assault",
            rid="follow",
        ),
        ev(
            CSC,
            "2019-02-12",
            "referral_decision",
            "Checks: police - 1 previous DA call (2018)",
            rid="history",
        ),
        ev("Health Visiting", "2019-02-20", "home_visit", "Mum denies DA when asked. H seen.", rid="denial"),
        ev(
            "Hospital ED",
            "2019-03-01",
            "ed_attendance",
            "Brought by mother",
            diagnosis="Spiral fracture L humerus",
            rid="ed",
        ),
    )
    assert p.loc["new", "concern"] == "domestic_abuse"
    assert p.loc["follow", "concern"] == ""  # an arrest and interview follow the incident
    assert p.loc["history", "concern"] == ""
    assert p.loc["denial", "concern"] == ""
    assert p.loc["ed", "concern"] == "injury"  # read from the Diagnosis column


def test_every_recipient_from_every_column_and_none_from_a_plan():
    p = _prepared(
        ev(
            CSC,
            "2019-05-18",
            "case_closure",
            "CIN plan ended. Case closed.",
            outcome="Closure letters to GP, HV, school",
            rid="c",
        ),
        ev(
            "Hospital ED",
            "2019-05-20",
            "ed_attendance",
            "Seen in ED",
            referral_to="CSC; Police; GP letter",
            rid="ed",
        ),
        ev(
            "Police",
            "2019-05-21",
            "domestic_abuse_incident",
            "Argument at address",
            outcome="PPN to be submitted",
            rid="plan",
        ),
        ev("GP", "2019-05-22", "home_visit", "Joint visit with SW", rid="company"),
        ev("Health Visiting", "2019-05-23", "other", "x"),
        ev("School", "2019-05-23", "other", "x"),
    )
    assert p.loc["c", "recipients"] == ("GP", "Health Visiting", "School")
    assert p.loc["ed", "recipients"] == (CSC, "Police", "GP")
    assert p.loc["plan", "recipients"] == ()  # a plan is not a handoff
    assert p.loc["company", "recipients"] == ()  # a joint visit hands nothing over
    assert bool(p.loc["c", "closure"])


def test_child_seen_means_the_child_seen_by_a_professional():
    p = _prepared(
        ev("School", "2020-03-02", "other", "H arrived hungry", rid="school"),
        ev(CSC, "2020-04-21", "home_visit", "CP visit (doorstep). Mum at door, H heard inside", rid="door"),
        ev(CSC, "2020-04-22", "home_visit", "Video call with mum - H on screen briefly", rid="video"),
        ev("Probation", "2020-04-23", "appointment", "Father attended supervision", rid="parent"),
        ev(
            "Midwifery",
            "2020-04-23",
            "home_visit",
            "Postnatal visit. Baby weighed, feeding well.",
            rid="baby",
        ),
        ev("Health Visiting", "2020-04-24", "other", "Contact", child_seen="Y", rid="cell"),
    )
    assert bool(p.loc["school", "seen"])  # nursery and school attendance count
    assert not p.loc["door", "seen"]
    assert not p.loc["video", "seen"]
    assert not p.loc["parent", "seen"]  # a parent's own appointment
    assert bool(p.loc["baby", "seen"])  # a midwife's postnatal visit sees the baby
    assert bool(p.loc["cell", "seen"])  # the Child seen (Y/N) column decides


def test_record_words_are_data_a_case_may_extend():
    records = (ev("School", "2020-03-02", "other", "H looked gaunt and withdrawn", rid="s"),)
    assert _prepared(*records).loc["s", "concern"] == ""
    signs = {"neglect": ["gaunt"]}
    from chronology.analysis.attributes import record_defaults

    extended = {**record_defaults()["concern_signs"], **signs}
    assert _prepared(*records, concern_signs=extended).loc["s", "concern"] == "neglect"


def test_unknown_record_rule_is_named():
    events = events_frame(ev("School", "2020-03-02", "other", "x"))
    with pytest.raises(ConfigError, match="seen_phrase"):
        analyse(events, clusters_frame(events), {"record": {"seen_phrase": ["x"]}}, timezone=TZ)
