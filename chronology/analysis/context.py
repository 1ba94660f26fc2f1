"""What every detector shares: the prepared events, the calendar, and how to cite a record.

:func:`prepare_events` turns events.parquet rows into the frame detectors read:
events only (``status == "event"`` with a start), local calendar days as
``datetime64[D]``, each type's group and concern category, lower-case text,
and whether the agency is children's social care. :class:`Context` carries the
vocabulary, the agency labels, and the citation of each record.

Example:
    >>> ctx = Context.build(prepare_events(events, "Europe/London"), vocab)  # doctest: +SKIP
    >>> ctx.cite("r14")  # doctest: +SKIP
    'Police chronology, row 14'
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from chronology.analysis.attributes import NAMED_TEXT_FIELDS, add_attributes, named_cells
from chronology.analysis.days import as_date, as_day, fmt_date, instant, local_midnight, with_article
from chronology.analysis.real_events import one_per_event
from chronology.ingest.agencies import AgencyResolver, shared_resolver
from chronology.vocabulary import Vocabulary

#: Substrings of a label that mark children's social care, when the case names none.
CSC_MARKERS = ("social care", "csc", "children's services", "childrens services")

#: Aliases too common in ordinary text to show that a record mentions an agency.
_NOISY_ALIASES = frozenset(
    {
        "la",
        "pc",
        "dc",
        "ed",
        "sw",
        "officer",
        "officers",
        "practice",
        "surgery",
        "hospital",
        "teacher",
        "school",
    }
)

#: Columns of the prepared frame, beyond the event columns kept as they are.
PREPARED_COLUMNS = (
    "record_id",
    "subject_ref",
    "agency",
    "source_file",
    "source_sheet",
    "source_row",
    "start",
    "end",
    "date_precision",
    "event_type",
    "description",
    "outcome",
    "from_agency",
    "to_agency",
    "cluster_id",
    "day",
    "end_day",
    "group",
    "concern",
    "text",
    "is_csc",
)

_TEXT_COLUMNS = (
    "record_id",
    "subject_ref",
    "agency",
    "source_file",
    "source_sheet",
    "event_type",
    "type_label",
    "description",
    "outcome",
    "from_agency",
    "to_agency",
    "cluster_id",
)


def is_csc_label(
    label: str, csc_agencies: Sequence[str] = (), resolver: AgencyResolver | None = None
) -> bool:
    """True when an agency label is children's social care.

    Args:
        label: A case agency label.
        csc_agencies: The labels named in ``[rules] csc_agencies``; when empty,
            a label of kind ``csc`` (by the resolver, from the shipped aliases),
            or containing "social care", "CSC" or "children's services", is CSC.
        resolver: The case's agency resolver.

    Example:
        >>> is_csc_label("Children's Social Care"), is_csc_label("Police")
        (True, False)
    """
    if csc_agencies:
        return label in csc_agencies
    if resolver is not None and resolver.kind_of(label) == "csc":
        return True
    low = label.lower()
    return any(re.search(rf"\b{re.escape(m)}\b", low) for m in CSC_MARKERS)


def case_resolver(
    labels: Sequence[str], vocab: Vocabulary, aliases: Mapping[str, Sequence[str]] | None = None
) -> AgencyResolver:
    """The agency resolver of a case's labels with their extra aliases from case.toml (``shared_resolver``).

    Example:
        >>> case_resolver(["GP", "Police"], vocab).mentions("letter to GP")  # doctest: +SKIP
        ['GP']
    """
    return shared_resolver([(label, (aliases or {}).get(label, ())) for label in labels], vocab)


def _local_days(values: pd.Series, timezone: str) -> np.ndarray:
    ts = pd.to_datetime(values)
    if ts.dt.tz is None:
        ts = ts.dt.tz_localize(timezone)
    ts = ts.dt.tz_convert(timezone)
    return ts.dt.tz_localize(None).to_numpy(dtype="datetime64[D]")


#: Text columns whose values are mostly distinct: converted as they are, not through their distinct values.
_DISTINCT_COLUMNS = frozenset({"record_id", "description", "cluster_id"})
#: The event columns prepare_events reads.
_READ_COLUMNS = frozenset(
    {*_TEXT_COLUMNS, *NAMED_TEXT_FIELDS, "raw", "status", "start", "end", "source_row", "date_precision"}
)


def _constant(value: str, n: int) -> pd.Series:
    """n copies of a text, typed as a text column of the events is."""
    return pd.Series([value] * n, dtype=object).astype(str)


def _shared(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct values as Python strings): a repeated value becomes one shared string object."""
    codes, uniques = pd.factorize(values)
    return codes, np.asarray(uniques, dtype=object)


def prepare_events(
    events: pd.DataFrame,
    timezone: str,
    vocab: Vocabulary | None = None,
    csc_agencies: Sequence[str] = (),
    aliases: Mapping[str, Sequence[str]] | None = None,
    record_rules: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """The events detectors read, sorted by subject, day and record id.

    Text columns are plain ``object`` columns, which detectors read as numpy
    arrays many times over with no copy. A value repeated across rows (an
    agency, a type, a file name) is one string object shared by those rows, and
    the rows are put in order column by column, so a million records cost
    little more than their distinct texts.

    Args:
        events: events.parquet rows (EVENT_COLUMNS); continuation and rejected
            rows and rows without a start are left out.
        timezone: The case's timezone; days are local calendar days.
        vocab: The vocabulary, for each type's group and concern.
        csc_agencies: Labels of children's social care (see :func:`is_csc_label`).
        aliases: Each agency label's extra aliases from case.toml.
        record_rules: The ``[rules.record]`` table (what a record says, see
            :mod:`chronology.analysis.attributes`); the shipped one by default.

    Example:
        >>> prepare_events(events, "Europe/London").columns[:3].tolist()  # doctest: +SKIP
        ['record_id', 'subject_ref', 'agency']
    """
    if vocab is None:
        from chronology.vocabulary import load_vocabulary

        vocab = load_vocabulary()
    ev = events
    keep = ev["start"].notna().to_numpy()
    if "status" in ev.columns:
        keep = keep & (ev["status"].astype(str) == "event").to_numpy()
    if not keep.all():
        # Only the columns read here: filtering every column (the raw cells too) would copy the whole input.
        ev = ev[[c for c in ev.columns if c in _READ_COLUMNS]][keep]
    n = len(ev)
    blank = _constant("", n)
    text = {
        col: ev[col].fillna("").astype(str).reset_index(drop=True) if col in ev.columns else blank
        for col in _TEXT_COLUMNS
    }
    times = pd.DataFrame(index=range(n))
    times["source_row"] = (
        pd.to_numeric(ev["source_row"], errors="coerce").fillna(0).astype("int64").to_numpy()
    )
    start = pd.to_datetime(ev["start"])
    if start.dt.tz is None:
        start = start.dt.tz_localize(timezone)
    start = start.dt.tz_convert(timezone)
    end = pd.to_datetime(ev["end"]) if "end" in ev.columns else start
    if end.dt.tz is None:
        end = end.dt.tz_localize(timezone)
    end = end.dt.tz_convert(timezone)
    end = end.where(end.notna(), start)
    times["start"] = start.reset_index(drop=True)
    times["end"] = end.reset_index(drop=True)
    times["day"] = _local_days(times["start"], timezone)
    times["end_day"] = np.maximum(_local_days(times["end"], timezone), times["day"].to_numpy())
    precision = (
        ev["date_precision"].fillna("day").astype(str).reset_index(drop=True)
        if "date_precision" in ev.columns
        else _constant("day", n)
    )
    del start, end
    # The order of the rows (by subject, day, start and record id, stable), found on those keys alone
    # (as sort_values does: each key's rank, then one lexsort) and applied once to each column.
    order = np.lexsort(
        (
            pd.factorize(text["record_id"], sort=True)[0],
            times["start"].array.asi8,
            times["day"].array.asi8,
            pd.factorize(text["subject_ref"], sort=True)[0],
        )
    )
    cells = named_cells(ev)
    lowered = text["type_label"] + " " + text["description"] + " " + text["outcome"]
    for name in NAMED_TEXT_FIELDS:
        if name not in ("child_seen", "reference", "setting"):
            filled = cells[name] != ""
            if filled.any():
                lowered = lowered.where(~filled, lowered + " " + cells[name])
    lowered = lowered.str.lower()
    columns: dict[str, pd.Series] = {}

    def put(col: str, values: np.ndarray) -> None:
        columns[col] = pd.Series(values, dtype=object, copy=False)

    kept: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for col in _TEXT_COLUMNS:
        if col in _DISTINCT_COLUMNS:
            put(col, text[col].to_numpy(dtype=object)[order])
            continue
        codes, uniques = _shared(text[col])
        put(col, uniques[codes[order]])
        if col in ("agency", "event_type"):
            kept[col] = codes, uniques
    del text
    for col in ("source_row", "start", "end"):
        columns[col] = times[col].take(order).reset_index(drop=True)
    codes, uniques = _shared(precision)
    put("date_precision", uniques[codes[order]])
    for col in ("day", "end_day"):
        columns[col] = times[col].take(order).reset_index(drop=True)
    del times, precision
    (agency_codes, agency_labels), (type_codes, types) = kept["agency"], kept["event_type"]
    in_order = type_codes[order]
    distinct_types = pd.Series(types, dtype=object)
    groups = {name: t.group for name, t in vocab.types.items()}
    concerns = {name: t.concern for name, t in vocab.types.items()}
    put("group", distinct_types.map(groups).fillna("other").to_numpy(dtype=object)[in_order])
    put("concern", distinct_types.map(concerns).fillna("").to_numpy(dtype=object)[in_order])
    put("text", lowered.to_numpy(dtype=object)[order])
    del lowered
    labels = sorted(set(agency_labels))
    resolver = case_resolver(labels, vocab, aliases)
    csc = {label for label in labels if is_csc_label(label, csc_agencies, resolver)}
    is_csc = np.array([label in csc for label in agency_labels], dtype=bool)
    columns["is_csc"] = pd.Series(is_csc[agency_codes[order]], dtype=bool)
    frame = pd.DataFrame(columns, copy=False)
    ordered = {f: v.iloc[order].reset_index(drop=True) for f, v in cells.items()}
    del ev, cells
    return add_attributes(frame, ordered, vocab, resolver, record_rules)


class Record(Mapping[str, Any]):
    """One prepared event, read column by column from the context's arrays.

    Example:
        >>> Record({"agency": np.array(["Police"], dtype=object)}, 0)["agency"]
        'Police'
    """

    __slots__ = ("_columns", "_position")

    def __init__(self, columns: dict[str, Any], position: int) -> None:
        self._columns = columns
        self._position = position

    def __getitem__(self, key: str) -> Any:
        return self._columns[key][self._position]

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)


@dataclass
class Context:
    """What detectors share for one run.

    Attributes:
        events: The prepared events (see :func:`prepare_events`).
        vocab: The vocabulary.
        timezone: The case's timezone.
        agencies: Every agency label in the case, sorted.
        csc: The labels that are children's social care.
        rows: record_id -> row position in ``events``.
        clusters: cluster_id -> row positions of its records.
        resolver: Resolves agency mentions in text to the case's labels.
        rules: Every detector's parameters in force (one detector may use
            another's, e.g. cp_visits uses contact_gap's "child seen" phrases).
    """

    events: pd.DataFrame
    vocab: Vocabulary
    timezone: str = "Europe/London"
    agencies: tuple[str, ...] = ()
    csc: frozenset[str] = frozenset()
    rows: dict[str, int] = field(default_factory=dict)
    clusters: dict[str, list[int]] = field(default_factory=dict)
    resolver: AgencyResolver | None = None
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    _columns: dict[str, Any] | None = field(default=None, repr=False)
    _mentions: dict[int, list[str]] = field(default_factory=dict, repr=False)

    @classmethod
    def build(
        cls,
        events: pd.DataFrame,
        vocab: Vocabulary,
        timezone: str = "Europe/London",
        case_agencies: Sequence[str] | None = None,
        aliases: Mapping[str, Sequence[str]] | None = None,
        *,
        resolver: AgencyResolver | None = None,
    ) -> Context:
        """The context of a prepared events frame.

        Args:
            events: The prepared events (all of a case, or one subject's).
            vocab: The vocabulary.
            timezone: The case's timezone.
            case_agencies: Every agency label of the case, when ``events`` is
                one subject's (an agency may have no record of that subject).
            aliases: Each agency label's extra aliases from case.toml.
            resolver: The case's agency resolver, when the caller has made it
                (every subject of a case shares one); made here otherwise.

        Example:
            >>> Context.build(prepare_events(events, "Europe/London"), vocab).agencies  # doctest: +SKIP
            ('GP', 'Police')
        """
        agencies = tuple(sorted(set(events["agency"]) | set(case_agencies or ())))
        csc = frozenset(events.loc[events["is_csc"], "agency"])
        rows = dict(zip(events["record_id"].to_numpy(), range(len(events)), strict=True))
        cluster_ids = events["cluster_id"].to_numpy()
        clustered = np.flatnonzero(cluster_ids != "")
        clusters: dict[str, list[int]] = {}
        for c, i in zip(
            cluster_ids[clustered].tolist(), events.index.to_numpy()[clustered].tolist(), strict=True
        ):
            clusters.setdefault(str(c), []).append(int(i))
        return cls(
            events=events,
            vocab=vocab,
            timezone=timezone,
            agencies=agencies,
            csc=csc,
            rows=rows,
            clusters=clusters,
            resolver=resolver or case_resolver(agencies, vocab, aliases),
        )

    def at(self, position: int) -> Record:
        """The prepared event at a row position of ``events``, read like a dict (fast, unlike ``iloc``).

        ``start`` and ``end`` are UTC ``numpy.datetime64`` values; :meth:`instant`
        gives them back in the case's timezone.

        Example:
            >>> ctx.at(0)["agency"]  # doctest: +SKIP
            'Police'
        """
        if self._columns is None:
            self._columns = {
                c: self.events[c].to_numpy() for c in self.events.columns if c not in ("start", "end")
            }
            for c in ("start", "end"):  # UTC instants, unboxed (boxing tz-aware timestamps is slow)
                self._columns[c] = self.events[c].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy()
        return Record(self._columns, int(position))

    def row(self, record_id: str) -> Record:
        """The prepared event of a record id."""
        return self.at(self.rows[record_id])

    def value(self, column: str, position: int) -> Any:
        """One cell of the prepared events, by column and row position."""
        if self._columns is None:
            self.at(0)
        assert self._columns is not None
        return self._columns[column][position]

    def instant(self, value: Any) -> pd.Timestamp:
        """A start or end value (a UTC ``datetime64`` from :meth:`at`, or a timestamp) in the case's timezone.

        Example:
            >>> ctx.instant(ctx.at(0)["start"])  # doctest: +SKIP
            Timestamp('2019-03-04 00:00:00+0000', tz='Europe/London')
        """
        return instant(value, self.timezone)

    def cite(self, record_id: str) -> str:
        """How a reviewer cites a record: "Police chronology, row 14".

        Example:
            >>> ctx.cite("r14")  # doctest: +SKIP
            'Police chronology, row 14'
        """
        i = self.rows[record_id]
        return f"{self.value('agency', i)} chronology, row {int(self.value('source_row', i))}"

    def type_label(self, event_type: str) -> str:
        """The vocabulary's label of a type, lower-case, with its article."""
        t = self.vocab.types.get(event_type)
        return with_article(t.label if t else event_type.replace("_", " "))

    def type_name(self, event_type: str) -> str:
        """The vocabulary's label of a type, lower-case, without an article ("home visit")."""
        return self.type_label(event_type).split(" ", 1)[1]

    def cluster_agencies(self, cluster_id: str) -> set[str]:
        """The agencies with a record in a cluster (empty for "")."""
        if not cluster_id:
            return set()
        return {self.value("agency", i) for i in self.clusters.get(cluster_id, [])}

    def is_csc(self, label: str) -> bool:
        """True when a case label is children's social care."""
        return label in self.csc

    def csc_label(self) -> str:
        """How to name children's social care in a statement (the case's label when there is one)."""
        return sorted(self.csc)[0] if self.csc else "Children's Social Care"

    def mentions_at(self, position: int) -> list[str]:
        """The case agency labels that the record at ``position`` mentions (description and outcome), cached."""
        if position not in self._mentions:
            r = self.at(position)
            self._mentions[position] = self.mentions(f"{r['description']} {r['outcome']}")
        return self._mentions[position]

    def mentions(self, text: str) -> list[str]:
        """The case agency labels a text mentions (via the agency resolver).

        Example:
            >>> ctx.mentions("Call from GP surgery about weight")  # doctest: +SKIP
            ['GP']
        """
        return self.resolver.mentions(text) if self.resolver is not None else []

    def excerpt(self, record_id: str, n: int = 90) -> str:
        """The start of a record's description, for quoting in a statement."""
        text = " ".join(str(self.value("description", self.rows[record_id])).split())
        return text if len(text) <= n else text[: n - 1].rstrip() + "…"


__all__ = [
    "Context",
    "Record",
    "as_date",
    "as_day",
    "case_resolver",
    "fmt_date",
    "instant",
    "is_csc_label",
    "local_midnight",
    "one_per_event",
    "prepare_events",
    "with_article",
]
