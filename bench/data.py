"""Agency files of any size for the benchmarks: a police-style CSV and a CSC-style XLSX.

The rows look like real chronology entries (day-first dates, a separate time,
jargon, multi-sentence text, the odd continuation row and footer) so that the
readers do the work they do on real files. Files are cached under bench/out/.
"""

from __future__ import annotations

import csv
import os
import random
from datetime import date, timedelta
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"

TYPES = [
    ("Home visit", "HV visited the home. Child seen and observed playing; home conditions adequate."),
    ("Telephone call", "Tel call to mother re missed appointment; no answer, message left."),
    (
        "DA incident",
        "Police attended DA incident at the address; DASH completed, medium risk. PPN submitted to MASH.",
    ),
    ("Strategy discussion", "Strat discussion held with police, CSC and health re bruising to left cheek."),
    ("Core group", "Core group meeting held; CP plan reviewed, actions agreed with parents."),
    ("DNA", "Child was not brought to paediatric appointment (WNB). Letter sent to GP."),
    ("School contact", "DSL spoke with child in school; child presented as tired and hungry."),
    ("ED attendance", "Attended A&E with mother, reported fall from sofa; minor head injury, discharged."),
    ("Referral", "Referral to MASH re neglect concerns; school reports poor attendance and hygiene."),
    ("Case note", "Supervision discussion; case to remain open under S17 CIN plan."),
]
WORKERS = ["A. Patel", "J. Morgan", "S. Okafor", "L. Chen", "R. Hughes", "K. Novak"]


def rows(n: int, seed: int = 0) -> list[list[str]]:
    """n data rows: Date, Time, Contact type, Details, Outcome, Worker.

    Dates advance a day every couple of rows and wrap round after 30 years, so
    that every dated row stays a valid event however many rows there are.
    """
    rng = random.Random(seed)
    first = date(2018, 1, 1)
    offset = 0
    out = []
    for i in range(n):
        offset += rng.choice((0, 0, 0, 1, 1, 2))
        day = first + timedelta(days=offset % (30 * 365))
        kind, text = rng.choice(TYPES)
        if i % 97 == 50:  # a continuation row: no date, no type
            out.append(["", "", "", "(cont.) Further discussion recorded; see case file.", "", ""])
            continue
        out.append(
            [
                day.strftime("%d/%m/%Y"),
                f"{rng.randrange(8, 19):02d}:{rng.randrange(0, 60):02d}" if rng.random() < 0.7 else "",
                kind,
                f"{text} Ref {rng.randrange(10**5, 10**6)}.",
                rng.choice(("NFA", "Continue plan", "Referral made", "Visit booked", "")),
                rng.choice(WORKERS),
            ]
        )
    return out


HEADER = ["Date", "Time", "Contact type", "Details", "Outcome", "Worker"]


def csv_file(n: int) -> str:
    """Path of a UTF-8 CSV with a title row, n data rows and a footer (made once)."""
    path = OUT / f"agency_{n}.csv"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{os.getpid()}.{path.name}")
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["Northshire Police chronology - benchmark case"])
            writer.writerow(HEADER)
            writer.writerows(rows(n))
            writer.writerow(["End of chronology"])
        tmp.rename(path)  # whole or not at all: several runs may make it at once
    return str(path)


def xlsx_file(n: int) -> str:
    """Path of an XLSX with the same rows, real Excel date cells (made once, openpyxl write-only)."""
    from openpyxl import Workbook

    path = OUT / f"agency_{n}.xlsx"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Chronology")
        ws.append(["Children's Social Care chronology - benchmark case"])
        ws.append(HEADER)
        for row in rows(n):
            if row[0]:
                d, m, y = (int(x) for x in row[0].split("/"))
                ws.append([date(y, m, d), *row[1:]])
            else:
                ws.append(row)
        ws.append(["End of chronology"])
        tmp = path.with_name(f".{os.getpid()}.{path.name}")
        wb.save(tmp)
        tmp.rename(path)
    return str(path)


# --- Case folders rendered from the labelled generator (chronology.synth) ---------------------------

#: Records per real event that chronology.synth.generate_case makes (measured: about 2.1).
RECORDS_PER_EVENT = 2.1
#: Ingestion accepts years up to 2100 and the generator starts in 2021: a huge one-child case is
#: made denser rather than longer than this many years.
MAX_YEARS = 60
OUTCOMES = ("NFA", "Continue plan", "Referral made", "Visit booked", "Advice given", "")
#: The agency whose file is written as XLSX (real Excel date cells); the others are CSV.
XLSX_AGENCY = "Children's Social Care"


def _slug(agency: str) -> str:
    return agency.lower().replace("'", "").replace(" ", "_")


def _agency_rows(frame, seed: int) -> list[list[object]]:  # noqa: ANN001
    """Date, Time, Contact type, Details, Outcome, Worker for one agency's events (file order)."""
    rng = random.Random(seed)
    out: list[list[object]] = []
    for start, precision, label, text in zip(
        frame["start"].dt.tz_localize(None).dt.to_pydatetime(),
        frame["date_precision"],
        frame["type_label"],
        frame["description"],
        strict=True,
    ):
        day = start.date()
        cell: object = day
        if precision == "week":
            cell = f"w/c {day:%d/%m/%Y}"
        out.append(
            [
                cell,
                f"{start:%H:%M}" if precision == "time" else "",
                label,
                text,
                rng.choice(OUTCOMES),
                rng.choice(WORKERS),
            ]
        )
    return out


def render_case(folder: Path, events, name: str, seed: int = 0) -> Path:  # noqa: ANN001
    """Write generated events as agency files plus a case.toml; return the case file.

    One file per agency, with the headers agencies use (Date, Time, Contact type,
    Details, Outcome, Worker): CSV with a title row for every agency but
    ``XLSX_AGENCY``, whose file is an XLSX with real Excel date cells. Week-precision
    dates are written "w/c dd/mm/yyyy". Rows are in the generator's order.
    """
    from openpyxl import Workbook

    folder.mkdir(parents=True, exist_ok=True)
    toml = [f'[case]\nname = "{name}"\n']
    for number, (agency, frame) in enumerate(events.groupby("agency", sort=True)):
        rows_ = _agency_rows(frame, seed * 100 + number)
        title = f"{agency} chronology - {name}"
        if agency == XLSX_AGENCY:
            path = folder / f"{_slug(agency)}.xlsx"
            wb = Workbook(write_only=True)
            ws = wb.create_sheet("Chronology")
            ws.append([title])
            ws.append(HEADER)
            for row in rows_:
                ws.append(row)
            wb.save(path)
        else:
            path = folder / f"{_slug(agency)}.csv"
            with path.open("w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow([title])
                writer.writerow(HEADER)
                for row in rows_:
                    cell = row[0]
                    writer.writerow([cell.strftime("%d/%m/%Y") if isinstance(cell, date) else cell, *row[1:]])
        toml.append(f'[[sources]]\npath = "{path.name}"\nagency = "{agency}"\n')
    case_file = folder / "case.toml"
    case_file.write_text("\n".join(toml), encoding="utf-8")
    return case_file


def generated(n_records: int, seed: int = 0, n_subjects: int = 1):  # noqa: ANN201
    """chronology.synth.generate_case for about ``n_records`` records: (events, truth)."""
    from chronology.synth import generate_case

    n_events = max(1, round(n_records / RECORDS_PER_EVENT))
    per_day = max(0.4, n_events / n_subjects / (MAX_YEARS * 365))
    return generate_case(n_events, seed=seed, n_subjects=n_subjects, events_per_day=per_day)


def case_folder(n_records: int, seed: int = 0) -> str:
    """Path of a case.toml with about ``n_records`` records over six agencies (made once)."""
    folder = OUT / "cases" / f"case_{n_records}_s{seed}"
    case_file = folder / "case.toml"
    if not case_file.exists():
        events, _ = generated(n_records, seed)
        tmp = folder.with_name(folder.name + ".tmp")
        render_case(tmp, events, f"Benchmark case {n_records:,}", seed)
        tmp.rename(folder)
    return str(case_file)


def batch_folder(n_cases: int = 1000, records_per_case: int = 1000, seed: int = 0) -> str:
    """A folder of ``n_cases`` case folders of about ``records_per_case`` records each (made once)."""
    folder = OUT / "batches" / f"batch_{n_cases}x{records_per_case}_s{seed}"
    if not (folder / ".complete").exists():
        for k in range(n_cases):
            case = folder / f"case_{k:04d}"
            if (case / "case.toml").exists():
                continue
            events, _ = generated(records_per_case, seed * 100_000 + k)
            render_case(case, events, f"Benchmark case {k:04d}", k)
        (folder / ".complete").write_text("", encoding="utf-8")
    return str(folder)


def batch_subset(n_cases: int, records_per_case: int = 1000, seed: int = 0) -> str:
    """A folder of links to the first ``n_cases`` cases of the 1,000-case batch (a smaller batch of the same cases)."""
    full = Path(batch_folder(1000, records_per_case, seed))
    if n_cases >= 1000:
        return str(full)
    folder = OUT / "batches" / f"subset_{n_cases}x{records_per_case}_s{seed}"
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(n_cases):
        link = folder / f"case_{k:04d}"
        if not link.exists():
            link.symlink_to(full / f"case_{k:04d}", target_is_directory=True)
    return str(folder)


def matched_case(n_records: int, seed: int = 0, n_subjects: int = 1, matched: bool = False) -> str:
    """A folder of generated events and their truth as parquet (made once).

    The input of the match benchmark (events.parquet, truth.parquet); with ``matched``,
    also the matched events and clusters (matched.parquet, clusters.pkl) for the
    analysis benchmark, made here if the match benchmark has not left them.
    """
    folder = OUT / "matched" / f"m_{n_records}_x{n_subjects}_s{seed}"
    if not (folder / "truth.parquet").exists():
        folder.mkdir(parents=True, exist_ok=True)
        events, truth = generated(n_records, seed, n_subjects)
        events.to_parquet(folder / "events.parquet")
        truth.to_frame().to_parquet(folder / "truth.parquet")
    if matched and not (folder / "clusters.pkl").exists():
        import pandas as pd

        from chronology.match import match_events

        save_matched(str(folder), match_events(pd.read_parquet(folder / "events.parquet")))
    return str(folder)


def save_matched(folder: str, result) -> None:  # noqa: ANN001
    """Keep a MatchResult's events and clusters for the analysis benchmark (once)."""
    import pandas as pd

    path = Path(folder)
    if not (path / "clusters.pkl").exists():
        result.events.to_parquet(path / "matched.parquet")
        pd.to_pickle(result.clusters, path / ".clusters.tmp")
        (path / ".clusters.tmp").rename(path / "clusters.pkl")


def docx_file(n: int) -> str:
    """Path of a Word document with the same rows as a template's table (made once).

    A preamble paragraph, then one table: a header row marked to repeat on each
    page, and n rows whose Details cell holds two paragraphs (the entry and its
    reference), as agencies fill in a partnership's Word template.
    """
    import io
    import re
    import zipfile
    from xml.sax.saxutils import escape

    import docx

    path = OUT / f"agency_{n}.docx"
    if path.exists():
        return str(path)
    OUT.mkdir(parents=True, exist_ok=True)
    document = docx.Document()
    document.add_paragraph("Northshire Police chronology - benchmark case")
    document.add_paragraph("TABLE-GOES-HERE")
    blank = io.BytesIO()
    document.save(blank)

    def cell(text: str) -> str:
        paragraphs = text.split(" Ref ") if " Ref " in text else [text]
        if len(paragraphs) == 2:
            paragraphs[1] = "Ref " + paragraphs[1]
        return (
            "<w:tc>"
            + "".join(
                f'<w:p><w:r><w:t xml:space="preserve">{escape(p)}</w:t></w:r></w:p>' for p in paragraphs
            )
            + "</w:tc>"
        )

    head = "<w:tr><w:trPr><w:tblHeader/></w:trPr>" + "".join(cell(h) for h in HEADER) + "</w:tr>"
    body = "".join("<w:tr>" + "".join(cell(c) for c in row) + "</w:tr>" for row in rows(n))
    grid = "".join('<w:gridCol w:w="1500"/>' for _ in HEADER)
    table = f'<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>{head}{body}</w:tbl>'
    tmp = path.with_name(f".{os.getpid()}.{path.name}")
    with zipfile.ZipFile(blank) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            part = src.read(item)
            if item.filename == "word/document.xml":
                text = part.decode("utf-8")
                text = re.sub(
                    r"<w:p\b(?:(?!<w:p\b).)*?TABLE-GOES-HERE.*?</w:p>",
                    lambda _: table,
                    text,
                    count=1,
                    flags=re.S,
                )
                part = text.encode("utf-8")
            out.writestr(item, part)
    tmp.rename(path)
    return str(path)


#: Routine entries of one busy agency: one case, one agency, about 55 a day.
_DENSE_TEXTS = (
    "Attendance recorded: present am and pm sessions.",
    "Telephone call to parent re attendance.",
    "Home visit completed, child seen, no concerns noted.",
    "Duty log: message left for allocated worker.",
    "Case note: supervision discussion recorded.",
    "Letter sent to parent re appointment.",
    "Email received from school re attendance.",
    "Minutes of review meeting typed and circulated.",
)
_DENSE_TYPES = (
    "school_contact",
    "phone_call",
    "home_visit",
    "other",
    "other",
    "letter",
    "information_shared",
    "meeting",
)


def dense_events(n: int = 200_000, per_day: int = 55, seed: int = 0):  # noqa: ANN201 - a DataFrame
    """One agency's export of ``n`` routine entries, ``per_day`` a day, in the event schema.

    The worst case for candidate pairs: every entry meets every other of its
    day and the next, and the receipts and minutes among them meet two weeks
    of entries. Deterministic for a seed.
    """
    import numpy as np
    import pandas as pd

    from chronology.schema import EVENT_COLUMNS

    rng = np.random.default_rng(seed)
    kind = rng.integers(0, len(_DENSE_TEXTS), n)
    day = np.sort(rng.integers(0, max(1, n // per_day), n))
    minute = rng.integers(8 * 60, 18 * 60, n)
    start = pd.Timestamp("2015-01-05") + pd.to_timedelta(day, unit="D") + pd.to_timedelta(minute, unit="m")
    start = start.tz_localize("Europe/London", ambiguous="NaT", nonexistent="shift_forward")
    texts = np.asarray(_DENSE_TEXTS, dtype=object)[kind]
    ref = rng.integers(1000, 9999, n).astype(str)
    frame = pd.DataFrame({c: "" for c in EVENT_COLUMNS}, index=range(n))
    frame["record_id"] = [f"D-{i:07d}" for i in range(n)]
    frame["agency"] = "Children's Social Care"
    frame["source_file"] = "dense.csv"
    frame["source_row"] = np.arange(2, n + 2, dtype=np.int64)
    frame["status"] = "event"
    frame["start"] = start
    frame["end"] = start
    frame["date_precision"] = "time"
    frame["event_type"] = np.asarray(_DENSE_TYPES, dtype=object)[kind]
    frame["description"] = texts + " Ref " + ref + "."
    frame["raw"] = "{}"
    return frame
