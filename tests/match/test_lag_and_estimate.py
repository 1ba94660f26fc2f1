"""Records of an earlier event days later, members' lags, and weights estimated on the case."""

from __future__ import annotations

import numpy as np
import pandas as pd

from chronology.match import match_events
from chronology.match.em import estimate_weights, random_u
from chronology.synth import generate_case


def _clusters(result) -> set[tuple[str, ...]]:
    return {tuple(sorted(ids)) for ids in result.clusters["record_ids"]}


def _core_groups(make_events, minutes_day: str) -> pd.DataFrame:
    """Fortnightly core groups on 1 and 15 March, and the social worker's minutes on ``minutes_day``."""
    rows = []
    for day in ("2021-03-01", "2021-03-15"):
        tag = day[-2:]
        rows += [
            {
                "record_id": f"csc{tag}",
                "agency": "CSC",
                "when": f"{day} 10:00",
                "event_type": "core_group",
                "description": "Core group meeting. CP plan reviewed.",
            },
            {
                "record_id": f"hv{tag}",
                "agency": "HV",
                "when": day,
                "event_type": "core_group",
                "description": "Core group. Attended.",
            },
        ]
    rows.append(
        {
            "record_id": "minutes",
            "agency": "CSC",
            "when": minutes_day,
            "event_type": "core_group",
            "description": "Core group minutes typed and circulated.",
        }
    )
    return make_events(rows)


def test_minutes_days_later_join_the_latest_meeting_before_them(make_events):
    result = match_events(_core_groups(make_events, "2021-03-04"), {"estimate": False})
    # three days after the first core group, eleven before the next: the first one's record
    assert _clusters(result) == {("csc01", "hv01", "minutes"), ("csc15", "hv15")}
    row = result.clusters[result.clusters["record_ids"].map(lambda ids: "minutes" in ids)].iloc[0]
    # each member keeps its own date: the minutes are three days after the meeting
    assert dict(zip(row["record_ids"], row["member_lag_days"], strict=True))["minutes"] == 3
    assert sorted(row["member_agencies"]) == ["CSC", "CSC", "HV"]


def test_minutes_beyond_the_lag_window_stay_apart(make_events):
    # 20 days after the first meeting, 6 after the second: only the second is in reach
    result = match_events(_core_groups(make_events, "2021-03-21"), {"estimate": False})
    assert ("csc01", "hv01") in _clusters(result)
    assert ("csc15", "hv15", "minutes") in _clusters(result)


def test_two_sets_of_minutes_never_join_by_themselves(make_events):
    events = make_events(
        [
            {
                "record_id": "m1",
                "agency": "CSC",
                "when": "2021-03-03",
                "event_type": "core_group",
                "description": "Core group minutes typed and circulated.",
            },
            {
                "record_id": "m2",
                "agency": "CSC",
                "when": "2021-03-12",
                "event_type": "core_group",
                "description": "Core group minutes typed and circulated.",
            },
        ]
    )
    result = match_events(events, {"estimate": False})
    # alike and within two weeks, but each records a meeting: neither is the other's event
    assert _clusters(result) == {("m1",), ("m2",)}


def test_a_notification_is_its_own_event_and_its_receipt_joins_it(make_events):
    events = make_events(
        [
            {
                "record_id": "inc",
                "agency": "Police",
                "when": "2021-05-01 23:10",
                "event_type": "domestic_abuse_incident",
                "description": "Call from neighbour, shouting at the address. Child present. DASH standard.",
            },
            {
                "record_id": "ppn",
                "agency": "Police",
                "when": "2021-05-02 09:00",
                "event_type": "notification",
                "description": "PPN submitted to MASH re DA incident 01/05/21, child present.",
                "to_agency": "CSC",
            },
            {
                "record_id": "rcv",
                "agency": "CSC",
                "when": "2021-05-03 08:40",
                "event_type": "information_shared",
                "description": "PPN received from police re DA incident 01/05/2021, child present.",
                "from_agency": "Police",
            },
        ]
    )
    result = match_events(events, {"estimate": False})
    # the receipt joins the sending record it received, not the incident the PPN reports
    assert _clusters(result) == {("inc",), ("ppn", "rcv")}


def test_em_moves_the_weights_toward_the_case_and_stays_near_its_priors():
    # 60 pairs whose text and date agree, 40 whose text and date do not: two features that go together
    levels = pd.DataFrame(
        {
            "text_level": ["high"] * 60 + ["none"] * 40,
            "date_level": ["same_day"] * 60 + ["lag_long"] * 40,
            "agency_level": ["different"] * 50 + ["same_repeat"] * 50,
        }
    )
    shipped = {  # weak priors leaning the usual way
        "text": {"high": (0.55, 0.45), "none": (0.45, 0.55)},
        "date": {"same_day": (0.55, 0.45), "lag_long": (0.45, 0.55)},
        "agency": {"different": (0.5, 0.5), "same_repeat": (0.5, 0.5)},
    }
    est = estimate_weights(levels, shipped, prior=0.5, hold=frozenset({"agency"}))
    m, u = est.m_u["text"]["high"]
    assert (
        m > 0.75 and u < 0.3
    )  # from 0.55 and 0.45: the levels that go together are read as the matching ones
    assert est.m_u["agency"] == shipped["agency"]  # held: the shipped values, untouched
    assert est.converged and est.pairs == 100
    # a strong prior keeps a small case near the shipped values
    firm = estimate_weights(levels, shipped, prior=0.5, strength=10_000)
    assert abs(firm.m_u["text"]["high"][0] - 0.55) < 0.05


def test_overrides_are_labels_for_the_estimate():
    levels = pd.DataFrame({"text_level": ["high", "high", "none", "none"]})
    shipped = {"text": {"high": (0.5, 0.5), "none": (0.5, 0.5)}}
    labels = np.array([0.0, 0.0, 1.0, 1.0])  # the analyst: the unlike pairs are the same events
    est = estimate_weights(levels, shipped, prior=0.5, labels=labels, strength=1.0)
    assert est.labelled == 4
    m_none, u_none = est.m_u["text"]["none"]
    assert m_none > u_none


def test_random_u_needs_enough_pairs():
    # fewer than 50 distant pairs say nothing: no u is measured
    assert random_u(pd.DataFrame({"text_level": ["none"] * 10}), ["text"]) == {}


def test_estimates_are_reported_and_deterministic():
    events, _ = generate_case(300, seed=4)
    first, again = match_events(events), match_events(events.sample(frac=1.0, random_state=3))
    assert first.estimate is not None
    assert first.estimate.as_dict() == again.estimate.as_dict()
    weights = first.estimate.as_dict()
    assert set(weights["m_u"]) >= {"text", "date", "agency"} and 0.0 < weights["prior"] < 1.0


def test_two_kinds_of_contact_are_not_evidence_against() -> None:
    # A school's record of the social worker's visit in school and CSC's own visit record: each agency
    # names the one contact by its role; a contact beside an ED attendance stays incompatible.
    import numpy as np

    from chronology.match.levels import TYPE_RANK, type_matrix
    from chronology.vocabulary import load_vocabulary

    codes, matrix = type_matrix(
        np.array(["school_contact", "home_visit", "ed_attendance"], dtype=object), load_vocabulary()
    )
    assert TYPE_RANK[matrix[codes[0], codes[1]]] == "unknown"
    assert TYPE_RANK[matrix[codes[0], codes[2]]] == "incompatible"


def test_a_held_level_keeps_its_shipped_share_and_the_rest_are_estimated():
    # The named-date level is held ("date.named_date"); the other date levels share the rest of the
    # mass as EM finds them. Here the pairs with a named date look unlike on text, which EM alone
    # would read as different events.
    levels = pd.DataFrame(
        {
            "text_level": ["high"] * 50 + ["none"] * 30 + ["none"] * 20,
            "date_level": ["same_day"] * 50 + ["further"] * 30 + ["named_date"] * 20,
        }
    )
    shipped = {
        "text": {"high": (0.6, 0.4), "none": (0.4, 0.6)},
        "date": {"same_day": (0.5, 0.3), "further": (0.3, 0.6), "named_date": (0.2, 0.1)},
    }
    free = estimate_weights(levels, shipped, prior=0.5)
    held = estimate_weights(levels, shipped, prior=0.5, hold=frozenset({"date.named_date"}))
    m, u = held.m_u["date"]["named_date"]
    assert (round(m, 6), round(u, 6)) == (0.2, 0.1)  # the shipped share, untouched
    m_free, u_free = free.m_u["date"]["named_date"]
    assert m_free / u_free < m / u  # estimated freely, the named date would count for less
    assert held.m_u["date"]["same_day"] != shipped["date"]["same_day"]  # the others estimated
    # a held value is kept as written, whatever it is
    other = {**shipped, "date": {**shipped["date"], "named_date": (0.5, 0.01)}}
    again = estimate_weights(levels, other, prior=0.5, hold=frozenset({"date.named_date"}))
    assert again.m_u["date"]["named_date"] == (0.5, 0.01)


def test_a_later_record_naming_its_own_agencys_one_moment_that_day(make_events):
    # CSC's write-up the next day names the day of CSC's one visit: it records that visit (named_own),
    # whatever its few words; the GP's appointment that day is another agency's contact beside it.
    events = make_events(
        [
            {
                "record_id": "visit",
                "agency": "CSC",
                "when": "2020-06-30",
                "event_type": "home_visit",
                "description": "Statutory CP visit. H seen.",
            },
            {
                "record_id": "record",
                "agency": "CSC",
                "when": "2020-07-01",
                "event_type": "other",
                "description": "Write-up of home visit 30/06/20.",
            },
            {
                "record_id": "gp",
                "agency": "GP",
                "when": "2020-06-30",
                "event_type": "appointment",
                "description": "Seen with mum, eczema review.",
            },
        ]  # fmt: skip
    )
    result = match_events(events)
    assert _clusters(result) == {("record", "visit"), ("gp",)}
    levels = result.pairs.set_index(["record_a", "record_b"])["date_level"]
    assert levels[tuple(sorted(("record", "visit")))] == "named_own"
    assert levels[tuple(sorted(("gp", "record")))] == "named_beside"  # CSC's own visit is what it records


def test_a_happening_about_an_earlier_day_never_joins_it(make_events):
    # The school sees the dressing of a burn two days after the ED treated it and writes the day down:
    # its own sighting, about the attendance, never a record of it, however alike the words.
    events = make_events(
        [
            {
                "record_id": "ed",
                "agency": "ED",
                "when": "2020-09-26 11:20",
                "event_type": "ed_attendance",
                "description": "Superficial burn to right palm from hair straighteners. Dressed.",
            },
            {
                "record_id": "school",
                "agency": "School",
                "when": "2020-09-28",
                "event_type": "injury",
                "description": "Dressing on right palm, burn from hair straighteners on 26/09/20, mum says.",
            },
        ]  # fmt: skip
    )
    result = match_events(events)
    assert _clusters(result) == {("ed",), ("school",)}
    assert result.pairs.iloc[0]["date_level"] == "named_about"


def test_a_receipt_joins_the_handoff_that_names_the_same_day(make_events):
    # The police's assessment of the night of 09/02 goes to CSC by the PPN of 10/02, which names the
    # incident's day; CSC's receipt on 11/02 names it too. Naming one same day, the receipt and the
    # PPN are one handoff; the assessment, on the day the receipt names, is the incident's.
    events = make_events(
        [
            {
                "record_id": "vpa",
                "agency": "Police",
                "when": "2019-02-09",
                "event_type": "notification",
                "description": "Vulnerable person assessment (child) completed.",
                "to_agency": "CSC",
            },
            {
                "record_id": "ppn",
                "agency": "Police",
                "when": "2019-02-10 09:15",
                "event_type": "notification",
                "description": "PPN submitted to MASH re DA 09/02/19. Child present.",
                "to_agency": "CSC",
            },
            {
                "record_id": "rcv",
                "agency": "CSC",
                "when": "2019-02-11 08:52",
                "event_type": "notification",
                "description": "Contact received from Police - PPN (DA, standard risk) re incident 09/02/19.",
                "from_agency": "Police",
            },
        ]  # fmt: skip
    )
    result = match_events(events)
    assert ("ppn", "rcv") in _clusters(result)
    level = result.pairs.set_index(["record_a", "record_b"])["date_level"]
    assert level[("ppn", "rcv")] == "named_both"


def test_a_hold_entry_that_names_no_feature_or_level_is_refused(tmp_path) -> None:
    # A typo in [estimate] hold would silently estimate what was meant to be held.
    import pytest

    from chronology.errors import ConfigError
    from chronology.match.settings import MATCH_TOML, load_settings

    text = MATCH_TOML.read_text(encoding="utf-8").replace('"date.named_date",', '"date.named_dat",', 1)
    bad = tmp_path / "match.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match="date.named_dat"):
        load_settings(path=bad)
    assert "date.named_date" in load_settings().estimate_hold


def test_minutes_typed_the_next_day_record_the_meeting_of_the_day_before(make_events):
    # CSC types its CIN meeting's minutes the day after: a record of the meeting (lag_latest), not
    # a new happening a day out; a PPN received the next day stays a day out (one_day).
    events = make_events(
        [
            {
                "record_id": "cin",
                "agency": "CSC",
                "when": "2019-08-20 10:00",
                "event_type": "cin_meeting",
                "description": "CIN review meeting 1. Present: mum, SW, HV. Mum engaging.",
            },
            {
                "record_id": "mins",
                "agency": "CSC",
                "when": "2019-08-21",
                "event_type": "cin_meeting",
                "description": "CIN meeting minutes typed and circulated.",
            },
        ]  # fmt: skip
    )
    result = match_events(events)
    assert result.pairs.iloc[0]["date_level"] == "lag_latest"
    assert _clusters(result) == {("cin", "mins")}


def test_receipts_of_one_senders_calls_and_a_receipt_naming_its_own_history(make_events):
    # CSC phoned the health visitor and, half an hour later, referred to the police: two agencies'
    # receipts of one sender, one a call, are two handoffs (other_call counts against). The GP's
    # record of CSC's call that mentions its own earlier missed appointment ("WNB 11/02") is not a
    # record of that appointment: a receipt naming a day of its own agency is history.
    events = make_events(
        [
            {
                "record_id": "hv",
                "agency": "Health Visiting",
                "when": "2019-03-04 15:10",
                "event_type": "information_shared",
                "description": "Call from SW: bruise to cheek seen at nursery.",
                "from_agency": "CSC",
            },
            {
                "record_id": "pol",
                "agency": "Police",
                "when": "2019-03-04 15:40",
                "event_type": "information_shared",
                "description": "Referral from CSC MASH re bruise to cheek.",
                "from_agency": "CSC",
            },
            {
                "record_id": "dna",
                "agency": "GP",
                "when": "2019-02-11",
                "event_type": "missed_appointment",
                "description": "WNB - eczema review. DNA letter sent to mum.",
            },
            {
                "record_id": "gp",
                "agency": "GP",
                "when": "2019-03-05",
                "event_type": "information_shared",
                "description": "Call from CSC re bruise and disclosure at nursery 04/03/19, S47 under way. "
                "Info given: eczema, WNB 11/02.",
                "from_agency": "CSC",
            },
        ]  # fmt: skip
    )
    pairs = match_events(events).pairs.set_index(["record_a", "record_b"])
    assert pairs.loc[("hv", "pol"), "route_level"] == "other_call"
    assert pairs.loc[("hv", "pol"), "w_route"] < -3
    assert pairs.loc[("dna", "gp"), "date_level"] != "named_own"


def test_a_held_feature_keeps_its_shipped_u_even_where_u_is_measured():
    # route is held as judgement: the u values measured on far-apart pairs must not replace its own.
    levels = pd.DataFrame({"route_level": ["same_route"] * 30 + ["other_recipient"] * 70})
    shipped = {"route": {"same_route": (0.6, 0.2), "other_recipient": (0.15, 0.3)}}
    est = estimate_weights(
        levels, shipped, prior=0.5, hold=frozenset({"route"}),
        fixed_u={"route": {"same_route": 0.9, "other_recipient": 0.0001}},
    )  # fmt: skip
    assert est.m_u["route"] == shipped["route"]


def test_a_receipt_about_its_senders_own_sighting_is_a_handoff_not_the_sighting(make_events):
    # The school saw the child hungry and unkempt; CSC's record of the school's call the next day names
    # that day. The call is a handoff about the sighting, an event of its own, never the sighting.
    events = make_events(
        [
            {
                "record_id": "seen",
                "agency": "School",
                "when": "2020-02-04",
                "event_type": "neglect_concern",
                "description": "Arrived in same clothes as Friday, smelling of urine, hungry.",
            },
            {
                "record_id": "call",
                "agency": "CSC",
                "when": "2020-02-05 09:10",
                "event_type": "information_shared",
                "description": "Call from school DSL re presentation 04/02/2020 (unkempt, hungry).",
                "from_agency": "School",
            },
        ]  # fmt: skip
    )
    result = match_events(events)
    assert result.pairs.iloc[0]["date_level"] == "named_about"
    assert _clusters(result) == {("seen",), ("call",)}
