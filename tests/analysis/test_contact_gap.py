"""contact_gap: periods when no professional saw the child."""

from __future__ import annotations

import pandas as pd


def test_gap_over_sixty_days_fires_with_both_ends(ev, detect):
    found = detect(
        "contact_gap",
        ev("Health Visiting", "2019-01-10", "home_visit", "Child seen, weighed", rid="h1"),
        ev(
            "GP", "2019-02-01", "phone_call", "Call to mother re prescription", rid="g1"
        ),  # does not see the child
        ev(
            "Health Visiting", "2019-02-20", "missed_appointment", "WNB to clinic", rid="h2"
        ),  # does not either
        ev("School", "2019-04-15", "school_contact", "Child in class", rid="s1"),
    )
    assert len(found) == 1  # 10/01 to 15/04/2019: 95 days
    f = found.iloc[0]
    assert f.record_ids == ["h1", "s1"]
    assert f.title == "Child not seen by any agency for 95 days"
    assert f.severity == "medium"  # under twice the 60 days
    assert f.start == pd.Timestamp("2019-01-10", tz="Europe/London")
    assert "2 records of GP, Health Visiting did not see the child" in f.statement


def test_sixty_days_exactly_does_not_fire(ev, detect):
    found = detect(
        "contact_gap",
        ev("Health Visiting", "2019-01-10", "home_visit", "Child seen", rid="h1"),
        ev("School", "2019-03-11", "school_contact", "Child in class", rid="s1"),  # 60 days later
    )
    assert len(found) == 0


def test_visit_where_child_not_seen_does_not_count(ev, detect):
    found = detect(
        "contact_gap",
        ev("Health Visiting", "2019-01-10", "home_visit", "Child seen", rid="h1"),
        ev("Children's Social Care", "2019-02-15", "home_visit", "No access, card left", rid="c1"),
        ev(
            "Children's Social Care",
            "2019-03-01",
            "home_visit",
            "Mother seen; child asleep upstairs",
            rid="c2",
        ),
        ev("School", "2019-04-15", "school_contact", "Child in class", rid="s1"),
    )
    assert len(found) == 1  # the two visits did not see the child: 95 days


def test_text_saying_child_seen_counts_whatever_the_type(ev, detect):
    found = detect(
        "contact_gap",
        ev("Health Visiting", "2019-01-10", "home_visit", "Child seen", rid="h1"),
        ev(
            "Police",
            "2019-02-20",
            "police_attendance",
            "Officers attended; child seen and spoken to",
            rid="p1",
        ),
        ev("School", "2019-04-15", "school_contact", "Child in class", rid="s1"),
    )
    assert len(found) == 0  # 41 and 54 days


def test_long_gap_is_high_and_threshold_is_a_parameter(ev, detect):
    records = (
        ev("Health Visiting", "2019-01-10", "home_visit", "Child seen", rid="h1"),
        ev("School", "2019-06-10", "school_contact", "Child in class", rid="s1"),  # 151 days
    )
    assert detect("contact_gap", *records).iloc[0].severity == "high"  # at least 120 days
    assert len(detect("contact_gap", *records, max_days=180)) == 0


def _exhaustive(length, windows):
    """The least and the most longest stretch over every placement of one sighting per window."""
    from itertools import product

    values = []
    for days in product(*[range(w[0], w[1] + 1) for w in windows]):
        points = sorted([0, length, *days])
        values.append(max(b - a for a, b in zip(points, points[1:], strict=False)))
    return min(values), max(values)


def test_least_and_most_gap_match_every_placement():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from chronology.analysis.contact_gap import least_gap, most_gap

    @st.composite
    def cases(draw):
        length = draw(st.integers(1, 16))
        windows = []
        for _ in range(draw(st.integers(0, 3))):
            a = draw(st.integers(0, length))
            windows.append((a, draw(st.integers(a, length))))
        return length, windows

    @settings(max_examples=400, deadline=None, derandomize=True)
    @given(cases())
    def check(case):
        length, windows = case
        assert (least_gap(length, windows), most_gap(length, windows)) == _exhaustive(length, windows)

    check()
    assert least_gap(5, [(1, 1), (1, 4)]) == 2  # the narrow window first (sightings on days 1 and 3)
