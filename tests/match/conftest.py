"""Small events tables made inside the tests."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from chronology.schema import EVENT_COLUMNS

TZ = "Europe/London"


def build_events(rows: list[dict[str, object]]) -> pd.DataFrame:
    """An events table in the schema from short dicts.

    Each dict needs record_id, agency, when ("2021-03-04" or "2021-03-04 10:30")
    and description; anything else (event_type, status, subject_ref,
    date_precision, end...) may be given.
    """
    full = []
    for i, row in enumerate(rows):
        when = str(row["when"])
        timed = " " in when
        start = pd.Timestamp(when)
        end = pd.Timestamp(str(row["end"])) if "end" in row else start
        full.append(
            {
                "record_id": row["record_id"],
                "subject_ref": row.get("subject_ref", ""),
                "agency": row["agency"],
                "source_file": f"{row['agency']}.csv",
                "source_sheet": "",
                "source_row": i + 2,
                "status": row.get("status", "event"),
                "reason": "",
                "start": start,
                "end": end,
                "date_precision": row.get("date_precision", "time" if timed else "day"),
                "event_type": row.get("event_type", "other"),
                "type_label": "",
                "description": row["description"],
                "outcome": row.get("outcome", ""),
                "practitioner": "",
                "from_agency": row.get("from_agency", ""),
                "to_agency": row.get("to_agency", ""),
                "cluster_id": "",
                "raw": "{}",
            }
        )
    frame = pd.DataFrame(full, columns=list(EVENT_COLUMNS))
    for column in ("start", "end"):
        frame[column] = pd.to_datetime(frame[column]).dt.tz_localize(TZ).astype(f"datetime64[us, {TZ}]")
    frame["source_row"] = frame["source_row"].astype("int64")
    return frame


@pytest.fixture
def make_events() -> Callable[[list[dict[str, object]]], pd.DataFrame]:
    """The ``build_events`` function, for tests to call."""
    return build_events
