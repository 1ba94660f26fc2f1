"""The analyst's row corrections: corrections.csv beside the case file, applied on every run.

An agency's file is evidence and stays as it came: editing it would change
every record id of that file. A wrong cell is corrected here instead, one line
per record and field, applied after ingestion and before matching::

    record_id,field,value,reason,who
    3f2a9c0d1e4b5a6c,date,28/02/2019,the GP confirmed the day by phone,Analyst
    77b0e41290aa1b2c,type,strategy_discussion,recorded as a phone call,Analyst
    90aa1b2c3f2a9c0d,description,Strategy discussion with police and HV,typo in the name,Analyst

Fields: ``date`` (any date the readers accept, "w/c 04/03/2019" and "Spring term
2020" included), ``time``, ``type`` (a vocabulary type id or its label),
``status`` (``event`` or ``rejected``), ``agency`` (one of the case's labels),
and the text fields (``description``, ``outcome``, ``practitioner``,
``subject_ref``, ``from_agency``, ``to_agency`` and every other text column of
the event schema). A rejected row given a date becomes an event. Later lines
win over earlier ones for the same record and field.

A corrected record keeps its id and its original cells in ``raw``; its
``reason`` says what was corrected, from what, why and by whom; every
correction, with the original value, is listed in ``Corrected.table`` (the
workbook's Corrected sheet). A line naming a record that no longer exists is
reported, never applied to another record.

Example:
    >>> read_corrections(Path("no/such/corrections.csv")) is None
    True
"""

from __future__ import annotations

import csv
import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import pandas as pd

from chronology.errors import ConfigError
from chronology.schema import DEFAULT_TIMEZONE, EVENT_COLUMNS
from chronology.vocabulary import Vocabulary, load_vocabulary

CORRECTION_COLUMNS: Final = ("record_id", "field", "value", "reason", "who")
#: Columns a correction never touches: where the record came from and what the pipeline adds.
FIXED_COLUMNS: Final = frozenset(
    {"record_id", "source_file", "source_sheet", "source_row", "reason", "start", "end"}
    | {"date_precision", "cluster_id", "raw", "type_label", "status", "event_type"}
)
#: Fields with their own reading; every other text column of the schema is taken as written.
SPECIAL_FIELDS: Final = ("date", "time", "type", "status", "agency")
#: Other names people write for a field.
FIELD_ALIASES: Final = {"event_type": "type", "start": "date", "when": "date", "text": "description"}
#: Columns of ``Corrected.table`` (and of the workbook's Corrected sheet).
TABLE_COLUMNS: Final = (
    "row",
    "record_id",
    "source_file",
    "source_sheet",
    "source_row",
    "agency",
    "field",
    "original",
    "corrected",
    "reason",
    "who",
    "applied",
)


def text_fields() -> tuple[str, ...]:
    """The event schema's text columns a correction may set as written.

    Example:
        >>> "description" in text_fields(), "raw" in text_fields()
        (True, False)
    """
    return tuple(c for c in EVENT_COLUMNS if c not in FIXED_COLUMNS and c not in SPECIAL_FIELDS)


def correction_fields() -> tuple[str, ...]:
    """Every field a correction may name."""
    return (*SPECIAL_FIELDS, *text_fields())


def closest_word(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.5)
    return f"did you mean '{close[0]}'?" if close else ""


def _type_id(value: str, vocab: Vocabulary) -> str | None:
    """The vocabulary type id a value names (its id or its label, any case)."""
    key = value.strip().lower()
    for name, kind in vocab.types.items():
        if key in (name.lower(), kind.label.lower()) or key.replace(" ", "_") == name.lower():
            return name
    return None


def check_value(name: str, value: str, timezone: str, vocab: Vocabulary) -> str:
    """The reason a value cannot be used for a field ("" when it can)."""
    from chronology.ingest.dates import parse_date_cell, parse_time_cell

    if name == "date":
        parsed = parse_date_cell(value, timezone=timezone)
        if (
            "impossible" in parsed.note
        ):  # the reader keeps such a cell by its month; a correction must be right
            return f"impossible date '{value}'"
        return parsed.error or ("" if parsed.start is not None else "an empty date")
    if name == "time":
        clock, error = parse_time_cell(value)
        return error or ("" if clock is not None else "an empty time")
    if name == "type" and _type_id(value, vocab) is None:
        hint = closest_word(value, vocab.types)
        return f"'{value}' is not a type of schemas/vocabulary.toml" + (f"; {hint}" if hint else "")
    if name == "status" and value.lower() not in ("event", "rejected"):
        return f"status '{value}' is not event or rejected"
    if name == "agency" and not value:
        return "an empty agency"
    return ""


def read_corrections(
    path: Path, *, timezone: str = DEFAULT_TIMEZONE, vocab: Vocabulary | None = None
) -> pd.DataFrame | None:
    """Read and check corrections.csv; None when the file does not exist.

    Args:
        path: The corrections file (``corrections.csv`` beside case.toml).
        timezone: The case's timezone, for reading corrected dates.
        vocab: The vocabulary corrected types are checked against.

    Returns:
        One row per line: record_id, field (its canonical name), value,
        reason, who and row (the file's row number, for messages).

    Raises:
        ConfigError: A missing column, an unknown field, a value the field
            cannot take, or a line without a reason or a name; naming the
            file, row and column.

    Example:
        >>> read_corrections(Path("missing.csv")) is None
        True
    """
    path = Path(path)
    if not path.exists():
        return None
    vocab = vocab or load_vocabulary()
    file = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError("not UTF-8 text", file=file, hint="save it as CSV UTF-8") from None
    reader = csv.reader(text.splitlines())
    header = [h.strip().lower() for h in next(reader, [])]
    for column in CORRECTION_COLUMNS:
        if column not in header:
            raise ConfigError(
                f"no '{column}' column",
                file=file,
                row=1,
                hint="the header is " + ",".join(CORRECTION_COLUMNS),
            )
    where = {name: header.index(name) for name in CORRECTION_COLUMNS}
    fields = correction_fields()
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        rec = {name: (cells[i].strip() if i < len(cells) else "") for name, i in where.items()}
        if not rec["record_id"]:
            raise ConfigError("empty record id", file=file, row=number, column="record_id")
        name = rec["field"].lower().replace(" ", "_")
        name = FIELD_ALIASES.get(name, name)
        if name not in fields:
            hint = closest_word(name, fields) or "fields: " + ", ".join(fields)
            raise ConfigError(
                f"unknown field '{rec['field']}'", file=file, row=number, column="field", hint=hint
            )
        problem = check_value(name, rec["value"], timezone, vocab)
        if problem:
            raise ConfigError(problem, file=file, row=number, column="value")
        for column, what in (("reason", "a reason"), ("who", "the name or role of who made it")):
            if not rec[column]:
                raise ConfigError(f"a correction needs {what}", file=file, row=number, column=column)
        value = (_type_id(rec["value"], vocab) or rec["value"]) if name == "type" else rec["value"]
        value = value.lower() if name == "status" else value
        rows.append({**rec, "field": name, "value": value, "row": number})
    return pd.DataFrame(rows, columns=[*CORRECTION_COLUMNS, "row"], dtype=object)


@dataclass
class Corrected:
    """Events with the corrections applied.

    Attributes:
        events: The events table, corrected (the input is not changed).
        table: One row per correction (``TABLE_COLUMNS``): the original and
            the corrected value, and whether it was applied.
        warnings: One line per correction that could not be applied.
    """

    events: pd.DataFrame
    table: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(TABLE_COLUMNS)))
    warnings: list[str] = field(default_factory=list)


def _when(start: Any, precision: Any) -> str:
    """A start as the UK reads it, with a coarse precision named ("03/04/2019 (month)")."""
    if start is None or pd.isna(start):
        return "no date"
    ts = pd.Timestamp(start)
    text = ts.strftime("%d/%m/%Y %H:%M") if precision == "time" else ts.strftime("%d/%m/%Y")
    return text if precision in ("time", "day", None) else f"{text} ({precision})"


def _shown(events: pd.DataFrame, i: int, name: str) -> str:
    """The record's current value of a field, as text."""
    if name in ("date", "time"):
        return _when(events.at[i, "start"], events.at[i, "date_precision"])
    column = "event_type" if name == "type" else name
    return str(events.at[i, column])


def _set_date(events: pd.DataFrame, i: int, name: str, value: str, timezone: str) -> str:
    """Set start, end and precision from a corrected date or time; "" or why it cannot be done."""
    from chronology.ingest.dates import parse_date_cell

    if name == "date":
        parsed = parse_date_cell(value, timezone=timezone)
    else:
        start = events.at[i, "start"]
        if start is None or pd.isna(start):
            return "the record has no date to put the time on; correct its date first"
        if events.at[i, "date_precision"] not in ("day", "time"):
            return (
                f"the record is dated to a {events.at[i, 'date_precision']}, not a day; "
                "correct its date with the time instead (03/04/2019 14:30)"
            )
        day = pd.Timestamp(start).tz_convert(timezone)
        parsed = parse_date_cell(day.strftime("%d/%m/%Y"), value, timezone=timezone)
    if parsed.start is None:
        return parsed.error or "not a date"
    events.at[i, "start"] = pd.Timestamp(parsed.start).tz_convert(timezone)
    events.at[i, "end"] = pd.Timestamp(parsed.end or parsed.start).tz_convert(timezone)
    events.at[i, "date_precision"] = parsed.precision
    if events.at[i, "status"] == "rejected":
        events.at[i, "status"] = "event"
    return ""


def _apply_one(events: pd.DataFrame, i: int, name: str, value: str, timezone: str) -> str:
    """Apply one correction to row i; "" or why it cannot be applied."""
    if name in ("date", "time"):
        return _set_date(events, i, name, value, timezone)
    if name == "status":
        if value == "event" and pd.isna(events.at[i, "start"]):
            return "the record has no date; correct its date, which makes it an event"
        events.at[i, "status"] = value
        return ""
    events.at[i, "event_type" if name == "type" else name] = value
    return ""


def apply_corrections(
    events: pd.DataFrame,
    corrections: pd.DataFrame | None,
    *,
    timezone: str = DEFAULT_TIMEZONE,
    vocab: Vocabulary | None = None,
    resolver: Any = None,
    file: str = "corrections.csv",
) -> Corrected:
    """Apply corrections.csv to the events, before matching.

    A rejected row corrected to a date becomes an event and is classified
    (type, handoff agencies) like any event; so is a record whose description
    or agency was corrected, unless its type is corrected too. A correction
    naming a record that no longer exists, or a continuation row, is reported
    and not applied.

    Args:
        events: The ingested events (EVENT_COLUMNS).
        corrections: The table from ``read_corrections`` (or None).
        timezone: The case's timezone.
        vocab: The vocabulary, for classifying corrected records.
        resolver: The case's ``AgencyResolver``, for their handoff agencies.
        file: The name used in warnings.

    Example:
        >>> fixed = apply_corrections(events, read_corrections(Path("corrections.csv")))  # doctest: +SKIP
        >>> fixed.warnings  # doctest: +SKIP
        ['corrections.csv row 3: record 3f2a9c0d1e4b5a6c no longer exists; correction not applied']
    """
    if corrections is None or corrections.empty:
        return Corrected(events)
    out = events.copy()
    position = {rid: i for i, rid in enumerate(out["record_id"].tolist())}
    out.index = pd.RangeIndex(len(out))
    was_status = out["status"].copy()
    old_reason = out["reason"].copy()
    table: list[dict[str, Any]] = []
    warnings: list[str] = []
    notes: dict[int, list[str]] = {}
    touched: dict[int, set[str]] = {}
    for c in corrections.itertuples(index=False):
        rid, name, value = str(c.record_id), str(c.field), str(c.value)
        label = f"{file} row {c.row}"
        i = position.get(rid)
        entry = dict(
            zip(
                TABLE_COLUMNS,
                [c.row, rid, "", "", None, "", name, "", value, c.reason, c.who, ""],
                strict=True,
            )
        )
        if i is None:
            problem = f"record {rid} no longer exists (its file changed, or it is not in this case)"
        else:
            entry.update({k: out.at[i, k] for k in ("source_file", "source_sheet", "source_row", "agency")})
            entry["original"] = _shown(out, i, name)
            if out.at[i, "status"] == "continuation":
                problem = f"record {rid} is a continuation row; correct the entry it carries on"
            else:
                problem = _apply_one(out, i, name, value, timezone)
        if problem:
            entry["applied"] = f"not applied: {problem}"
            warnings.append(f"{label}: {problem}; correction not applied")
        else:
            entry["applied"] = "applied"
            assert i is not None
            was = entry["original"] if len(entry["original"]) <= 60 else entry["original"][:57] + "..."
            notes.setdefault(i, []).append(f"{name} corrected from '{was}' by {c.who}: {c.reason}")
            touched.setdefault(i, set()).add(name)
        table.append(entry)
    for i, lines in notes.items():
        previous = str(old_reason.iat[i])
        if was_status.iat[i] == "rejected" and out.at[i, "status"] == "event":
            previous = f"was rejected: {previous}" if previous else "was rejected"
        out.at[i, "reason"] = "; ".join(lines + ([previous] if previous else []))
    _classify(out, was_status, touched, corrections, position, vocab, resolver)
    frame = pd.DataFrame(table, columns=list(TABLE_COLUMNS), dtype=object)
    frame["source_row"] = frame["source_row"].astype("Int64")
    return Corrected(out, frame, warnings)


def _classify(
    out: pd.DataFrame,
    was_status: pd.Series,
    touched: dict[int, set[str]],
    corrections: pd.DataFrame,
    position: dict[str, int],
    vocab: Vocabulary | None,
    resolver: Any,
) -> None:
    """Classify corrected records as ingestion would, then put explicit corrections back on top."""
    is_event = out["status"] == "event"
    made_rejected = (was_status != "rejected") & (out["status"] == "rejected")
    for column in ("event_type", "from_agency", "to_agency"):
        out.loc[made_rejected, column] = ""
    again = [
        i
        for i, names in touched.items()
        if is_event.iat[i] and (was_status.iat[i] != "event" or names & {"description", "agency"})
    ]
    if not again or resolver is None:
        return
    from chronology.ingest import classify_records

    part = out.loc[again].copy()
    classify_records(part, vocab or load_vocabulary(), resolver)
    for column in ("event_type", "from_agency", "to_agency"):
        out.loc[again, column] = part[column]
    for c in corrections.itertuples(index=False):  # an explicit type or agency wins over the classifier
        i = position.get(str(c.record_id))
        column = "event_type" if c.field == "type" else str(c.field)
        if i in again and column in ("event_type", "from_agency", "to_agency"):
            out.at[i, column] = str(c.value)
