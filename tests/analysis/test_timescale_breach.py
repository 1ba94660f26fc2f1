"""timescale_breach: one positive case and one near miss per subkind."""

from __future__ import annotations

CSC = "Children's Social Care"


def _subkind(detect, subkind, *records):
    return detect("timescale_breach", *records, subkinds=[subkind])


def test_referral_decision_after_two_working_days_fires(ev, detect):
    found = _subkind(
        detect,
        "referral_decision",
        ev(
            CSC, "2019-03-08", "referral", "Referral received from school", rid="c1", from_agency="School"
        ),  # Friday
        ev(
            CSC, "2019-03-12", "referral_decision", "Decision: assessment", rid="c2"
        ),  # Tuesday: 2 working days
    )
    assert len(found) == 1
    f = found.iloc[0]
    assert (f.subkind, f.record_ids, f.severity) == (
        "referral_decision",
        ["c1", "c2"],
        "medium",
    )  # 1.2 x 1 < 2 <= 2 x 1
    assert "by 11/03/2019" in f.statement and "Working Together to Safeguard Children 2023" in f.statement


def test_referral_decision_next_working_day_does_not_fire(ev, detect):
    found = _subkind(
        detect,
        "referral_decision",
        ev(CSC, "2019-03-08", "referral", "Referral received from school", rid="c1"),  # Friday
        ev(CSC, "2019-03-11", "referral_decision", "Decision: assessment", rid="c2"),  # Monday
    )
    assert len(found) == 0


def test_referral_with_no_decision_fires_only_when_records_go_on(ev, detect):
    referral = ev(CSC, "2019-03-08", "referral", "Referral received", rid="c1")
    later = ev(CSC, "2019-05-01", "home_visit", "Visit", rid="c3")
    assert len(_subkind(detect, "referral_decision", referral, later)) == 1  # nothing decided by 11/03
    assert len(_subkind(detect, "referral_decision", referral)) == 0  # the records end: cannot tell


def test_strategy_to_icpc(ev, detect):
    strategy = ev(CSC, "2019-04-01", "strategy_discussion", "Strategy discussion", rid="c1")
    late = ev(CSC, "2019-04-25", "initial_conference", "ICPC", rid="c2")  # 15 working days + Easter: 16
    in_time = ev(CSC, "2019-04-24", "initial_conference", "ICPC", rid="c2")  # exactly 15 working days
    assert _subkind(detect, "strategy_to_icpc", strategy, late).iloc[0].record_ids == ["c1", "c2"]
    assert len(_subkind(detect, "strategy_to_icpc", strategy, in_time)) == 0


def test_icpc_to_core_group(ev, detect):
    icpc = ev(CSC, "2019-04-24", "initial_conference", "ICPC: child protection plan", rid="c1")
    late = ev(
        "Health Visiting", "2019-05-10", "core_group", "Core group", rid="h1"
    )  # 11 working days (06/05 bank holiday)
    in_time = ev("Health Visiting", "2019-05-08", "core_group", "Core group", rid="h1")  # 9 working days
    found = _subkind(detect, "icpc_to_core_group", icpc, late)
    assert len(found) == 1 and found.iloc[0].severity == "low"  # 11 <= 1.2 x 10
    assert len(_subkind(detect, "icpc_to_core_group", icpc, in_time)) == 0


def test_icpc_to_first_review_and_review_interval(ev, detect):
    icpc = ev(CSC, "2019-04-24", "initial_conference", "ICPC", rid="c1")
    review_late = ev(CSC, "2019-07-30", "review_conference", "RCPC", rid="c2")  # after 24/07/2019
    review_ok = ev(CSC, "2019-07-24", "review_conference", "RCPC", rid="c2")  # exactly 3 months
    assert len(_subkind(detect, "icpc_to_review", icpc, review_late)) == 1
    assert len(_subkind(detect, "icpc_to_review", icpc, review_ok)) == 0
    second_late = ev(CSC, "2020-01-27", "review_conference", "RCPC", rid="c3")  # after 24/01/2020
    second_ok = ev(CSC, "2020-01-24", "review_conference", "RCPC", rid="c3")
    assert _subkind(detect, "review_interval", icpc, review_ok, second_late).iloc[0].record_ids == [
        "c2",
        "c3",
    ]
    assert len(_subkind(detect, "review_interval", icpc, review_ok, second_ok)) == 0


def test_no_review_after_plan_ended_does_not_fire(ev, detect):
    found = _subkind(
        detect,
        "icpc_to_review",
        ev(CSC, "2019-04-24", "initial_conference", "ICPC", rid="c1"),
        ev(CSC, "2019-06-01", "cp_plan_end", "Plan ended", rid="c2"),
        ev(CSC, "2019-12-01", "home_visit", "Visit", rid="c3"),
    )
    assert len(found) == 0  # the plan ended before the review was due


def test_assessment_duration(ev, detect):
    start = ev(CSC, "2019-09-02", "assessment", "C&F assessment started", rid="c1")
    late = ev(CSC, "2019-11-05", "assessment_completed", "Assessment completed", rid="c2")  # 46 working days
    ok = ev(CSC, "2019-11-04", "assessment_completed", "Assessment completed", rid="c2")  # 45 working days
    assert len(_subkind(detect, "assessment_duration", start, late)) == 1
    assert len(_subkind(detect, "assessment_duration", start, ok)) == 0


def test_cp_visits_gap_over_ten_working_days_fires(ev, detect):
    found = _subkind(
        detect,
        "cp_visits",
        ev(CSC, "2019-12-02", "initial_conference", "ICPC: CP plan", rid="c1"),
        ev(CSC, "2019-12-13", "home_visit", "SW visit, child seen", rid="c2"),  # 9 working days
        ev(
            CSC, "2020-01-02", "home_visit", "SW visit, child seen", rid="c3"
        ),  # 11 working days over Christmas
        ev(CSC, "2020-01-10", "home_visit", "SW visit, no access", rid="c4"),  # did not see the child
        ev(CSC, "2020-01-15", "home_visit", "SW visit, child seen", rid="c5"),  # 9 working days
        ev(CSC, "2020-01-20", "cp_plan_end", "Plan ended", rid="c6"),
    )
    assert len(found) == 1
    assert found.iloc[0].record_ids == ["c2", "c3"]


def test_cp_visits_outside_a_plan_are_not_checked(ev, detect):
    found = _subkind(
        detect,
        "cp_visits",
        ev(CSC, "2019-10-01", "home_visit", "SW visit, child seen", rid="c1"),
        ev(CSC, "2019-12-01", "home_visit", "SW visit, child seen", rid="c2"),
    )
    assert len(found) == 0  # no plan: no visiting timescale


def test_referral_decision_counts_from_csc_receipt_of_a_matched_referral(ev, detect):
    records = (
        ev("School", "2020-11-11", "referral", "MAR form to MASH", rid="s1", to_agency=CSC, cluster_id="k1"),
        ev(
            CSC,
            "2020-11-11",
            "information_shared",
            "MAR received from school",
            rid="c1",
            from_agency="School",
            cluster_id="k1",
        ),
    )
    late = ev(
        CSC, "2020-11-16", "referral_decision", "MASH decision: family support", rid="c2"
    )  # 3 working days
    in_time = ev(
        CSC, "2020-11-12", "referral_decision", "MASH decision: family support", rid="c2"
    )  # next day
    found = _subkind(detect, "referral_decision", *records, late)
    assert found.iloc[0].record_ids == ["c1", "c2"]  # CSC's receipt and its decision
    assert "receiving a referral or notification from School" in found.iloc[0].statement
    assert len(_subkind(detect, "referral_decision", *records, in_time)) == 0


def test_information_received_without_a_referral_needs_no_decision(ev, detect):
    found = _subkind(
        detect,
        "referral_decision",
        ev(
            CSC,
            "2020-09-28",
            "information_shared",
            "ED liaison letter received",
            rid="c1",
            from_agency="Emergency Department",
        ),
        ev(CSC, "2020-12-01", "home_visit", "Visit", rid="c2"),
    )
    assert len(found) == 0  # a letter for information, not a referral


def test_cp_visits_use_the_case_contact_gap_phrases(ev, detect, frames):
    from chronology.analysis import DETECTORS, analyse

    events_frame, clusters_frame = frames
    events = events_frame(
        ev(CSC, "2019-12-02", "initial_conference", "ICPC: CP plan", rid="c1"),
        ev(CSC, "2019-12-09", "home_visit", "SW visit, child in the garden only", rid="c2"),  # 5 working days
        ev(CSC, "2019-12-16", "home_visit", "SW visit, child seen", rid="c3"),  # 5 more
        ev(CSC, "2019-12-18", "cp_plan_end", "Plan ended", rid="c4"),
    )
    only = {name: {"enabled": False} for name in DETECTORS if name != "timescale_breach"}
    rules = {**only, "timescale_breach": {"subkinds": ["cp_visits"]}}
    assert len(analyse(events, clusters_frame(events), rules).findings) == 0
    # A case that says "in the garden only" means the child was not seen: 02/12 to 16/12 is 10 working days.
    not_seen = {**rules, "contact_gap": {"enabled": False, "not_seen_phrases": ["garden only"]}}
    assert len(analyse(events, clusters_frame(events), not_seen).findings) == 0
    strict = {**not_seen, "timescale_breach": {"subkinds": ["cp_visits"], "cp_visit_working_days": 9}}
    assert analyse(events, clusters_frame(events), strict).findings.iloc[0].record_ids == ["c1", "c3"]


# -- issue 15: counted from the right events -------------------------------------------------------


def test_two_records_of_one_contact_need_one_decision(ev, detect):
    found = _subkind(
        detect,
        "referral_decision",
        ev("Police", "2019-07-14", "notification", "PPN to MASH", rid="p1", to_agency=CSC),
        ev(CSC, "2019-07-15", "notification", "PPN screened - checks requested", rid="c1"),
        ev(CSC, "2019-07-15", "notification", "Contact from Police: PPN", rid="c2", from_agency="Police"),
        ev(CSC, "2019-07-16", "referral_decision", "Threshold met for strategy discussion", rid="c3"),
    )
    assert len(found) == 0  # one contact (two CSC records of one day), decided the next working day


def test_notification_about_an_open_case_needs_no_decision(ev, detect):
    found = _subkind(
        detect,
        "referral_decision",
        ev(
            CSC, "2019-10-21", "notification", "Police PPN. Child open CIN - passed to allocated SW", rid="c1"
        ),
        ev(CSC, "2019-11-30", "home_visit", "CIN visit", rid="c2"),
    )
    assert len(found) == 0


def test_minutes_of_a_conference_are_not_a_second_conference(ev, detect):
    found = _subkind(
        detect,
        "review_interval",
        ev(CSC, "2020-03-12", "review_conference", "Review CP conference. Plan continues.", rid="c1"),
        ev(CSC, "2020-03-15", "review_conference", "Minutes RCPC 12/03/20 sent out.", rid="c2"),
        ev(CSC, "2020-09-10", "review_conference", "Review CP conference. Plan continues.", rid="c3"),
    )
    assert len(found) == 0  # 12/03 to 10/09 is under 6 months; the minutes of 15/03 are not a conference


def test_a_plan_ended_in_an_outcome_stops_the_visit_check(ev, detect):
    found = _subkind(
        detect,
        "cp_visits",
        ev(CSC, "2021-01-04", "initial_conference", "ICPC: child protection plan", rid="c1"),
        ev(CSC, "2021-01-11", "home_visit", "CP visit. A seen.", rid="c2"),
        ev(
            CSC,
            "2021-01-18",
            "review_conference",
            "Review CPC",
            rid="c3",
            outcome="CP plan ended - step down to CIN",
        ),
        ev(CSC, "2021-03-30", "home_visit", "CIN visit. A seen.", rid="c4"),
    )
    assert len(found) == 0  # the plan ended on 18/01: no visit was due after it


def test_a_typo_year_does_not_extend_the_data(ev, detect):
    found = _subkind(
        detect,
        "icpc_to_core_group",
        ev(CSC, "2019-03-01", "initial_conference", "ICPC", rid="c1"),
        ev(CSC, "2019-03-06", "home_visit", "Visit", rid="c2"),
        ev(CSC, "2091-03-06", "home_visit", "Visit (year typed 2091)", rid="c3"),
    )
    assert len(found) == 0  # the records end on 06/03/2019, before the core group was due
