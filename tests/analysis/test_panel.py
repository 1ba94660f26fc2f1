"""The panel's view: one line per concern, listing the agencies that show no knowledge of it."""

from __future__ import annotations

from chronology.analysis import analyse
from chronology.analysis.panel import grouped_share, panel_lines
from tests.analysis.conftest import CSC, TZ, clusters_frame, ev, events_frame


def _findings():
    events = events_frame(
        ev(
            "Police",
            "2019-06-10",
            "domestic_abuse_incident",
            "Officers attended a domestic incident",
            rid="p1",
        ),
        ev("Health Visiting", "2019-05-21", "home_visit", "Routine visit", rid="h1"),
        ev("Health Visiting", "2019-07-01", "home_visit", "Routine visit", rid="h2"),
        ev("GP", "2019-05-20", "appointment", "Asthma review", rid="g1"),
        ev("GP", "2019-07-02", "appointment", "Asthma review", rid="g2"),
        ev(CSC, "2019-05-22", "home_visit", "CIN visit", rid="c1"),
        ev(CSC, "2019-07-03", "home_visit", "CIN visit", rid="c2"),
    )
    rules = {"contact_gap": {"enabled": False}}
    return analyse(events, clusters_frame(events), rules, timezone=TZ).findings


def test_one_line_per_concern_lists_every_agency_that_did_not_know():
    findings = _findings()
    assert (findings["kind"] == "info_sharing_gap").sum() == 3  # GP, HV and CSC each cite it
    lines = panel_lines(findings)
    assert len(lines) == 1  # one concern, one line
    line = lines.iloc[0]
    assert line["agencies"] == [CSC, "GP", "Health Visiting"]
    assert line["severity"] == "high"  # the highest of its findings (CSC did not know)
    assert "show no knowledge of it" in line["title"]
    assert grouped_share(findings) == 1.0


def test_lines_outside_the_review_scope_come_after_and_say_so():
    from datetime import date

    findings = _findings()
    assert bool(panel_lines(findings)["in_scope"].all())  # no scope: every line is within it
    early = panel_lines(findings, scope=(date(2019, 1, 1), date(2019, 5, 31)))
    assert list(early["in_scope"]) == [False]  # the concern of 10/06/2019 is after the scope ends
    assert list(panel_lines(findings, scope=(date(2019, 6, 10), None))["in_scope"]) == [True]
