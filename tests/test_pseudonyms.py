"""Tests of pseudonyms: what is replaced, what is left, and the check of output files."""

from __future__ import annotations

import base64
import importlib.util
import json
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chronology.config import CaseConfig
from chronology.pipeline import Run
from chronology.pseudonyms import (
    PseudonymisationError,
    Pseudonymiser,
    check_outputs,
    names_left,
    output_texts,
    pseudonymise_run,
    unlisted_surnames,
)
from chronology.views.report import pack_data

# Invented people of a made-up case.
NAMES = {"Jodie Brennan": "Mother", "Jodie": "Mother", "Kai": "Child H", "J.B.": "Mother"}


def _views_kit() -> Any:
    """tests/views/conftest.py, for its small case (conftest is not importable under --import-mode=importlib)."""
    spec = importlib.util.spec_from_file_location(
        "views_conftest", Path(__file__).parent / "views" / "conftest.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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


def test_a_name_only_inside_the_compressed_data_is_found(tmp_path: Path) -> None:
    # timeline.html carries its data gzipped in base64: the check reads it unpacked, the way the page does.
    data = json.dumps({"rows": [["01/02/2019", "Attended ICPC.\nKai now on CP plan"]]})
    page = tmp_path / "timeline.html"
    page.write_text(
        f'<p>Mother</p><script type="application/gzip" data-encoding="base64">{pack_data(data)}</script>',
        encoding="utf-8",
    )
    assert "Kai" not in page.read_text(encoding="utf-8")  # hidden from a plain reading
    assert check_outputs(tmp_path, NAMES) == ["timeline.html: Kai"]
    assert any("Kai now on CP plan" in t for t in output_texts(page))


def test_a_real_report_with_a_name_left_fails_the_check(tmp_path: Path) -> None:
    from chronology.views.report import write_report

    kit = _views_kit()
    run = kit.small_run()
    run.events.loc[run.events["record_id"] == "r005", "description"] = "Strategy meeting; Jodie attended"
    write_report(run, tmp_path / "timeline.html")
    assert "Jodie" not in (tmp_path / "timeline.html").read_text(encoding="utf-8")
    assert check_outputs(tmp_path, NAMES) == ["timeline.html: Jodie"]
    write_report(kit.small_run(), tmp_path / "timeline.html")
    assert check_outputs(tmp_path, NAMES) == []


def test_a_less_than_sign_in_the_data_hides_no_name(tmp_path: Path) -> None:
    # Data is checked apart from the page's markup: "< Kai ... >" in an entry is not taken for a tag.
    for block in (
        '<script type="application/json">{"d": "score < Kai > 3"}</script>',
        f'<script type="application/gzip">{pack_data("score < Kai > 3")}</script>',
        '<script type="text/plain">score < Kai > 3</script>',  # any block that is not code is data
    ):
        (tmp_path / "timeline.html").write_text(block, encoding="utf-8")
        assert check_outputs(tmp_path, NAMES) == ["timeline.html: Kai"], block
    (tmp_path / "timeline.html").write_text("<script>var Kai = 1;</script>", encoding="utf-8")
    assert check_outputs(tmp_path, NAMES) == []  # code is not checked (minified code holds such words)


def test_compressed_data_that_cannot_be_read_fails_the_check(tmp_path: Path) -> None:
    # A block the check cannot read could hold any name: the check fails rather than pass it.
    packed = pack_data(json.dumps({"rows": ["Kai"]}))
    for damaged in (packed[: len(packed) // 2], "not base64!", base64.b64encode(b"not gzip").decode()):
        (tmp_path / "timeline.html").write_text(
            f'<script type="application/gzip" data-encoding="base64">{damaged}</script>', encoding="utf-8"
        )
        with pytest.raises(
            PseudonymisationError, match="timeline.html: its compressed data could not be read"
        ):
            check_outputs(tmp_path, NAMES)


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
