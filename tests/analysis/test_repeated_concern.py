"""repeated_concern: k concerns of one category in 12 months and no one convened."""

from __future__ import annotations

CSC = "Children's Social Care"


def test_three_domestic_abuse_incidents_in_a_year_fire(ev, detect):
    found = detect(
        "repeated_concern",
        ev("Police", "2019-01-05", "domestic_abuse_incident", "DA incident", rid="p1"),
        ev(CSC, "2019-01-06", "domestic_abuse_incident", "PPN re DA", rid="c1", cluster_id="k1"),
        ev("Police", "2019-01-05", "domestic_abuse_incident", "DA incident, PPN", rid="p1b", cluster_id="k1"),
        ev("Police", "2019-06-20", "domestic_abuse_incident", "DA incident", rid="p2"),
        ev("Police", "2019-11-30", "domestic_abuse_incident", "DA incident", rid="p3"),
    )
    # k1 holds p1b and c1 (one event), and p1 is the same day as p1b: one event, so 3 in all.
    assert len(found) == 1
    f = found.iloc[0]
    assert f.title.startswith("3 domestic abuse incidents")  # 05/01, 20/06 and 30/11/2019
    assert f.severity == "medium"


def test_strategy_discussion_in_the_window_stops_it(ev, detect):
    found = detect(
        "repeated_concern",
        ev("Police", "2019-01-05", "domestic_abuse_incident", "DA incident", rid="p1"),
        ev("Police", "2019-06-20", "domestic_abuse_incident", "DA incident", rid="p2"),
        ev(CSC, "2019-07-01", "strategy_discussion", "Strategy discussion", rid="c1"),
        ev("Police", "2019-11-30", "domestic_abuse_incident", "DA incident", rid="p3"),
    )
    assert len(found) == 0


def test_three_concerns_over_more_than_twelve_months_do_not_fire(ev, detect):
    found = detect(
        "repeated_concern",
        ev("Police", "2019-01-05", "domestic_abuse_incident", "DA incident", rid="p1"),
        ev("Police", "2019-06-20", "domestic_abuse_incident", "DA incident", rid="p2"),
        ev("Police", "2020-01-06", "domestic_abuse_incident", "DA incident", rid="p3"),  # 12 months and a day
    )
    assert len(found) == 0


def test_missed_appointments_of_the_child_count(ev, detect):
    found = detect(
        "repeated_concern",
        ev("GP", "2019-02-01", "missed_appointment", "WNB immunisations", rid="g1"),
        ev("Health Visiting", "2019-03-01", "missed_appointment", "WNB clinic", rid="h1"),
        ev("GP", "2019-04-01", "missed_appointment", "WNB review", rid="g2"),
    )
    assert len(found) == 1
    assert found.iloc[0].record_ids == ["g1", "g2", "h1"]


def test_two_of_each_category_do_not_add_up(ev, detect):
    found = detect(
        "repeated_concern",
        ev("GP", "2019-02-01", "missed_appointment", "WNB", rid="g1"),
        ev("GP", "2019-03-01", "missed_appointment", "WNB", rid="g2"),
        ev("Police", "2019-02-10", "domestic_abuse_incident", "DA", rid="p1"),
        ev("Police", "2019-03-10", "domestic_abuse_incident", "DA", rid="p2"),
    )
    assert len(found) == 0
