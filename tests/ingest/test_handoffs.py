"""Tests of handoff finding (chronology.ingest.handoffs): rows and clauses read once give the same answers."""

from __future__ import annotations

import pandas as pd

from chronology.ingest import classify
from chronology.ingest.agencies import AgencyResolver
from chronology.ingest.classify import classify_events
from chronology.ingest.handoffs import find_handoffs
from chronology.vocabulary import load_vocabulary

VOCAB = load_vocabulary()
CSC = "Children's Social Care"
SOURCES = [
    ("Police", ["Constabulary"]),
    (CSC, ["FAST"]),
    ("GP", []),
    ("Health Visiting", []),
    ("Oakfield Primary School", []),
    ("Emergency Department", []),
]
OWNS = [label for label, _ in SOURCES]
TEXTS = [
    "PPN submitted to MASH",
    "PPN received",
    "Referral to CSC re bruising",
    "Referral rec'd from school re attendance",
    "Request for information sent to CSC",
    "Request for information received from CSC",
    "GP letter received",
    "HV liaison form sent",
    "Emailed HV and GP re visit dates - GP replied",
    "Mother said she would tell the GP about the rash",
    "Referral to MASH re neglect concerns; school reports poor attendance and hygiene. Ref 123456.",
    "Referral to MASH re neglect concerns; school reports poor attendance and hygiene. Ref 654321.",
    "ICPC minutes rec'd from police",
    "ICPC outcome rec'd",
    "ICPC held, CP plan",
]


def _resolver() -> AgencyResolver:
    return AgencyResolver(SOURCES, VOCAB)


def test_importable_from_classify() -> None:
    assert classify.find_handoffs is find_handoffs  # the old import path still works


def test_rows_read_together_or_alone_agree() -> None:
    texts = [t for t in TEXTS for _ in OWNS]
    owns = OWNS * len(TEXTS)
    types = classify_events([""] * len(texts), texts, VOCAB)
    types += ["information_request"] * len(texts)  # the same clauses under another type
    texts, owns = texts * 2, owns * 2
    together = find_handoffs(types, [""] * len(texts), texts, owns, _resolver())
    alone = [
        find_handoffs([t], [""], [d], [o], _resolver()) for t, d, o in zip(types, texts, owns, strict=True)
    ]
    assert list(zip(*together, strict=True)) == [
        (f[0], t[0]) for f, t in alone
    ]  # clauses remembered per row context


def test_a_unique_reference_does_not_change_the_target() -> None:
    types = ["referral", "referral"]
    texts = TEXTS[10:12]
    assert find_handoffs(types, ["", ""], texts, ["GP", "GP"], _resolver()) == (
        ["", ""],
        [CSC, CSC],
    )  # to MASH


def test_meeting_rows_read_only_when_received() -> None:
    types = ["initial_conference"] * 3
    froms, tos = find_handoffs(types, ["", "", ""], TEXTS[12:15], ["GP"] * 3, _resolver())
    assert froms == ["Police", CSC, ""]  # named sender; the conference's agency; not a receipt
    assert tos == ["", "", ""]  # a meeting's record is only received


def test_series_with_missing_values() -> None:
    types = pd.Series(["referral", None, "referral"], dtype="str")
    labels = pd.Series([None, "", "Referral"], dtype="str")
    texts = pd.Series(["Referral to CSC", "Referral to CSC", None], dtype="str")
    owns = pd.Series(["GP", "GP", "GP"], dtype="str")
    assert find_handoffs(types, labels, texts, owns, _resolver()) == (
        ["", "", ""],
        [CSC, "", ""],
    )  # None is ""
