"""Opening agency files into grids: encodings, delimiters, workbooks, hostile files."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest

from chronology.errors import InputError
from chronology.ingest.files import cell_text, check_zip, open_book, sniff_delimiter


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_utf8_bom_is_stripped(tmp_path: Path) -> None:
    book = open_book(write(tmp_path / "a.csv", "\ufeffDate,Détails\n01/02/2019,Seen\n".encode()))
    assert book.encoding == "utf-8-sig"
    assert book.sheets[0].head(99)[0] == ["Date", "Détails"]  # no BOM glued to "Date"


def test_cp1252_fallback(tmp_path: Path) -> None:
    book = open_book(write(tmp_path / "a.csv", "Date,Details\n01/02/2019,Mother’s £5\n".encode("cp1252")))
    assert book.encoding == "cp1252"
    assert book.sheets[0].head(99)[1][1] == "Mother’s £5"  # curly quote and pound survive


def test_utf16_export(tmp_path: Path) -> None:
    book = open_book(write(tmp_path / "a.txt", "Date\tDetails\r\n01/02/2019\tSeen\r\n".encode("utf-16")))
    assert book.delimiter == "\t"
    assert book.sheets[0].head(99)[1] == ["01/02/2019", "Seen"]


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_delimiter_sniffed(tmp_path: Path, sep: str) -> None:
    text = f"Police chronology\n\nDate{sep}Type{sep}Details\n01/02/2019{sep}Visit{sep}Seen, well; fine\n"
    text = text.replace("Seen, well; fine", '"Seen, well; fine"' if sep in ",;" else "Seen, well; fine")
    book = open_book(write(tmp_path / "a.csv", text.encode()))
    assert book.delimiter == sep
    assert book.sheets[0].head(99)[3] == ["01/02/2019", "Visit", "Seen, well; fine"]  # 3 cells


def test_sniff_prefers_consistent_split() -> None:
    # commas inside the text vary per line; semicolons split every line in two
    assert sniff_delimiter("Date;Details\n01/02/2019;a, b\n02/02/2019;c\n03/02/2019;d, e, f\n") == ";"


def test_multiline_cell_is_one_row(tmp_path: Path) -> None:
    book = open_book(
        write(tmp_path / "a.csv", b'Date,Details\n01/02/2019,"line one\nline two"\n02/02/2019,x\n')
    )
    rows = book.sheets[0].head(99)
    assert len(rows) == 3  # header and two records
    assert rows[1][1] == "line one\nline two"


def test_nul_bytes_stripped_with_warning(tmp_path: Path) -> None:
    book = open_book(write(tmp_path / "a.csv", b"Date,Details\n01/02/2019,Se\x00en\n"))
    assert book.sheets[0].head(99)[1][1] == "Seen"
    assert any("NUL" in w and "line 2" in w for w in book.warnings)


def test_binary_garbage_named_csv(tmp_path: Path) -> None:
    data = bytes(range(256)) * 40
    with pytest.raises(InputError, match="binary"):
        open_book(write(tmp_path / "a.csv", data))


def test_pdf_named_csv(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="PDF"):
        open_book(write(tmp_path / "a.csv", b"%PDF-1.4\n..."))


def test_missing_and_empty(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        open_book(tmp_path / "nope.csv", label="nope.csv")
    with pytest.raises(InputError, match="empty"):
        open_book(write(tmp_path / "e.csv", b"  \n\n"))


def make_xlsx(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Chronology"
    ws.append(["Date", "Details"])
    ws.append([dt.datetime(2019, 3, 4, 14, 30), "Seen"])
    wb.save(path)
    return path


def test_xlsx_cells_typed(tmp_path: Path) -> None:
    book = open_book(make_xlsx(tmp_path / "a.xlsx"))
    assert book.kind == "xlsx"
    assert book.sheets[0].head(99)[1] == [dt.datetime(2019, 3, 4, 14, 30), "Seen"]


def test_xlsx_named_csv_read_as_workbook(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "a.xlsx").rename(tmp_path / "a.csv")
    book = open_book(path)
    assert book.kind == "xlsx"
    assert any("really XLSX" in w for w in book.warnings)


def test_csv_named_xlsx_read_as_csv(tmp_path: Path) -> None:
    book = open_book(write(tmp_path / "a.xlsx", b"Date,Details\n01/02/2019,Seen\n"))
    assert book.kind == "csv"
    assert any("really CSV" in w for w in book.warnings)


def test_corrupt_zip(tmp_path: Path) -> None:
    data = make_xlsx(tmp_path / "a.xlsx").read_bytes()
    with pytest.raises(InputError, match="corrupt|cannot be read"):
        open_book(write(tmp_path / "b.xlsx", data[: len(data) // 2]))


def test_encrypted_ooxml_refused(tmp_path: Path) -> None:
    ole = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 500
        + "EncryptedPackage".encode("utf-16-le")
        + b"\x00" * 100
    )
    with pytest.raises(InputError, match="password"):
        open_book(write(tmp_path / "a.xlsx", ole))


def test_zip_bomb_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", b"<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            chunk = b"\x00" * (1 << 20)
            for _ in range(150):  # 150 MB of zeros compress about 1000:1
                part.write(chunk)
    with pytest.raises(InputError, match="zip bomb"):
        open_book(path)


def test_entity_declaration_refused(tmp_path: Path) -> None:
    path = tmp_path / "laughs.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("xl/workbook.xml", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "ha">]><workbook/>')
    with pytest.raises(InputError, match="entity"):
        check_zip(path.read_bytes(), "laughs.xlsx")


def test_cell_text() -> None:
    assert cell_text(43500.0) == "43500"  # whole float without .0
    assert cell_text(0.1) == "0.1"
    assert cell_text(False) == "FALSE"
    assert cell_text(dt.date(2019, 3, 4)) == "2019-03-04"
    assert cell_text(dt.time(14, 30)) == "14:30:00"
    assert cell_text(None) == ""


def test_megabyte_cell_and_wider_row_later(tmp_path: Path) -> None:
    big = "word, " * 200_000  # 1.2 MB in one quoted cell, beyond csv's default field limit
    book = open_book(
        write(tmp_path / "a.csv", f'Date,Details\n01/02/2019,"{big}"\n02/02/2019,y,z\n'.encode())
    )
    rows = book.sheets[0].head(3)
    assert rows[1][1] == big
    assert rows[2] == ["02/02/2019", "y", "z"]  # a row wider than the header is kept whole
