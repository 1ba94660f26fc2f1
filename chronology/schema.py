"""The common event schema: one row per non-empty source row below the header.

The same schema is published as JSON Schema in ``schemas/event.schema.json``;
``tests/test_schema.py`` checks that the two agree.

Attributes of an event record (one column each):
    record_id: Stable id from the source file's content hash, sheet and row.
    subject_ref: The child or family the row is about, where a file holds
        several; empty otherwise.
    agency: The agency label from case.toml, used everywhere downstream.
    source_file: The source path as written in case.toml.
    source_sheet: The worksheet name; empty for CSV and a Word document's one chronology table.
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
    outcome: The outcome; where the file has no outcome column, the action
        taken.
    practitioner: Practitioner, worker, officer...; where the file has no
        such column, who recorded the entry.
    action: The action taken, as its own column says.
    plan: The plan or next steps.
    diagnosis: A clinical diagnosis or impression.
    presenting_complaint: Why the person attended (presenting complaint,
        reason for attendance).
    referral_to: Who the entry was referred, shared or copied to, as the
        agency's own column says (the resolved handoff is ``to_agency``).
    safeguarding_flag: A safeguarding concern or significant-event flag, as
        written (Y, Yes, "Possible NAI"...).
    child_seen: Whether the child was seen, as written (Y/N, Yes, Seen alone).
    significance: Significance or impact, as the agency assessed it.
    analysis: The agency's analysis or reflection on the entry.
    setting: Where or in which team the contact happened (setting, venue,
        location, team, ward).
    information_source: The source of information (Chronolator's mandatory
        column), as written.
    reference: The agency's own reference for the entry (occurrence,
        attendance or event number).
    entry_date: When the entry was recorded, as written, where the file
        also has the event's own date (the event date is ``start``).
    end_date: The end of the period the entry covers, as written (End date,
        Date to, Departure).
    completed_date: When a step was completed, as written (workflow exports:
        the start is the event's date).
    recorded_by: Who recorded the entry, where the file says so apart from
        the practitioner.
    other_fields: Every other filled cell of the row that no named field
        reads, one "Header: text" line each, so that no column is lost from
        view.
    from_agency: For receipts, the sending agency (a case label where it
        resolves, else as written).
    to_agency: For handoffs, the receiving agency (likewise).
    cluster_id: The matched real event this record belongs to.
    raw: The row's original cells as a JSON object {header: cell}, verbatim.
"""

from __future__ import annotations

from typing import Any, Final

import pyarrow as pa

DEFAULT_TIMEZONE: Final = "Europe/London"

STATUSES: Final = ("event", "continuation", "rejected")
DATE_PRECISIONS: Final = ("time", "day", "week", "month", "term", "year")

#: Text columns of an agency file kept as named fields of their own (beside
#: description, outcome and practitioner); ``other_fields`` holds the rest.
#: Each is "" where the file has no such column. Their synonyms are in
#: ``schemas/columns.toml``.
NAMED_FIELDS: Final = (
    "action",
    "plan",
    "diagnosis",
    "presenting_complaint",
    "referral_to",
    "safeguarding_flag",
    "child_seen",
    "significance",
    "analysis",
    "setting",
    "information_source",
    "reference",
    "entry_date",
    "end_date",
    "completed_date",
    "recorded_by",
    "other_fields",
)

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
    *NAMED_FIELDS,
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
    "member_agencies",
    "member_starts",
    "member_lag_days",
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


def with_named_fields(events: Any) -> Any:
    """``events`` with every named field (``NAMED_FIELDS``) present, missing ones as "".

    Frames made before the named fields existed (an older events.parquet, a
    frame built by hand) still write and display.

    Example:
        >>> import pandas as pd
        >>> with_named_fields(pd.DataFrame({"description": ["x"]}))["plan"].tolist()
        ['']
    """
    missing = [name for name in NAMED_FIELDS if name not in events.columns]
    if not missing:
        return events
    return events.assign(**dict.fromkeys(missing, ""))
