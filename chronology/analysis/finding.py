"""A finding: one place where information did not travel, citable by a reviewer.

Detectors return :class:`Finding` objects; :func:`findings_frame` gives each a
stable ``finding_id``, its citations and cited records, and lays them out in
``FINDING_COLUMNS`` order.

The id is "F-" and the first 5 characters of the base32 of a sha256 of the
kind, the subkind (or detector name), the sorted cited record ids and the
receiving agency where the finding names one; it does
not depend on run order or row position, so it survives re-runs and the
adding of an unrelated source. Two different findings whose ids would clash
are both lengthened by a character until they differ.

Example:
    >>> finding_key("missed_handoff", "missed_handoff", ["r2", "r1"])
    'missed_handoff|missed_handoff|r1,r2'
    >>> short_ids(["missed_handoff|missed_handoff|r1,r2"])["missed_handoff|missed_handoff|r1,r2"][:2]
    'F-'
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.arrays import ArrowStringArray

from chronology.analysis.context import Context, fmt_date, instant
from chronology.schema import FINDING_COLUMNS

ID_LENGTH = 5
EXCERPT_CHARS = 160


@dataclass
class Finding:
    """What a detector found, before ids, citations and decisions are added.

    Attributes:
        kind: One of ``FINDING_KINDS``.
        detector: The detector's registry name (also the rule's name).
        subject_ref: The child or family it is about.
        severity: high, medium or low, by the detector's documented rule.
        title: A short title.
        statement: One plain-English paragraph with the citations inline.
        record_ids: The cited records.
        start: First instant of the period it covers (tz-aware, or naive UTC).
        end: Last instant of the period it covers (tz-aware, or naive UTC).
        agencies: The agencies concerned.
        subkind: The timescale check, for timescale_breach ("" otherwise).
        from_agency: The sending agency, for a handoff ("" when n/a).
        to_agency: The receiving agency ("" when n/a).
        params: The parameters the detector used.
    """

    kind: str
    detector: str
    subject_ref: str
    severity: str
    title: str
    statement: str
    record_ids: Sequence[str]
    start: pd.Timestamp
    end: pd.Timestamp
    agencies: Sequence[str] = ()
    subkind: str = ""
    from_agency: str = ""
    to_agency: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    def key(self) -> str:
        """What the finding id is derived from: kind, subkind or rule name, cited records (and the recipient).

        One record sent to several agencies gives one finding per agency, so
        the receiving agency is part of the key where the finding names one.
        """
        key = finding_key(self.kind, self.subkind or self.detector, self.record_ids)
        return f"{key}|{self.to_agency}" if self.to_agency else key


def finding_key(kind: str, rule: str, record_ids: Sequence[str]) -> str:
    """The text a finding id hashes.

    Example:
        >>> finding_key("contact_gap", "contact_gap", ["b", "a"])
        'contact_gap|contact_gap|a,b'
    """
    return f"{kind}|{rule}|{','.join(sorted(record_ids))}"


def _digest(key: str) -> str:
    return base64.b32encode(hashlib.sha256(key.encode("utf-8")).digest()).decode("ascii")


def short_ids(keys: Sequence[str]) -> dict[str, str]:
    """A short id for each distinct key, lengthened only where two would clash.

    Example:
        >>> ids = short_ids(["a", "b"])
        >>> sorted(len(v) for v in ids.values())
        [7, 7]
    """
    digests = {k: _digest(k) for k in sorted(set(keys))}
    ids: dict[str, str] = {}
    groups: list[tuple[int, list[str]]] = [(ID_LENGTH, list(digests))]
    while groups:
        length, members = groups.pop()
        by_prefix: dict[str, list[str]] = {}
        for k in members:
            by_prefix.setdefault(digests[k][:length], []).append(k)
        for prefix, same in by_prefix.items():
            if len(same) == 1:
                ids[same[0]] = "F-" + prefix
            else:
                groups.append((length + 1, same))
    return ids


def cited_records(ctx: Context, record_ids: Sequence[str]) -> list[dict[str, Any]]:
    """The cited records, each with agency, source file, sheet, row, date and an excerpt."""
    out = []
    for rid in sorted(record_ids):
        r = ctx.row(rid)
        text = " ".join(str(r["description"]).split())
        out.append(
            {
                "record_id": rid,
                "agency": r["agency"],
                "source_file": r["source_file"],
                "source_sheet": r["source_sheet"],
                "source_row": int(r["source_row"]),
                "date": fmt_date(r["day"]),
                "excerpt": text[:EXCERPT_CHARS],
            }
        )
    return out


def citations_text(cited: list[dict[str, Any]]) -> str:
    """ "police.xlsx:Chronology:14;gp.csv::22" in date order of the cited records."""
    ordered = sorted(
        cited,
        key=lambda c: (c["date"][6:] + c["date"][3:5] + c["date"][:2], c["source_file"], c["source_row"]),
    )
    return ";".join(f"{c['source_file']}:{c['source_sheet']}:{c['source_row']}" for c in ordered)


def empty_findings(timezone: str = "Europe/London") -> pd.DataFrame:
    """An empty findings frame with the right columns and types."""
    frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in FINDING_COLUMNS})
    for c in ("start", "end"):
        frame[c] = pd.Series([], dtype=f"datetime64[us, {timezone}]")
    return frame


def findings_frame(findings: Sequence[Finding], ctx: Context) -> pd.DataFrame:
    """Lay findings out in FINDING_COLUMNS order, with ids, citations and cited records.

    Identical findings (same kind, rule and records) are kept once. Rows are
    sorted by start, then finding_id; status is "open" until decisions apply.
    """
    table = FindingsTable(ctx.timezone)
    table.add(findings, ctx)
    return table.frame()


#: Text columns with few distinct values (each detector's rule and parameters, kinds, agencies):
#: kept as codes into their distinct values until the frame is made.
_CODED = ("subject_ref", "kind", "subkind", "severity", "from_agency", "to_agency", "rule")
#: Text columns with a value of its own per finding: kept as Arrow chunks until the frame is made.
_CHUNKED = ("title", "statement", "citations", "cited", "cited_hash")
#: Python lists per finding (object columns).
_LISTS = ("agencies", "record_ids")
#: Instants per finding, kept as UTC microseconds.
_TIMES = ("start", "end")


class FindingsTable:
    """The findings frame, built a batch of findings (one subject's) at a time.

    :func:`findings_frame` in pieces: each batch is laid out as soon as it is
    found, its text kept as compact Arrow columns (or as codes, for text with
    few distinct values), so that a case of a thousand subjects never holds all
    its :class:`Finding` objects and their per-row text at once. The frame is
    the same as ``findings_frame`` of all the findings together: the first of
    identical findings is kept, ids are given over all of them, and rows are
    sorted by start, then finding_id.

    Example:
        >>> table = FindingsTable("Europe/London")  # doctest: +SKIP
        >>> table.add(found, ctx); table.frame()  # doctest: +SKIP
    """

    def __init__(self, timezone: str) -> None:
        self.timezone = timezone
        self._keys: list[str] = []
        self._seen: set[str] = set()
        self._distinct: dict[str, dict[str, int]] = {c: {} for c in _CODED}
        self._codes: dict[str, list[np.ndarray]] = {c: [] for c in _CODED}
        self._chunks: dict[str, list[pa.Array]] = {c: [] for c in _CHUNKED}
        self._lists: dict[str, list[list[str]]] = {c: [] for c in _LISTS}
        self._times: dict[str, list[np.ndarray]] = {c: [] for c in _TIMES}

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, findings: Sequence[Finding], ctx: Context) -> None:
        """Lay out a batch of findings; ``ctx`` holds every record they cite."""
        coded: dict[str, list[int]] = {c: [] for c in _CODED}
        text: dict[str, list[str]] = {c: [] for c in _CHUNKED}
        times: dict[str, list[Any]] = {c: [] for c in _TIMES}
        records: dict[str, tuple[str, tuple[str, str, int], str]] = {}
        for f in findings:
            key = f.key()
            if key in self._seen:
                continue
            self._seen.add(key)
            self._keys.append(key)
            cited = sorted(f.record_ids)
            parts = []
            for rid in cited:
                if rid not in records:
                    records[rid] = _cited_record(ctx, rid)
                parts.append(records[rid])
            cited_json = "[" + ", ".join(p[0] for p in parts) + "]"
            rule = json.dumps(
                {"name": f.detector, "parameters": f.params}, sort_keys=True, ensure_ascii=False
            )
            for c, value in (
                ("subject_ref", f.subject_ref),
                ("kind", f.kind),
                ("subkind", f.subkind),
                ("severity", f.severity),
                ("from_agency", f.from_agency),
                ("to_agency", f.to_agency),
                ("rule", rule),
            ):
                distinct = self._distinct[c]
                code = distinct.get(value)
                if code is None:
                    code = distinct[value] = len(distinct)
                coded[c].append(code)
            text["title"].append(f.title)
            text["statement"].append(f.statement)
            text["citations"].append(";".join(p[2] for p in sorted(parts, key=lambda p: p[1])))
            text["cited"].append(cited_json)
            text["cited_hash"].append(cited_hash(cited_json))
            self._lists["agencies"].append(sorted(set(f.agencies)))
            self._lists["record_ids"].append(cited)
            times["start"].append(f.start)
            times["end"].append(f.end)
        if not times["start"]:
            return
        for c, codes in coded.items():
            self._codes[c].append(np.array(codes, dtype=np.int64))
        for c, values in text.items():
            self._chunks[c].append(pa.array(values, type=pa.large_string()))
        for c, stamps in times.items():
            self._times[c].append(_utc_micros(stamps))

    def frame(self) -> pd.DataFrame:
        """The findings frame (FINDING_COLUMNS, sorted by start then finding_id); the table is emptied."""
        if not self._keys:
            return empty_findings(self.timezone)
        ids = short_ids(self._keys)
        finding_ids = pa.array([ids[k] for k in self._keys], type=pa.large_string())
        self._keys, self._seen = [], set()
        del ids
        starts = np.concatenate(self._times["start"])
        # sort_values' order: by start (NaT last), then finding_id (unique, so no ties are left).
        order = pc.sort_indices(
            pa.table({"nat": starts == np.iinfo(np.int64).min, "start": starts, "id": finding_ids}),
            sort_keys=[("nat", "ascending"), ("start", "ascending"), ("id", "ascending")],
        )
        positions = order.to_numpy()
        n = len(positions)
        text_dtype = pd.Series([""]).dtype  # what pandas makes of a list of str
        columns: dict[str, pd.Series] = {"finding_id": _string_column(finding_ids.take(order), text_dtype)}
        for c in FINDING_COLUMNS:
            if c in self._distinct:
                values = pa.array(list(self._distinct[c]), type=pa.large_string())
                codes = np.concatenate(self._codes[c])[positions]
                self._codes[c].clear()
                columns[c] = _string_column(values.take(pa.array(codes)), text_dtype)
            elif c in self._chunks:
                chunks = self._chunks[c]
                combined = pa.chunked_array(chunks, type=pa.large_string()).combine_chunks()
                chunks.clear()  # a column at a time: its chunks go as it is made
                columns[c] = _string_column(combined.take(order), text_dtype)
                del combined
            elif c in self._lists:
                lists = self._lists[c]
                cells = np.empty(n, dtype=object)
                for i, k in enumerate(positions.tolist()):
                    cells[i] = lists[k]
                lists.clear()
                columns[c] = pd.Series(cells, dtype=object, copy=False)
            elif c in self._times:
                micros = np.concatenate(self._times[c])[positions]
                self._times[c].clear()
                columns[c] = pd.Series(
                    pd.DatetimeIndex(micros.view("datetime64[us]"), tz="UTC").tz_convert(self.timezone)
                ).astype(f"datetime64[us, {self.timezone}]")
        for c, value in (("status", "open"), ("decision_reason", ""), ("reviewer", "")):
            columns[c] = _string_column(pa.array([value] * n, type=pa.large_string()), text_dtype)
        return pd.DataFrame({c: columns[c] for c in FINDING_COLUMNS}, copy=False)


def _cited_record(ctx: Context, record_id: str) -> tuple[str, tuple[str, str, int], str]:
    """One cited record: its JSON (an item of ``cited``), its citation order key and its citation."""
    (entry,) = cited_records(ctx, [record_id])
    day = entry["date"]
    return (
        json.dumps(entry, sort_keys=True, ensure_ascii=False),
        (day[6:] + day[3:5] + day[:2], entry["source_file"], entry["source_row"]),
        f"{entry['source_file']}:{entry['source_sheet']}:{entry['source_row']}",
    )


#: Units in which an instant is a whole number of microseconds.
_WHOLE_MICROS = frozenset({"D", "h", "m", "s", "ms", "us"})
#: Years well inside what a nanosecond timestamp holds (Timestamp.value is in nanoseconds).
_NS_MIN, _NS_MAX = 1678, 2262


def _utc_micros(values: Sequence[Any]) -> np.ndarray:
    """Instants (naive UTC numpy values or timestamps) as UTC microseconds, as findings_frame reads them.

    A numpy value or a timestamp of a unit no finer than a microsecond is read
    directly; anything else goes through :func:`instant` and pandas.
    """
    out = np.empty(len(values), dtype=np.int64)
    rest = []
    for k, v in enumerate(values):
        if type(v) is np.datetime64 and np.datetime_data(v.dtype)[0] in _WHOLE_MICROS:
            out[k] = v.astype("datetime64[us]").astype(np.int64)
        elif type(v) is pd.Timestamp and v.unit in _WHOLE_MICROS and _NS_MIN < v.year < _NS_MAX:
            out[k] = v.value // 1000  # the UTC instant, whether or not it has a timezone
        else:
            rest.append(k)
    if rest:
        stamps = pd.to_datetime([instant(values[k], "UTC") for k in rest], utc=True).as_unit("us").asi8
        out[rest] = stamps
    return out


def _string_column(values: pa.Array, dtype: Any) -> pd.Series:
    """A text column as pandas makes one from a list of str: ``dtype`` is what it makes (Arrow-backed "str" unless that is off)."""
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        if values.type != pa.large_string():
            values = values.cast(pa.large_string())
        return pd.Series(ArrowStringArray(values, dtype=dtype), copy=False)
    return pd.Series(values.to_pylist(), dtype=dtype)


def cited_hash(cited: str) -> str:
    """A short hash of a finding's cited records (its ``cited`` JSON text).

    A reviewer may copy it into decisions.csv; when the cited records change
    (new wording, new date, moved row) the hash changes and the decision is
    flagged for re-review.

    Example:
        >>> cited_hash("[]")
        '4f53cda18c2b'
    """
    return hashlib.sha256(cited.encode("utf-8")).hexdigest()[:12]
