"""Clustering: one real event one cluster, several records of one agency allowed, no chains."""

from __future__ import annotations

from chronology.match import match_events


def _clusters(result):
    """The set of member tuples, one per cluster."""
    return {tuple(sorted(ids)) for ids in result.clusters["record_ids"]}


def test_one_strategy_meeting_in_three_chronologies_is_one_cluster(make_events):
    events = make_events(
        [
            {
                "record_id": "csc",
                "agency": "CSC",
                "when": "2021-03-05 10:00",
                "event_type": "strategy_discussion",
                "description": "Strategy discussion held with police and health. Threshold met for S47 enquiry.",
            },
            {
                "record_id": "pol",
                "agency": "Police",
                "when": "2021-03-05 10:00",
                "event_type": "strategy_discussion",
                "description": "Strat meeting with CSC, joint S47 agreed.",
            },
            {
                "record_id": "hv",
                "agency": "HV",
                "when": "2021-03-05",
                "event_type": "meeting",
                "description": "Attended strategy meeting by phone, shared information.",
            },
            {
                "record_id": "gp",
                "agency": "GP",
                "when": "2021-03-05",
                "event_type": "appointment",
                "description": "Seen with mum for cough and cold.",
            },
        ]
    )
    result = match_events(events)
    # the three records of the meeting join; the GP's appointment that day stays alone
    assert _clusters(result) == {("csc", "hv", "pol"), ("gp",)}


def test_weekly_visits_with_identical_words_never_chain(make_events):
    text = "Routine home visit. Child seen, weight checked, home conditions adequate."
    days = ["2021-03-01", "2021-03-08", "2021-03-15", "2021-03-22"]
    events = make_events(
        [
            {
                "record_id": f"hv{i}",
                "agency": "HV",
                "when": d,
                "event_type": "home_visit",
                "description": text,
            }
            for i, d in enumerate(days)
        ]
    )
    result = match_events(events)
    # a week apart: never candidates, so four clusters of one
    assert len(result.clusters) == 4
    assert result.pairs.empty


def test_the_window_stops_a_chain_of_daily_records(make_events):
    text = "Core group meeting held, plan reviewed, progress noted."
    rows = [
        ("csc1", "CSC", "2021-03-01"),
        ("sch1", "School", "2021-03-02"),
        ("hv1", "HV", "2021-03-03"),
    ]
    events = make_events(
        [
            {"record_id": r, "agency": a, "when": d, "event_type": "core_group", "description": text}
            for r, a, d in rows
        ]
    )
    result = match_events(events)
    # csc1-sch1 and sch1-hv1 are a day apart and alike; csc1-hv1 are two days
    # apart, so the three can never be one cluster
    assert ("csc1", "hv1", "sch1") not in _clusters(result)
    assert max(result.clusters["size"]) == 2


def test_one_agency_records_one_event_several_times_and_its_routine_stays_apart(make_events):
    events = make_events(
        [
            # one ED attendance: the booking, triage and clinician rows share the arrival minute
            {
                "record_id": "d1",
                "agency": "ED",
                "when": "2021-03-12 14:05",
                "event_type": "ed_attendance",
                "description": "Attended ED with burn to right hand, attendance 44632/21.",
            },
            {
                "record_id": "d2",
                "agency": "ED",
                "when": "2021-03-12 14:05",
                "event_type": "ed_attendance",
                "description": "Triage: observations within normal limits.",
            },
            {
                "record_id": "d3",
                "agency": "ED",
                "when": "2021-03-12 14:05",
                "event_type": "ed_attendance",
                "description": "Clinician review: history from mother documented, body map completed.",
            },
            # the social worker's visit and the write-up of it the next day, naming its date
            {
                "record_id": "v1",
                "agency": "CSC",
                "when": "2021-03-15",
                "event_type": "home_visit",
                "description": "Statutory visit. Child seen alone, bedroom checked.",
            },
            {
                "record_id": "v2",
                "agency": "CSC",
                "when": "2021-03-16",
                "event_type": "home_visit",
                "description": "Write-up of statutory visit 15/03/21.",
            },
            # the same agency's identical routine line on the next days: other happenings
            {
                "record_id": "o1",
                "agency": "Police",
                "when": "2021-03-20",
                "event_type": "domestic_abuse_incident",
                "description": "Occurrence recorded. DA flag added to address.",
            },
            {
                "record_id": "o2",
                "agency": "Police",
                "when": "2021-03-21",
                "event_type": "domestic_abuse_incident",
                "description": "Occurrence recorded. DA flag added to address.",
            },
        ]
    )
    result = match_events(events, {"estimate": False})
    # d1-d3: one attendance; v1/v2: a visit and its write-up; o1/o2: two incidents
    assert _clusters(result) == {("d1", "d2", "d3"), ("v1", "v2"), ("o1",), ("o2",)}
    refused = result.pairs.set_index(["record_a", "record_b"]).loc[("o1", "o2")]
    assert refused["agency_level"] == "same_wording" and refused["decision"] == "different"


def test_a_late_record_naming_the_date_joins_that_event(make_events):
    events = make_events(
        [
            {
                "record_id": "pol",
                "agency": "Police",
                "when": "2021-03-03 22:15",
                "event_type": "domestic_abuse_incident",
                "description": "DA incident at home address. Mother assaulted by Partner. Child present. PPN submitted.",
            },
            {
                "record_id": "csc",
                "agency": "CSC",
                "when": "2021-03-08",
                "event_type": "notification",
                "description": "PPN received re DA incident on 3/3. Partner arrested.",
            },
            {
                "record_id": "gp",
                "agency": "GP",
                "when": "2021-03-08",
                "event_type": "appointment",
                "description": "Seen for eczema review.",
            },
        ]
    )
    result = match_events(events)
    # the PPN names 3/3 (the incident's day) five days later: one event; the GP visit is not
    assert _clusters(result) == {("csc", "pol"), ("gp",)}
    cluster = result.clusters.set_index("size").loc[2]
    # the canonical date is the incident's (more precise, earlier), not the receipt's
    assert cluster["start"].strftime("%d/%m %H:%M") == "03/03 22:15"
    assert cluster["agencies"] == ["CSC", "Police"]


def test_an_agencys_rows_count_once_in_the_average_by_their_best_pair():
    # Records 0 and 1 are one agency's rows of one attendance (the booking matches, the triage row
    # says little); record 2, another agency's, matches the booking. Counted pair by pair the triage
    # row outvotes the booking (mean 1.5 < 2); counted once per agency, the merge stands.
    import numpy as np

    from chronology.match.cluster import Constraints, merge_clusters

    def graph(block):
        return Constraints(
            n=3,
            a=np.array([0, 0, 1]),
            b=np.array([1, 2, 2]),
            score=np.array([9.0, 5.0, -2.0]),
            allowed=np.array([True, True, True]),
            reason=np.array(["", "", ""], dtype=object),
            block=block,
            blocks=2,
        )

    assert merge_clusters(graph(None), 3.0, [], 2.0)[0].tolist() == [0, 0, 2]
    assert merge_clusters(graph(np.array([0, 0, 1])), 3.0, [], 2.0)[0].tolist() == [0, 0, 0]


def test_two_handoffs_from_different_senders_stay_two_events(make_events):
    # The police's notification to CSC and CSC's onward one to the GP, in like words, ten minutes
    # apart: they score well, but one handoff has one sender, so they stay two events.
    events = make_events(
        [
            {
                "record_id": "pol",
                "agency": "Police",
                "when": "2021-03-05 09:00",
                "event_type": "notification",
                "description": "Domestic abuse incident 04/03/21 at home, child present, notification sent to CSC.",
                "from_agency": "Police",
                "to_agency": "CSC",
            },
            {
                "record_id": "csc",
                "agency": "CSC",
                "when": "2021-03-05 09:10",
                "event_type": "notification",
                "description": "Domestic abuse incident 04/03/21 at home, child present, notification sent to GP.",
                "from_agency": "CSC",
                "to_agency": "GP",
            },
        ]
    )
    result = match_events(events)
    assert _clusters(result) == {("pol",), ("csc",)}
    pair = result.pairs.iloc[0]
    assert pair["score"] > 3.0 and pair["route_level"] == "other_sender"
    assert pair["decided_by"] == "constraint: another sender"


def test_a_receipt_most_likely_records_the_latest_handoff_of_its_route(make_events):
    # The police sent CSC an assessment on the night and a PPN the next morning; CSC's receipt names
    # the police as sender and the night's date. It most likely records the latest handoff before it,
    # the PPN: the pair with the earlier sending of that route counts against (earlier_send).
    events = make_events(
        [
            {
                "record_id": "vpa",
                "agency": "Police",
                "when": "2019-07-13",
                "event_type": "notification",
                "description": "Vulnerable person assessment completed re incident 13/07/19.",
                "to_agency": "CSC",
            },
            {
                "record_id": "ppn",
                "agency": "Police",
                "when": "2019-07-14 08:10",
                "event_type": "notification",
                "description": "PPN to MASH, DA high risk, child present.",
                "to_agency": "CSC",
            },
            {
                "record_id": "rcv",
                "agency": "CSC",
                "when": "2019-07-15 08:45",
                "event_type": "notification",
                "description": "Contact from Police: PPN incident 13/07 - mother punched, H present.",
                "from_agency": "Police",
            },
        ]  # fmt: skip
    )
    pairs = match_events(events).pairs.set_index(["record_a", "record_b"])
    assert pairs.loc[("rcv", "vpa"), "route_level"] == "earlier_send"
    assert pairs.loc[("rcv", "vpa"), "w_route"] < 0
    assert pairs.loc[("ppn", "rcv"), "route_level"] == "same_route"
    # the same day's second sending is the same handoff recorded twice, not a later one
    twice = make_events(
        [
            {
                "record_id": "ppn1",
                "agency": "Police",
                "when": "2019-07-14 08:10",
                "event_type": "notification",
                "description": "PPN to MASH re DA incident 13/07/19.",
                "to_agency": "CSC",
            },
            {
                "record_id": "ppn2",
                "agency": "Police",
                "when": "2019-07-14 08:25",
                "event_type": "notification",
                "description": "PPN submitted re DA 13/07/19.",
                "to_agency": "CSC",
            },
            {
                "record_id": "rcv",
                "agency": "CSC",
                "when": "2019-07-15 08:45",
                "event_type": "notification",
                "description": "PPN received from Police re incident 13/07/19.",
                "from_agency": "Police",
            },
        ]  # fmt: skip
    )
    levels = match_events(twice).pairs.set_index(["record_a", "record_b"])["route_level"]
    assert levels[("ppn1", "rcv")] == levels[("ppn2", "rcv")] == "same_route"


def test_a_decision_is_never_what_it_decides_on(make_events):
    # CSC's type cell says "Decision"; its text names the strategy discussion it decides to hold that
    # afternoon. The decision is a happening of its own: it never joins the discussion's records.
    events = make_events(
        [
            {
                "record_id": "dec",
                "agency": "CSC",
                "when": "2019-11-19 09:05",
                "event_type": "referral_decision",
                "description": "TM decision on school referral: strategy discussion today (referral received Fri).",
            },
            {
                "record_id": "csc",
                "agency": "CSC",
                "when": "2019-11-19 13:00",
                "event_type": "strategy_discussion",
                "description": "Strategy discussion: CSC, Police, HV, school. Bruise to cheek, S47 agreed.",
            },
            {
                "record_id": "pol",
                "agency": "Police",
                "when": "2019-11-19 13:00",
                "event_type": "strategy_discussion",
                "description": "Strategy meeting attended, joint S47.",
            },
        ]  # fmt: skip
    )
    result = match_events(events)
    assert ("csc", "pol") in _clusters(result) and ("dec",) in _clusters(result)
    pairs = result.pairs.set_index(["record_a", "record_b"])
    assert pairs.loc[("csc", "dec"), "event_type_level"] == "incompatible"


def test_a_contact_seen_from_either_side_is_one_event(make_events):
    # The school writes that the social worker came in to see the child; CSC records its visit that
    # day. One contact, named by each agency's role, the school's naming CSC: one event. A school
    # contact that only passes news on to the social worker ("Shared with SW") is not that visit.
    events = make_events(
        [
            {
                "record_id": "csc",
                "agency": "Children's Social Care",
                "when": "2020-06-30",
                "event_type": "home_visit",
                "description": "Statutory CP visit. H seen.",
            },
            {
                "record_id": "school",
                "agency": "School",
                "when": "2020-06-30",
                "event_type": "school_contact",
                "description": "SW in to see H - seen in nursery room.",
            },
            {
                "record_id": "csc2",
                "agency": "Children's Social Care",
                "when": "2020-07-14",
                "event_type": "home_visit",
                "description": "CP visit. H seen; mum engaging.",
            },
            {
                "record_id": "told",
                "agency": "School",
                "when": "2020-07-14",
                "event_type": "school_contact",
                "description": "Mum told key person at collection that partner has moved out.",
                "outcome": "Shared with SW",
            },
        ]  # fmt: skip
    )
    result = match_events(events)
    pairs = result.pairs.set_index(["record_a", "record_b"])
    assert pairs.loc[("csc", "school"), "event_type_level"] == "named_contact"
    assert ("csc", "school") in _clusters(result)
    assert pairs.loc[("csc2", "told"), "mention_level"] == "none"  # the SW is the recipient, not the visitor
    assert ("told",) in _clusters(result)


def test_one_meetings_rows_that_cite_different_history_stay_one_event(make_events):
    # Two agencies' rows of one strategy discussion at 10:00, each citing its own history ("no access
    # 26/02", "bruise seen 04/03"): different days named at one moment are history, not two events.
    events = make_events(
        [
            {
                "record_id": "csc",
                "agency": "CSC",
                "when": "2019-03-05 10:00",
                "event_type": "strategy_discussion",
                "description": "Strategy discussion: CSC, police, HV, school. Bruise to cheek seen 04/03/19. S47.",
            },
            {
                "record_id": "hv",
                "agency": "HV",
                "when": "2019-03-05 10:00",
                "event_type": "strategy_discussion",
                "description": "Telephone strategy discussion. Shared HV history: no access 26/02/19.",
            },
        ]  # fmt: skip
    )
    result = match_events(events)
    assert result.pairs.iloc[0]["date_level"] != "named_conflict"
    assert _clusters(result) == {("csc", "hv")}
