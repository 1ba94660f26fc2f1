"""Agency files of any size for the benchmarks: a police-style CSV and a CSC-style XLSX.

The rows look like real chronology entries (day-first dates, a separate time,
jargon, multi-sentence text, the odd continuation row and footer) so that the
readers do the work they do on real files. Files are cached under bench/out/.
"""

from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"

TYPES = [
    ("Home visit", "HV visited the home. Child seen and observed playing; home conditions adequate."),
    ("Telephone call", "Tel call to mother re missed appointment; no answer, message left."),
    ("DA incident", "Police attended DA incident at the address; DASH completed, medium risk. PPN submitted to MASH."),
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
    """n data rows: Date, Time, Contact type, Details, Outcome, Worker."""
    rng = random.Random(seed)
    day = date(2018, 1, 1)
    out = []
    for i in range(n):
        day += timedelta(days=rng.choice((0, 0, 0, 1, 1, 2)))
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
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["Northshire Police chronology - benchmark case"])
            writer.writerow(HEADER)
            writer.writerows(rows(n))
            writer.writerow(["End of chronology"])
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
        wb.save(path)
    return str(path)
