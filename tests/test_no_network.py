"""The toolkit opens no network connection: the whole merge runs with sockets blocked.

Data about children stays on the machine. Every way Python reaches the
network (connect, connect_ex, sendto, create_connection, name lookups) is
replaced by a function that records the attempt and fails; the demo case's
merge must still succeed, and nothing may have tried.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from chronology.cli import main
from chronology.outputs import OUTPUT_FILES

CASE = Path(__file__).resolve().parents[1] / "data_samples" / "child_h" / "case.toml"


@pytest.fixture
def attempts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    tried: list[str] = []

    def blocked(name: str):  # noqa: ANN202
        def refuse(*args: object, **_kw: object) -> None:
            tried.append(f"{name}{args[1:] if name.startswith('socket.') else args}")
            raise OSError(f"network blocked in this test ({name})")

        return refuse

    for attr in ("connect", "connect_ex", "sendto", "sendmsg"):
        monkeypatch.setattr(socket.socket, attr, blocked(f"socket.{attr}"))
    for attr in ("create_connection", "getaddrinfo", "gethostbyname", "gethostbyname_ex", "getnameinfo"):
        monkeypatch.setattr(socket, attr, blocked(attr))
    return tried


def test_blocking_works(attempts: list[str]) -> None:
    with pytest.raises(OSError, match="network blocked"):
        socket.create_connection(("example.invalid", 80), timeout=1)
    assert attempts == ["create_connection(('example.invalid', 80),)"]
    attempts.clear()


def test_merge_opens_no_connection(attempts: list[str], tmp_path: Path, capsys) -> None:  # noqa: ANN001
    out = tmp_path / "out"
    assert main(["merge", str(CASE), "--out", str(out)]) == 0, capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)
    assert main(["validate", str(CASE)]) == 0
    assert attempts == []
