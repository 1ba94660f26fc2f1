"""The records matching works on: the "event" rows, read once into arrays.

Example:
    >>> from chronology.synth import generate_case
    >>> from chronology.match.settings import load_settings
    >>> events, _ = generate_case(5, seed=1)
    >>> len(prepare_records(events, load_settings()).record_id) == len(events)
    True
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import numpy as np
import pandas as pd

from chronology.ingest.classify import classify_text
from chronology.match.mentions import mention_masks
from chronology.match.settings import MatchSettings
from chronology.match.text import find_named_dates, read_texts
from chronology.vocabulary import Vocabulary, load_vocabulary

_EPOCH = date(1970, 1, 1)
#: Precision rank: lower is more precise.
PRECISION_RANK = {"time": 0, "day": 1, "week": 2, "month": 3, "term": 4, "year": 5}


@dataclass(frozen=True)
class Records:
    """The "event" rows of an events table, as arrays in row order.

    Attributes:
        row: Position of each record in the events table.
        record_id: Record ids.
        subject: Subject code (records of different codes never pair).
        agency: Agency label, lower-cased.
        first_day: First day the record may refer to (days since 1970, local).
        last_day: Last day it may refer to.
        minute: Local minutes since 1970 for precision "time", else NaN.
        precision: Precision rank (0 time ... 5 year; 9 unknown).
        event_type: Vocabulary type id.
        text: Description with outcome, as written.
        norm: Normalised text for scoring.
        refs: Reference numbers found in the text.
        names: Capitalised names found in the text.
        numbers: The numbers in the text, in order (dates, references), so
            that near-identical texts about different dates are told apart.
        named_row: For each date named in a text, the record (index into
            these arrays) that names it.
        named_day: The named day (days since 1970).
        from_agency: Sending agency, lower-cased.
        to_agency: Receiving agency, lower-cased.
        group: The vocabulary group of each record's type ("other" if unknown).
        retro: Whether the record records an earlier event (minutes, a
            letter or receipt, a write-up: ``[lag]`` of match.toml), so it may
            be dated days after the event it records.
        mentions: Bit mask of the case's agencies the text mentions
            (``chronology.match.mentions``), bit ``agency_code``.
        agency_code: The record's agency as an integer code.
        sent_to: Every agency the text says something went to, lower-cased
            (``find_directions``: "shared with health (GP + HV)" names both),
            beside ``to_agency``, the first.
        content_type: For such a record, the type of what it records: its
            text classified with the cue words taken out ("A&E discharge
            summary rec'd: attended with a scald" records an ED attendance;
            the description only: an outcome names what comes next);
            "" for other records, or when the text names no type beyond a
            handoff or receipt.
    """

    row: np.ndarray
    record_id: np.ndarray
    subject: np.ndarray
    agency: np.ndarray
    first_day: np.ndarray
    last_day: np.ndarray
    minute: np.ndarray
    precision: np.ndarray
    event_type: np.ndarray
    text: np.ndarray
    norm: np.ndarray
    refs: np.ndarray
    names: np.ndarray
    numbers: np.ndarray
    named_row: np.ndarray
    named_day: np.ndarray
    from_agency: np.ndarray
    to_agency: np.ndarray
    group: np.ndarray
    retro: np.ndarray
    content_type: np.ndarray
    mentions: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    agency_code: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    sent_to: list[tuple[str, ...]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.record_id)

    @property
    def recorded_kind(self) -> np.ndarray:
        """What each record records: its content type where it has one, else its own type."""
        return np.where(self.content_type != "", self.content_type, self.event_type)


def _local(series: pd.Series) -> pd.Series:
    """Wall-clock local times, timezone dropped (NaT stays NaT)."""
    values = pd.to_datetime(series)
    if getattr(values.dt, "tz", None) is not None:
        values = values.dt.tz_localize(None)
    return values.astype("datetime64[us]")


def _strings(series: pd.Series, lower: bool = False) -> np.ndarray:
    values = series.fillna("").astype(str)
    if lower:
        values = values.str.strip().str.lower()
    return values.to_numpy(dtype=object)


def _named_dates(text: np.ndarray, first_day: np.ndarray, max_days: int) -> tuple[np.ndarray, np.ndarray]:
    rows: list[int] = []
    days: list[int] = []
    has_digit = pd.Series(text).str.contains(r"\d", regex=True).to_numpy()
    for i in np.flatnonzero(has_digit & (first_day > -(10**8))):
        own = _EPOCH + timedelta(days=int(first_day[i]))
        for named in find_named_dates(text[i], own, max_days):
            rows.append(int(i))
            days.append((named - _EPOCH).days)
    return np.asarray(rows, dtype=np.int64), np.asarray(days, dtype=np.int64)


def retrospective(text: np.ndarray, group: np.ndarray, settings: MatchSettings) -> np.ndarray:
    """Whether each record records an earlier event: its type group or a cue in its text.

    Example:
        >>> from chronology.match.settings import load_settings
        >>> texts = np.array(["Minutes of core group received", "Core group held"], dtype=object)
        >>> retrospective(texts, np.array(["meeting", "meeting"]), load_settings()).tolist()
        [True, False]
    """
    by_group = np.isin(group, list(settings.lag_groups))
    pattern = _cue_pattern(settings.lag_cues)
    if pattern is None or len(text) == 0:
        return by_group
    codes, uniques = pd.factorize(pd.Series(text, dtype=object).str.lower())
    cued = np.fromiter((pattern.search(t) is not None for t in uniques), dtype=bool, count=len(uniques))
    return by_group | cued[codes]


def content_types(
    text: np.ndarray, retro: np.ndarray, settings: MatchSettings, vocab: Vocabulary
) -> np.ndarray:
    """The type of what each record of an earlier event records ("" for the others).

    Example:
        >>> from chronology.match.settings import load_settings
        >>> texts = np.array(["Core group minutes received and filed", "Core group held"], dtype=object)
        >>> content_types(texts, np.array([True, False]), load_settings(), load_vocabulary()).tolist()
        ['core_group', '']
    """
    out = np.full(len(text), "", dtype=object)
    pattern = _cue_pattern(settings.lag_cues)
    rows = np.flatnonzero(retro)
    if rows.size == 0:
        return out
    passing = vocab.in_group("handoff", "receipt") | {"other"}
    codes, uniques = pd.factorize(pd.Series(text[rows], dtype=object).str.lower())
    found = []
    for t in uniques:
        stripped = pattern.sub(" ", t) if pattern is not None else t
        kind = classify_text(stripped, vocab)
        found.append("" if kind in passing else kind)
    out[rows] = np.asarray(found + [""], dtype=object)[codes]
    return out


def unsent_types(text: np.ndarray, unsent: np.ndarray, vocab: Vocabulary) -> np.ndarray:
    """The meeting a letter or report naming no recipient was written for ("CP conference -
    report submitted": the conference), read past the handoff and receipt types; "" for other
    records, and where what it names is no meeting ("Referral made following home visit").

    Example:
        >>> texts = np.array(["CP conference - report submitted", "Report submitted"], dtype=object)
        >>> unsent_types(texts, np.array([True, True]), load_vocabulary()).tolist()
        ['meeting', '']
    """
    out = np.full(len(text), "", dtype=object)
    rows = np.flatnonzero(unsent)
    if rows.size == 0:
        return out
    passing = vocab.in_group("handoff", "receipt")
    written_for = vocab.in_group("meeting", "statutory")  # a report is written for a meeting
    codes, uniques = pd.factorize(pd.Series(text[rows], dtype=object))
    found = [classify_text(t, vocab, skip=passing) for t in uniques]
    out[rows] = np.asarray([k if k in written_for else "" for k in found] + [""], dtype=object)[codes]
    return out


@lru_cache(maxsize=8)
def _cue_pattern(cues: tuple[str, ...]) -> re.Pattern[str] | None:
    if not cues:
        return None
    ordered = sorted(cues, key=lambda c: (-len(c), c))
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(re.escape(c) for c in ordered) + r")(?![a-z0-9])")


def prepare_records(
    events: pd.DataFrame,
    settings: MatchSettings,
    vocab: Vocabulary | None = None,
    aliases: Mapping[str, Sequence[str]] | None = None,
) -> Records:
    """Read the "event" rows of ``events`` into arrays for matching.

    Records without a start date get no candidates (they stay singletons).

    Args:
        events: A table with the columns of ``chronology.schema.EVENT_COLUMNS``.
        settings: Matching settings (text tables, named-date reach, lag cues).
        vocab: The vocabulary (each type's group); the shipped one by default.
        aliases: Each agency label's extra aliases (case.toml), for the
            agencies a text mentions.

    Example:
        >>> from chronology.match.settings import load_settings
        >>> prepare_records(pd.DataFrame(columns=list(_NEEDED)), load_settings()).row.size
        0
    """
    is_event = (events["status"].astype(str) == "event").to_numpy()
    rows = np.flatnonzero(is_event)
    ev = events.iloc[rows]
    start, end = _local(ev["start"]), _local(ev["end"])
    end = end.fillna(start)
    day_ns = np.int64(86_400_000_000)
    missing = start.isna().to_numpy()
    start_us = start.to_numpy().astype("datetime64[us]").astype(np.int64)
    end_us = end.to_numpy().astype("datetime64[us]").astype(np.int64)
    first_day = np.where(missing, -(10**9), start_us // day_ns)
    last_day = np.where(missing, -(10**9), np.maximum(end_us // day_ns, first_day))
    precision_text = _strings(ev["date_precision"], lower=True)
    precision = np.asarray([PRECISION_RANK.get(p, 9) for p in precision_text], dtype=np.int64)
    minute = np.where((precision == 0) & ~missing, start_us // 60_000_000, np.nan).astype(float)
    description = ev["description"].fillna("").astype(str)
    outcome = ev["outcome"].fillna("").astype(str)
    text = (description + np.where(outcome.str.len() > 0, ". ", "") + outcome).to_numpy(dtype=object)
    read = read_texts(pd.Series(text), settings)
    subject = pd.factorize(_strings(ev["subject_ref"]), sort=True)[0]
    named_row, named_day = _named_dates(text, first_day, settings.named_date_days)
    event_type = _strings(ev["event_type"], lower=True)
    vocab = vocab or load_vocabulary()
    groups = {name: t.group for name, t in vocab.types.items()}
    group = np.asarray([groups.get(t, "other") for t in event_type], dtype=object)
    retro = retrospective(text, group, settings)
    agency = _strings(ev["agency"], lower=True)
    # a letter or report that names no recipient ("Conference - report submitted") compares as
    # what it is about, as a record of an earlier event does
    unsent = (
        (group == "handoff")
        & (_strings(ev["to_agency"], lower=True) == "")
        & (_strings(ev["from_agency"], lower=True) == "")
    )
    sent_to: list[tuple[str, ...]] = []
    mentions, agency_code = mention_masks(
        text, agency, vocab, aliases, recipients=sent_to, written=_strings(ev["agency"])
    )
    return Records(
        row=rows,
        record_id=_strings(ev["record_id"]),
        subject=np.asarray(subject, dtype=np.int64),
        agency=agency,
        first_day=first_day.astype(np.int64),
        last_day=last_day.astype(np.int64),
        minute=minute,
        precision=precision,
        event_type=event_type,
        text=text,
        norm=read["norm"].to_numpy(),
        refs=read["refs"].to_numpy(),
        names=read["names"].to_numpy(),
        numbers=read["numbers"].to_numpy(),
        named_row=named_row,
        named_day=named_day,
        from_agency=_strings(ev["from_agency"], lower=True),
        to_agency=_strings(ev["to_agency"], lower=True),
        group=group,
        retro=retro,
        # a decision is a happening of its own: what it decides on is not what it is
        content_type=np.where(
            unsent & ~retro,
            unsent_types(description.to_numpy(dtype=object), unsent & ~retro, vocab),
            content_types(
                description.to_numpy(dtype=object),
                retro & ~np.isin(group, sorted(settings.own_event_groups)),
                settings,
                vocab,
            ),
        ).astype(object),
        mentions=mentions,
        agency_code=agency_code,
        sent_to=sent_to,
    )


_NEEDED = (
    "record_id",
    "subject_ref",
    "agency",
    "status",
    "start",
    "end",
    "date_precision",
    "event_type",
    "description",
    "outcome",
    "from_agency",
    "to_agency",
)
