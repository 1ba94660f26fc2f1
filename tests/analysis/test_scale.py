"""Analysis of many subjects in one call: the same findings as ever, laid out without holding them all.

analyse() prepares the events once, runs the detectors one subject at a time
and lays each subject's findings out at once (FindingsTable); these tests hold
that to the plain layout it replaced (every Finding, one row dict each, one
DataFrame, one sort) and to the analysis of each subject alone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pytest

from chronology.analysis import DETECTORS, analyse
from chronology.analysis.analyser import _subjects
from chronology.analysis.context import Context, fmt_date, instant, local_midnight, prepare_events
from chronology.analysis.finding import (
    Finding,
    FindingsTable,
    _utc_micros,
    citations_text,
    cited_hash,
    cited_records,
    findings_frame,
    short_ids,
)
from chronology.schema import FINDING_COLUMNS
from chronology.synth import generate_case
from chronology.vocabulary import load_vocabulary

TZ = "Europe/London"


def _events(n_events: int = 500, n_subjects: int = 4, seed: int = 3) -> pd.DataFrame:
    """Generated events of several subjects, each real event of two or more records one cluster."""
    events, truth = generate_case(n_events, seed=seed, n_subjects=n_subjects, events_per_day=0.4)
    sizes = truth.map(truth.value_counts())
    events["cluster_id"] = np.where(sizes.to_numpy() > 1, "C-" + truth.astype(str), "")
    return events


def _reference_frame(findings: Sequence[Finding], ctx: Context) -> pd.DataFrame:
    """The findings frame as it was first laid out: a dict per finding, one DataFrame, one sort."""
    unique: dict[str, Finding] = {}
    for f in findings:
        unique.setdefault(f.key(), f)
    ids = short_ids(list(unique))
    rows = []
    for key, f in unique.items():
        cited = cited_records(ctx, f.record_ids)
        cited_text = json.dumps(cited, sort_keys=True, ensure_ascii=False)
        rows.append(
            {
                "finding_id": ids[key],
                "subject_ref": f.subject_ref,
                "kind": f.kind,
                "subkind": f.subkind,
                "severity": f.severity,
                "title": f.title,
                "statement": f.statement,
                "agencies": sorted(set(f.agencies)),
                "start": f.start,
                "end": f.end,
                "record_ids": sorted(f.record_ids),
                "from_agency": f.from_agency,
                "to_agency": f.to_agency,
                "citations": citations_text(cited),
                "rule": json.dumps(
                    {"name": f.detector, "parameters": f.params}, sort_keys=True, ensure_ascii=False
                ),
                "status": "open",
                "decision_reason": "",
                "reviewer": "",
                "cited": cited_text,
                "cited_hash": cited_hash(cited_text),
            }
        )
    frame = pd.DataFrame(rows, columns=list(FINDING_COLUMNS))
    for c in ("start", "end"):
        values = [instant(v, "UTC") for v in frame[c]]
        frame[c] = pd.Series(pd.to_datetime(values, utc=True).tz_convert(ctx.timezone)).astype(
            f"datetime64[us, {ctx.timezone}]"
        )
    return frame.sort_values(["start", "finding_id"], kind="stable").reset_index(drop=True)


def _detector_findings(prepared: pd.DataFrame, ctx: Context) -> list[Finding]:
    found = []
    for d in DETECTORS.values():
        assert d.run is not None
        for f in d.run(prepared, pd.DataFrame(), d.defaults(), ctx):
            f.subject_ref = str(prepared["subject_ref"].iat[0])
            found.append(f)
    return found


def _assert_same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert [str(t) for t in a.dtypes] == [str(t) for t in b.dtypes]


def test_the_table_lays_findings_out_as_the_row_by_row_frame_did():
    vocab = load_vocabulary()
    prepared = prepare_events(_events(n_subjects=1), TZ, vocab)
    ctx = Context.build(prepared, vocab, TZ)
    ctx.rules = {name: d.defaults() for name, d in DETECTORS.items()}
    found = _detector_findings(prepared, ctx)
    assert len({f.kind for f in found}) >= 4 and len(found) > 100
    # Start and end come as naive UTC numpy values, local timestamps and other timezones' timestamps.
    found[0].start = pd.Timestamp(found[0].start).tz_localize("UTC").tz_convert("America/New_York")
    found[1].end = pd.Timestamp("2021-03-28 01:30:00.123456789", tz="UTC")  # finer than a microsecond
    found.append(found[2])  # the same finding twice: kept once
    reference = _reference_frame(found, ctx)
    table = FindingsTable(TZ)
    half = len(found) // 2
    table.add(found[:half], ctx)
    table.add([], ctx)
    table.add(found[half:], ctx)
    assert len(table) == len(reference)
    _assert_same(table.frame(), reference)
    _assert_same(findings_frame(found, ctx), reference)
    _assert_same(FindingsTable(TZ).frame(), findings_frame([], ctx))


def test_one_call_over_many_subjects_finds_what_each_subject_alone_does():
    events = _events(n_subjects=4)
    together = analyse(events, pd.DataFrame(), timezone=TZ).findings
    alone = [
        analyse(
            events[events["subject_ref"] == s].reset_index(drop=True), pd.DataFrame(), timezone=TZ
        ).findings
        for s in sorted(set(events["subject_ref"]))
    ]
    assert all(len(f) for f in alone)
    combined = (
        pd.concat(alone, ignore_index=True)
        .sort_values(["start", "finding_id"], kind="stable")
        .reset_index(drop=True)
    )
    _assert_same(together, combined)
    assert together["subject_ref"].nunique() == 4


def test_each_subject_is_one_slice_of_the_prepared_events_as_groupby_gives():
    prepared = prepare_events(_events(n_subjects=5).sample(frac=1, random_state=0), TZ)
    got = list(_subjects(prepared))
    expected = [(str(s), g.reset_index(drop=True)) for s, g in prepared.groupby("subject_ref", sort=True)]
    assert [s for s, _ in got] == [s for s, _ in expected]
    for (_, a), (_, b) in zip(got, expected, strict=True):
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    shuffled = prepared.sample(frac=1, random_state=2).reset_index(drop=True)  # not by subject: grouped
    assert [s for s, _ in _subjects(shuffled)] == [s for s, _ in expected]
    one = prepared[prepared["subject_ref"] == "S0001"].reset_index(drop=True)
    assert [s for s, _ in _subjects(one)] == ["S0001"]
    assert [s for s, _ in _subjects(one.iloc[:0])] == [""]


def test_prepared_events_share_repeated_text_and_come_in_subject_day_order():
    events = _events(n_subjects=3).sample(frac=1, random_state=1).reset_index(drop=True)
    events.loc[events.index[::9], "status"] = "continuation"
    prepared = prepare_events(events, TZ)
    assert len(prepared) == (events["status"] == "event").sum()
    keys = list(
        zip(prepared["subject_ref"], prepared["day"], prepared["start"], prepared["record_id"], strict=True)
    )
    assert keys == sorted(keys)
    for col in ("agency", "event_type", "source_file", "subject_ref", "date_precision"):
        values = prepared[col].to_numpy()
        assert values.dtype == object
        first: dict[str, Any] = {}
        for v in values:
            assert first.setdefault(v, v) is v  # one string object per distinct value
    for col in ("group", "concern"):  # one per event type
        assert len({id(v) for v in prepared[col]}) <= prepared["event_type"].nunique()
    row = prepared.iloc[0]
    assert row["text"] == f"{row['type_label']} {row['description']} {row['outcome']}".lower()


def test_instants_are_read_as_pandas_reads_them():
    values: list[Any] = [
        np.datetime64("2021-03-28T00:30:00.000001", "us"),
        np.datetime64("2021-03-28", "D"),
        np.datetime64("2021-03-28T01:00:00", "s"),
        np.datetime64("2021-03-28T01:00:00.000000500", "ns"),
        np.datetime64("NaT", "us"),
        pd.Timestamp("2021-03-28 02:30", tz="Europe/London"),
        pd.Timestamp("2021-03-28 02:30", tz="America/New_York").as_unit("s"),
        pd.Timestamp("2021-03-28 02:30:00.000000001", tz="UTC"),
        pd.Timestamp("2021-03-28 02:30"),
        local_midnight(np.datetime64("2021-10-31"), "Europe/London"),
    ]
    expected = pd.to_datetime([instant(v, "UTC") for v in values], utc=True).as_unit("us").asi8
    assert _utc_micros(values).tolist() == expected.tolist()


@pytest.mark.parametrize("day", ["2021-03-28", "2021-10-31", "2019-06-02", "1999-12-31"])
def test_remembered_days_and_midnights_are_the_plain_ones(day):
    for value in (np.datetime64(day, "D"), np.datetime64(f"{day}T00:00:00", "s")):
        for _ in range(2):
            assert fmt_date(value) == value.astype("datetime64[D]").astype(object).strftime("%d/%m/%Y")
            for tz in ("Europe/London", "Australia/Sydney"):
                stamp = local_midnight(value, tz)
                assert stamp == pd.Timestamp(value).tz_localize(tz)
                assert stamp.unit == pd.Timestamp(value).unit
