"""A merge that fails at any stage leaves the previous run's outputs byte-identical and no partial files.

An exception is injected into each stage in turn (ingest, match, analysis,
each writer of ``chronology.outputs.WRITERS``, the manifest, a rename while
swapping the new files in); the command line must exit non-zero with one line
on stderr, and the output folder must hold exactly the previous run's files.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import chronology.analysis
import chronology.ingest
import chronology.match
import chronology.outputs
import chronology.pipeline
from chronology.cli import main
from chronology.config import load_config
from chronology.errors import InputError
from chronology.outputs import OUTPUT_FILES, WRITERS
from chronology.pipeline import run_case

CASE = Path(__file__).resolve().parents[1] / "data_samples" / "child_h" / "case.toml"


class Injected(RuntimeError):
    """The failure injected into a stage."""


def _boom(*_args: object, **_kw: object) -> None:
    raise Injected("injected failure")


@pytest.fixture(scope="module")
def demo_run():  # noqa: ANN201
    return run_case(load_config(CASE))


@pytest.fixture(scope="module")
def previous(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The previous run's outputs: bytes no new run writes, so any file swapped in shows."""
    out = tmp_path_factory.mktemp("previous")
    for name in OUTPUT_FILES:
        (out / name).write_bytes(f"previous run's {name}\n".encode())
    return out


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _merge_fails(out: Path, capsys: pytest.CaptureFixture[str], code: int, text: str) -> None:
    before = _snapshot(out)
    assert main(["merge", str(CASE), "--out", str(out)]) == code
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("chronology: "), lines
    assert text in lines[0]
    assert "Traceback" not in captured.err + captured.out
    assert sorted(before) == sorted(OUTPUT_FILES)
    assert _snapshot(out) == before  # byte-identical, and no .tmp- or .prev- file left


@pytest.fixture
def out(previous: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    shutil.copytree(previous, folder)
    return folder


@pytest.mark.parametrize(
    ("module", "name"),
    [
        (chronology.ingest, "ingest_case"),
        (chronology.match, "match_events"),
        (chronology.analysis, "analyse"),
    ],
    ids=["ingest", "match", "analyse"],
)
def test_pipeline_stage_fails(module, name: str, out: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(module, name, _boom)
    _merge_fails(out, capsys, 1, "internal error (Injected: injected failure)")


@pytest.mark.parametrize("writer", list(WRITERS))
def test_writer_fails(writer: str, demo_run, out: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(chronology.pipeline, "run_case", lambda *_a, **_k: demo_run)

    def half_then_fail(run, path: Path) -> None:  # noqa: ANN001
        path.write_bytes(b"partial")  # a writer that dies halfway through its file
        raise Injected("injected failure")

    monkeypatch.setitem(WRITERS, writer, half_then_fail)
    _merge_fails(out, capsys, 1, "internal error")


def test_manifest_fails(demo_run, out: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(chronology.pipeline, "run_case", lambda *_a, **_k: demo_run)
    monkeypatch.setattr(chronology.outputs, "manifest_json", _boom)
    _merge_fails(out, capsys, 1, "internal error")


@pytest.mark.parametrize("nth", [1, 4, len(OUTPUT_FILES)])
def test_rename_fails_midway(nth: int, demo_run, out: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    """A rename failing after some new files are in place: those are put back to the previous ones."""
    monkeypatch.setattr(chronology.pipeline, "run_case", lambda *_a, **_k: demo_run)
    real = os.replace
    calls = []

    def flaky(src, dst) -> None:  # noqa: ANN001
        calls.append(dst)
        if len(calls) == nth:
            raise OSError(28, "No space left on device")
        real(src, dst)

    monkeypatch.setattr(chronology.outputs.os, "replace", flaky)
    _merge_fails(out, capsys, 1, "internal error (OSError")


def test_bad_input_midway_is_exit_2(out: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    def bad(*_a: object, **_k: object) -> None:
        raise InputError("injected bad input", file="police.xlsx", row=3)

    monkeypatch.setattr(chronology.analysis, "analyse", bad)
    _merge_fails(out, capsys, 2, "police.xlsx, row 3: injected bad input")


def test_interrupt_in_a_writer(demo_run, out: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(chronology.pipeline, "run_case", lambda *_a, **_k: demo_run)

    def ctrl_c(run, path: Path) -> None:  # noqa: ANN001
        path.write_bytes(b"partial")
        raise KeyboardInterrupt

    monkeypatch.setitem(WRITERS, "timeline.html", ctrl_c)
    _merge_fails(out, capsys, 130, "interrupted")


def test_failure_in_a_new_folder_leaves_nothing(tmp_path: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(chronology.analysis, "analyse", _boom)
    target = tmp_path / "new"
    assert main(["merge", str(CASE), "--out", str(target)]) == 1
    assert not target.exists() or not any(target.iterdir())
    capsys.readouterr()


def test_debug_shows_the_traceback(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(chronology.ingest, "ingest_case", _boom)
    with pytest.raises(Injected):
        main(["--debug", "validate", str(CASE)])


def test_next_run_removes_what_a_killed_run_left(demo_run, out: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    """A run killed outright (no exception handler ran) leaves .tmp-/.prev- files; the next run removes them."""
    monkeypatch.setattr(chronology.pipeline, "run_case", lambda *_a, **_k: demo_run)
    for name in OUTPUT_FILES:
        (out / f".tmp-{name}").write_bytes(b"half-written")
        (out / f".prev-{name}").write_bytes(b"backup")
    assert main(["merge", str(CASE), "--out", str(out)]) == 0
    capsys.readouterr()
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)
    assert (out / "manifest.json").read_bytes() != b"previous run's manifest.json\n"
