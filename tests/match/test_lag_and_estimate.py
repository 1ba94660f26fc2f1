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
