"""The README's quickstart runs as written, on a fresh copy of the demo, from the clone's folder."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
FENCE = re.compile(r"^```(\w+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def quickstart_blocks(kind: str) -> list[str]:
    """The fenced blocks of one language in the README's quickstart sections, in order."""
    text = README.read_text(encoding="utf-8")
    sections = re.findall(r"^## Quickstart[^\n]*\n(.*?)(?=^## )", text, re.MULTILINE | re.DOTALL)
    return [body for section in sections for lang, body in FENCE.findall(section) if lang == kind]


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """A folder laid out like a fresh clone, as far as the quickstart reads it: the demo case only."""
    shutil.copytree(ROOT / "data_samples" / "child_h", tmp_path / "data_samples" / "child_h")
    return tmp_path


def _run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"  # as after activating
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_the_quickstart_has_command_blocks() -> None:
    assert len(quickstart_blocks("sh")) >= 1  # the command line
    assert len(quickstart_blocks("python")) >= 1  # Jupyter


def test_every_command_block_runs_as_written(clone: Path) -> None:
    for block in quickstart_blocks("sh"):
        done = _run(["bash", "-e", "-u", "-c", block], clone)
        assert done.returncode == 0, (
            f"{block}\nstdout:\n{done.stdout[-2000:]}\nstderr:\n{done.stderr[-2000:]}"
        )
        assert "Traceback" not in done.stderr
    assert (clone / "cases" / "child_h" / "out" / "timeline.html").exists()  # merge's default --out
    assert (clone / "cases" / "child_h" / "out_anonymised" / "manifest.json").exists()
    assert (clone / "batch_out" / "summary.csv").exists()


def test_every_python_block_runs_as_written(clone: Path) -> None:
    for block in quickstart_blocks("python"):
        done = _run([sys.executable, "-c", block], clone)
        assert done.returncode == 0, f"{block}\nstderr:\n{done.stderr[-2000:]}"
