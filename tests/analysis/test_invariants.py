"""Invariants over generated cases: determinism, order independence, findings per subject."""

from __future__ import annotations

import json

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chronology.analysis import analyse, findings_json
from chronology.vocabulary import load_vocabulary

AGENCIES = ("Police", "Children's Social Care", "GP", "Health Visiting", "School")
TYPES = tuple(t for t in load_vocabulary().types if t != "other")

record = st.tuples(
    st.sampled_from(AGENCIES),
    st.integers(min_value=0, max_value=400),  # day offset from 01/01/2019
    st.sampled_from(TYPES),
    st.sampled_from(("", "child seen", "no access", "fell off the sofa", "hit by dad", "domestic abuse")),
    st.sampled_from(("", *AGENCIES)),
    st.sampled_from(("", "k1", "k2")),
    st.sampled_from(("a", "b")),
)


def _case(frames, ev, rows):
    events_frame, clusters_frame = frames
    records = [
        ev(
            agency,
            str((pd.Timestamp("2019-01-01") + pd.Timedelta(days=offset)).date()),
            etype,
            text,
            rid=f"r{i}",
            to_agency=to if to != agency else "",
            cluster_id=f"{subject}{cluster}" if cluster else "",
            subject_ref=subject,
        )
        for i, (agency, offset, etype, text, to, cluster, subject) in enumerate(rows)
    ]
    events = events_frame(*records)
    return events, clusters_frame(events)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(record, min_size=1, max_size=40), st.randoms(use_true_random=False))
def test_output_is_deterministic_order_free_and_per_subject(frames, ev, rows, rnd):
    events, clusters = _case(frames, ev, rows)
    first = analyse(events, clusters).findings
    order = list(range(len(events)))
    rnd.shuffle(order)
    again = analyse(events.iloc[order].reset_index(drop=True), clusters).findings
    assert findings_json(first) == findings_json(again)  # byte-identical whatever the row order
    subject_of = dict(zip(events["record_id"], events["subject_ref"], strict=True))
    for f in first.itertuples():
        assert {subject_of[r] for r in f.record_ids} == {f.subject_ref}  # never across subjects
        assert f.record_ids == sorted(f.record_ids) and len(json.loads(f.cited)) == len(f.record_ids)
        assert f.start <= f.end  # a period, start first
    assert first["finding_id"].is_unique


def test_days_are_local_across_summer_time(ev, detect):
    # 00:30 on 02/06/2019 in London is 23:30 UTC on 01/06: the statement gives the local day.
    found = detect(
        "contact_gap",
        ev("Health Visiting", "2019-03-01", "home_visit", "Child seen", rid="h1"),
        ev(
            "Police",
            "2019-06-02 00:30",
            "police_attendance",
            "Officers attended; child seen",
            rid="p1",
            date_precision="time",
        ),
    )
    assert "and 02/06/2019" in found.iloc[0].statement  # 93 days, ending on the local day
    assert json.loads(found.iloc[0].cited)[1]["date"] == "02/06/2019"


def test_an_approximate_date_never_overstates_a_gap(ev, detect):
    found = detect(
        "contact_gap",
        ev("Health Visiting", "2019-01-10", "home_visit", "Child seen", rid="h1"),
        # "March 2019": may be any day of March; whichever it is, 65 days or more pass unseen
        ev(
            "School",
            "2019-03-01",
            "school_contact",
            "Child in class",
            rid="s1",
            date_precision="month",
            end=pd.Timestamp("2019-03-31", tz="Europe/London"),
        ),
        ev("GP", "2019-05-20", "appointment", "Child seen", rid="g1"),
    )
    assert len(found) == 1
    f = found.iloc[0]
    assert f.title == "Child not seen by any agency for at least 65 days"  # the sighting on 16/03 at best
    assert f.record_ids == ["g1", "h1", "s1"] and f.severity == "medium"  # the gap rests on s1: cited
    assert "School chronology, row" in f.statement and "dated only to a month" in f.statement


def test_an_approximate_date_that_could_close_a_gap_leaves_it_possible(ev, detect):
    records = [
        ev("Health Visiting", "2019-01-10", "home_visit", "Child seen", rid="h1"),
        # "February 2019": if it was the child seen in February, no gap longer than 60 days
        ev(
            "School",
            "2019-02-01",
            "school_contact",
            "Child in class",
            rid="s1",
            date_precision="month",
            end=pd.Timestamp("2019-02-28", tz="Europe/London"),
        ),
        ev("GP", "2019-04-10", "appointment", "Child seen", rid="g1"),
    ]
    found = detect("contact_gap", *records)
    assert len(found) == 1  # 90 days between the sightings dated to a day
    f = found.iloc[0]
    assert f.title == "Child possibly not seen by any agency for up to 68 days" and f.severity == "low"
    assert "the longest stretch is 45 days; as unfavourably, 68 days" in f.statement
    assert len(detect("contact_gap", *records, max_days=68)) == 0  # 68 days at worst: within the rule


def test_an_approximate_date_placed_by_its_own_chronology(ev, detect):
    # The school's rows run in date order; its "Summer term" row sits between 11/07 and 07/09, so it
    # falls in July and closes the gap between 02/07 and 01/09; a gap in April it cannot reach.
    def school(row, day, text, kind="school_contact", **kw):
        return ev("School", day, kind, text, rid=f"s{row}", source_row=row, **kw)

    found = detect(
        "contact_gap",
        ev("Health Visiting", "2020-03-12", "home_visit", "Child seen", rid="h1"),
        school(2, "2020-03-12", "H in class"),
        school(3, "2020-06-02", "H in class"),
        ev("Health Visiting", "2020-07-02", "home_visit", "Child seen", rid="h2"),
        school(4, "2020-07-11", "Minutes received, filed", "letter"),
        school(
            5,
            "2020-04-28",
            "Last day in nursery",
            date_precision="term",
            end=pd.Timestamp("2020-07-31", tz="Europe/London"),
        ),
        school(6, "2020-09-07", "Minutes received, filed", "letter"),
        ev("Health Visiting", "2020-09-01", "home_visit", "Child seen", rid="h3"),
    )
    assert list(found.title) == ["Child not seen by any agency for 82 days"]  # 12/03 to 02/06 only
    assert found.iloc[0].record_ids[1] == "s3"
    assert "written between its rows" not in found.iloc[0].statement  # the term row is not in this gap


def test_a_stated_period_covers_its_span_and_is_no_approximate_date(ev, detect):
    # A stay in hospital from 01/02 to 30/04, dated to the day at both ends: the child was seen
    # throughout, so 22 and 51 days are the stretches, and no gap.
    found = detect(
        "contact_gap",
        ev("Health Visiting", "2019-01-10", "home_visit", "Child seen", rid="h1"),
        ev(
            "Hospital",
            "2019-02-01",
            "hospital_admission",
            "Admitted, child seen on the ward",
            rid="w1",
            end=pd.Timestamp("2019-04-30", tz="Europe/London"),
        ),
        ev("GP", "2019-06-20", "appointment", "Child seen", rid="g1"),
    )
    assert len(found) == 0


def test_gaps_at_either_end_of_approximately_dated_sightings_are_kept(ev, detect):
    # Termly school records before and after two health visits: the gaps from the end of September
    # 2018 and to the start of September 2019 are certain, whatever day of the month each was.
    def school(day, end, rid):
        return ev(
            "School",
            day,
            "school_contact",
            "Child in class",
            rid=rid,
            date_precision="month",
            end=pd.Timestamp(end, tz="Europe/London"),
        )

    found = detect(
        "contact_gap",
        school("2018-09-01", "2018-09-30", "s1"),
        ev("Health Visiting", "2019-03-01", "home_visit", "Child seen", rid="h1"),
        ev("Health Visiting", "2019-03-05", "home_visit", "Child seen", rid="h2"),
        school("2019-09-01", "2019-09-30", "s2"),
    )
    assert sorted(found.title) == [
        "Child not seen by any agency for 152 days",  # 30/09/2018 to 01/03/2019
        "Child not seen by any agency for 180 days",  # 05/03/2019 to 01/09/2019
    ]


def test_a_row_placed_by_a_sort_on_its_first_day_is_not_narrowed(ev, detect):
    # A school export sorted by date puts "March 2019" at 01/03, before 04/03: its place is the sort's,
    # so it may be any day of March, and the gap is at least 65 days, not more.
    def school(row, day, text, kind="letter", **kw):
        return ev("School", day, kind, text, rid=f"s{row}", source_row=row, **kw)

    found = detect(
        "contact_gap",
        ev("Health Visiting", "2019-01-10", "home_visit", "Child seen", rid="h1"),
        school(2, "2019-01-15", "Letter home"),
        school(3, "2019-02-20", "Letter home"),
        school(
            4,
            "2019-03-01",
            "Child in class",
            "school_contact",
            date_precision="month",
            end=pd.Timestamp("2019-03-31", tz="Europe/London"),
        ),
        school(5, "2019-03-04", "Letter home"),
        ev("GP", "2019-05-20", "appointment", "Child seen", rid="g1"),
    )
    assert list(found.title) == ["Child not seen by any agency for at least 65 days"]
    assert "written between its rows" not in found.iloc[0].statement
