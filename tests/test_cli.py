"""Every command through ``chronology.cli.main``: init, validate, merge, batch, --debug."""

from __future__ import annotations

import csv
import re
import shutil
import sys
from pathlib import Path

import pytest

import chronology
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
    case.write_text(case.read_text() + "# my edit\n")
    assert main(["init", "--force", str(folder)]) == 0
    assert "(the previous one kept as case.toml.bak)" in capsys.readouterr().out
    assert (folder / "case.toml.bak").read_text().endswith("# my edit\n")


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


def test_report_renders_again_from_the_merge_without_matching(tmp_path: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    import chronology.match

    shutil.copytree(DEMO, tmp_path / "case", ignore=shutil.ignore_patterns("truth", "out"))
    case = tmp_path / "case" / "case.toml"
    merged, out = tmp_path / "merged", tmp_path / "case" / "out"
    assert main(["merge", str(case), "--out", str(merged)]) == 0
    shutil.copytree(merged, out)  # as merge writes it beside the case file (same inputs, same bytes)
    capsys.readouterr()

    def no_matching(*_a: object, **_k: object) -> None:
        raise AssertionError("report matched the records again")

    monkeypatch.setattr(chronology.match, "match_events", no_matching)
    monkeypatch.setattr(chronology.ingest, "ingest_case", no_matching)
    assert main(["report", str(case)]) == 0  # out/ beside the case file, as merge
    assert "Wrote" in capsys.readouterr().out
    for name in OUTPUT_FILES:  # nothing changed: the same bytes as the merge
        assert (out / name).read_bytes() == (merged / name).read_bytes(), name

    # a [rules] change: the findings again, still without matching
    before = (out / "findings.csv").read_text(encoding="utf-8-sig")
    assert "contact_gap" in before
    case.write_text(case.read_text() + "\n[rules.contact_gap]\nenabled = false\n")
    assert main(["report", str(case)]) == 0
    assert "contact_gap" not in (out / "findings.csv").read_text(encoding="utf-8-sig")
    capsys.readouterr()

    # what report cannot redo is refused, naming it
    (tmp_path / "case" / "corrections.csv").write_text("record_id,field,value,reason,who\n")
    assert main(["report", str(case)]) == 2
    assert "corrections.csv was edited after the merge; run chronology merge" in _one_line(
        capsys.readouterr().err
    )
    (tmp_path / "case" / "corrections.csv").unlink()
    with open(tmp_path / "case" / "gp.csv", "a", encoding="cp1252") as fh:
        fh.write("01/01/2020,Telephone,Late entry,Dr A\n")
    assert main(["report", str(case)]) == 2
    assert "gp.csv changed since the merge" in _one_line(capsys.readouterr().err)
    assert main(["report", str(case), "--out", str(tmp_path / "nothing")]) == 2
    assert "no merge here to report from" in _one_line(capsys.readouterr().err)


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


# --- the analyst's loop (issue 17) ---------------------------------------------------------------


def _small_case(folder: Path, extra: str = "") -> Path:
    """Two agencies, three rows: enough for every command, fast."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "police.csv").write_text(
        "Date,Incident type,Summary\n10/03/2019,Domestic incident,Call to the home\n11/03/2019,PPN,PPN to MASH\n"
    )
    (folder / "csc.csv").write_text("Date,Type,Details\n11/03/2019,Contact,PPN received from police\n")
    case = folder / "case.toml"
    case.write_text(
        '[case]\nname = "Small"\n\n[[sources]]\npath = "police.csv"\nagency = "Police"\n\n'
        '[[sources]]\npath = "csc.csv"\nagency = "Children\'s Social Care"\n' + extra
    )
    return case


def _no_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make reading any agency file fail the test: the check must come first."""

    def read(*_a: object, **_k: object) -> None:
        raise AssertionError("an agency file was read before the cheap checks")

    monkeypatch.setattr(chronology.ingest, "ingest_case", read)


def test_version_and_exit_codes_in_help(capsys) -> None:  # noqa: ANN001
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"chronology {chronology.__version__}"
    for argv in (["--help"], ["merge", "--help"]):
        with pytest.raises(SystemExit):
            main(argv)
        text = capsys.readouterr().out
        assert "exit status:" in text
        for code in ("0 ", "1 ", "2 ", "130 "):
            assert f"\n  {code}" in text


def test_merge_writes_to_out_beside_the_case_file_by_default(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    case = _small_case(tmp_path / "child_s")
    (case.parent / "late_gp.csv").write_text("Date,Details\n01/02/2019,Seen\n")  # not in case.toml yet
    assert main(["merge", str(case)]) == 0
    assert sorted(p.name for p in (case.parent / "out").iterdir()) == sorted(OUTPUT_FILES)
    out = capsys.readouterr().out
    assert f"Wrote {len(OUTPUT_FILES)} files to {(case.parent / 'out').resolve()}" in out
    assert "warning: late_gp.csv is in the case folder but not in case.toml" in out


def test_init_update_adds_new_files_and_keeps_every_edit(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    folder = tmp_path / "review"
    folder.mkdir()
    for name in ("police.xlsx", "gp.csv"):
        shutil.copy(DEMO / name, folder / name)
    assert main(["init", str(folder)]) == 0
    case = folder / "case.toml"
    # the analyst's edits: a label, a column, names, a comment
    edited = case.read_text().replace('agency = "GP"', 'agency = "Northshire GP Practice"  # my label')
    edited += '\n[names]\n"Jodie Brennan" = "Mother"\n# keep this comment\n'
    case.write_text(edited)
    (folder / "housing_chronology.csv").write_text("Date,Details\n01/02/2019,Tenancy visit\n")
    (folder / "corrections.csv").write_text(
        "record_id,field,value,reason,who\n"
    )  # the analyst's, never a source
    capsys.readouterr()

    assert main(["validate", str(case)]) == 0
    out = capsys.readouterr().out
    assert (
        "warning: housing_chronology.csv is in the case folder but not in case.toml; "
        f"add it with: chronology init --update {folder}" in out
    )
    assert "corrections.csv is in the case folder" not in out

    assert main(["init", "--update", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "Added 1 source(s)" in out and "  housing_chronology.csv: agency 'Housing'" in out
    text = case.read_text()
    assert text.startswith(edited.rstrip("\n"))  # every line kept as it was
    config = load_config(case)
    assert [s.agency for s in config.sources][-1] == "Housing"  # guessed from the file name
    assert "Northshire GP Practice" in [s.agency for s in config.sources]
    assert config.names == {"Jodie Brennan": "Mother"}
    assert main(["init", "--update", str(folder)]) == 0  # nothing new: nothing changed
    assert "nothing changed" in capsys.readouterr().out
    assert case.read_text() == text

    # a file saved on Windows (CRLF, byte-order mark) keeps its bytes too
    case.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    before = case.read_bytes()
    (folder / "late_police.csv").write_text("Date,Details\n02/02/2019,Call\n")
    assert main(["init", "--update", str(folder)]) == 0
    capsys.readouterr()
    after = case.read_bytes()
    assert after.startswith(before.rstrip(b"\r\n")) and b"\n" not in after.replace(b"\r\n", b"")
    assert load_config(case).sources[-1].path == "late_police.csv"


def test_init_writes_placeholders_for_names_date_of_birth_and_subjects(tmp_path: Path) -> None:
    folder = tmp_path / "review"
    folder.mkdir()
    shutil.copy(DEMO / "gp.csv", folder / "gp.csv")
    assert main(["init", str(folder)]) == 0
    text = (folder / "case.toml").read_text()
    for placeholder in (
        "# date_of_birth = ",
        "# [names]",
        "# subjects = ",
        "# csc_agencies = ",
        "# marking = ",
    ):
        assert placeholder in text


@pytest.mark.parametrize("command", ["validate", "merge"])
def test_a_misspelt_agency_label_is_named_with_the_closest(
    tmp_path: Path,
    capsys,
    monkeypatch,
    command: str,  # noqa: ANN001
) -> None:
    case = _small_case(tmp_path / "c", '\n[rules]\ncsc_agencies = ["Childrens Social Care"]\n')
    _no_reading(monkeypatch)
    argv = [command, str(case)] + (["--out", str(tmp_path / "out")] if command == "merge" else [])
    assert main(argv) == 2
    assert _one_line(capsys.readouterr().err) == (
        f"chronology: {case}: [rules] csc_agencies: 'Childrens Social Care' is not an agency of this case; "
        "did you mean 'Children's Social Care'?"
    )
    assert not (tmp_path / "out").exists()


def test_a_misspelt_label_in_the_subjects_table_is_named(tmp_path: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    case = _small_case(tmp_path / "c")
    case.write_text(case.read_text().replace('name = "Small"', 'name = "Small"\nsubjects = "subjects.csv"'))
    (case.parent / "subjects.csv").write_text("agency,subject_ref,maps_to\nPolic,P-1,H\n")
    _no_reading(monkeypatch)
    assert main(["validate", str(case)]) == 2
    line = _one_line(capsys.readouterr().err)
    assert "subjects.csv: row 2, column 'agency': 'Polic' is not an agency of this case" in line
    assert "did you mean 'Police'?" in line


def test_cheap_checks_fail_before_any_file_is_read(tmp_path: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    case = _small_case(tmp_path / "c")
    _no_reading(monkeypatch)
    assert main(["merge", str(case), "--pseudonymise", "--out", str(tmp_path / "out")]) == 2
    assert "pseudonyms were asked for but [names] is empty" in _one_line(capsys.readouterr().err)
    (tmp_path / "a_file").write_text("x")
    assert main(["merge", str(case), "--out", str(tmp_path / "a_file")]) == 2
    assert "the output folder is a file" in _one_line(capsys.readouterr().err)
    assert main(["merge", str(case), "--out", str(tmp_path / "a_file" / "out")]) == 2
    assert "cannot create the output folder" in _one_line(capsys.readouterr().err)
    (case.parent / "corrections.csv").write_text("record_id,field,value,reason,who\nr1,agency,Polic,r,A\n")
    assert main(["validate", str(case)]) == 2
    assert "corrections.csv: row 2, column 'value': 'Polic' is not an agency" in capsys.readouterr().err


def test_progress_only_on_a_terminal(tmp_path: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    import io

    import chronology.cli as cli

    case = _small_case(tmp_path / "c")
    monkeypatch.setattr(cli, "PROGRESS_DELAY", 0.0)  # every step "takes over a second"
    assert main(["merge", str(case), "--out", str(tmp_path / "out1")]) == 0
    assert capsys.readouterr().err == ""  # not a terminal: silent

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["merge", str(case), "--out", str(tmp_path / "out2")]) == 0
    steps = terminal.getvalue().splitlines()
    assert "chronology: reading 2 agency files..." in steps
    assert any(s.startswith("chronology: matching 3 records: ") and s.endswith(" s") for s in steps)
    assert any(s.startswith("chronology: writing the outputs") for s in steps)
    assert "chronology:" not in capsys.readouterr().out  # the results alone on stdout


def test_agency_guessed_from_file_name_words_and_columns(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    folder = tmp_path / "review"
    folder.mkdir()
    (folder / "Chronology_StMarys_Primary.csv").write_text(
        "Date/Time,Student,Categories,Incident,Action taken\n01/02/2019 09:00,K B,Attendance,Late,Call home\n"
    )
    (folder / "export_07.csv").write_text(
        "Arrival,Triage category,Presenting complaint,Notes\n01/02/2019 22:10,3,Head injury,Seen\n"
    )
    (folder / "data_2.csv").write_text(
        "Date,Occurrence No,Crime reference,Summary\n01/02/2019,OC-1,CR-2,Call to the home\n"
    )
    assert main(["init", str(folder)]) == 0
    capsys.readouterr()
    agencies = {s.path: s.agency for s in load_config(folder / "case.toml").sources}
    assert agencies == {
        "Chronology_StMarys_Primary.csv": "School",  # "primary" in the file name
        "export_07.csv": "Emergency Department",  # triage, arrival, presenting complaint
        "data_2.csv": "Police",  # occurrence and crime reference
    }


def test_agency_colours_are_the_same_in_every_case() -> None:
    from chronology.views.palette import agency_colours

    one = agency_colours(["Police", "GP", "School"])
    other = agency_colours(["Health Visiting", "Oakfield Primary School", "Northshire Police"])
    assert one["Police"] == other["Northshire Police"] == "#E69F00"  # police: orange in both
    assert one["School"] == other["Oakfield Primary School"]


def test_batch_names_a_folder_with_agency_files_but_no_case(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    cases = tmp_path / "cases"
    _small_case(cases / "child_a")
    (cases / "child_b").mkdir()
    shutil.copy(DEMO / "gp.csv", cases / "child_b" / "gp.csv")
    assert main(["batch", str(cases), "--out", str(tmp_path / "out"), "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert "1 cases:" in out
    assert (
        f"  child_b: skipped: agency files but no case.toml; run: chronology init {cases / 'child_b'}" in out
    )
    with open(tmp_path / "out" / "summary.csv", newline="", encoding="utf-8") as fh:
        assert [(r["case"], r["status"]) for r in csv.DictReader(fh)] == [
            ("child_a", "ok"),
            ("child_b", "skipped"),
        ]
