"""Every command through ``chronology.cli.main``: init, validate, merge, batch, --debug."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest

import chronology.ingest
from chronology.cli import main
from chronology.config import load_config
from chronology.errors import InputError
from chronology.outputs import OUTPUT_FILES
from chronology.pipeline import ingest_only

DEMO = Path(__file__).resolve().parents[1] / "data_samples" / "child_h"
CASE = DEMO / "case.toml"
AGENCY_FILES = ("police.xlsx", "csc.xlsx", "gp.csv", "health_visiting.csv", "school.xlsx", "ed.csv")
REJECTED_LINE = re.compile(r"^  (\S+?)(, sheet '[^']+')?, row (\d+): \S.*$")


def _one_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("chronology: "), lines
    assert "Traceback" not in err
    return lines[0]


def test_agency_files_are_the_demo_sources() -> None:
    assert sorted(s.path for s in load_config(CASE).sources) == sorted(AGENCY_FILES)


def test_init_then_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "review"
    folder.mkdir()
    for name in AGENCY_FILES:
        shutil.copy(DEMO / name, folder / name)
    assert main(["init", str(folder)]) == 0
    out = capsys.readouterr().out
    case = folder / "case.toml"
    assert f"Wrote {case}" in out
    config = load_config(case)
    assert sorted(s.path for s in config.sources) == sorted(AGENCY_FILES)
    assert {s.agency for s in config.sources} >= {"Police", "GP"}  # guessed from the file names
    assert main(["validate", str(case)]) == 0
    assert "total" in capsys.readouterr().out

    assert main(["init", str(folder)]) == 2  # never overwrites without --force
    assert "case.toml exists already; use --update" in _one_line(capsys.readouterr().err)
    assert main(["init", "--force", str(folder)]) == 0
    capsys.readouterr()


def test_init_refuses_an_empty_folder_and_a_file(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    assert main(["init", str(tmp_path)]) == 2
    assert "no CSV or spreadsheet files" in _one_line(capsys.readouterr().err)
    (tmp_path / "x.csv").write_text("Date,Details\n01/02/2019,Seen\n")
    assert main(["init", str(tmp_path / "x.csv")]) == 2
    assert "not a folder" in _one_line(capsys.readouterr().err)


def test_validate_prints_sources_and_rejected_rows(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(CASE)]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    lines = captured.out.splitlines()
    assert lines[0].split() == ["source", "agency", "rows", "read", "events", "continuations", "rejected"]
    ingested = ingest_only(load_config(CASE))
    for source in ingested.sources.itertuples():
        row = next(line for line in lines if line.startswith(source.source_file))
        assert row.split()[-4:] == [
            str(source.rows_read),
            str(source.events),
            str(source.continuations),
            str(source.rejected),
        ]
    total = next(line for line in lines if line.startswith("total"))
    assert int(total.split()[1]) == len(ingested.events)
    rejected = ingested.events[ingested.events["status"] == "rejected"]
    assert len(rejected) > 0  # the demo has a footer, a repeated header and an impossible date
    assert f"Rejected rows ({len(rejected)}):" in lines
    listed = [m for line in lines if (m := REJECTED_LINE.match(line))]
    assert len(listed) == len(rejected)
    got = {(m[1], (m[2] or "")[len(", sheet '") : -1], int(m[3])) for m in listed}
    want = set(zip(rejected["source_file"], rejected["source_sheet"], rejected["source_row"], strict=True))
    assert got == want


def test_merge_writes_every_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["merge", str(CASE), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)
    assert all((out / name).stat().st_size > 0 for name in OUTPUT_FILES)
    text = captured.out
    assert text.startswith("source")
    assert re.search(r"Matching: \d+ event records in \d+ real events", text)
    assert "\nFindings:\n" in text
    assert f"Wrote {len(OUTPUT_FILES)} files to {out.resolve()}:" in text
    for name in OUTPUT_FILES:
        assert f"  {name}" in text


def test_merge_refuses_an_output_folder_that_is_a_file(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    target = tmp_path / "out"
    target.write_text("not a folder")
    assert main(["merge", str(CASE), "--out", str(target)]) == 2
    assert "the output folder is a file" in _one_line(capsys.readouterr().err)


def test_report_is_gone_merge_writes_the_report(capsys) -> None:  # noqa: ANN001
    # `report` did what merge does; merge writes timeline.html, so the duplicate was removed
    with pytest.raises(SystemExit) as exit_:
        main(["report", str(CASE)])
    assert exit_.value.code == 2  # a usage error
    assert "invalid choice: 'report'" in capsys.readouterr().err


def test_batch_two_good_cases_and_one_broken(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    cases = tmp_path / "cases"
    for name in ("child_a", "child_b"):
        shutil.copytree(DEMO, cases / name, ignore=shutil.ignore_patterns("truth"))
    broken = cases / "child_c"
    broken.mkdir()
    (broken / "case.toml").write_text('[case]\nname = "C"\n\n[[sources]]\npath = "gone.csv"\nagency = "GP"\n')
    out = tmp_path / "out"
    assert main(["batch", str(cases), "--out", str(out), "--workers", "2"]) == 2
    captured = capsys.readouterr()
    assert "3 cases:" in captured.out and "1 with bad input" in captured.out
    assert "child_c: gone.csv: file not found" in captured.out
    with open(out / "summary.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["case"], r["status"]) for r in rows] == [
        ("child_a", "ok"),
        ("child_b", "ok"),
        ("child_c", "error"),
    ]
    assert rows[0]["events"] == rows[1]["events"] and int(rows[0]["events"]) > 0
    assert "file not found" in rows[2]["message"]
    for name in ("child_a", "child_b"):
        assert sorted(p.name for p in (out / name).iterdir()) == sorted(OUTPUT_FILES)


def test_batch_on_a_folder_without_cases(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    assert main(["batch", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    assert "no case.toml found" in _one_line(capsys.readouterr().err)


def test_debug_shows_a_traceback_only_when_asked(tmp_path: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    missing = tmp_path / "case.toml"
    assert main(["validate", str(missing)]) == 2
    assert _one_line(capsys.readouterr().err) == f"chronology: {missing}: case file not found"
    with pytest.raises(InputError, match="case file not found"):
        main(["--debug", "validate", str(missing)])

    def bug(*_a: object, **_k: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(chronology.ingest, "ingest_case", bug)
    assert main(["validate", str(CASE)]) == 1
    line = _one_line(capsys.readouterr().err)
    assert line.startswith("chronology: internal error (ZeroDivisionError: division by zero)")
    assert "--debug" in line
    with pytest.raises(ZeroDivisionError):
        main(["--debug", "validate", str(CASE)])


def test_usage_errors_exit_2(capsys) -> None:  # noqa: ANN001
    with pytest.raises(SystemExit) as exc:
        main(["batch", str(DEMO)])  # --out missing (merge defaults it; batch does not)
    assert exc.value.code == 2
    assert "--out" in capsys.readouterr().err
