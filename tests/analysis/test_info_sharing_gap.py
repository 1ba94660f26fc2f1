"""info_sharing_gap: a concern that an involved agency shows no sign of knowing."""

from __future__ import annotations


def _hv_involved(ev):
    # Health Visiting has contacts 20 days before and 20 days after 10/06/2019: actively involved.
    return (
        ev("Health Visiting", "2019-05-21", "home_visit", "Routine visit", rid="h1"),
        ev("Health Visiting", "2019-06-30", "home_visit", "Routine visit", rid="h2"),
    )


def test_domestic_abuse_unknown_to_involved_agency_fires(ev, detect):
    found = detect(
        "info_sharing_gap",
        ev(
            "Police",
            "2019-06-10",
            "domestic_abuse_incident",
            "Officers attended a domestic incident",
            rid="p1",
        ),
        *_hv_involved(ev),
    )
    assert len(found) == 1  # Police knew; Health Visiting, visiting either side, never did
    f = found.iloc[0]
    assert (f.from_agency, f.to_agency, f.severity) == ("Police", "Health Visiting", "medium")
    assert f.record_ids == ["h1", "h2", "p1"]  # the concern and HV's contacts either side
    assert "by 24/06/2019" in f.statement  # 14 days after 10/06/2019


def test_mention_in_involved_agency_record_counts_as_knowing(ev, detect):
    found = detect(
        "info_sharing_gap",
        ev(
            "Police",
            "2019-06-10",
            "domestic_abuse_incident",
            "Officers attended a domestic incident",
            rid="p1",
        ),
        ev("Health Visiting", "2019-05-21", "home_visit", "Routine visit", rid="h1"),
        ev(
            "Health Visiting",
            "2019-06-20",
            "home_visit",
            "Police told us of the domestic abuse last week",
            rid="h2",
        ),
    )
    assert len(found) == 0  # HV's record 10 days later names the police and the domestic abuse


def test_mention_after_fourteen_days_does_not_count(ev, detect):
    found = detect(
        "info_sharing_gap",
        ev("Police", "2019-06-10", "domestic_abuse_incident", "Officers attended", rid="p1"),
        ev("Health Visiting", "2019-05-21", "home_visit", "Routine visit", rid="h1"),
        ev(
            "Health Visiting", "2019-06-25", "home_visit", "Mother spoke of domestic abuse", rid="h2"
        ),  # day 15
    )
    assert len(found) == 1


def test_handoff_to_the_agency_counts_as_knowing(ev, detect):
    found = detect(
        "info_sharing_gap",
        ev("Police", "2019-06-10", "domestic_abuse_incident", "Officers attended", rid="p1"),
        ev(
            "Police",
            "2019-06-11",
            "notification",
            "VPA to health visitor",
            rid="p2",
            to_agency="Health Visiting",
        ),
        *_hv_involved(ev),
    )
    assert len(found) == 0


def test_shared_cluster_counts_as_knowing(ev, detect):
    found = detect(
        "info_sharing_gap",
        ev("Police", "2019-06-10", "domestic_abuse_incident", "Officers attended", rid="p1", cluster_id="k1"),
        ev("Health Visiting", "2019-06-10", "other", "Strategy call", rid="h0", cluster_id="k1"),
        *_hv_involved(ev),
    )
    assert len(found) == 0


def test_agency_not_involved_on_both_sides_does_not_fire(ev, detect):
    found = detect(
        "info_sharing_gap",
        ev("Police", "2019-06-10", "domestic_abuse_incident", "Officers attended", rid="p1"),
        ev("Health Visiting", "2019-05-21", "home_visit", "Routine visit", rid="h1"),  # before only
        ev("Health Visiting", "2019-08-15", "home_visit", "Routine visit", rid="h2"),  # 66 days after
    )
    assert len(found) == 0


def test_injury_not_known_to_csc_is_high(ev, detect):
    found = detect(
        "info_sharing_gap",
        ev("School", "2019-06-10", "injury", "Bruise to cheek noticed by teacher", rid="s1"),
        ev("Children's Social Care", "2019-05-21", "home_visit", "CIN visit", rid="c1"),
        ev("Children's Social Care", "2019-06-30", "home_visit", "CIN visit", rid="c2"),
    )
    assert len(found) == 1
    assert found.iloc[0].severity == "high"  # an injury, and CSC did not know
