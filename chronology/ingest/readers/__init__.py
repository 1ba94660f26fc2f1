"""One reader per container format, each registered with the signature it recognises.

Importing this package registers every reader; :func:`read_contents` reads
bytes with the one that recognises them. In the order they are asked:

==============  ======================================================================
not_a_table     PDF, image, RTF or compressed archive: refused, naming what it is
xlsx, ods       zipped workbooks (:mod:`.workbook`), after the archive guards
docx            Word documents (:mod:`.word`), after the archive guards
encrypted       password-protected .xlsx or .docx (:mod:`.encrypted`), decrypted in memory
doc             legacy Word .doc: refused, saying to save it as .docx (:mod:`.refused`)
xls             legacy Excel workbooks (:mod:`.workbook`)
zip             any other zip archive: refused
csv             delimited text (:mod:`.text`): whatever is left
==============  ======================================================================

Example:
    >>> [r.NAME for r in readers()][:2]
    ['not_a_table', 'xlsx']
"""

from __future__ import annotations

from chronology.ingest.readers import encrypted, refused, text, word, workbook
from chronology.ingest.readers.registry import (
    Contents,
    Probe,
    Reader,
    ReadOptions,
    read_contents,
    reader_for,
    readers,
    register,
    suffix_kinds,
)

__all__ = [
    "Contents",
    "Probe",
    "ReadOptions",
    "Reader",
    "encrypted",
    "read_contents",
    "reader_for",
    "readers",
    "refused",
    "register",
    "suffix_kinds",
    "text",
    "word",
    "workbook",
]
