"""Ingestion: every agency file into rows of the common event schema, losing nothing.

``read_source`` reads one file named in case.toml; ``ingest_case`` reads them
all. Every non-empty row below the header of every source comes out exactly
once, as an event, a continuation or a rejected row with its reason, and with
its original cells verbatim in ``raw``.

Example:
    >>> from chronology.config import load_config
    >>> ingested = ingest_case(load_config("data_samples/child_h/case.toml"))  # doctest: +SKIP
    >>> ingested.sources[["agency", "rows_read", "events"]]  # doctest: +SKIP
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from chronology.config import CaseConfig, SourceConfig
from chronology.errors import InputError
from chronology.ingest.files import open_book
from chronology.ingest.rows import RowContext, sheet_records
from chronology.ingest.sheets import choose_sheets
from chronology.ingest.written import written_date
from chronology.schema import EVENT_COLUMNS, event_schema
from chronology.vocabulary import Vocabulary, load_vocabulary

if TYPE_CHECKING:
    from chronology.ingest.agencies import AgencyResolver

__all__ = ["Ingested", "SourceResult", "empty_events", "ingest_case", "read_source"]

SOURCE_COLUMNS = (
    "source_file",
    "agency",
    "sheet",
    "header_row",
    "sha256",
    "rows_read",
    "events",
    "continuations",
    "rejected",
)


@dataclass
class SourceResult:
    """One source read.

    Attributes:
        source: The source as named in case.toml.
        events: Its records, exactly ``EVENT_COLUMNS`` with the schema's dtypes.
        sheet: The sheet read ("" for CSV); several, comma-separated, for a
            chronology over several sheets.
        header_row: The header row as a spreadsheet program numbers rows.
        columns: Canonical field -> the file's column header.
        sha256: Hash of the file's bytes.
        counts: rows_read, events, continuations, rejected (the last three sum
            to the first).
        warnings: One-line messages for the user.
    """

    source: SourceConfig
    events: pd.DataFrame
    sheet: str
    header_row: int
    columns: dict[str, str]
    sha256: str
    counts: dict[str, int]
    warnings: list[str] = field(default_factory=list)


@dataclass
class Ingested:
    """Every source of a case read.

    Attributes:
        events: All records, in case.toml order then source_row.
        sources: One row per source (``SOURCE_COLUMNS``).
        warnings: One-line messages for the user.
    """

    events: pd.DataFrame
    sources: pd.DataFrame
    warnings: list[str] = field(default_factory=list)


def empty_events(timezone: str) -> pd.DataFrame:
    """An events frame with no rows and the schema's dtypes.

    Example:
        >>> list(empty_events("Europe/London").columns)[:3]
        ['record_id', 'subject_ref', 'agency']
    """
    return event_schema(timezone).empty_table().to_pandas()


def read_source(
    source: SourceConfig,
    case: CaseConfig,
    vocab: Vocabulary | None = None,
    resolver: AgencyResolver | None = None,
    *,
    classify: bool = True,
) -> SourceResult:
    """Read one agency file into event records.

    Args:
        source: The source from case.toml.
        case: The case (timezone, and the other sources for handoff targets).
        vocab: The vocabulary; the shipped one by default.
        resolver: An ``AgencyResolver``; built from the case's sources by default.
        classify: Fill event_type, from_agency and to_agency (``classify_records``).
            ``ingest_case`` passes False and classifies every source's rows in one
            call: the regular expressions are compiled once per case, not per file.

    Raises:
        InputError: One line naming file, sheet, row and column, and what to do.

    Example:
        >>> result = read_source(config.sources[0], config)  # doctest: +SKIP
        >>> result.counts  # doctest: +SKIP
        {'rows_read': 212, 'events': 205, 'continuations': 4, 'rejected': 3}
    """
    vocab = vocab or load_vocabulary()
    book = open_book(
        source.resolved,
        label=source.path,
        encoding=source.encoding,
        delimiter=source.delimiter,
        columns=source.columns,
    )
    warnings = list(book.warnings)
    wanted_sheet = source.sheet
    if book.kind == "csv" and wanted_sheet:
        warnings.append(f"{source.path}: 'sheet' is ignored for a CSV file")
        wanted_sheet = None
    chosen, sheet_warnings = choose_sheets(
        book, file=source.path, sheet=wanted_sheet, header_row=source.header_row, configured=source.columns
    )
    warnings += sheet_warnings
    frames = []
    written = written_date(source.resolved) if book.kind != "csv" else None
    for sheet, layout in chosen:
        warnings += [f"{source.path}: {note}" for note in layout.notes]
        ctx = RowContext(
            source.path,
            source.agency,
            sheet.name,
            book.sha256,
            case.timezone,
            typed=book.kind != "csv",
            written=written,
        )
        frames.append(sheet_records(sheet, layout, ctx))
        warnings += ctx.warnings
    events = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    sheet, layout = chosen[0]
    sheet_names = ", ".join(s.name for s, _ in chosen)
    if classify:
        classify_records(events, vocab, resolver or case_resolver(case, vocab))
    status = Counter(events["status"])
    counts = {
        "rows_read": len(events),
        "events": status["event"],
        "continuations": status["continuation"],
        "rejected": status["rejected"],
    }
    return SourceResult(
        source, events, sheet_names, layout.header_row, layout.column_names(), book.sha256, counts, warnings
    )


def case_resolver(case: CaseConfig, vocab: Vocabulary) -> AgencyResolver:
    """An AgencyResolver over the case's sources (label and aliases).

    Example:
        >>> case_resolver(config, load_vocabulary())  # doctest: +SKIP
    """
    from chronology.ingest.agencies import shared_resolver

    return shared_resolver([(s.agency, s.aliases) for s in case.sources], vocab)


def classify_records(events: pd.DataFrame, vocab: Vocabulary, resolver: AgencyResolver) -> None:
    """Fill event_type, from_agency and to_agency of the event rows, in place.

    Continuation and rejected rows keep "" (their text is in the entry they
    carry on, or they are not events).

    Example:
        >>> classify_records(result.events, load_vocabulary(), resolver)  # doctest: +SKIP
    """
    from chronology.ingest.classify import classify_events, find_handoffs

    is_event = (events["status"] == "event").to_numpy()
    if not is_event.any():
        return
    labels = events.loc[is_event, "type_label"].tolist()
    texts = events.loc[is_event, "description"].tolist()
    own = events.loc[is_event, "agency"].tolist()
    kinds_of = {agency: resolver.kind_of(agency) for agency in set(own)}
    types = classify_events(labels, texts, vocab, kinds=[kinds_of[a] for a in own])
    senders, receivers = find_handoffs(types, labels, texts, own, resolver)
    events.loc[is_event, "event_type"] = pd.Series(types, dtype="str").to_numpy()
    events.loc[is_event, "from_agency"] = pd.Series(senders, dtype="str").to_numpy()
    events.loc[is_event, "to_agency"] = pd.Series(receivers, dtype="str").to_numpy()


def ingest_case(config: CaseConfig, vocab: Vocabulary | None = None) -> Ingested:
    """Read every source of a case.

    Raises:
        InputError: A bad source, or the same file listed twice.

    Example:
        >>> ingested = ingest_case(load_config("case.toml"))  # doctest: +SKIP
        >>> int(ingested.sources["rows_read"].sum()) == len(ingested.events)  # doctest: +SKIP
        True
    """
    vocab = vocab or load_vocabulary()
    seen: dict[object, str] = {}
    for source in config.sources:
        key = source.resolved
        if key in seen:
            raise InputError(
                f"listed twice in case.toml (also as '{seen[key]}')",
                file=source.path,
                hint="remove one of the two [[sources]]",
            )
        seen[key] = source.path
    warnings: list[str] = []
    agencies = Counter(s.agency for s in config.sources)
    for agency, n in agencies.items():
        if n > 1:
            files = ", ".join(s.path for s in config.sources if s.agency == agency)
            warnings.append(
                f"{n} sources have the agency '{agency}' ({files}); their rows are read as one agency"
            )
    resolver = case_resolver(config, vocab)
    results = [read_source(s, config, vocab, resolver, classify=False) for s in config.sources]
    hashes: dict[str, str] = {}
    for r in results:
        if r.sha256 in hashes:
            warnings.append(f"{r.source.path} has the same content as {hashes[r.sha256]}")
        hashes.setdefault(r.sha256, r.source.path)
        warnings += r.warnings
    frames = [r.events for r in results if len(r.events)]
    events = pd.concat(frames, ignore_index=True) if frames else empty_events(config.timezone)
    events = events[list(EVENT_COLUMNS)]
    classify_records(events, vocab, resolver)
    rows = [
        [
            r.source.path,
            r.source.agency,
            r.sheet,
            r.header_row,
            r.sha256,
            *(r.counts[k] for k in SOURCE_COLUMNS[5:]),
        ]
        for r in results
    ]
    sources = pd.DataFrame(rows, columns=list(SOURCE_COLUMNS))
    return Ingested(events, sources, warnings)
