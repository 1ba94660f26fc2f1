"""Files that are not a chronology table: each recognised by its signature and refused in one line.

A legacy Word .doc is refused with the way out (save it as .docx); a PDF, an
image or another archive is named for what it is; a zip archive holding
neither a workbook nor a Word document is refused as such.

Example:
    >>> NotATable().recognises(Probe(b"%PDF-1.4\\n", "gp.csv"))
    True
"""

from __future__ import annotations

from chronology.errors import InputError
from chronology.ingest.readers.registry import Contents, Probe, Reader, ReadOptions, register

#: An OLE2 stream naming a Word document (a legacy .doc), as the compound file's directory spells it.
WORD_STREAM = "WordDocument".encode("utf-16-le")
#: ...and the streams of a legacy workbook (a workbook holding an embedded Word object is a workbook).
WORKBOOK_STREAMS = ("Workbook".encode("utf-16-le"), "Book".encode("utf-16-le"))
BINARY_MAGIC = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
    b"7z\xbc\xaf": "a 7-zip archive",
    b"Rar!": "a RAR archive",
    b"{\\rtf": "an RTF document",
}
HINT = "send the chronology as .xlsx, .docx or .csv"


@register
class LegacyWord(Reader):
    """A Word 97-2003 document (.doc): refused, with how to save it as .docx."""

    NAME = "doc"
    DESCRIPTION = "Word 97-2003 document (.doc), refused"
    SUFFIXES = (".doc",)
    PRIORITY = 35

    def recognises(self, probe: Probe) -> bool:
        """An OLE2 file with a WordDocument stream and no workbook stream."""
        head = probe.data[: 1 << 20]
        return (
            probe.is_ole2
            and WORD_STREAM in probe.data
            and not any(stream in head for stream in WORKBOOK_STREAMS)
        )

    def read(self, data: bytes, name: str, options: ReadOptions) -> Contents:
        """Refuse."""
        raise InputError(
            "a Word 97-2003 document (.doc), which is not read",
            file=name,
            hint="open it in Word and save it as .docx (File > Save As > Word Document), then name the .docx",
        )


@register
class NotATable(Reader):
    """A PDF, an image, an RTF or a compressed archive, whatever its name."""

    NAME = "not_a_table"
    DESCRIPTION = "PDF, image, RTF or archive, refused"
    PRIORITY = 5

    def recognises(self, probe: Probe) -> bool:
        """The bytes start with one of ``BINARY_MAGIC``."""
        return probe.data.startswith(tuple(BINARY_MAGIC))

    def read(self, data: bytes, name: str, options: ReadOptions) -> Contents:
        """Refuse, naming what the file is."""
        what = next(w for magic, w in BINARY_MAGIC.items() if data.startswith(magic))
        raise InputError(f"not a chronology table: the file is {what}", file=name, hint=HINT)


@register
class OtherZip(Reader):
    """A zip archive that no workbook or Word reader recognised."""

    NAME = "zip"
    DESCRIPTION = "zip archive holding no spreadsheet or Word document, refused"
    PRIORITY = 90

    def recognises(self, probe: Probe) -> bool:
        """Any zip archive (the workbook and Word readers are asked first)."""
        return probe.is_zip

    def read(self, data: bytes, name: str, options: ReadOptions) -> Contents:
        """Refuse."""
        raise InputError("a zip archive that holds no spreadsheet or Word document", file=name, hint=HINT)
