"""Password-protected Office files (.xlsx, .docx saved with a password): decrypted in memory.

Excel and Word save a file with a password as an OLE2 compound file holding an
``EncryptedPackage`` stream. Its password is given at run time, never in
case.toml: the ``CHRONOLOGY_PASSWORD`` environment variable, or, when the
command runs on a terminal and the variable is not set, a prompt (one per
file). The file is decrypted in memory with msoffcrypto-tool and the
decrypted bytes are read by whichever reader recognises them, after the same
archive guards as any other file. Nothing of the password is written anywhere:
not to case.toml, the outputs, the manifest or a message. The file's hash (and
so ``record_id``) is that of the file as stored, encrypted.

Without a password, or with one that does not open the file, the file is
refused in one line naming it.

Example:
    >>> import os
    >>> os.environ["CHRONOLOGY_PASSWORD"] = "..."  # doctest: +SKIP
    >>> open_book(Path("police.xlsx")).kind  # doctest: +SKIP
    'xlsx'
"""

from __future__ import annotations

import getpass
import hashlib
import io
import os
import sys
from collections.abc import Callable

from chronology.errors import InputError
from chronology.ingest.readers.registry import Contents, Probe, Reader, ReadOptions, read_contents, register

#: The environment variable holding the password of the case's protected files.
PASSWORD_VARIABLE = "CHRONOLOGY_PASSWORD"
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
#: Passwords that opened a file in this process, by the file's hash (memory only: a prompt is not
#: asked twice for one file when a command reads it twice, as ``init`` and ``merge`` do).
_OPENED: dict[str, str] = {}


def _terminal() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def _prompt(name: str) -> str | None:
    """Ask for the password on the terminal (not echoed); None when there is no terminal."""
    if not _terminal():
        return None
    try:
        return getpass.getpass(f"Password for {name} (not stored): ") or None
    except (EOFError, KeyboardInterrupt):
        return None


#: How a password is asked for when the environment variable is not set (replaced in tests).
ask: Callable[[str], str | None] = _prompt


def given_password(name: str) -> tuple[str, str] | None:
    """The password the user gave for this run and where it came from, or None.

    Example:
        >>> os.environ[PASSWORD_VARIABLE] = "s3cret"
        >>> given_password("police.xlsx")
        ('s3cret', 'CHRONOLOGY_PASSWORD')
        >>> del os.environ[PASSWORD_VARIABLE]
    """
    password = os.environ.get(PASSWORD_VARIABLE)
    if password:
        return password, PASSWORD_VARIABLE
    password = ask(name)
    return (password, "at the prompt") if password else None


@register
class Encrypted(Reader):
    """An Office file saved with a password (OLE2 with an EncryptedPackage stream)."""

    NAME = "encrypted"
    DESCRIPTION = "password-protected .xlsx or .docx (decrypted in memory with a password given at run time)"
    PRIORITY = 30

    def recognises(self, probe: Probe) -> bool:
        """An OLE2 file holding an EncryptedPackage stream."""
        return probe.is_ole2 and ENCRYPTED_STREAM in probe.data

    def read(self, data: bytes, name: str, options: ReadOptions) -> Contents:
        """Decrypt with the password given, then read the decrypted bytes.

        Raises:
            InputError: No password given, a wrong one, or a file that does not decrypt.
        """
        digest = hashlib.sha256(data).hexdigest()
        known = _OPENED.get(digest)
        given = (known, "earlier in this run") if known else given_password(name)
        if given is None:
            raise InputError(
                "the file is password-protected and no password was given",
                file=name,
                hint=f"set {PASSWORD_VARIABLE} for this run (it is never stored), "
                "or run the command in a terminal to be asked",
            )
        plain = decrypt(data, name, *given)
        _OPENED[digest] = given[0]
        if plain.startswith(b"\xd0\xcf\x11\xe0"):  # decrypted into another compound file: not a package
            raise InputError("the decrypted file is not a workbook or Word document", file=name)
        return read_contents(plain, name, options)


def decrypt(data: bytes, name: str, password: str, source: str) -> bytes:
    """The decrypted package's bytes.

    Raises:
        InputError: The password does not open the file, or the file is damaged.
    """
    import msoffcrypto
    from msoffcrypto import exceptions

    out = io.BytesIO()
    try:
        office = msoffcrypto.OfficeFile(io.BytesIO(data))
        office.load_key(password=password, verify_password=True)
        office.decrypt(out)
    except exceptions.InvalidKeyError:
        raise InputError(
            f"the file is password-protected and the password given ({source}) does not open it",
            file=name,
            hint="check the password with the agency that sent the file",
        ) from None
    except Exception as exc:  # msoffcrypto and olefile raise several error types for damaged files
        reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise InputError(
            f"the password-protected file cannot be decrypted ({reason})",
            file=name,
            hint="open it with its password and save it again, or ask the agency for a copy without one",
        ) from None
    return out.getvalue()
