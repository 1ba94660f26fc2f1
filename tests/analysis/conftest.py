"""Small events made inside each test: a builder for events and clusters frames."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from chronology.analysis import DETECTORS, analyse
from chronology.schema import CLUSTER_COLUMNS, EVENT_COLUMNS

TZ = "Europe/London"
CSC = "Children's Social Care"


def ev(
    agency: str, day: str, event_type: str, description: str = "", rid: str | None = None, **kw: Any
) -> dict[str, Any]:
    """One event record: agency, ISO day, type, text; record id, cluster, to_agency... as keywords."""
    start = pd.Timestamp(day).tz_localize(TZ)
    rec = {
        "record_id": rid or f"{agency[:3].lower()}-{day}-{event_type}",
        "subject_ref": "",
        "agency": agency,
        "source_file": f"{agency.lower().replace(' ', '_').replace(chr(39), '')}.csv",
        "source_sheet": "",
        "source_row": None,
        "status": "event",
        "reason": "",
        "start": start,
        "end": start,
        "date_precision": "day",
        "event_type": event_type,
        "type_label": "",
        "description": description,
        "outcome": "",
        "practitioner": "",
        "from_agency": "",
        "to_agency": "",
        "cluster_id": "",
        "raw": "{}",
    }
    rec.update(kw)
    return rec


def events_frame(*records: dict[str, Any]) -> pd.DataFrame:
    """An events frame in EVENT_COLUMNS order; rows numbered 2, 3... per agency where not given."""
    counters: dict[str, int] = {}
    numbered = []
    for rec in records:
        counters[rec["agency"]] = counters.get(rec["agency"], 1) + 1
        numbered.append({**rec, "source_row": rec["source_row"] or counters[rec["agency"]]})
    frame = pd.DataFrame(numbered, columns=list(EVENT_COLUMNS))
    for c in ("start", "end"):
        frame[c] = pd.to_datetime(frame[c], utc=True).dt.tz_convert(TZ)
    return frame


def clusters_frame(events: pd.DataFrame) -> pd.DataFrame:
    """Clusters made from events' cluster_id (one row per cluster)."""
    rows = []
    for cid, g in events[events["cluster_id"] != ""].groupby("cluster_id", sort=True):
        rows.append(
            {
                "cluster_id": cid,
                "subject_ref": g["subject_ref"].iat[0],
                "start": g["start"].min(),
                "end": g["end"].max(),
                "date_precision": "day",
                "event_type": g["event_type"].iat[0],
                "description": g["description"].iat[0],
                "agencies": sorted(set(g["agency"])),
                "record_ids": sorted(g["record_id"]),
                "size": len(g),
                "evidence": "{}",
            }
        )
    return pd.DataFrame(rows, columns=list(CLUSTER_COLUMNS))


def run_detector(name: str, *records: dict[str, Any], **params: Any) -> pd.DataFrame:
    """The findings of one detector alone, through analyse()."""
    rules: dict[str, Any] = {other: {"enabled": False} for other in DETECTORS if other != name}
    rules[name] = dict(params)
    events = events_frame(*records)
    return analyse(events, clusters_frame(events), rules, timezone=TZ).findings


@pytest.fixture
def detect():
    """run_detector as a fixture."""
    return run_detector


@pytest.fixture(name="ev")
def ev_fixture():
    """The event builder as a fixture."""
    return ev


@pytest.fixture(name="frames")
def frames_fixture():
    """(events_frame, clusters_frame) builders."""
    return events_frame, clusters_frame
