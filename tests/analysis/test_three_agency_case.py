"""A three-agency case written by hand, as a new user would: exactly the findings a reviewer expects.

The story (Police, Children's Social Care, a school), January to March 2021:

- 05/01 Police attend a domestic incident; the PPN to the MASH is written only in
  the Outcome column, with an Operation Encompass notification to the school.
  The school records the notification the next day; CSC never records the PPN.
- 10/02 The school records a disclosure itself ("A said 'daddy hit me'") and
  refers to the MASH, which records the referral the same day.
- 11/02 A strategy meeting that all three agencies attended (one matched cluster).
- 01/03 The school records a new neglect concern and tells nobody.
- 08/03 CSC closes the case, a week after the new concern.
"""

from __future__ import annotations

import pandas as pd

from chronology.analysis import analyse
from tests.analysis.conftest import CSC, TZ, clusters_frame, ev, events_frame


def _case() -> pd.DataFrame:
    sch, pol = "School", "Police"
    return events_frame(
        ev(sch, "2020-12-14", "school_contact", "A arrived on time, happy in class", rid="s0"),
        ev(CSC, "2020-12-15", "home_visit", "Child in need visit. A seen and spoken to.", rid="c0"),
        ev(pol, "2020-12-20", "police_attendance", "Welfare check at address, all quiet", rid="p0"),
        ev(
            pol,
            "2021-01-05",
            "domestic_abuse_incident",
            "Officers attended a domestic incident at the home address. Child A present.",
            outcome="DASH medium. PPN submitted to MASH. Operation Encompass notification to school.",
            rid="p1",
        ),
        ev(
            sch,
            "2021-01-06",
            "information_shared",
            "Operation Encompass notification received from police.",
            rid="s1",
        ),
        ev(sch, "2021-01-20", "school_contact", "A attended, settled in class", rid="s2"),
        ev(CSC, "2021-01-25", "home_visit", "Child in need visit. A seen.", rid="c1"),
        ev(
            sch,
            "2021-02-10",
            "disclosure",
            "During circle time A said 'daddy hit me'. Body map: no marks seen. Logged.",
            outcome="DSL referral to MASH made by phone and online form.",
            rid="s3",
        ),
        ev(
            CSC,
            "2021-02-10",
            "information_shared",
            "Referral received from school: A said 'daddy hit me'.",
            rid="c2",
        ),
        ev(
            CSC,
            "2021-02-11",
            "strategy_discussion",
            "Strategy meeting: CSC, police, school.",
            rid="c3",
            cluster_id="K1",
        ),
        ev(pol, "2021-02-11", "strategy_discussion", "Strategy meeting attended.", rid="p2", cluster_id="K1"),
        ev(
            sch,
            "2021-02-11",
            "strategy_discussion",
            "Strategy meeting - DSL attended.",
            rid="s4",
            cluster_id="K1",
        ),
        ev(
            sch, "2021-03-01", "school_contact", "A came in hungry, unkempt, same clothes all week.", rid="s5"
        ),
        ev(CSC, "2021-03-08", "assessment_completed", "Assessment concluded. Case closed - NFA.", rid="c4"),
        ev(sch, "2021-03-15", "school_contact", "A attended, quiet in class", rid="s6"),
        ev(CSC, "2021-03-20", "other", "Closure recorded on the system.", rid="c5"),
    )


def test_exactly_the_expected_findings():
    events = _case()
    found = analyse(events, clusters_frame(events), timezone=TZ).findings
    got = sorted(zip(found["kind"], found["from_agency"], found["to_agency"], strict=True))
    assert got == [
        ("closure_after_concern", "", ""),  # closed 08/03, a week after the school's neglect concern
        ("info_sharing_gap", "School", CSC),  # the neglect concern of 01/03 never reached CSC
        ("missed_handoff", "Police", CSC),  # the PPN in the Outcome column never arrived
    ]


def test_the_missed_ppn_cites_the_police_record_and_says_where_it_was_written():
    events = _case()
    found = analyse(events, clusters_frame(events), timezone=TZ).findings
    missed = found[found["kind"] == "missed_handoff"].iloc[0]
    assert missed["record_ids"] == ["p1"]
    assert "notification" in missed["title"].lower()
