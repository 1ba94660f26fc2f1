"""Every bad input of the catalogue through the command line: one line and exit 2, or every row kept.

Each entry of ``catalogue.ENTRIES`` is made in tmp_path and run through
``chronology validate`` (and ``merge`` where it says so, and for every refusal,
which must then write nothing). The README's "Bad input" table is generated
from the same list and checked here.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import tracemalloc
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from chronology.cli import main
from chronology.config import load_config
from chronology.outputs import OUTPUT_FILES
from chronology.pipeline import ingest_only


def _load_catalogue():  # noqa: ANN202
    name = "bad_inputs_catalogue"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("catalogue.py"))
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


catalogue = _load_catalogue()
ROOT = Path(__file__).resolve().parents[2]
#: Python allocations allowed while a hostile workbook is refused (the file itself is a few hundred KB).
MEMORY_LIMIT = 32 * 1024**2


def _params() -> list:
    params = []
    for e in catalogue.ENTRIES:
        marks = [pytest.mark.slow] if e.slow else []
        if e.known_bug:
            marks.append(pytest.mark.xfail(reason=e.known_bug, strict=True))
        params.append(pytest.param(e, id=e.id, marks=marks))
    return params


def test_catalogue_is_large_and_unique() -> None:
    ids = [e.id for e in catalogue.ENTRIES]
    assert len(ids) >= 32
    assert len(set(ids)) == len(ids)


def _no_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kw: object) -> None:
        raise AssertionError("the workbook reader was called on a file that should be refused before it")

    monkeypatch.setattr("chronology.ingest.readers.workbook.read_workbook", refuse)
    import python_calamine

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_filelike", refuse)
    import docx.package

    monkeypatch.setattr(docx.package.Package, "open", refuse)


@pytest.mark.parametrize("entry", _params())
def test_bad_input(entry, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch) -> None:  # noqa: ANN001
    case = entry.make(tmp_path / "case")
    capsys.readouterr()
    monkeypatch.delenv("CHRONOLOGY_PASSWORD", raising=False)
    monkeypatch.setattr("chronology.ingest.readers.encrypted.ask", lambda name: None)  # no prompt
    monkeypatch.setattr("chronology.ingest.readers.encrypted._OPENED", {})
    for variable, value in entry.env:
        monkeypatch.setenv(variable, value)
    if entry.no_reader:
        _no_reader(monkeypatch)
        tracemalloc.start()
        try:
            code = main(["validate", str(case)])
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < MEMORY_LIMIT, f"{peak / 1024**2:.0f} MB allocated while refusing"
    else:
        code = main(["validate", str(case)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    expect = entry.expect
    if isinstance(expect, catalogue.Refused):
        _check_refused(code, err, expect)
        out_dir = tmp_path / "out"
        assert main(["merge", str(case), "--out", str(out_dir)]) == 2
        _, err = capsys.readouterr()
        _check_refused(2, err, expect)
        assert not out_dir.exists() or not any(out_dir.iterdir())  # nothing written
        return
    assert code == 0, err
    assert err == ""
    events = ingest_only(load_config(case)).events
    _check_read(events, out, expect)
    if entry.merge:
        out_dir = tmp_path / "out"
        assert main(["merge", str(case), "--out", str(out_dir)]) == 0
        merged_out, err = capsys.readouterr()
        assert err == "" and "Traceback" not in merged_out
        assert sorted(p.name for p in out_dir.iterdir()) == sorted(OUTPUT_FILES)
        assert pq.read_table(out_dir / "events.parquet").num_rows == expect.rows
        if entry.after_merge:
            entry.after_merge(out_dir)


def _check_refused(code: int, err: str, expect) -> None:  # noqa: ANN001
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 1, lines
    line = lines[0]
    assert line.startswith("chronology: ")
    assert re.search(expect.message, line), line
    for part in expect.where:
        assert part in line, (part, line)


def _check_read(events: pd.DataFrame, out: str, expect) -> None:  # noqa: ANN001
    status = events["status"].value_counts().to_dict()
    got = (len(events), status.get("event", 0), status.get("continuation", 0), status.get("rejected", 0))
    assert got == (expect.rows, expect.events, expect.continuations, expect.rejected)  # nothing dropped
    rejected = events[events["status"] == "rejected"]
    assert rejected["reason"].str.len().gt(0).all()
    if expect.reason:
        for reason in rejected["reason"]:
            assert re.search(expect.reason, reason), reason
    listed = {line.strip() for line in out.splitlines() if line.startswith("  ")}
    for r in rejected.head(50).itertuples():
        where = r.source_file + (f", sheet '{r.source_sheet}'" if r.source_sheet else "")
        assert f"{where}, row {r.source_row}: {r.reason}" in listed  # validate lists each rejected row
    if expect.rejected:
        assert f"Rejected rows ({expect.rejected}):" in out
    if expect.warning:
        warnings = [line for line in out.splitlines() if line.startswith("warning: ")]
        assert any(re.search(expect.warning, w) for w in warnings), warnings
    if expect.check:
        expect.check(events.reset_index(drop=True))


def test_readme_holds_the_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- bad-input-table -->(.*?)<!-- /bad-input-table -->", readme, re.DOTALL)
    assert found, "README.md lacks the bad-input-table markers"
    # verbatim between the markers (blank lines around the table allowed)
    assert found[1].strip("\n") == catalogue.markdown_table().strip("\n"), (
        "regenerate: .venv/bin/python tests/bad_inputs/catalogue.py"
    )
