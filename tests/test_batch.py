"""chronology batch: the summary table is owner-only and safe to open in Excel."""

from __future__ import annotations

import stat
from pathlib import Path

from chronology.batch import run_batch


def test_summary_is_private_and_neutralised(tmp_path: Path) -> None:
    # One case folder whose name starts with "=" and whose only file is empty:
    # the case fails with bad input, and its name lands in summary.csv.
    case = tmp_path / "cases" / "=cmd"
    case.mkdir(parents=True)
    (case / "gp.csv").write_text("", encoding="utf-8")
    (case / "case.toml").write_text('[[sources]]\npath = "gp.csv"\nagency = "GP"\n', encoding="utf-8")
    out = tmp_path / "out"
    results = run_batch(tmp_path / "cases", out, workers=1)
    assert [r.status for r in results] == ["error"]
    summary = out / "summary.csv"
    lines = summary.read_text(encoding="utf-8").splitlines()
    assert lines[1].startswith("'=cmd,error,")  # neutralised, never a formula
    assert stat.S_IMODE(summary.stat().st_mode) == 0o600
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
