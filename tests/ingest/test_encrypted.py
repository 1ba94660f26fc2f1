"""Password-protected workbooks and documents: opened with a password given at run time, never stored."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from chronology.cli import main
from chronology.errors import InputError
from chronology.ingest.files import open_book
from chronology.ingest.readers import encrypted

PASSWORD = "Tr0ub4dor&3-child-h"


@pytest.fixture(autouse=True)
def _no_password(monkeypatch: pytest.MonkeyPatch) -> None:
    """No password from the environment, no prompt, nothing remembered from another test."""
    monkeypatch.delenv(encrypted.PASSWORD_VARIABLE, raising=False)
    monkeypatch.setattr(encrypted, "ask", lambda name: None)
    monkeypatch.setattr(encrypted, "_OPENED", {})


def _encrypt(plain: bytes, path: Path, password: str = PASSWORD) -> Path:
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(plain)).encrypt(password, out)
    path.write_bytes(out.getvalue())
    return path


def _xlsx() -> bytes:
    wb = openpyxl.Workbook()
    wb.active.append(["Date", "Details"])
    wb.active.append(["01/02/2019", "Home visit, Child H seen"])
    wb.active.append(["08/02/2019", "Phone call to Mother"])
    data = io.BytesIO()
    wb.save(data)
    return data.getvalue()


def _docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("GP chronology")
    table = document.add_table(rows=2, cols=2)
    for j, (head, cell) in enumerate([("Date", "01/02/2019"), ("Entry", "Seen with Mother")]):
        table.cell(0, j).text, table.cell(1, j).text = head, cell
    data = io.BytesIO()
    document.save(data)
    return data.getvalue()


def test_encrypted_workbook_read_with_the_environment_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _encrypt(_xlsx(), tmp_path / "police.xlsx")
    monkeypatch.setenv(encrypted.PASSWORD_VARIABLE, PASSWORD)
    book = open_book(path)
    assert book.kind == "xlsx"
    assert book.sheets[0].rows[2] == ["08/02/2019", "Phone call to Mother"]
    assert book.warnings == []


def test_encrypted_document_read_with_the_prompted_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    monkeypatch.setattr(encrypted, "ask", lambda name: asked.append(name) or PASSWORD)
    path = _encrypt(_docx(), tmp_path / "gp.docx")
    assert open_book(path, label="gp.docx").sheets[0].rows == [
        ["Date", "Entry"],
        ["01/02/2019", "Seen with Mother"],
    ]
    open_book(path, label="gp.docx")
    assert asked == ["gp.docx"]  # asked once: the second read uses the password that opened it


def test_without_a_password_refused(tmp_path: Path) -> None:
    path = _encrypt(_xlsx(), tmp_path / "police.xlsx")
    with pytest.raises(InputError) as info:
        open_book(path, label="police.xlsx")
    assert info.value.line().startswith(
        "police.xlsx: the file is password-protected and no password was given"
    )
    assert "CHRONOLOGY_PASSWORD" in info.value.line()


def test_wrong_password_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _encrypt(_docx(), tmp_path / "gp.docx")
    monkeypatch.setenv(encrypted.PASSWORD_VARIABLE, "not-it")
    with pytest.raises(
        InputError, match=r"^gp.docx: .*the password given \(CHRONOLOGY_PASSWORD\) does not open it"
    ):
        open_book(path, label="gp.docx")


def test_decrypted_bytes_pass_the_archive_guards(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A hostile document inside the encryption is refused as it would be in the clear."""
    plain = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_docx())) as src, zipfile.ZipFile(plain, "w") as out:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "word/document.xml":
                data = data.replace(b"?>", b'?><!DOCTYPE w [<!ENTITY a "aaaa">]>', 1)
            out.writestr(item, data)
    path = _encrypt(plain.getvalue(), tmp_path / "gp.docx")
    monkeypatch.setenv(encrypted.PASSWORD_VARIABLE, PASSWORD)
    with pytest.raises(InputError, match="refused: an XML entity declaration in word/document.xml"):
        open_book(path, label="gp.docx")


def test_password_written_nowhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # noqa: ANN001
    _encrypt(_xlsx(), tmp_path / "police.xlsx")
    _encrypt(_docx(), tmp_path / "gp.docx")
    (tmp_path / "case.toml").write_text(
        '[case]\nname = "t"\n[[sources]]\npath = "police.xlsx"\nagency = "Police"\n'
        '[[sources]]\npath = "gp.docx"\nagency = "GP"\n'
    )
    monkeypatch.setenv(encrypted.PASSWORD_VARIABLE, PASSWORD)
    assert main(["merge", str(tmp_path / "case.toml"), "--out", str(tmp_path / "out")]) == 0
    printed = "".join(capsys.readouterr())
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(written) > 5
    for path in written:
        assert PASSWORD.encode() not in path.read_bytes(), path
    assert PASSWORD not in printed
    manifest = (tmp_path / "out" / "manifest.json").read_text()
    assert "police.xlsx" in manifest  # the input is listed, by its (encrypted) file's hash


def test_prompt_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    import getpass

    prompts: list[str] = []
    monkeypatch.setattr(getpass, "getpass", lambda prompt: prompts.append(prompt) or "typed")
    monkeypatch.setattr(encrypted, "_terminal", lambda: False)
    assert encrypted._prompt("police.xlsx") is None and prompts == []  # no terminal: never asked
    monkeypatch.setattr(encrypted, "_terminal", lambda: True)
    assert encrypted._prompt("police.xlsx") == "typed"
    assert prompts == ["Password for police.xlsx (not stored): "]
