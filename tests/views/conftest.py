"""Small invented case frames for the view tests (no real people).

The case: Police, Children's Social Care (CSC), School and GP know one child
(born 2018-05-21). The frames follow EVENT_COLUMNS, CLUSTER_COLUMNS and
FINDING_COLUMNS so the views see what the pipeline will hand them.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest

from chronology.config import CaseConfig, SourceConfig
from chronology.pipeline import Run
from chronology.schema import CLUSTER_COLUMNS, EVENT_COLUMNS, FINDING_COLUMNS

TZ = "Europe/London"
DOB = date(2018, 5, 21)
HOSTILE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> </script>\u2028end'


def ts(text: str) -> pd.Timestamp:
    """A case-local timestamp from 'YYYY-MM-DD[ HH:MM]'."""
    return pd.Timestamp(text, tz=TZ)


def event(n: int, agency: str, when: str, event_type: str, description: str, **extra: Any) -> dict[str, Any]:
    """One event row with EVENT_COLUMNS; `extra` overrides any column."""
    row: dict[str, Any] = {
        "record_id": f"r{n:03d}",
        "subject_ref": "",
        "agency": agency,
        "source_file": f"{agency.split()[0].lower()}.xlsx",
        "source_sheet": "Chronology",
        "source_row": n + 1,
        "status": "event",
        "reason": "",
        "start": ts(when),
        "end": ts(when),
        "date_precision": "time" if " " in when else "day",
        "event_type": event_type,
        "type_label": "",
        "description": description,
        "outcome": "",
        "practitioner": "",
        "from_agency": "",
        "to_agency": "",
        "cluster_id": "",
        "raw": json.dumps({"Details": description}),
    }
    row.update(extra)
    return row


def make_events(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows -> a frame in EVENT_COLUMNS order."""
    return pd.DataFrame(rows, columns=list(EVENT_COLUMNS))


def small_events() -> pd.DataFrame:
    """Twelve source rows: ten events (two approximate), one continuation, one rejected."""
    csc = "Children's Social Care"
    rows = [
        # r001/r002: a DA incident and Police's notification to CSC, received (cluster c1).
        event(
            1, "Police", "2019-03-03 22:15", "domestic_abuse_incident", "DA incident at home; child present"
        ),
        event(2, "Police", "2019-03-04 09:00", "notification", "PPN to MASH", to_agency=csc, cluster_id="c1"),
        event(
            3,
            csc,
            "2019-03-04",
            "information_shared",
            "PPN received from Police",
            from_agency="Police",
            cluster_id="c1",
        ),
        # r004: a second notification that CSC never records (missed handoff F-MISS1).
        event(
            4,
            "Police",
            "2019-06-10 11:30",
            "notification",
            "PPN to MASH after second incident",
            to_agency=csc,
        ),
        # r005/r006: one strategy meeting recorded by CSC and School (cluster c2).
        event(5, csc, "2019-07-01 10:00", "strategy_discussion", "Strategy meeting", cluster_id="c2"),
        event(6, "School", "2019-07-01", "meeting", "DSL attended strategy meeting", cluster_id="c2"),
        # r007: approximate (month) and r008: approximate (term): drawn as ranges.
        event(
            7,
            "School",
            "2019-09-01",
            "school_contact",
            "Child seemed tired in September",
            end=ts("2019-09-30"),
            date_precision="month",
        ),
        event(
            8,
            "School",
            "2020-01-06",
            "neglect_concern",
            "Concerns about uniform through spring term",
            end=ts("2020-04-03"),
            date_precision="term",
        ),
        # r009: a GP appointment with a hostile entry that must show as text.
        event(9, "GP", "2019-12-02 14:30", "appointment", HOSTILE, outcome="<b>bold?</b>"),
        # r010: a letter to an agency outside the review.
        event(10, "GP", "2019-12-03", "letter", "Letter to housing", to_agency="Housing Association"),
        # r011: a continuation row and r012: a rejected footer: never plotted.
        event(11, "GP", "2019-12-03", "other", "continued text", status="continuation", start=None, end=None),
        event(12, "GP", "2019-12-03", "other", "End of chronology", status="rejected", start=None, end=None),
    ]
    return make_events(rows)


def small_clusters() -> pd.DataFrame:
    """The two matched real events."""
    rows = [
        ["c1", "", ts("2019-03-04 09:00"), ts("2019-03-04 09:00"), "time", "notification", "PPN to MASH",
         ["Police", "Children's Social Care"], ["r002", "r003"], 2, "same day; related types"],
        ["c2", "", ts("2019-07-01 10:00"), ts("2019-07-01 10:00"), "time", "strategy_discussion", "Strategy meeting",
         ["Children's Social Care", "School"], ["r005", "r006"], 2, "same day; related types"],
    ]  # fmt: skip
    known = ["cluster_id", "subject_ref", "start", "end", "date_precision", "event_type", "description",
             "agencies", "record_ids", "size", "evidence"]  # fmt: skip
    # Columns the schema adds later (per-member dates and lags) are left empty: views read them defensively.
    return pd.DataFrame(rows, columns=known).reindex(columns=list(CLUSTER_COLUMNS))


def finding(fid: str, kind: str, start: str, end: str, record_ids: list[str], **extra: Any) -> dict[str, Any]:
    """One finding row with FINDING_COLUMNS."""
    row: dict[str, Any] = {
        "finding_id": fid,
        "subject_ref": "",
        "kind": kind,
        "subkind": "",
        "severity": "high",
        "title": f"{kind.replace('_', ' ')} {fid}",
        "statement": f"Statement of {fid}.",
        "agencies": ["Police"],
        "start": ts(start),
        "end": ts(end),
        "record_ids": record_ids,
        "from_agency": "",
        "to_agency": "",
        "citations": "",
        "rule": "{}",
        "status": "open",
        "decision_reason": "",
        "reviewer": "",
        "cited": "",
    }
    row.update(extra)
    return row


def small_findings() -> pd.DataFrame:
    """A missed handoff, a contact gap, an info-sharing gap and a dismissed finding."""
    rows = [
        finding("F-MISS1", "missed_handoff", "2019-06-10", "2019-06-17", ["r004"],
                from_agency="Police", to_agency="Children's Social Care"),
        finding("F-GAP01", "contact_gap", "2019-07-02", "2019-11-30", ["r006", "r009"], severity="medium"),
        finding("F-INFO1", "info_sharing_gap", "2019-03-03", "2019-03-17", ["r001"]),
        finding("F-DISM1", "repeated_concern", "2019-01-01", "2019-12-31", ["r001"], status="dismissed"),
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=list(FINDING_COLUMNS))


def small_run() -> Run:
    """A Run of the small case, as the pipeline hands it to the report."""
    events, clusters, findings = small_events(), small_clusters(), small_findings()
    agencies = ["Police", "Children's Social Care", "School", "GP"]
    sources = tuple(
        SourceConfig(path=f"{a}.xlsx", agency=a, resolved=Path(f"/case/{a}.xlsx")) for a in agencies
    )
    config = CaseConfig(
        path=Path("case.toml"), name="Child T <test> review", date_of_birth=DOB, sources=sources
    )
    sources = pd.DataFrame(
        {
            "agency": agencies,
            "source_file": ["police.xlsx", "children's.xlsx", "school.xlsx", "gp.xlsx"],
            "rows": [4, 3, 3, 4],
            "events": [4, 3, 3, 2],
        }
    )
    empty = pd.DataFrame()
    return Run(
        config=config, events=events, sources=sources, clusters=clusters, pairs=empty, findings=findings
    )


@pytest.fixture
def events() -> pd.DataFrame:
    """The small case's events (a fresh copy per test)."""
    return small_events()


@pytest.fixture
def clusters() -> pd.DataFrame:
    """The small case's clusters."""
    return small_clusters()


@pytest.fixture
def findings() -> pd.DataFrame:
    """The small case's findings."""
    return small_findings()


@pytest.fixture
def run() -> Run:
    """The small case's Run (a fresh one per test: tests may change it)."""
    return small_run()


@pytest.fixture(scope="session")
def small_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small case's timeline.html, written once per session (read-only for tests)."""
    from chronology.views.report import write_report

    path = tmp_path_factory.mktemp("report") / "timeline.html"
    write_report(small_run(), path)
    return path


@pytest.fixture
def kit() -> SimpleNamespace:
    """The helpers above, for tests (conftest is not importable under --import-mode=importlib)."""
    return SimpleNamespace(
        event=event, make_events=make_events, finding=finding, ts=ts, DOB=DOB, HOSTILE=HOSTILE
    )
