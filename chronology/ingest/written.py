"""When an agency's workbook or Word document says it was last saved, to catch dates after it.

An .xlsx, .xlsm or .docx keeps ``docProps/core.xml`` with ``dcterms:modified`` (and ``created``): the
latest of the two is the day the file was last written. A chronology entry cannot be dated after the file
that records it. The part is read only from an ordinary (unencrypted) zip, at most ``MAX_PART_BYTES``
of it, and searched with a regular expression (no XML parser, so no entity expansion). CSV and other
files have no such record (a file system's times change with every copy), so give None.

Example:
    >>> written_date(Path("police.xlsx"))  # doctest: +SKIP
    datetime.date(2021, 3, 4)
"""

from __future__ import annotations

import re
import zipfile
from datetime import date
from pathlib import Path

#: How much of docProps/core.xml is read (the part is a few hundred bytes).
MAX_PART_BYTES = 64 * 1024
_STAMP = re.compile(rb"<dcterms:(?:modified|created)[^>]*>\s*([0-9]{4})-([0-9]{2})-([0-9]{2})")


def written_date(path: Path) -> date | None:
    """The day a workbook or Word document was last saved, from its own properties; None when unknown.

    Example:
        >>> written_date(Path("no-such-file.xlsx")) is None
        True
    """
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("docProps/core.xml")
            if info.file_size > MAX_PART_BYTES:
                return None
            with archive.open(info) as part:
                text = part.read(MAX_PART_BYTES)
    except (OSError, KeyError, zipfile.BadZipFile, RuntimeError, NotImplementedError, ValueError):
        return None
    days = []
    for year, month, day in _STAMP.findall(text):
        try:
            days.append(date(int(year), int(month), int(day)))
        except ValueError:
            continue
    return max(days) if days else None
