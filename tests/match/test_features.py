"""What matching reads from text, and how each pair's score is explained."""

from __future__ import annotations

from datetime import date

import pytest

from chronology.match import FEATURES, explain, match_events
from chronology.match.settings import load_settings
from chronology.match.text import find_named_dates, find_references, normalise_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Strat mtg re DA", "strategy meeting domestic abuse"),
        ("ICPC held, see notes", "initial child protection conference held"),
        ("A&E attendance, mum present", "emergency department attendance mother present"),
        ("Domestic violence incident", "domestic abuse incident"),
    ],
)
def test_normalised_text_expands_abbreviations_and_drops_boilerplate(text, expected):
    assert normalise_text(text, load_settings()) == expected


def test_references_are_numbers_with_digits_not_dates():
    text = "PPN ref 55123/21 re incident 03/03/2021; NHS 485 777 3456; MASH-20931"
    # three references; the date is not one
    assert find_references(text) == ("20931", "4857773456", "5512321")


@pytest.mark.parametrize(
    ("text", "own", "expected"),
    [
        ("Minutes rec'd: CIN meeting 20/04/21", date(2021, 4, 28), (date(2021, 4, 20),)),
        ("ED letter re attendance on 12/03", date(2021, 3, 19), (date(2021, 3, 12),)),
        ("PPN received re incident on 3/3", date(2021, 3, 8), (date(2021, 3, 3),)),
        # the year before, when the day has not come yet this year
        ("Letter re attendance 28/12", date(2021, 1, 6), (date(2020, 12, 28),)),
        ("Discharge summary re admission 4th March", date(2021, 3, 10), (date(2021, 3, 4),)),
        # not kept: a later date, an impossible one, one too far back, and "since"
        ("Appointment on 30/03", date(2021, 3, 19), ()),
        ("Incident 31/02", date(2021, 3, 19), ()),
        ("Referral of 01/01/2020", date(2021, 3, 19), ()),
        ("Visit, the first since 25/02", date(2021, 3, 19), ()),
    ],
)
def test_dates_named_in_the_text(text, own, expected):
    assert find_named_dates(text, own, max_days=60) == expected


def test_explain_lists_every_features_contribution(make_events):
    events = make_events(
        [
            {
                "record_id": "pol",
                "agency": "Police",
                "when": "2021-03-03 22:15",
                "event_type": "domestic_abuse_incident",
                "description": "DA incident, occurrence 44556/21. Mother assaulted by Partner.",
            },
            {
                "record_id": "csc",
                "agency": "CSC",
                "when": "2021-03-05",
                "event_type": "notification",
                "description": "PPN received re domestic abuse on 3/3/21, occurrence 44556/21.",
            },
        ]
    )
    result = match_events(events)
    table = explain("csc", result.events, result.pairs)
    assert len(table) == 1
    row = table.iloc[0]
    assert row["other_record"] == "pol" and row["other_agency"] == "Police"
    # the score is the prior plus each feature's weight
    total = row["prior"] + sum(row[f"w_{f}"] for f in FEATURES)
    assert row["score"] == pytest.approx(total, abs=0.01)
    # the shared occurrence number and the named date are each visible
    assert row["references"] == "4455621" and row["references_level"] == "shared"
    assert row["date_level"] == "named_date"
    assert row["w_references"] > 0 and row["w_date"] > 0
    assert row["decision"] == "same"


def test_explain_of_a_record_without_candidates_is_empty(make_events):
    events = make_events([{"record_id": "a", "agency": "GP", "when": "2021-03-03", "description": "Seen"}])
    result = match_events(events)
    assert explain("a", result.events, result.pairs).empty


def test_shared_tokens_as_plain_sets() -> None:
    """Shared tokens per pair equal the plain definition: rare (<= limit records of the subject), sorted."""
    import random
    from types import SimpleNamespace

    import numpy as np

    from chronology.match.features import _shared_tokens

    rng = random.Random(7)
    words = ["okafor", "brennan", "kai", "5512321", "4857773456", "mash", "lee"]
    tokens = [tuple(sorted(set(rng.sample(words, rng.randint(0, 4))))) for _ in range(60)]
    subject = np.array([rng.randint(0, 2) for _ in range(60)], dtype=np.int64)
    a = np.array([rng.randrange(60) for _ in range(300)], dtype=np.int64)
    b = np.array([rng.randrange(60) for _ in range(300)], dtype=np.int64)
    records = SimpleNamespace(subject=subject)

    def as_array(lists: list[tuple[str, ...]]) -> np.ndarray:
        out = np.empty(len(lists), dtype=object)
        out[:] = lists
        return out

    for limit in (1, 3, 10**9):
        held = {}
        for r, toks in enumerate(tokens):
            for t in toks:
                held[(subject[r], t)] = held.get((subject[r], t), 0) + 1
        rare = [{t for t in toks if held[(subject[r], t)] <= limit} for r, toks in enumerate(tokens)]
        expected = [";".join(sorted(rare[i] & rare[j])) for i, j in zip(a, b, strict=True)]
        assert _shared_tokens(as_array(tokens), records, a, b, limit) == expected  # type: ignore[arg-type]
    assert _shared_tokens(as_array([(), ()]), records, a[:0], b[:0], 3) == []  # type: ignore[arg-type]


def test_named_dates_gap_and_conflict_as_plain_loops() -> None:
    """Named-date gap and conflict per pair equal their plain definitions, rows in any order."""
    from types import SimpleNamespace

    import numpy as np

    from chronology.match.dates import _named_agreement, _named_gap

    rng = np.random.default_rng(3)
    for _ in range(50):
        n = 30
        named_row, named_day = rng.integers(0, n, 25), rng.integers(0, 15, 25)
        first, last = rng.integers(0, 15, n), rng.integers(10, 25, n)
        records = SimpleNamespace(named_row=named_row, named_day=named_day, first_day=first, last_day=last)
        a, b = rng.integers(0, n, 60), rng.integers(0, n, 60)
        days = {r: [int(d) for rr, d in zip(named_row, named_day, strict=True) if rr == r] for r in range(n)}
        big = np.iinfo(np.int64).max
        gaps, conflicts = [], []
        for x, y in zip(a, b, strict=True):
            spans = [max(0, first[o] - d, d - last[o]) for own, o in ((x, y), (y, x)) for d in days[own]]
            gaps.append(min(spans, default=big))
            pairs = [(p, q) for p in days[x] for q in days[y]]
            conflicts.append(bool(pairs) and not any(p == q for p, q in pairs))
        assert _named_gap(records, a, b).tolist() == gaps  # type: ignore[arg-type]
        assert _named_agreement(records, a, b)[1].tolist() == conflicts  # type: ignore[arg-type]


def test_a_record_naming_the_other_agency_is_a_mention_unless_it_reports_it(make_events):
    # The school's record names the social worker on the day of CSC's visit: a mention. The GP's
    # receipt of a notification names the police who attended the incident it reports: not read,
    # as the receipt passes on what the incident record is (type level passed_on).
    from chronology.match import match_events

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
                "record_id": "police",
                "agency": "Police",
                "when": "2020-06-29 21:55",
                "event_type": "domestic_abuse_incident",
                "description": "999 call, argument at the address.",
            },
            {
                "record_id": "gp",
                "agency": "GP",
                "when": "2020-07-02",
                "event_type": "information_shared",
                "description": "MASH notification rec'd: DA incident 29/06/20 at home, police attended.",
            },
        ]  # fmt: skip
    )
    pairs = match_events(events).pairs.set_index(["record_a", "record_b"])
    assert pairs.loc[("csc", "school"), "mention_level"] == "one_way"
    assert pairs.loc[("gp", "police"), "event_type_level"] == "passed_on"
    assert pairs.loc[("gp", "police"), "mention_level"] == ""
