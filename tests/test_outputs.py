"""Tests of chronology.outputs: all-or-nothing writing, determinism, pseudonyms, CSV safety."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from chronology import outputs
from chronology.config import CaseConfig, SourceConfig
from chronology.errors import InputError
from chronology.outputs import (
    OUTPUT_FILES,
    findings_csv,
    write_clusters_parquet,
    write_events_parquet,
    write_outputs,
)
from chronology.pipeline import Run
from chronology.pseudonyms import PseudonymisationError
from chronology.schema import EVENT_COLUMNS, FINDING_COLUMNS, event_schema

TZ = "Europe/London"
# Invented people: the mother, her partner and the child of a made-up case.
NAMES = {"Jodie Brennan": "Mother", "Jodie": "Mother", "Dean Morley": "Partner", "Kai": "Child H"}


def _event(row: int, agency: str, file: str, sheet: str, when: str | None, **cells: object) -> dict:
    """One event record with every contract column; ``cells`` override the defaults."""
    start = pd.Timestamp(when, tz=TZ) if when else pd.NaT
    record = {
        "record_id": f"{file}-{row}",
        "subject_ref": "",
        "agency": agency,
        "source_file": file,
        "source_sheet": sheet,
        "source_row": row,
        "status": "event",
        "reason": "",
        "start": start,
        "end": start,
        "date_precision": "time" if when and ":" in when else ("day" if when else None),
        "event_type": "home_visit",
        "type_label": "Visit",
        "description": "",
        "outcome": "",
        "practitioner": "",
        "from_agency": "",
        "to_agency": "",
        "cluster_id": "",
        "raw": "{}",
    }
    record.update(cells)
    return record


def make_run(folder: Path, *, pseudonymise: bool = False) -> Run:
    """A two-agency run with the real names of NAMES in every text place."""
    events = pd.DataFrame(
        [
            _event(
                14,
                "Police",
                "police.xlsx",
                "Chronology",
                "2019-03-03 21:40",
                description="DA incident: Dean Morley assaulted JODIE BRENNAN; Kai present.",
                outcome="PPN to MASH re Kai",
                practitioner="PC Harper (Kai's case)",
                type_label="Domestic incident (Kai)",
                event_type="domestic_abuse_incident",
                cluster_id="C1",
                raw=json.dumps(
                    {"Date": "03/03/2019 21:40", "Details": "Dean Morley assaulted Jodie Brennan"}
                ),
            ),
            _event(
                22,
                "Children's Social Care",
                "csc.csv",
                "",
                "2019-03-04",
                description="PPN received; Jodie's phone off. Kai not seen.",
                cluster_id="C1",
                event_type="notification",
                raw=json.dumps({"Entry": "PPN received, Jodie\u2019s phone off"}),
            ),
            _event(
                23,
                "Children's Social Care",
                "csc.csv",
                "",
                None,
                status="rejected",
                reason="impossible date 31/02/2020",
                raw=json.dumps({"Date": "31/02/2020", "Entry": '=HYPERLINK("http://x","Kai")'}),
            ),
        ]
    )
    clusters = pd.DataFrame(
        [
            {
                "cluster_id": "C1",
                "subject_ref": "",
                "start": pd.Timestamp("2019-03-03 21:40", tz=TZ),
                "end": pd.Timestamp("2019-03-04", tz=TZ),
                "date_precision": "day",
                "event_type": "domestic_abuse_incident",
                "description": "DA incident, Kai present",
                "agencies": ["Police", "Children's Social Care"],
                "record_ids": ["police.xlsx-14", "csc.csv-22"],
                "member_agencies": ["Police", "Children's Social Care"],
                "member_starts": ["2019-03-03 21:40", "2019-03-04"],
                "member_lag_days": [0, 1],
                "size": 2,
                "evidence": json.dumps({"note": "both name Jodie Brennan", "score": 0.9}),
            }
        ]
    )
    findings = pd.DataFrame(
        [
            {
                "finding_id": "F-1a2b",
                "subject_ref": "",
                "kind": "info_sharing_gap",
                "subkind": "",
                "severity": "high",
                "title": "=Kai's injury not shared",
                "statement": "Police saw Kai on 03/03/2019; Jodie Brennan was not contacted.",
                "agencies": ["Police", "Children's Social Care"],
                "start": pd.Timestamp("2019-03-03", tz=TZ),
                "end": pd.Timestamp("2019-03-04", tz=TZ),
                "record_ids": ["police.xlsx-14", "csc.csv-22"],
                "from_agency": "Police",
                "to_agency": "Children's Social Care",
                "citations": "police.xlsx:Chronology:14;csc.csv::22",
                "rule": json.dumps({"name": "info_sharing_gap", "parameters": {"days": 5}}),
                "status": "open",
                "decision_reason": "",
                "reviewer": "",
                "cited": json.dumps(
                    [
                        {
                            "agency": "Children's Social Care",
                            "date": "04/03/2019",
                            "excerpt": "PPN received; Jodie's phone off. Kai not seen.",
                            "record_id": "csc.csv-22",
                            "source_file": "csc.csv",
                            "source_row": 22,
                            "source_sheet": "",
                        }
                    ],
                    sort_keys=True,
                    ensure_ascii=False,
                ),
            }
        ]
    )
    sources = pd.DataFrame(
        [
            {"source_file": "police.xlsx", "agency": "Police", "sheet": "Chronology", "header_row": 1,
             "sha256": "a" * 64, "rows_read": 1, "events": 1, "continuations": 0, "rejected": 0},
            {"source_file": "csc.csv", "agency": "Children's Social Care", "sheet": "", "header_row": 1,
             "sha256": "b" * 64, "rows_read": 2, "events": 1, "continuations": 0, "rejected": 1},
        ]
    )  # fmt: skip
    pairs = pd.DataFrame(
        [{"record_id_a": "police.xlsx-14", "record_id_b": "csc.csv-22", "why": "Kai in both"}]
    )
    config = CaseConfig(
        path=folder / "case.toml",
        name="Review of Kai",
        timezone=TZ,
        pseudonymise=pseudonymise,
        sources=(
            SourceConfig("police.xlsx", "Police", folder / "police.xlsx"),
            SourceConfig("csc.csv", "Children's Social Care", folder / "csc.csv"),
        ),
        rules={"contact_gap": {"max_days": 28}},
        names=dict(NAMES),
        sha256="c" * 64,
    )
    return Run(config, events, sources, clusters, pairs, findings, warnings=["Kai: a warning"])


def _stub(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stand in for writers of other stages that have not landed yet (tests only)."""

    def dump(run: Run, path: Path) -> None:
        # Every text of the run, so the pseudonym check still has something to find.
        frames = [run.events, run.clusters, run.findings]
        path.write_text("\n".join(f.astype(str).to_csv() for f in frames), encoding="utf-8")

    try:
        import chronology.analysis  # noqa: F401
    except ImportError:
        monkeypatch.setitem(outputs.WRITERS, "findings.json", dump)
        monkeypatch.setitem(outputs.WRITERS, "findings.md", dump)
    try:
        import chronology.views.report  # noqa: F401
    except ImportError:
        monkeypatch.setitem(outputs.WRITERS, "timeline.html", dump)


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    _stub(monkeypatch)
    return make_run(tmp_path)


def _file_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_every_output_written_owner_only(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "out" / "child_h"
    paths = write_outputs(run, out)
    assert sorted(paths) == sorted(OUTPUT_FILES)
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)  # no temporary file left
    for path in paths.values():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(out.stat().st_mode) == 0o700


def test_two_writes_are_byte_identical(run: Run, tmp_path: Path) -> None:
    write_outputs(run, tmp_path / "a")
    write_outputs(run, tmp_path / "b")
    a, b = _file_bytes(tmp_path / "a"), _file_bytes(tmp_path / "b")
    assert a.keys() == b.keys()
    for name in a:
        assert a[name] == b[name], name


def test_events_parquet_has_contract_schema(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "events.parquet"
    write_events_parquet(run.events, path, TZ)
    table = pq.read_table(path)
    assert table.schema.equals(event_schema(TZ))
    # Timestamps keep the instant: 21:40 in London in March is 21:40 UTC.
    assert table.column("start")[0].as_py() == pd.Timestamp("2019-03-03 21:40", tz=TZ)
    assert table.column("start")[2].as_py() is None  # the rejected row has no date


def test_clusters_parquet_keeps_lists(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "clusters.parquet"
    write_clusters_parquet(run.clusters, path, TZ)
    first = pq.read_table(path).to_pylist()[0]
    assert first["record_ids"] == ["police.xlsx-14", "csc.csv-22"]
    assert first["size"] == 2


def test_manifest_names_inputs_outputs_and_rules(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_outputs(run, out)
    doc = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert doc["case"]["sha256"] == "c" * 64
    assert [i["path"] for i in doc["inputs"]] == ["police.xlsx", "csc.csv"]
    assert doc["inputs"][1]["rejected"] == 1
    assert set(doc["outputs"]) == set(OUTPUT_FILES) - {"manifest.json"}
    workbook = out / "chronology.xlsx"
    assert doc["outputs"]["chronology.xlsx"]["size"] == workbook.stat().st_size
    assert doc["rules"] == {"contact_gap": {"max_days": 28}}
    assert doc["rules_in_force"]["detectors"]["contact_gap"]["max_days"] == 28
    assert doc["pseudonymised"] is False
    assert "generated_at" not in doc
    assert doc["toolkit"]["version"]


def test_writer_failing_midway_leaves_previous_outputs(run: Run, tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "out"
    write_outputs(run, out)
    before = _file_bytes(out)

    def broken(run: Run, path: Path) -> None:
        path.write_bytes(b"half a workbook")
        raise RuntimeError("disk full")

    # A changed run, so that a rename of any file would show in the bytes.
    run.events.loc[0, "description"] = "changed"
    for name in outputs.WRITERS:
        monkeypatch.setitem(outputs.WRITERS, name, broken)
        with pytest.raises(RuntimeError, match="disk full"):
            write_outputs(run, out)
        assert _file_bytes(out) == before, name  # same files, same bytes, no .tmp- file
        monkeypatch.undo()
        _stub(monkeypatch)


def _without_plotly(page: str) -> str:
    """The page without plotly.js: minified third-party code that happens to spell "Kai"."""
    plotly = pytest.importorskip("plotly.offline")
    bundle = plotly.get_plotlyjs()
    return page.replace(bundle, "").replace(bundle.replace("</script", "<\\/script"), "")


def test_rename_failing_midway_puts_previous_outputs_back(run: Run, tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "out"
    write_outputs(run, out)
    before = _file_bytes(out)
    real_replace = os.replace
    calls = []

    def third_rename_fails(src, dst) -> None:
        # The third temporary file cannot be renamed in (say, the disk went away).
        if Path(src).name.startswith(".tmp-"):
            calls.append(src)
            if len(calls) == 3:
                raise OSError("rename failed")
        real_replace(src, dst)

    run.events.loc[0, "description"] = "changed"
    monkeypatch.setattr(outputs.os, "replace", third_rename_fails)
    with pytest.raises(OSError, match="rename failed"):
        write_outputs(run, out)
    monkeypatch.setattr(outputs.os, "replace", real_replace)
    assert _file_bytes(out) == before  # the two renamed files put back; no .tmp- or .prev- file


def test_pseudonymised_outputs_hold_no_real_name(tmp_path: Path, monkeypatch) -> None:
    _stub(monkeypatch)
    out = tmp_path / "out"
    write_outputs(make_run(tmp_path), out, pseudonymise=True)
    for path in out.iterdir():
        texts = [path.read_bytes().decode("utf-8", "replace")]
        if path.suffix == ".html":
            texts = [_without_plotly(texts[0])]
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as archive:
                texts += [archive.read(n).decode("utf-8") for n in archive.namelist()]
        if path.suffix == ".parquet":
            texts.append(pq.read_table(path).to_pandas().astype(str).to_csv())
        for text in texts:
            for real in ("Jodie", "Brennan", "Dean Morley", "Kai"):
                # Substrings, not words: stricter than the toolkit's own check.
                assert real.lower() not in text.lower(), (path.name, real)
    doc = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert doc["pseudonymised"] is True
    events = pq.read_table(out / "events.parquet").to_pandas()
    assert "Partner assaulted Mother; Child H present" in events.loc[0, "description"]
    assert json.loads(events.loc[0, "raw"])["Details"] == "Partner assaulted Mother"


def test_name_left_in_an_output_fails_the_run(tmp_path: Path, monkeypatch) -> None:
    _stub(monkeypatch)
    run = make_run(tmp_path)
    out = tmp_path / "out"
    write_outputs(run, out)
    before = _file_bytes(out)

    def leaky(run: Run, path: Path) -> None:
        path.write_text("<p>Kai</p>", encoding="utf-8")  # a writer that ignores the pseudonymised run

    monkeypatch.setitem(outputs.WRITERS, "timeline.html", leaky)
    with pytest.raises(PseudonymisationError, match="timeline.html: Kai") as caught:
        write_outputs(run, out, pseudonymise=True)
    assert isinstance(caught.value, InputError)
    assert _file_bytes(out) == before


def test_pseudonymise_without_names_is_refused(run: Run, tmp_path: Path) -> None:
    from dataclasses import replace

    run.config = replace(run.config, names={})
    with pytest.raises(PseudonymisationError, match=r"\[names\] is empty"):
        write_outputs(run, tmp_path / "out", pseudonymise=True)
    assert not (tmp_path / "out").exists()


def test_findings_csv_neutralises_every_cell(run: Run) -> None:
    findings = run.findings.copy()
    findings.loc[0, "statement"] = "-2 visits @home"
    findings.loc[0, "reviewer"] = "\tTab"
    rows = list(csv.reader(io.StringIO(findings_csv(findings))))
    assert rows[0] == list(FINDING_COLUMNS)
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["title"] == "'=Kai's injury not shared"
    assert record["statement"] == "'-2 visits @home"
    assert record["reviewer"] == "'\tTab"
    assert record["agencies"] == "Police; Children's Social Care"  # lists joined with "; "
    assert record["start"] == "2019-03-03"
    assert json.loads(record["rule"])["parameters"] == {"days": 5}


def test_findings_csv_file_opens_as_utf8_in_excel(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_outputs(run, out)
    assert (out / "findings.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # byte-order mark


def test_timestamp_only_when_asked(run: Run, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("CHRONOLOGY_TIMESTAMP", "1")
    write_outputs(run, tmp_path / "out")
    assert "generated_at" in json.loads((tmp_path / "out" / "manifest.json").read_text())


def test_stale_temporary_file_is_replaced(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    # Left by a run killed before its clean-up; world-readable.
    stale = out / ".tmp-findings.csv"
    stale.write_text("old")
    os.chmod(stale, 0o644)
    write_outputs(run, out)
    assert not stale.exists()
    assert stat.S_IMODE((out / "findings.csv").stat().st_mode) == 0o600


def test_output_folder_that_is_a_file_is_refused(run: Run, tmp_path: Path) -> None:
    (tmp_path / "out").write_text("not a folder")
    with pytest.raises(InputError, match="output folder is a file"):
        write_outputs(run, tmp_path / "out")


def test_missing_event_column_is_named(run: Run, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="raw"):
        write_events_parquet(run.events.drop(columns=["raw"]), tmp_path / "e.parquet", TZ)
    assert list(EVENT_COLUMNS)[-1] == "raw"


def test_check_sees_names_in_every_output(run: Run, tmp_path: Path) -> None:
    # Without pseudonyms every output holds "Kai" (the case's name is in the manifest):
    # the check must see it through each format, the page's data block included.
    from chronology.pseudonyms import check_outputs

    out = tmp_path / "out"
    write_outputs(run, out)
    left = check_outputs(out, NAMES)
    assert {line.split(": ")[0] for line in left if line.endswith(": Kai")} == set(OUTPUT_FILES)


DEMO = Path(__file__).resolve().parent.parent / "data_samples" / "child_h" / "case.toml"


@pytest.mark.slow
def test_merge_of_the_demo_twice_gives_the_same_bytes_and_no_real_name(tmp_path: Path) -> None:
    # The whole command, twice, pseudonymised: every stage must be deterministic.
    # Exit status 0 also means the pseudonym check found no real name in any output.
    from chronology.cli import main

    if not DEMO.exists():
        pytest.skip("the demo case is not in this checkout")
    for folder in ("a", "b"):
        assert main(["merge", str(DEMO), "--out", str(tmp_path / folder), "--pseudonymise"]) == 0
    a, b = _file_bytes(tmp_path / "a"), _file_bytes(tmp_path / "b")
    assert sorted(a) == sorted(OUTPUT_FILES)
    assert [name for name in a if a[name] != b[name]] == []


def test_events_parquet_bytes_do_not_follow_how_the_frame_was_built(run: Run, tmp_path: Path) -> None:
    """Text in many Arrow chunks (a chunk per source after ingest_case) is written as one: same bytes.

    Parquet's dictionary encoding gives up at a point that depends on the chunks it is handed, so
    a frame built another way would otherwise give another file for the same records.
    """
    import pyarrow as pa

    from chronology.outputs import _column

    ids = pd.Series([f"{i:016x}" for i in range(102_400)], dtype="str")
    pieces = pd.concat([ids.iloc[a : a + 170] for a in range(0, len(ids), 170)], ignore_index=True)
    assert pa.array(pieces).num_chunks > 1
    column = _column(pieces, pa.string(), TZ)
    assert isinstance(column, pa.Array) and column.equals(pa.array(ids.tolist(), type=pa.string()))
    table = pa.table({"record_id": column})
    listed = pa.table({"record_id": pa.array(ids.tolist(), type=pa.string())})
    pq.write_table(table, tmp_path / "chunks.parquet", **outputs.PARQUET_OPTIONS)
    pq.write_table(listed, tmp_path / "list.parquet", **outputs.PARQUET_OPTIONS)
    assert (tmp_path / "chunks.parquet").read_bytes() == (tmp_path / "list.parquet").read_bytes()
