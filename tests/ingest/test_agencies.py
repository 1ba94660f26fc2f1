"""Tests of agency resolution (chronology.ingest.agencies)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from chronology.ingest.agencies import AgencyResolver, _Words, normalise_text
from chronology.vocabulary import load_vocabulary

VOCAB = load_vocabulary()
CSC = "Children's Social Care"


def _resolver(*labels: str, extra: dict[str, list[str]] | None = None) -> AgencyResolver:
    extra = extra or {}
    return AgencyResolver([(label, extra.get(label, [])) for label in labels], VOCAB)


def test_kind_of_free_text_labels() -> None:
    r = _resolver(
        "Police",
        "Northshire Constabulary",
        CSC,
        "CSC",
        "GP",
        "Health Visiting",
        "Oakfield Primary School",
        "St Mary's Hospital ED",
        "Emergency Department",
        "School Nursing",
        "Adult Social Care",
        "Riverside Partnership",
    )
    assert r.kind_of("Police") == "police"  # the alias itself
    assert r.kind_of("Northshire Constabulary") == "police"  # an alias inside the label
    assert r.kind_of(CSC) == "csc"  # apostrophe label
    assert r.kind_of("CSC") == "csc"  # abbreviation
    assert r.kind_of("GP") == "gp"
    assert r.kind_of("Health Visiting") == "health_visiting"
    assert r.kind_of("Oakfield Primary School") == "school"  # "primary school"
    assert r.kind_of("St Mary's Hospital ED") == "emergency_department"  # hospital and ED agree
    assert r.kind_of("Emergency Department") == "emergency_department"
    assert r.kind_of("School Nursing") == "health_visiting"  # the longest alias beats "school"
    assert r.kind_of("Adult Social Care") == "adult_social_care"  # longest beats "social care"
    assert r.kind_of("Riverside Partnership") is None  # no alias occurs in it


def test_kind_from_extra_aliases() -> None:
    r = AgencyResolver([("Riverside Trust", ["A&E", "Paeds ED"])], VOCAB)
    assert r.kind_of("Riverside Trust") == "emergency_department"  # the label names no kind; its alias does


def test_resolve_shipped_aliases_to_case_labels() -> None:
    r = _resolver("Northshire Police", CSC, "GP", "Health Visiting", "Emergency Department")
    assert r.resolve("MASH") == CSC  # MASH is CSC's front door
    assert r.resolve("the social worker") == CSC  # alias inside the mention
    assert r.resolve("Childrens Services") == CSC  # apostrophe-less spelling
    assert r.resolve("PPU") == "Northshire Police"  # police kind
    assert r.resolve("Northshire Constabulary") == "Northshire Police"  # same name, other alias
    assert r.resolve("HV") == "Health Visiting"
    assert r.resolve("A&E") == "Emergency Department"
    assert r.resolve("gp surgery") == "GP"
    assert r.resolve("Health Visiting") == "Health Visiting"  # the label itself


def test_resolve_extra_aliases() -> None:
    r = _resolver("Police", CSC, extra={CSC: ["Front Door", "FAST"], "Police": ["Op Shield"]})
    assert r.resolve("front door") == CSC  # a case.toml alias, case-insensitive
    assert r.resolve("FAST team") == CSC  # alias inside the mention
    assert r.resolve("op shield") == "Police"  # a made-up alias only case.toml knows


def test_unknown_agency_is_kept_as_written() -> None:
    r = _resolver("Police", CSC)
    assert r.resolve("  Housing Options, ") == "Housing Options"  # tidied, not dropped
    assert r.resolve("GP") == "GP"  # a kind with no source in the case: kept as written


def test_named_sources_of_one_kind() -> None:
    r = _resolver("Oakfield Primary School", "Hillside Academy", "Northshire Police")
    assert r.resolve("Hillside") == "Hillside Academy"  # a bare name that names one source
    assert r.resolve("Hillside school") == "Hillside Academy"  # the name decides between two schools
    assert r.resolve("school") == "Oakfield Primary School"  # names neither: first in case order
    assert r.resolve("Meadow Lane School") == "Meadow Lane School"  # another school, outside the review
    assert r.resolve("Southshire Police") == "Southshire Police"  # another force, outside the review
    assert r.resolve("police") == "Northshire Police"  # the kind alone


def test_unnamed_label_takes_any_named_mention() -> None:
    r = _resolver("Police")
    assert r.resolve("Northshire Police") == "Police"  # the case's label names no force, so any force is it


def test_resolve_target_never_own() -> None:
    r = _resolver("Oakfield Primary School", "Hillside Academy", "GP")
    assert r.resolve_target("school", "Oakfield Primary School") == "Hillside Academy"  # the other school
    assert r.resolve_target("GP", "GP") == ""  # only the own agency: no target
    assert r.resolve_target("new GP", "GP") == "new GP"  # qualified: another GP, kept as written
    assert r.resolve_target("Housing", "GP") == "Housing"  # outside the review


def test_mentions_in_order_deduplicated() -> None:
    r = _resolver("Police", CSC, "GP", "Health Visiting", "Emergency Department")
    text = "Officers attended. HV and GP informed; the social worker told police. Ed said he fell."
    assert r.mentions(text) == ["Police", "Health Visiting", "GP", CSC]  # first appearance, once each
    assert r.mentions("Taken to ED") == ["Emergency Department"]  # capitals: the department
    assert r.mentions("Ed came round, mother distressed") == []  # "Ed" is a name
    assert r.mentions("Knocked at the front door, no answer") == []  # not the MASH front door
    assert r.mentions("") == []


def test_mentions_whole_words_only() -> None:
    r = _resolver("GP", "Health Visiting")
    assert r.mentions("gpx file; shvhv; hv2") == []  # neither alias as a whole word


def test_normalise_text() -> None:
    assert normalise_text("Children’s\n  services") == "Children's services"  # curly quote and spaces


def test_find_mentions_takes_names_before_an_alias() -> None:
    r = _resolver("Emergency Department", "School")
    found = [m for _, _, m in r.find_mentions("EDT: referral from Northshire General ED. Letter To School")]
    assert found == ["Northshire General ED", "School"]  # a name is kept; "Letter To" is trade words
    assert r.resolve(found[0]) == "Emergency Department"  # the case's ED label names no hospital


# --- the quick check before the word scan ------------------------------------

_PIECES = st.sampled_from(
    [
        "MASH",
        "hv",
        "Hv",
        "gp",
        "G'P",
        "a&e",
        "A & E",
        "a and e",
        "children's",
        "childrens",
        "Children''s",
        "0-19",
        "ed",
        "ED",
        "x-ed",
        "referred",
        "placement",
        "Ref 123456",
        "Oakfield",
        "St Mary's",
        "social worker",
        "'",
        "''",
        "&",
        "-",
        "_",
        "é",
        "\u212a",
        " ",
        ".",
        ",",
        "(",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=8).map("".join))
def test_may_mention_never_hides_a_mention(text: str) -> None:
    r = _resolver("Police", CSC, "GP", "Oakfield Primary School", "St Mary's Hospital ED")
    if not r.may_mention(text):
        assert r._terms_in(_Words(text), r._all_terms) == []  # no term at all, whatever the case
        assert r.find_mentions(text) == []  # so nothing is found


def test_may_mention_examples() -> None:
    r = _resolver("Police", CSC)
    assert not r.may_mention("Ref 123456.")  # no word starts an agency term
    assert not r.may_mention("Supervision discussion; case to remain open")  # nor here
    assert r.may_mention("Referral to MASH")  # MASH
    assert r.may_mention("info from childrens services")  # a term's first word
    assert r.may_mention("Children's Services")  # apostrophes are not part of a word's flat form
    assert r.may_mention("Café")  # non-ASCII text is always scanned


def test_resolve_target_is_remembered_per_own_agency() -> None:
    r = _resolver("Oakfield Primary School", "Hillside Academy", "GP")
    first = [r.resolve_target("school", own) for own in ("Oakfield Primary School", "Hillside Academy", "GP")]
    again = [r.resolve_target("school", own) for own in ("Oakfield Primary School", "Hillside Academy", "GP")]
    assert first == again == ["Hillside Academy", "Oakfield Primary School", "Oakfield Primary School"]


def test_an_institutions_name_ends_in_its_kind_only_after_a_name() -> None:
    # "Northbridge Primary", "Northshire General", "Larch MC" name a school, a hospital and a GP
    # practice; "primary carer", "general concern" and a lower-case "mc" name nothing.
    r = AgencyResolver([("CSC", []), ("GP", []), ("Hospital ED", []), ("School", [])], load_vocabulary())
    assert r.mentions("Referral from Northbridge Primary (nursery)") == ["School"]
    assert r.mentions("Call from Northshire General re fracture") == ["Hospital ED"]
    assert r.mentions("Outcome letter to Larch MC") == ["GP"]
    assert r.mentions("Mum is the primary carer; general concern about hygiene") == []
    assert r.mentions("Northshire Primary Care Trust") == ["GP"]  # the longer alias wins
