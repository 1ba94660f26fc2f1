"""Property: random small tables in every layout come out with every row accounted for.

Each example writes a real file (CSV in UTF-8, UTF-8 with BOM or Windows-1252,
comma, semicolon or tab; or XLSX with title rows and real date cells) and
reads it with read_source. Asserted: rows in = events + continuations +
rejected, one record per non-empty row at the right row number, unique
record_ids, and every cell verbatim in that row's raw.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import tempfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chronology.config import CaseConfig, SourceConfig
from chronology.errors import InputError
from chronology.ingest import read_source

HEADERS = {
    "date": ["Date", "Date of contact", "Event date", "Date/Time", "Incident date"],
    "type": ["Type", "Contact type", "Event", "Category"],
    "text": ["Details", "Summary", "Narrative", "Entry", "Notes"],
    "outcome": ["Outcome", "Action taken"],
    "worker": ["Worker", "Officer", "Practitioner"],
}
WORDS = [
    "seen",
    "visit",
    "mother",
    "child",
    "school",
    "bruise",
    "call",
    "letter",
    "plan",
    "GP",
    "MASH",
    "A&E",
]
ACCENTED = ["café", "£20", "Mother’s", "naïve"]
FOOTERS = ["End of chronology", "Page 2 of 3", "Total entries: 5", "*** end ***"]
KINDS = ["event", "bad", "continuation", "footer", "blank", "type_only"]


@st.composite
def cell_text(draw: st.DrawFn, extra: list[str]) -> str:
    words = draw(st.lists(st.sampled_from(WORDS + ACCENTED + extra), min_size=1, max_size=4))
    joiner = draw(st.sampled_from([" ", " ", "\n", ", ", '"']))
    text = joiner.join(words)
    return draw(st.sampled_from(["", " "])) + text if draw(st.booleans()) else text


@st.composite
def table(draw: st.DrawFn) -> dict:
    layout = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "xlsx"]))
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    extra = [] if layout == "cp1252" else ["😀", "שלום"]
    fields = [
        "date",
        *draw(st.lists(st.sampled_from(["type", "text", "outcome", "worker"]), unique=True, min_size=1)),
    ]
    if "text" not in fields:
        fields.append("text")
    headers = [draw(st.sampled_from(HEADERS[f])) for f in fields]
    rows = []
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=12))
    for kind in kinds:
        row = {f: "" for f in fields}
        if kind in ("event", "bad"):
            day = draw(st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)))
            as_cell = layout == "xlsx" and draw(st.booleans())
            row["date"] = day if as_cell else day.strftime("%d/%m/%Y")
            if kind == "bad":
                row["date"] = draw(st.sampled_from(["31/02/2020", "00/01/2019", "15/13/2019", "30/02/2021"]))
        if kind in ("event", "bad", "type_only") and "type" in fields:
            row["type"] = draw(st.sampled_from(["Visit", "Phone call", "Referral", "DA incident"]))
        if kind in ("event", "bad", "continuation") or (kind == "type_only" and "type" not in fields):
            row["text"] = draw(cell_text(extra))
        if kind == "footer":
            row["date"] = draw(st.sampled_from(FOOTERS))
        rows.append([row[f] for f in fields])
    titles = draw(st.integers(0, 3)) if layout == "xlsx" else draw(st.integers(0, 2))
    return {"layout": layout, "delimiter": delimiter, "headers": headers, "rows": rows, "titles": titles}


def write(folder: Path, t: dict) -> Path:
    titles = [["Agency chronology - Child H"] if i == 0 else [] for i in range(t["titles"])]
    if t["layout"] == "xlsx":
        path = folder / "agency.xlsx"
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "Chronology"
        for row in [*titles, t["headers"], *t["rows"]]:
            ws.append([c if c != "" else None for c in row])
        wb.save(path)
        return path
    path = folder / "agency.csv"
    with path.open("w", encoding=t["layout"], newline="") as fh:
        writer = csv.writer(fh, delimiter=t["delimiter"], lineterminator="\r\n")
        writer.writerows([*titles, t["headers"], *t["rows"]])
    return path


def as_raw(cell: object) -> str:
    return cell.isoformat() if isinstance(cell, dt.date) else str(cell)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table())
def test_every_row_accounted_for(t: dict) -> None:
    non_empty = [i for i, row in enumerate(t["rows"]) if any(as_raw(c).strip() for c in row)]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = write(folder, t)
        src = SourceConfig(path=path.name, agency="Police", resolved=path)
        config = CaseConfig(path=folder / "case.toml", name="p", sources=(src,))
        if not non_empty:  # only blank rows below the header: an error, not zero rows
            with pytest.raises(InputError, match="no rows below the header"):
                read_source(src, config)
            return
        result = read_source(src, config)
    events, counts = result.events, result.counts
    assert counts["rows_read"] == counts["events"] + counts["continuations"] + counts["rejected"]
    assert counts["rows_read"] == len(non_empty) == len(events)
    assert result.header_row == t["titles"] + 1
    first = t["titles"] + 2  # the row below the header
    assert events["source_row"].tolist() == [first + i for i in non_empty]
    assert events["record_id"].is_unique
    for (_, record), i in zip(events.iterrows(), non_empty, strict=True):
        raw = list(json.loads(record["raw"]).values())
        for j, cell in enumerate(t["rows"][i]):
            if as_raw(cell).strip():
                assert raw[j] == as_raw(cell)  # verbatim, in its column
