"""The common event schema: one row per non-empty source row below the header.

The same schema is published as JSON Schema in ``schemas/event.schema.json``;
``tests/test_schema.py`` checks that the two agree.

Attributes of an event record (one column each):
    record_id: Stable id from the source file's content hash, sheet and row.
    subject_ref: The child or family the row is about, where a file holds
        several; empty otherwise.
    agency: The agency label from case.toml, used everywhere downstream.
    source_file: The source path as written in case.toml.
    source_sheet: The worksheet name; empty for CSV.
    source_row: The row number a spreadsheet program shows (1-based).
    status: ``event``, ``continuation`` or ``rejected``.
    reason: Why a row is a continuation or rejected (empty for events, or a
        note such as "approximate date" for events).
    start: First instant the record may refer to (timezone-aware).
    end: Last day (midnight at its start) or instant the record may refer to;
        equals ``start`` for precision ``time``.
    date_precision: ``time``, ``day``, ``week``, ``month``, ``term`` or ``year``.
    event_type: A type id from ``schemas/vocabulary.toml``.
    type_label: The agency's own type cell, verbatim (empty if none).
    description: The entry's text, continuation rows joined on.
    outcome: Outcome or action taken.
    practitioner: Practitioner, worker, officer...
    from_agency: For receipts, the sending agency (a case label where it
        resolves, else as written).
    to_agency: For handoffs, the receiving agency (likewise).
    cluster_id: The matched real event this record belongs to.
    raw: The row's original cells as a JSON object {header: cell}, verbatim.
"""

from __future__ import annotations

from typing import Final

import pyarrow as pa

DEFAULT_TIMEZONE: Final = "Europe/London"

STATUSES: Final = ("event", "continuation", "rejected")
DATE_PRECISIONS: Final = ("time", "day", "week", "month", "term", "year")

#: Column order of events.parquet; the contract of DESIGN.md.
EVENT_COLUMNS: Final = (
    "record_id",
    "subject_ref",
    "agency",
    "source_file",
    "source_sheet",
    "source_row",
    "status",
    "reason",
    "start",
    "end",
    "date_precision",
    "event_type",
    "type_label",
    "description",
    "outcome",
    "practitioner",
    "from_agency",
    "to_agency",
    "cluster_id",
    "raw",
)

#: Columns that may be null; every other column is a non-null value
#: (strings use "" for "nothing").
NULLABLE_EVENT_COLUMNS: Final = frozenset({"start", "end", "date_precision"})


def event_schema(timezone: str = DEFAULT_TIMEZONE) -> pa.Schema:
    """The pyarrow schema of events.parquet.

    Args:
        timezone: The case's timezone, stored with the timestamps.

    Example:
        >>> event_schema().field("source_row").type
        DataType(int64)
    """
    ts = pa.timestamp("us", tz=timezone)
    types: dict[str, pa.DataType] = {
        "source_row": pa.int64(),
        "start": ts,
        "end": ts,
    }
    return pa.schema(
        [
            pa.field(
                name,
                types.get(name, pa.string()),
                nullable=name in NULLABLE_EVENT_COLUMNS,
            )
            for name in EVENT_COLUMNS
        ]
    )


#: Column order of clusters.parquet.
CLUSTER_COLUMNS: Final = (
    "cluster_id",
    "subject_ref",
    "start",
    "end",
    "date_precision",
    "event_type",
    "description",
    "agencies",
    "record_ids",
    "size",
    "evidence",
)

FINDING_KINDS: Final = (
    "missed_handoff",
    "info_sharing_gap",
    "contact_gap",
    "timescale_breach",
    "repeated_concern",
    "closure_after_concern",
    "conflicting_accounts",
)
SEVERITIES: Final = ("high", "medium", "low")

#: Column order of findings.csv (findings.json holds the same, with lists).
FINDING_COLUMNS: Final = (
    "finding_id",
    "subject_ref",
    "kind",
    "subkind",
    "severity",
    "title",
    "statement",
    "agencies",
    "start",
    "end",
    "record_ids",
    "from_agency",
    "to_agency",
    "citations",
    "rule",
    "status",
    "decision_reason",
    "reviewer",
    "cited",
    "cited_hash",
)
