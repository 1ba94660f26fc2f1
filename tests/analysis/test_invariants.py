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
        # "March 2019": may be any day of March, so the gap is measured to 01/03 at the earliest
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
    assert len(found) == 0  # 50 days to 01/03, and 50 days from 31/03 to 20/05
