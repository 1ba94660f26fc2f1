"""Tests of pseudonyms: what is replaced, what is left, and the check of output files."""

from __future__ import annotations

import json
import zipfile
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chronology.config import CaseConfig
from chronology.pipeline import Run
from chronology.pseudonyms import (
    Pseudonymiser,
    check_outputs,
    names_left,
    output_texts,
    pseudonymise_run,
    unlisted_surnames,
)

# Invented people of a made-up case.
NAMES = {"Jodie Brennan": "Mother", "Jodie": "Mother", "Kai": "Child H", "J.B.": "Mother"}


@pytest.fixture
def p() -> Pseudonymiser:
    return Pseudonymiser(NAMES)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kai seen at home", "Child H seen at home"),
        ("KAI and kai", "Child H and Child H"),  # case-insensitive
        ("Jodie's phone off", "Mother's phone off"),  # possessive
        ("Jodie\u2019s phone off", "Mother\u2019s phone off"),  # with a typographic apostrophe
        ("Jodie Brennan attended", "Mother attended"),  # the longest name wins: not "Mother Brennan"
        ("Jodie\nBrennan", "Mother"),  # a line break inside a name
        ("J.B. and JB and J. B.", "Mother and Mother and Mother"),  # listed initials, every form
        ("J. Brennan and J Brennan", "Mother and Mother"),  # derived from the full name
        ("Brennan, Jodie", "Mother"),  # derived: surname first
        ("Kaiser Chiefs; Makai", "Kaiser Chiefs; Makai"),  # whole words only
        ("Mrs Brennan", "Mrs Brennan"),  # a surname alone only where listed
    ],
)
def test_replacing(p: Pseudonymiser, text: str, expected: str) -> None:
    assert p.text(text) == expected


def test_a_pseudonym_is_not_replaced_again() -> None:
    # "Child H" holds no listed name, but "Mother" is itself listed as a name here.
    swap = Pseudonymiser({"Jodie": "Mother", "Mother": "Carer"})
    assert swap.text("Jodie and Mother") == "Mother and Carer"


def test_ambiguous_derived_form_is_left_out() -> None:
    # Jodie and John Brennan share "J. Brennan": which one is it? Not guessed.
    both = Pseudonymiser({"Jodie Brennan": "Mother", "John Brennan": "Grandfather"})
    assert both.text("J. Brennan called") == "J. Brennan called"
    assert both.text("John Brennan called") == "Grandfather called"


def test_decomposed_accents_match() -> None:
    zoe = Pseudonymiser({"Zo\u00eb": "Sibling"})
    assert zoe.text("Zoe\u0308 at school") == "Sibling at school"


def test_json_text_stays_valid_json(p: Pseudonymiser) -> None:
    raw = json.dumps({"Details": 'Kai said "Jodie hit me"', "Kai": ["Kai"]}, ensure_ascii=False)
    out = p.json_text(raw)
    # Keys are structure (fields, column headers) and stay; every string value is rewritten.
    assert json.loads(out) == {"Details": 'Child H said "Mother hit me"', "Kai": ["Child H"]}


def test_names_left() -> None:
    texts = ["Mother called", "note: kai at school", "Kaiser"]
    assert names_left(texts, NAMES) == ["Kai"]
    assert names_left(["J B left"], NAMES) == ["J.B."]
    assert names_left(["nothing here"], NAMES) == []


def test_pseudonymise_run_leaves_ids_and_the_input_alone(tmp_path: Path) -> None:
    events = pd.DataFrame(
        {
            "record_id": ["kai-1"],  # an id that happens to hold a name: never rewritten
            "description": ["Kai seen"],
            "raw": [json.dumps({"Notes": "Jodie present"})],
        }
    )
    clusters = pd.DataFrame({"cluster_id": ["c1"], "agencies": [["Police"]], "evidence": ["Kai in both"]})
    findings = pd.DataFrame(
        {"finding_id": ["F1"], "title": ["Kai not seen"], "cited": ['[{"excerpt": "Kai"}]']}
    )
    config = CaseConfig(path=tmp_path / "case.toml", name="Kai review", date_of_birth=date(2018, 5, 21))
    run = Run(config, events, pd.DataFrame(), clusters, pd.DataFrame(), findings, warnings=["Kai?"])
    safe = pseudonymise_run(run, NAMES)
    assert safe.events.loc[0, "record_id"] == "kai-1"
    assert safe.events.loc[0, "description"] == "Child H seen"
    assert json.loads(safe.events.loc[0, "raw"]) == {"Notes": "Mother present"}
    assert safe.clusters.loc[0, "evidence"] == "Child H in both"
    assert json.loads(safe.findings.loc[0, "cited"]) == [{"excerpt": "Child H"}]
    assert (safe.config.name, safe.warnings) == ("Child H review", ["Child H?"])
    assert run.events.loc[0, "description"] == "Kai seen"  # the input run is unchanged


def test_check_outputs_reads_inside_files(tmp_path: Path) -> None:
    # A name hidden by each format's escaping is still found.
    (tmp_path / "timeline.html").write_text("<p>K&#97;i</p>", encoding="utf-8")
    (tmp_path / "findings.json").write_text(json.dumps({"t": "J\u00f6die"}), encoding="utf-8")  # not a name
    (tmp_path / "findings.md").write_text("Nothing left", encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "chronology.xlsx", "w") as archive:
        archive.writestr("xl/sharedStrings.xml", "<si><t>Jodie&apos;s</t></si>")
    pd.DataFrame({"description": ["fine", "with J.B."]}).to_parquet(tmp_path / "events.parquet")
    assert sorted(check_outputs(tmp_path, NAMES)) == [
        "chronology.xlsx: Jodie",
        "events.parquet: J.B.",
        "timeline.html: Kai",
    ]


def test_name_after_a_json_escape(p: Pseudonymiser, tmp_path: Path) -> None:
    # In JSON text a line break is written "\\n": "\\nKai" has no word boundary before "Kai".
    raw = json.dumps({"Narrative": "Attended ICPC.\nKai now on CP plan"})
    assert json.loads(p.json_text(raw)) == {"Narrative": "Attended ICPC.\nChild H now on CP plan"}
    # The check finds such a name too, in a parquet cell and in a page's JSON.
    pd.DataFrame({"raw": [raw]}).to_parquet(tmp_path / "events.parquet")
    (tmp_path / "timeline.html").write_text(
        f'<script type="application/json">{raw}</script>', encoding="utf-8"
    )
    assert sorted(check_outputs(tmp_path, NAMES)) == ["events.parquet: Kai", "timeline.html: Kai"]
    assert any("Kai now" in t for t in output_texts(tmp_path / "timeline.html"))


def test_unlisted_surnames_are_reported() -> None:
    assert unlisted_surnames(NAMES) == ["Brennan"]
    assert unlisted_surnames({**NAMES, "BRENNAN": "Family"}) == []


# Words a chronology entry might hold, the listed names among them, and what may join them.
WORDS = ["Kai", "KAI", "Jodie", "jodie", "Brennan", "J.B.", "JB", "seen", "at", "home", "Kaiser", "Mother"]
JOINS = [" ", "\n", ", ", "'s ", "\u2019s ", ". ", "-", "/", "\u00a0", '"']


@given(st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(JOINS)), max_size=12))
def test_no_listed_name_survives(parts: list[tuple[str, str]]) -> None:
    text = "".join(word + join for word, join in parts)
    assert names_left([Pseudonymiser(NAMES).text(text)], NAMES) == []


@given(
    st.lists(
        st.sampled_from(["seen", "at", "home", "Kaiser", "Makai", "Brennan", "Mother", "K"]), max_size=12
    )
)
def test_text_without_names_unchanged(words: list[str]) -> None:
    text = " ".join(words)
    assert Pseudonymiser(NAMES).text(text) == text
