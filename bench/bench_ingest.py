"""Ingest benchmark: chronology's readers beside plain pandas on the same files.

Baselines: ``pandas.read_csv(dtype=str)`` for CSV,
``pandas.read_excel(engine="openpyxl")`` for XLSX and python-docx's own
``[[cell.text for cell in row.cells] for row in table.rows]`` for DOCX, which only load cells; the
toolkit also detects the layout, parses every date, classifies every entry and
builds the raw JSON of every row.
"""

from __future__ import annotations

from pathlib import Path

from bench import data
from bench.measure import measure


def chronology_read(path: str) -> dict[str, int]:
    """read_source on one file, auto-detection doing everything; returns the counts."""
    from chronology.config import CaseConfig, SourceConfig
    from chronology.ingest import read_source

    file = Path(path)
    source = SourceConfig(path=file.name, agency="Police", resolved=file)
    case = CaseConfig(path=file.parent / "case.toml", name="bench", sources=(source,))
    return dict(read_source(source, case).counts)


def pandas_csv(path: str) -> dict[str, int]:
    """The baseline for CSV: cells as text, nothing else."""
    import pandas as pd

    frame = pd.read_csv(path, dtype=str, keep_default_na=False, skiprows=1)
    return {"rows": len(frame)}


def pandas_openpyxl(path: str) -> dict[str, int]:
    """The baseline for XLSX: pandas with openpyxl."""
    import pandas as pd

    frame = pd.read_excel(path, engine="openpyxl", dtype=str, skiprows=1)
    return {"rows": len(frame)}


def python_docx_plain(path: str) -> dict[str, int]:
    """The baseline for DOCX: python-docx's own table read, every cell's text, nothing else."""
    import docx

    document = docx.Document(path)
    rows = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    return {"rows": len(rows) - 1}


def section(sizes: tuple[int, ...] = (100_000, 1_000_000), repeat: int = 3) -> str:
    """The BENCHMARKS.md section: one line per format and size."""
    lines = [
        "| file | rows | chronology s (median) | peak MB | baseline | baseline s | baseline peak MB | ratio (time) | rows/s |",
        "|---|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for fmt, maker, baseline, name in (
        ("CSV", data.csv_file, "bench.bench_ingest:pandas_csv", "pandas.read_csv"),
        ("XLSX", data.xlsx_file, "bench.bench_ingest:pandas_openpyxl", "pandas.read_excel(openpyxl)"),
    ):
        for n in sizes:
            path = maker(n)
            ours = measure("bench.bench_ingest:chronology_read", path, repeat=repeat)
            # openpyxl takes minutes on a million rows: one run of the baseline there.
            base = measure(baseline, path, repeat=1 if (fmt == "XLSX" and n >= 1_000_000) else repeat)
            rows = sum(ours["result"].values()) - ours["result"]["rows_read"]
            lines.append(
                f"| {fmt} | {n:,} | {ours['seconds']:.2f} | {ours['peak_mb']:.0f} | {name} | "
                f"{base['seconds']:.2f} | {base['peak_mb']:.0f} | {ours['seconds'] / base['seconds']:.2f} | "
                f"{rows / ours['seconds']:,.0f} |"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    sizes = tuple(int(x) for x in sys.argv[1:]) or (100_000,)
    print(section(sizes))
