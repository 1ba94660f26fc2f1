"""closure_after_concern: CSC closes the case around another agency's new concern."""

from __future__ import annotations

CSC = "Children's Social Care"


def test_closure_a_week_after_a_school_concern_fires(ev, detect):
    found = detect(
        "closure_after_concern",
        ev("School", "2019-06-03", "neglect_concern", "Child hungry, unkempt", rid="s1"),
        ev(CSC, "2019-06-10", "case_closure", "Case closed, no further action", rid="c1"),
        ev("Police", "2019-07-05", "domestic_abuse_incident", "DA incident", rid="p1"),  # 25 days after
    )
    assert len(found) == 1
    f = found.iloc[0]
    assert f.record_ids == ["c1", "p1", "s1"]
    assert "7 days before" in f.statement and "25 days after" in f.statement
    assert f.severity == "medium"  # neglect and domestic abuse: no injury, disclosure or self-harm


def test_concern_thirty_one_days_away_does_not_fire(ev, detect):
    found = detect(
        "closure_after_concern",
        ev("School", "2019-05-10", "injury", "Bruise", rid="s1"),  # 31 days before
        ev(CSC, "2019-06-10", "case_closure", "Case closed", rid="c1"),
    )
    assert len(found) == 0


def test_csc_own_concern_and_other_agency_closure_do_not_fire(ev, detect):
    found = detect(
        "closure_after_concern",
        ev(CSC, "2019-06-05", "neglect_concern", "Home conditions poor", rid="c0"),  # CSC's own
        ev(CSC, "2019-06-10", "case_closure", "Case closed", rid="c1"),
        ev("School", "2019-09-01", "injury", "Bruise", rid="s1"),
        ev(
            "Health Visiting", "2019-09-05", "case_closure", "Discharged from HV caseload", rid="h1"
        ),  # not CSC
    )
    assert len(found) == 0


def test_injury_makes_it_high(ev, detect):
    found = detect(
        "closure_after_concern",
        ev(CSC, "2019-06-10", "case_closure", "Case closed", rid="c1"),
        ev("School", "2019-06-12", "injury", "Bruise to arm", rid="s1"),
    )
    assert found.iloc[0].severity == "high"
