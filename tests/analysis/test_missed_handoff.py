"""missed_handoff: a handoff the receiving agency never records."""

from __future__ import annotations

CSC = "Children's Social Care"


def test_notification_with_no_receipt_fires(ev, detect):
    found = detect(
        "missed_handoff",
        ev(
            "Police",
            "2019-03-04",
            "notification",
            "DA incident at home; PPN submitted to MASH",
            rid="p1",
            to_agency=CSC,
        ),
        ev(
            CSC, "2019-03-06", "home_visit", "Routine visit, child seen", rid="c1"
        ),  # a contact, not a receipt
    )
    assert len(found) == 1  # the PPN is never recorded by CSC
    f = found.iloc[0]
    assert (f.kind, f.from_agency, f.to_agency, f.severity) == ("missed_handoff", "Police", CSC, "high")
    assert f.record_ids == ["p1"]
    assert "04/03/2019" in f.statement and "Police chronology, row" in f.statement
    assert "by 11/03/2019" in f.statement  # 5 working days after Monday 04/03/2019


def test_receipt_inside_window_does_not_fire(ev, detect):
    found = detect(
        "missed_handoff",
        ev("Police", "2019-03-04", "notification", "PPN to MASH", rid="p1", to_agency=CSC),
        ev(CSC, "2019-03-11", "information_shared", "PPN received", rid="c1"),  # 5th working day: in time
    )
    assert len(found) == 0


def test_receipt_one_working_day_late_fires(ev, detect):
    found = detect(
        "missed_handoff",
        ev("Police", "2019-03-04", "notification", "PPN to MASH", rid="p1", to_agency=CSC),
        ev(CSC, "2019-03-12", "information_shared", "PPN received", rid="c1"),  # 6th working day
    )
    assert len(found) == 1


def test_window_counts_working_days_over_easter(ev, detect):
    # Thursday 18/04/2019 + 5 working days skips Good Friday and Easter Monday: 26/04/2019.
    found = detect(
        "missed_handoff",
        ev("School", "2019-04-18", "referral", "Referral to CSC", rid="s1", to_agency=CSC),
        ev(CSC, "2019-04-26", "referral_decision", "Decision: strategy discussion", rid="c1"),
    )
    assert len(found) == 0


def test_matched_cluster_counts_as_received_whatever_its_date(ev, detect):
    found = detect(
        "missed_handoff",
        ev("Police", "2019-03-04", "notification", "PPN to MASH", rid="p1", to_agency=CSC, cluster_id="k1"),
        ev(CSC, "2019-04-30", "other", "Old PPN found on file", rid="c1", cluster_id="k1"),
    )
    assert len(found) == 0


def test_record_naming_the_sender_counts_as_action(ev, detect):
    found = detect(
        "missed_handoff",
        ev(
            "GP",
            "2019-05-01",
            "letter",
            "Letter to health visitor re weight",
            rid="g1",
            to_agency="Health Visiting",
        ),
        ev(
            "Health Visiting", "2019-05-03", "phone_call", "Call from GP surgery about weight", rid="h1"
        ),  # mentions GP
    )
    assert len(found) == 0


def test_handoff_to_agency_outside_the_review_is_not_reported(ev, detect):
    found = detect(
        "missed_handoff",
        ev(
            "Police",
            "2019-03-04",
            "referral",
            "Referral to Housing Association",
            rid="p1",
            to_agency="Housing Association",
        ),
        ev(CSC, "2019-03-05", "home_visit", "Visit", rid="c1"),
    )
    assert len(found) == 0  # no Housing Association chronology to check


def test_window_is_a_parameter(ev, detect):
    records = (
        ev("Police", "2019-03-04", "notification", "PPN", rid="p1", to_agency=CSC),
        ev(CSC, "2019-03-07", "information_shared", "PPN received", rid="c1"),  # 3 working days later
    )
    assert len(detect("missed_handoff", *records)) == 0
    assert len(detect("missed_handoff", *records, window_working_days=2)) == 1
