"""The demo case (data_samples/child_h) and its truth files agree with each other and with the files.

The first tests need only the generator and the files; they read the agency files with openpyxl and csv
directly, independent of the package's readers. The last test ("demo truth is met row for row") runs the
package's ingestion and compares it with truth/rows.csv.
"""

from __future__ import annotations

import csv
import hashlib
import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "data_samples" / "make_demo.py"
CASE_DIR = ROOT / "data_samples" / "child_h"
CASE = CASE_DIR / "case.toml"
TRUTH = CASE_DIR / "truth"

# How each file is laid out (independent of the package): header row, encoding, delimiter, header text.
LAYOUT = {
    "police.xlsx": {"sheet": "Chronology", "header_row": 4, "first": "Date/Time"},
    "csc.xlsx": {"sheet": "Case notes", "header_row": 1, "first": "Event date"},
    "gp.csv": {"encoding": "cp1252", "delimiter": ",", "first": "Date of contact"},
    "health_visiting.csv": {"encoding": "utf-8-sig", "delimiter": ";", "first": "Date"},
    "school.xlsx": {"sheet": "DSL log", "header_row": 2, "first": "Date"},
    "ed.csv": {"encoding": "utf-8", "delimiter": ",", "first": "Arrival"},
}


def _truth_rows() -> list[dict[str, str]]:
    with (TRUTH / "rows.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _truth_findings() -> list[dict[str, str]]:
    with (TRUTH / "findings.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _sources() -> list[dict]:
    return tomllib.loads(CASE.read_text(encoding="utf-8"))["sources"]


def _files_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _nonempty(cells) -> bool:
    return any(c is not None and str(c).strip() != "" for c in cells)


def _file_rows(path: str) -> dict[int, tuple]:
    """Non-empty rows below the header: {row number as a spreadsheet shows it: cells}."""
    lay = LAYOUT[path]
    full = CASE_DIR / path
    if path.endswith(".xlsx"):
        wb = openpyxl.load_workbook(full, read_only=False)
        ws = wb[lay["sheet"]]
        assert ws.cell(lay["header_row"], 1).value == lay["first"]
        return {
            r: cells
            for r, cells in enumerate(ws.iter_rows(values_only=True), start=1)
            if r > lay["header_row"] and _nonempty(cells)
        }
    with full.open(encoding=lay["encoding"], newline="") as fh:
        records = list(csv.reader(fh, delimiter=lay["delimiter"]))
    assert records[0][0] == lay["first"]
    return {n: tuple(rec) for n, rec in enumerate(records, start=1) if n > 1 and _nonempty(rec)}


# ------------------------------------------------------------------------------------------ generator
@pytest.mark.slow
def test_generator_is_deterministic_and_committed(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        subprocess.run([sys.executable, str(GENERATOR), str(out)], check=True, capture_output=True)
    assert _files_digest(a) == _files_digest(b), "two runs of the generator differ"
    committed = _files_digest(CASE_DIR)
    assert committed == _files_digest(a), (
        "data_samples/child_h is not what make_demo.py writes; re-run .venv/bin/python data_samples/make_demo.py"
    )


# ------------------------------------------------------------------------------------------ case file
def test_case_names_only_path_and_agency() -> None:
    sources = _sources()
    assert [s["path"] for s in sources] == list(LAYOUT)
    for s in sources:
        assert set(s) == {"path", "agency"}, s
    assert {s["agency"] for s in sources} == {
        "Police",
        "Children's Social Care",
        "GP",
        "Health Visiting",
        "School",
        "Emergency Department",
    }


def test_case_file_loads() -> None:
    from chronology.config import load_config

    cfg = load_config(CASE)
    assert cfg.timezone == "Europe/London"
    assert cfg.date_of_birth is not None
    assert cfg.names["Kayla Brennan"] == "Child H"
    assert len(cfg.sources) == 6


# ------------------------------------------------------------------------------------------ rows.csv
@pytest.mark.parametrize("path", list(LAYOUT))
def test_rows_csv_covers_exactly_the_nonempty_rows(path: str) -> None:
    truth = [r for r in _truth_rows() if r["source_file"] == path]
    in_file = _file_rows(path)
    listed = Counter(int(r["source_row"]) for r in truth)
    assert not [n for n, k in listed.items() if k > 1], "a row is listed twice"
    assert set(listed) == set(in_file), (
        f"missing from truth: {sorted(set(in_file) - set(listed))}; "
        f"not a non-empty row: {sorted(set(listed) - set(in_file))}"
    )
    sheet = LAYOUT[path].get("sheet", "")
    assert {r["source_sheet"] for r in truth} == {sheet}


def test_rows_csv_values_are_valid() -> None:
    from chronology.schema import DATE_PRECISIONS, STATUSES
    from chronology.vocabulary import load_vocabulary

    types = set(load_vocabulary().types)
    rows = _truth_rows()
    assert len(rows) >= 200
    for r in rows:
        assert r["status"] in STATUSES, r
        if r["status"] == "event":
            assert r["event_type"] in types, r
            assert r["date_precision"] in DATE_PRECISIONS, r
            assert len(r["date"]) == 10, r
        else:
            assert r["reason_hint"], r
            assert not r["event_type"] and not r["date"] and not r["true_event"], r
    statuses = Counter(r["status"] for r in rows)
    assert statuses["continuation"] >= 2 and statuses["rejected"] >= 2


def test_every_true_event_has_two_rows_or_more() -> None:
    counts = Counter(r["true_event"] for r in _truth_rows() if r["true_event"])
    assert counts, "no true events"
    assert not {k: n for k, n in counts.items() if n < 2}
    assert len(counts) >= 25


def test_the_within_agency_duplicate_is_one_true_event() -> None:
    ed = [r for r in _truth_rows() if r["source_file"] == "ed.csv" and r["status"] == "event"]
    rows = _file_rows("ed.csv")
    dup = [r for r in ed if list(rows.values()).count(rows[int(r["source_row"])]) == 2]
    assert len(dup) == 2 and dup[0]["true_event"] == dup[1]["true_event"] != ""


# ------------------------------------------------------------------------------------------ findings.csv
def test_findings_cite_rows_in_rows_csv() -> None:
    from chronology.schema import FINDING_KINDS

    known = {f"{r['source_file']}:{r['source_sheet']}:{r['source_row']}": r for r in _truth_rows()}
    findings = _truth_findings()
    assert len({f["planted_id"] for f in findings}) == len(findings)
    for f in findings:
        assert f["kind"] in FINDING_KINDS, f
        assert f["expect"] in ("fire", "control"), f
        assert f["start"] <= f["end"], f
        assert f["cites"], f
        for cite in f["cites"].split(";"):
            assert cite in known, (f["planted_id"], cite)
            assert known[cite]["status"] == "event", (f["planted_id"], cite)


def test_every_kind_has_a_planted_finding_and_a_control() -> None:
    from chronology.schema import FINDING_KINDS

    findings = _truth_findings()
    for kind in FINDING_KINDS:
        expects = {f["expect"] for f in findings if f["kind"] == kind}
        assert expects == {"fire", "control"}, kind
    breaches = {f["subkind"] for f in findings if f["kind"] == "timescale_breach" and f["expect"] == "fire"}
    met = {f["subkind"] for f in findings if f["kind"] == "timescale_breach" and f["expect"] == "control"}
    assert len(breaches) >= 3
    assert breaches | met >= {
        "referral_decision",
        "strategy_to_icpc",
        "icpc_to_core_group",
        "icpc_to_review",
        "assessment_duration",
        "cp_visits",
    }


# ------------------------------------------------------------------------------------------ ingestion
def test_demo_truth_is_met_row_for_row() -> None:
    """Ingest the demo case and compare status, event_type, date and precision with truth/rows.csv."""
    ingest = pytest.importorskip("chronology.ingest")
    if not hasattr(ingest, "ingest_case"):
        pytest.skip("chronology.ingest.ingest_case does not exist yet")
    import pandas as pd

    from chronology.config import load_config

    cfg = load_config(CASE)
    result = ingest.ingest_case(cfg)
    events = result.events if hasattr(result, "events") else result
    events = pd.DataFrame(events)
    got = {
        (str(e.source_file), str(e.source_sheet or ""), int(e.source_row)): e
        for e in events.itertuples(index=False)
    }
    mismatches: list[str] = []
    truth = _truth_rows()
    for t in truth:
        key = (t["source_file"], t["source_sheet"], int(t["source_row"]))
        where = f"{key[0]}:{key[1]}:{key[2]}"
        e = got.get(key)
        if e is None:
            mismatches.append(f"{where}: missing from events")
            continue
        if e.status != t["status"]:
            mismatches.append(f"{where}: status {e.status!r}, expected {t['status']!r} ({e.reason})")
            continue
        if t["status"] != "event":
            continue
        if e.event_type != t["event_type"]:
            mismatches.append(f"{where}: event_type {e.event_type!r}, expected {t['event_type']!r}")
        start = e.start
        day = (
            ""
            if start is None or pd.isna(start)
            else pd.Timestamp(start).tz_convert(cfg.timezone).date().isoformat()
        )
        if day != t["date"]:
            mismatches.append(f"{where}: date {day!r}, expected {t['date']!r}")
        if e.date_precision != t["date_precision"]:
            mismatches.append(f"{where}: precision {e.date_precision!r}, expected {t['date_precision']!r}")
    extra = set(got) - {(t["source_file"], t["source_sheet"], int(t["source_row"])) for t in truth}
    mismatches += [f"{k[0]}:{k[1]}:{k[2]}: in events but not in truth" for k in sorted(extra)]
    if mismatches:
        print(f"{len(mismatches)} mismatches with truth/rows.csv:")
        print("\n".join(mismatches))
    assert not mismatches, f"{len(mismatches)} mismatches (see the printed list)"


# ------------------------------------------------------------------------------------------ analysis
def test_demo_planted_findings_fire_and_controls_do_not() -> None:
    """Run the whole pipeline on the demo case and score its findings against truth/findings.csv.

    The rule of truth/README.md: a finding matches a planted row when kind (and subkind for
    timescale_breach) agree, the finding's start (local date) falls within the row's start..end, and it
    cites at least one of the row's cited rows.
    """
    pytest.importorskip("chronology.analysis")
    pytest.importorskip("chronology.match")
    import pandas as pd

    from chronology.config import load_config
    from chronology.pipeline import run_case

    cfg = load_config(CASE)
    findings = run_case(cfg).findings
    found = []
    for f in findings.itertuples(index=False):
        start = pd.Timestamp(f.start)
        day = (start.tz_convert(cfg.timezone) if start.tzinfo else start).date().isoformat()
        cites = set(str(f.citations).split(";"))
        found.append((f.kind, str(f.subkind or ""), day, cites))
    problems = []
    for p in _truth_findings():
        cites = set(p["cites"].split(";"))
        hit = [
            f
            for f in found
            if f[0] == p["kind"]
            and (p["kind"] != "timescale_breach" or f[1] == p["subkind"])
            and p["start"] <= f[2] <= p["end"]
            and f[3] & cites
        ]
        if p["expect"] == "fire" and not hit:
            problems.append(f"{p['planted_id']} {p['kind']} {p['subkind']} not found: {p['note']}")
        if p["expect"] == "control" and hit:
            problems.append(f"{p['planted_id']} control fired ({p['kind']} {p['subkind']}): {p['note']}")
    if problems:
        print("\n".join(problems))
    assert not problems, f"{len(problems)} planted findings missed or controls fired (see the printed list)"
