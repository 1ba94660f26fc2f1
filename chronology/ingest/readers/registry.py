"""The readers of container formats, each registered with the signature it recognises.

A reader is a small class with a ``NAME``, the file name ``SUFFIXES`` it is
usually found under, a :meth:`Reader.recognises` test on the file's first
bytes (and, for zip archives, the names of its parts), and a
:meth:`Reader.read` that turns the bytes into sheets of cells. What a file
really is comes from its content, never its name: readers are asked in
``PRIORITY`` order and the first that recognises the bytes reads them (as
plaso's parser manager picks parsers by their format signatures).

A reader that refuses (a legacy .doc, a PDF) is registered like any other and
raises its one-line :class:`~chronology.errors.InputError` from ``read``.

Example:
    >>> reader_for(b"Date,Details\\n01/02/2019,Seen\\n", "gp.csv").NAME
    'csv'
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import ClassVar

from chronology.errors import InputError
from chronology.ingest.grid import Sheet

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class ReadOptions:
    """What a reader may need from case.toml and the run.

    Attributes:
        encoding: CSV encoding, overriding detection.
        delimiter: CSV delimiter, overriding sniffing.
        columns: ``[sources.columns]`` (canonical field -> header), which helps
            find the chronology among a document's tables.
    """

    encoding: str | None = None
    delimiter: str | None = None
    columns: Mapping[str, str] | None = None


@dataclass
class Contents:
    """What a reader found in a file.

    Attributes:
        kind: What the content is: csv, xlsx, xls, ods or docx.
        sheets: The grids of cells, in the file's order.
        warnings: One-line messages about the reading.
        encoding: The CSV encoding used ("" otherwise).
        delimiter: The CSV delimiter used ("" otherwise).
    """

    kind: str
    sheets: list[Sheet]
    warnings: list[str] = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ""


class Probe:
    """A file's bytes as readers test them: the zip directory is listed once, and only when asked.

    Attributes:
        data: The file's bytes.
        name: The file as named in messages.
    """

    def __init__(self, data: bytes, name: str) -> None:
        self.data = data
        self.name = name

    @property
    def is_zip(self) -> bool:
        """The bytes start as a zip archive (xlsx, ods, docx)."""
        return self.data.startswith(ZIP_MAGIC)

    @property
    def is_ole2(self) -> bool:
        """The bytes start as an OLE2 compound file (xls, doc, or an encrypted Office file)."""
        return self.data.startswith(OLE2_MAGIC)

    @cached_property
    def zip_names(self) -> frozenset[str]:
        """The part names of a zip archive (empty when the bytes are not one).

        Raises:
            InputError: The archive is damaged.
        """
        if not self.is_zip:
            return frozenset()
        try:
            with zipfile.ZipFile(io.BytesIO(self.data)) as zf:
                return frozenset(zf.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            raise InputError(
                "the file is corrupt (a damaged zip archive)",
                file=self.name,
                hint="open it in Excel or Word and save it again",
            ) from None

    def zip_part_head(self, part: str, size: int = 200) -> bytes:
        """The first bytes of one part of the zip archive (b"" when it has no such part)."""
        if part not in self.zip_names:
            return b""
        with zipfile.ZipFile(io.BytesIO(self.data)) as zf, zf.open(part) as handle:
            return handle.read(size)


class Reader:
    """One container format.

    Attributes:
        NAME: The format's short name (also ``Book.kind`` of what it reads).
        DESCRIPTION: The format in a few words, for messages and the README.
        SUFFIXES: File name suffixes the format is usually saved under.
        PRIORITY: Readers are asked in increasing order; the text reader,
            which recognises anything, comes last.
    """

    NAME: ClassVar[str] = ""
    DESCRIPTION: ClassVar[str] = ""
    SUFFIXES: ClassVar[tuple[str, ...]] = ()
    PRIORITY: ClassVar[int] = 100

    def recognises(self, probe: Probe) -> bool:
        """True when the bytes are this format."""
        raise NotImplementedError

    def read(self, data: bytes, name: str, options: ReadOptions) -> Contents:
        """The file's sheets.

        Raises:
            InputError: A one-line refusal naming the file.
        """
        raise NotImplementedError


_READERS: dict[str, Reader] = {}


def register(cls: type[Reader]) -> type[Reader]:
    """Class decorator: register a reader under its NAME (a second one of that name is an error)."""
    if cls.NAME in _READERS:
        raise KeyError(f"a reader named {cls.NAME!r} is already registered")
    _READERS[cls.NAME] = cls()
    return cls


def readers() -> list[Reader]:
    """The registered readers in the order they are asked.

    Example:
        >>> readers()[-1].NAME
        'csv'
    """
    return sorted(_READERS.values(), key=lambda r: (r.PRIORITY, r.NAME))


def reader_for(data: bytes, name: str) -> Reader:
    """The reader that recognises these bytes.

    Raises:
        InputError: A damaged zip archive.
    """
    probe = Probe(data, name)
    for reader in readers():
        if reader.recognises(probe):
            return reader
    raise InputError("no reader recognises the file", file=name)  # unreachable: text reads anything


def read_contents(data: bytes, name: str, options: ReadOptions) -> Contents:
    """Read bytes with the reader that recognises them (the encrypted reader calls it again, decrypted)."""
    return reader_for(data, name).read(data, name, options)


def suffix_kinds() -> dict[str, str]:
    """File name suffix -> the reader's NAME that usually reads it.

    Example:
        >>> suffix_kinds()[".docx"]
        'docx'
    """
    out: dict[str, str] = {}
    for reader in readers():
        for suffix in reader.SUFFIXES:
            out.setdefault(suffix, reader.NAME)
    return out
