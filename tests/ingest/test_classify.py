"""Tests of event classification and handoff extraction (chronology.ingest.classify)."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from chronology.ingest import classify as classify_module
from chronology.ingest.agencies import AgencyResolver
from chronology.ingest.classify import classify_events, classify_text, find_handoffs
from chronology.vocabulary import EventType, Vocabulary, load_vocabulary

VOCAB = load_vocabulary()

# (agency's type cell, description, expected type): each comment says why.
ROWS = [
    # --- police ---
    (
        "DA Incident",
        "Officers attended following 999 call, mother and partner arguing",
        "domestic_abuse_incident",
    ),  # the type cell names it
    (
        "Incident",
        "DA incident attended, DASH completed - medium risk",
        "domestic_abuse_incident",
    ),  # "Incident" is weak; DA named
    (
        "",
        "PPN submitted re DA incident",
        "notification",
    ),  # the PPN is the handoff; the incident is its own row
    ("", "VPA submitted to MASH for Child H", "notification"),  # VPA is a police notification
    (
        "Incident",
        "Concern for welfare call, officers attended address, child asleep",
        "police_attendance",
    ),  # no concern type named
    (
        "",
        "Child reported missing from home overnight, located next morning",
        "missing_episode",
    ),  # reported missing
    (
        "",
        "Partner arrested for assault on mother",
        "domestic_abuse_incident",
    ),  # assault on mother is DA... see below
    ("", "Strat discussion with CSC and health re Child H", "strategy_discussion"),  # "strat" is strategy
    ("", "Police checks requested by MASH", "information_request"),  # checks requested
    ("", "Return home interview completed", "missing_episode"),  # RHI follows a missing episode
    ("", "Joint visit with SW under s.47", "s47_enquiry"),  # s.47 beats joint visit
    ("Crime", "NFA - insufficient evidence", "other"),  # a criminal NFA is not a referral decision
    ("Contact", "Referral screened, NFA by MASH", "referral_decision"),  # NFA on a referral
    # --- children's social care ---
    ("Contact", "Referral received from school re bruise", "information_shared"),  # a receipt
    ("Contact", "Referral to MASH re bruise to left cheek", "referral"),  # the sender's; outranks injury
    ("Referral", "Referral from school received by MASH", "information_shared"),  # a received referral
    ("Referral", "Referral to CSC re neglect", "referral"),  # the type cell names it
    ("Contact", "MASH decision: NFA, signposted to early help", "referral_decision"),  # NFA
    ("", "Strategy discussion re bruising", "strategy_discussion"),  # statutory outranks the concern
    (
        "Strategy Meeting",
        "Agreed S47 enquiries, CP medical to be arranged",
        "strategy_discussion",
    ),  # cell wins
    ("", "Section 47 enquiry commenced", "s47_enquiry"),  # section 47
    (
        "",
        "ICPC held - child made subject of CP plan under category of neglect",
        "initial_conference",
    ),  # ICPC first
    ("", "RCPC - CP plan ended, stepped down to CIN", "review_conference"),  # RCPC outranks plan end
    ("", "CP plan ended, case stepped down to child in need", "cp_plan_end"),  # step down from CP
    (
        "",
        "Child became subject to a child protection plan",
        "cp_plan_start",
    ),  # plan started, no conference named
    ("Core Group", "Mother did not attend", "core_group"),  # a specific type cell is not overridden
    ("", "Core group meeting held at school", "core_group"),  # core group outranks meeting
    ("", "CIN review meeting", "cin_meeting"),  # child in need review
    ("", "C&F assessment started, SW allocated", "assessment"),  # C&F assessment
    ("", "Single assessment completed and authorised", "assessment_completed"),  # completed
    ("Closure", "Case closed to CSC", "case_closure"),  # closure
    ("", "Case stepped down to early help", "case_closure"),  # step down not from a CP plan
    (
        "Home Visit",
        "Unannounced home visit, no access, card left",
        "missed_appointment",
    ),  # no access beats the visit cell
    ("Home Visit", "Child seen and spoken to alone in bedroom", "home_visit"),  # the visit cell stands
    ("", "Statutory visit, child seen", "home_visit"),  # statutory visit
    ("", "LADO consulted, information shared with school", "information_shared"),  # sharing
    ("", "Minutes of strategy meeting sent to GP", "strategy_discussion"),  # strategy named first
    ("Telephone", "Telephone call to mother to arrange visit", "phone_call"),  # a call with the family
    ("Telephone", "Referral made by phone to MASH", "referral"),  # weak cell yields to a referral
    # --- GP ---
    ("Consultation", "Seen with mother, chest infection, antibiotics", "appointment"),  # consultation
    ("", "DNA paediatric appt", "missed_appointment"),  # DNA outranks appointment
    ("", "WNB for 8 week baby check", "missed_appointment"),  # was not brought
    ("", "Imms given, 12 month", "appointment"),  # immunisation
    ("Letter", "Clinic letter from paediatrics received", "information_shared"),  # a received letter
    ("Letter", "Letter to paediatrics re weight", "letter"),  # the sender's letter
    ("", "ED attendance notification received - fall from sofa", "information_shared"),  # a receipt
    ("", "Notification sent to HV of ED attendance", "notification"),  # the sender's notification
    ("", "Mother seen, low mood, referred to IAPT", "referral"),  # referred
    (
        "",
        "Request for information from CSC for ICPC report",
        "initial_conference",
    ),  # ICPC named; see note in vocabulary
    ("", "Request for information from CSC for strategy", "strategy_discussion"),  # strategy named
    ("", "Request for information from CSC", "information_shared"),  # "X from <agency>" opens a receipt
    ("", "Request for information sent to police", "information_request"),  # the requester's record
    # --- health visiting ---
    ("", "New birth visit, baby weighed, mother well", "home_visit"),  # new birth visit is at home
    ("", "6-8 week check completed at clinic", "appointment"),  # 6-8 week check
    ("", "2 year developmental review, ASQ completed", "appointment"),  # developmental review
    ("", "Home conditions poor, no food in the fridge, unkempt", "neglect_concern"),  # neglect signs
    ("", "HV liaison form sent to GP", "information_shared"),  # liaison
    ("", "Mother disclosed DA from partner at visit", "domestic_abuse_incident"),  # DA outranks disclosure
    ("", "Child disclosed that mummy's friend hurts her", "disclosure"),  # a disclosure by the child
    ("", "Bruise noted to baby's forehead, mother says fell", "injury"),  # bruise
    ("Telephone", "Tel call from school re attendance", "information_shared"),  # call between professionals
    ("", "Transfer in from Southshire HV team", "transfer"),  # transfer
    # --- school ---
    (
        "Safeguarding",
        "Child said that dad hit her with a belt, DSL informed",
        "disclosure",
    ),  # disclosure words
    ("", "Red marks on arms noticed by class teacher", "injury"),  # marks on
    ("", "Child arrived hungry, no breakfast, dirty clothes", "neglect_concern"),  # neglect signs
    ("", "Absent from school, no contact from parents", "missed_appointment"),  # child not seen
    ("", "Referral to MASH by DSL", "referral"),  # referral
    ("", "CP file sent to new school", "transfer"),  # records transfer
    ("", "CME referral made to LA", "referral"),  # the referral is the act; CME is the reason
    ("Pastoral", "Child upset in class, calmed by pastoral lead", "school_contact"),  # school contact
    ("", "Self-harm: cuts to her arms seen by teacher", "self_harm"),  # self-harm outranks injury
    # --- emergency department ---
    (
        "Attendance",
        "Presented with spiral fracture to left arm, skeletal survey",
        "injury",
    ),  # injury (concern) wins
    ("ED attendance", "Overdose of paracetamol", "ed_attendance"),  # a named cell is not overridden
    ("", "Attended A&E with mother, minor head bump", "ed_attendance"),  # A&E
    ("", "Admitted to children's ward overnight", "hospital_admission"),  # admitted
    ("", "Discharge summary sent to GP and HV", "letter"),  # discharge summary
    ("", "Paediatric liaison notified HV", "information_shared"),  # liaison between professionals
    # --- nothing fits ---
    ("", "", "other"),  # empty
    ("Note", "Case note", "other"),  # nothing
]


def test_rows_are_classified_as_expected() -> None:
    labels = [r[0] for r in ROWS]
    descriptions = [r[1] for r in ROWS]
    got = classify_events(labels, descriptions, VOCAB)
    wrong = [(r, g) for r, g in zip(ROWS, got, strict=True) if g != r[2]]
    assert wrong == []  # every row gets its expected type
    assert len(ROWS) >= 60  # the brief's minimum


def test_accepts_arrow_backed_series_with_missing_values() -> None:
    labels = pd.Series(["Home visit", None, "DNA"], dtype="str")
    descriptions = pd.Series(["Child seen", "ICPC", None], dtype="str")
    got = classify_events(labels, descriptions, VOCAB)
    assert got == ["home_visit", "initial_conference", "missed_appointment"]  # None read as ""


def test_lengths_must_agree() -> None:
    with pytest.raises(ValueError):  # one label for two descriptions
        classify_events(["x"], ["a", "b"], VOCAB)


def test_classify_text_single() -> None:
    assert classify_text("Strategy discussion re bruising", VOCAB) == "strategy_discussion"  # statutory first
    assert classify_text("nothing here", VOCAB) == "other"  # no pattern


def test_receipt_type_cells_and_meeting_receipts() -> None:
    labels = ["Correspondence in", "Info received", "", "", "Domestic Abuse - verbal"]
    descriptions = [
        "A&E discharge letter: attended with D&V",  # a letter received
        "Information from SW: DA incident at the weekend",  # a receipt, not the incident itself
        "Minutes rec'd: core group 17/04/2019",  # the opening names the meeting
        "Call from neighbour re shouting",  # a neighbour is no agency: not a receipt
        "Call from SW re shouting",  # the police's DA type cell stands
    ]
    got = classify_events(labels, descriptions, VOCAB)
    assert got == [
        "information_shared",  # receipt type cell
        "information_shared",  # receipt type cell outranks the DA in the text
        "core_group",  # a record of the meeting, learned afterwards
        "other",  # nothing names a type
        "domestic_abuse_incident",  # a specific type cell is not a receipt
    ]


def test_emergency_department_rows_are_attendances() -> None:
    descriptions = ["Bruise to forehead, mum states fell", "Fever and cough", "Referral to MASH made"]
    got = classify_events(
        ["", "", ""], descriptions, VOCAB, kinds=["emergency_department", None, "emergency_department"]
    )
    assert got == [
        "ed_attendance",  # the ED's own row, whatever it presents with
        "other",  # the same words from an agency of no known kind
        "referral",  # a handoff stays a handoff
    ]


def test_capital_ed_only() -> None:
    got = classify_events(["", ""], ["Ed (uncle) came round", "Taken to ED by mother"], VOCAB)
    assert got == ["other", "ed_attendance"]  # "Ed" the name is not the emergency department


# --- handoffs -------------------------------------------------------------------

SOURCES = [
    ("Police", ["Constabulary"]),
    ("Children's Social Care", ["FAST"]),
    ("GP", []),
    ("Health Visiting", []),
    ("Oakfield Primary School", []),
    ("Emergency Department", []),
]
RESOLVER = AgencyResolver(SOURCES, VOCAB)
CSC = "Children's Social Care"

# (own agency, description, expected from_agency, expected to_agency)
HANDOFFS = [
    ("Police", "PPN submitted to MASH", "", CSC),  # MASH is CSC's front door
    ("Police", "PPN submitted re DA incident", "", CSC),  # a PPN goes to MASH when none is named
    ("GP", "Referral to CSC re bruising", "", CSC),  # referral to
    ("GP", "letter to GP surgery", "", ""),  # the GP's own letter to itself is no target
    ("Health Visiting", "HV liaison form sent", "", ""),  # the HV's own form names only itself
    ("Emergency Department", "HV liaison form sent", "", "Health Visiting"),  # ED sends the form to HV
    (
        "Oakfield Primary School",
        "CP file transferred to new school",
        "",
        "new school",
    ),  # a school outside the review
    ("Children's Social Care", "Emailed HV and GP re visit dates", "", "Health Visiting"),  # first recipient
    ("Emergency Department", "Paediatric liaison notified HV", "", "Health Visiting"),  # notified X
    ("Children's Social Care", "Information shared with HV", "", "Health Visiting"),  # shared with
    ("Children's Social Care", "PPN received from police", "Police", ""),  # receipt
    (
        "Children's Social Care",
        "Referral rec'd from school re attendance",
        "Oakfield Primary School",
        "",
    ),  # rec'd
    ("GP", "Minutes rec'd from CSC", CSC, ""),  # minutes received
    ("GP", "ED notification received", "Emergency Department", ""),  # agency before the noun, received
    ("GP", "Discharge letter from hospital", "Emergency Department", ""),  # hospital is the ED's kind
    ("GP", "GP letter received", "", ""),  # the GP's own letter: never its own source
    ("Health Visiting", "GP letter received", "GP", ""),  # a receipt, not a send
    (
        "Children's Social Care",
        "Referral from school received by MASH",
        "Oakfield Primary School",
        "",
    ),  # MASH is own
    ("Police", "Request for information sent to CSC", "", CSC),  # a request goes to the agency asked
    ("Police", "Request for information received from CSC", CSC, ""),  # a received request
    (
        "Health Visiting",
        "Referral to Housing Options re damp",
        "",
        "Housing Options",
    ),  # outside the review, kept
    (
        "Children's Social Care",
        "Referral received from Northshire Constabulary",
        "Police",
        "",
    ),  # alias of police
    ("Children's Social Care", "Referral received from FAST team", "", ""),  # FAST is CSC's own alias
]


def _handoffs(rows: list[tuple[str, str, str, str]]) -> tuple[list[str], list[str]]:
    descriptions = [r[1] for r in rows]
    types = classify_events([""] * len(rows), descriptions, VOCAB)
    return find_handoffs(types, [""] * len(rows), descriptions, [r[0] for r in rows], RESOLVER)


def test_handoff_targets() -> None:
    froms, tos = _handoffs(HANDOFFS)
    got = list(zip(froms, tos, strict=True))
    expected = [(r[2], r[3]) for r in HANDOFFS]
    wrong = [(r, g) for r, g, e in zip(HANDOFFS, got, expected, strict=True) if g != e]
    assert wrong == []  # each row's (from, to) as commented


def test_near_misses_are_not_handoffs() -> None:
    rows = [
        (
            "Health Visiting",
            "Mother said she would tell the GP about the rash",
            "",
            "",
        ),  # the family's intent
        ("Health Visiting", "Advised mother to contact GP re rash", "", ""),  # advice to the parent
        ("Children's Social Care", "SW to contact GP for update", "", ""),  # a plan, not done
        ("Oakfield Primary School", "Letter home to parents re attendance", "", ""),  # parents are no agency
        (
            "Police",
            "Officers attended, information shared about school attendance",
            "",
            "",
        ),  # "about school": topic
    ]
    froms, tos = _handoffs(rows)
    assert froms == [""] * len(rows)  # no sender found
    assert tos == [""] * len(rows)  # no recipient found


def test_handoffs_only_for_handoff_types_and_never_own() -> None:
    types = ["home_visit", "referral", "referral"]
    descriptions = ["Visit, referral to CSC discussed", "Referral to Police", "Referral to Police"]
    own = ["Health Visiting", "Police", "GP"]
    froms, tos = find_handoffs(types, ["", "", ""], descriptions, own, RESOLVER)
    assert tos == ["", "", "Police"]  # a visit is not read; Police never targets itself; GP's referral does
    assert froms == ["", "", ""]  # no receipts


def test_type_cell_joins_the_text() -> None:
    froms, tos = find_handoffs(["referral"], ["Referral to MASH"], ["re neglect concerns"], ["GP"], RESOLVER)
    assert (froms, tos) == ([""], [CSC])  # the target is in the type cell


def test_result_does_not_depend_on_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    import chronology.ingest.classify as classify

    labels = [r[0] for r in ROWS]
    descriptions = [r[1] for r in ROWS]
    monkeypatch.setattr(classify, "THREADS", 1)
    one = classify_events(labels, descriptions, VOCAB)
    monkeypatch.setattr(classify, "THREADS", 4)
    four = classify_events(labels, descriptions, VOCAB)
    assert one == four  # batches of types in threads pick the same first match


# --- the halving search ----------------------------------------------------------

TEXTS = sorted({t for r in ROWS for t in r[:2]} | {f"{a[1]}; {b[1]}" for a in ROWS[::3] for b in ROWS[1::4]})


def _one_type_at_a_time(texts: list[str], vocab: Vocabulary) -> list[str]:
    """The definition, type by type in vocabulary order: the first whose RE2 pattern matches."""
    rules = classify_module._rules(vocab)
    arr = pa.array(texts, type=pa.large_string())
    got = ["other"] * len(texts)
    for name, pattern in zip(rules.names, rules.patterns, strict=True):
        if pattern is None:
            continue
        hits = pc.match_substring_regex(arr, pattern, ignore_case=True).to_pylist()
        got = [name if hit and g == "other" else g for hit, g in zip(hits, got, strict=True)]
    return got


def _codes_as_names(texts: list[str], vocab: Vocabulary) -> list[str]:
    rules = classify_module._rules(vocab)
    codes = classify_module._codes(pa.array(texts, type=pa.large_string()), rules)
    return [[*rules.names, "other"][c] for c in codes]


def test_halving_finds_the_first_type_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    assert 300 < len(TEXTS) <= classify_module._FEW_TEXTS
    expected = _one_type_at_a_time(TEXTS, VOCAB)
    assert _codes_as_names(TEXTS, VOCAB) == expected  # few texts: one pass per type
    monkeypatch.setattr(classify_module, "_FEW_TEXTS", 0)
    assert _codes_as_names(TEXTS, VOCAB) == expected  # many texts: halving, same first type


def test_halving_in_threads_and_without_unions(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _one_type_at_a_time(TEXTS, VOCAB)
    monkeypatch.setattr(classify_module, "_FEW_TEXTS", 0)
    monkeypatch.setattr(classify_module, "_ROWS_PER_THREAD", 7)
    monkeypatch.setattr(classify_module, "THREADS", 3)
    assert _codes_as_names(TEXTS, VOCAB) == expected  # slices in threads, put back in order
    monkeypatch.setattr(classify_module._Rules, "union", lambda self, codes: None)
    assert _codes_as_names(TEXTS, VOCAB) == expected  # a union RE2 cannot hold: halves in turn


def test_a_pattern_re2_rejects_is_searched_in_python() -> None:
    types = dict(VOCAB.types)
    order = list(types)
    extra = EventType(name="lookbehind", label="Look-behind", group="other", patterns=(r"(?<=xyz )abc",))
    at = order.index("home_visit")
    vocab = replace(
        VOCAB,
        types={n: types[n] if n != "lookbehind" else extra for n in [*order[:at], "lookbehind", *order[at:]]},
    )
    got = classify_events(["", "", "", ""], ["xyz abc", "Home visit xyz abc", "ICPC xyz abc", "abc"], vocab)
    assert got == [
        "lookbehind",  # only the Python pattern matches
        "lookbehind",  # it comes before home_visit
        "initial_conference",  # an earlier type still wins
        "other",  # the look-behind fails
    ]


def test_repeated_rows_are_classified_like_single_ones() -> None:
    rows = ROWS[::4]
    kinds = ["emergency_department" if i % 3 == 0 else None for i in range(len(rows))]
    alone = [classify_events([r[0]], [r[1]], VOCAB, kinds=[k])[0] for r, k in zip(rows, kinds, strict=True)]
    got = classify_events([r[0] for r in rows] * 3, [r[1] for r in rows] * 3, VOCAB, kinds=kinds * 3)
    assert got == alone * 3  # reading each distinct text once changes nothing


def test_few_and_many_texts_classify_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    """Few texts are searched in one pass with the type cells; many are halved apart: same types."""
    labels = [r[0] for r in ROWS] * 3
    descriptions = [r[1] for r in ROWS] + [f"{a[1]}; {b[1]}" for a, b in zip(ROWS, ROWS[1:], strict=False)]
    labels = labels[: len(descriptions)]
    few = classify_events(labels, descriptions, VOCAB)
    monkeypatch.setattr(classify_module, "_FEW_TEXTS", 0)
    assert classify_events(labels, descriptions, VOCAB) == few


def test_a_type_cell_that_says_decision_is_a_decision() -> None:
    # A case-management export's "Contact Type: Decision" (or "Management Decision") is the
    # agency's own word for the record, whatever the text goes on to name.
    from chronology.ingest.classify import classify_events
    from chronology.vocabulary import load_vocabulary

    types = classify_events(
        ["Decision", "Management Decision", "Strategy Discussion"],
        ["TM decision on referral: strategy discussion today.", "NFA, signposted", "Decision: S47"],
        load_vocabulary(),
    )
    assert types == ["referral_decision", "referral_decision", "strategy_discussion"]


def test_a_decision_type_cell_is_a_front_door_decision_only() -> None:
    # "Court decision", "Exclusion decision" or an ED's "Discharge decision" are not decisions on a
    # referral: the bare word, or a front-door word before it, is.
    from chronology.ingest.classify import classify_events
    from chronology.vocabulary import load_vocabulary

    types = classify_events(
        ["Decision", "MASH Decision", "Court decision", "Exclusion decision"],
        ["Outcome recorded", "Progress to S47", "Interim care order granted", "Fixed term exclusion 2 days"],
        load_vocabulary(),
    )
    assert types[:2] == ["referral_decision", "referral_decision"]
    assert "referral_decision" not in types[2:]
