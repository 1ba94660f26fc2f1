"""Building blocks of the Word documents (chronology.docx, packs.docx), made with python-docx.

Pages are A4 landscape with the protective marking centred in every header and
footer and "Page n of m" as Word fields. Large tables are written as
WordprocessingML text and parsed once (python-docx's cell objects cost a
table-wide walk per row); every text is set as text (``w:t``), so nothing
from an agency's file becomes a field, a hyperlink or a formula, and
characters XML cannot hold become U+FFFD. ``document_bytes`` fixes the core
properties' dates and every zip entry's time: the same run gives the same bytes.

Example:
    >>> doc = new_document("Child H review", "OFFICIAL-SENSITIVE")  # doctest: +SKIP
    >>> add_table(doc, [Column("Date", 22)], [[Cell("03/03/2019")]])  # doctest: +SKIP
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_TAB_ALIGNMENT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from chronology.views.workbook import FIXED_DATE, reproducible_zip

#: A4 landscape and its margins, in millimetres.
PAGE_WIDTH_MM: Final = 297
PAGE_HEIGHT_MM: Final = 210
MARGIN_MM: Final = 12
#: The width a table may take, in millimetres.
TEXT_WIDTH_MM: Final = PAGE_WIDTH_MM - 2 * MARGIN_MM
_TWIPS_PER_MM: Final = 1440 / 25.4
#: Characters that XML 1.0 cannot hold (Word refuses the file).
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_FONT: Final = "Arial"


def twips(mm: float) -> int:
    """Millimetres as twentieths of a point, Word's unit for widths.

    Example:
        >>> twips(25.4)
        1440
    """
    return round(mm * _TWIPS_PER_MM)


def clean(value: Any) -> str:
    """A value as text Word can hold: "" for nothing, illegal characters as U+FFFD.

    Example:
        >>> clean("a\\x07b"), clean(None)
        ('a\\ufffdb', '')
    """
    if value is None:
        return ""
    if not isinstance(value, str):
        try:
            if value != value:  # NaN, NaT
                return ""
        except (TypeError, ValueError):
            pass
        value = str(value)
    return _ILLEGAL.sub("\ufffd", value)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def runs_xml(text: Any, *, bold: bool = False, size: float | None = None, colour: str = "") -> str:
    """WordprocessingML runs for a text: line breaks as ``w:br``, spaces kept, never a field.

    Example:
        >>> runs_xml("a<b>\\nc")
        '<w:r><w:t xml:space="preserve">a&lt;b&gt;</w:t><w:br/><w:t xml:space="preserve">c</w:t></w:r>'
    """
    props = ("<w:b/>" if bold else "") + (f'<w:color w:val="{colour}"/>' if colour else "")
    if size:
        props += f'<w:sz w:val="{round(size * 2)}"/>'
    lines = clean(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    body = "<w:br/>".join(f'<w:t xml:space="preserve">{_esc(line)}</w:t>' for line in lines)
    return f"<w:r>{f'<w:rPr>{props}</w:rPr>' if props else ''}{body}</w:r>"


@dataclass(frozen=True)
class Column:
    """A table column: its header and width in millimetres."""

    header: str
    width_mm: float


@dataclass(frozen=True)
class Cell:
    """One table cell.

    Attributes:
        text: The text (line breaks kept).
        fill: Background as "RRGGBB" ("" for none).
        bar: Colour of a thick left border as "RRGGBB" ("" for none).
        bold: Bold text.
        note: A second, smaller line under the text (a citation, a lag).
    """

    text: Any = ""
    fill: str = ""
    bar: str = ""
    bold: bool = False
    note: str = ""


def _cell_xml(cell: Cell, width: int, size: float) -> str:
    props = f'<w:tcW w:w="{width}" w:type="dxa"/>'
    if cell.bar:
        props += (
            f'<w:tcBorders><w:left w:val="single" w:sz="36" w:space="0" w:color="{cell.bar}"/></w:tcBorders>'
        )
    if cell.fill:
        props += f'<w:shd w:val="clear" w:color="auto" w:fill="{cell.fill}"/>'
    para = runs_xml(cell.text, bold=cell.bold, size=size)
    if cell.note:
        para += "<w:r><w:br/></w:r>" + runs_xml(cell.note, size=size - 1.5, colour="555555")
    return f'<w:tc><w:tcPr>{props}</w:tcPr><w:p><w:pPr><w:spacing w:before="0" w:after="0"/></w:pPr>{para}</w:p></w:tc>'


def table_xml(columns: Sequence[Column], rows: Sequence[Sequence[Cell]], *, size: float = 8.5) -> str:
    """A whole table as WordprocessingML: fixed layout, a header row repeated on every page.

    Args:
        columns: The columns; their widths should add up to TEXT_WIDTH_MM or less.
        rows: One list of cells per row, one cell per column.
        size: The text size in points.
    """
    widths = [twips(c.width_mm) for c in columns]
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    borders = "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="A0A0A0"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    head = "".join(
        _cell_xml(Cell(c.header, fill="D9D9D9", bold=True), w, size)
        for c, w in zip(columns, widths, strict=True)
    )
    parts = [
        f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
        f'<w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="fixed"/>'
        '<w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar>'
        f'<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/>'
        f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid>",
        f"<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>{head}</w:tr>",
    ]
    for row in rows:
        cells = "".join(_cell_xml(c, w, size) for c, w in zip(row, widths, strict=True))
        parts.append(f"<w:tr>{cells}</w:tr>")
    parts.append("</w:tbl>")
    return "".join(parts)


#: The text of the paragraph that holds a table's place until the document is saved (``_splice``).
_TABLE_MARK: Final = "\u27e6chronology table {n}\u27e7"


def add_table(
    doc: DocumentObject, columns: Sequence[Column], rows: Sequence[Sequence[Cell]], *, size: float = 8.5
) -> None:
    """Append a table (``table_xml``) at the end of the document.

    The table is kept as text and put in place of a marker paragraph when the
    document is saved (``document_bytes``): parsing it into python-docx's
    element classes costs about as much as everything else in a 10,000-row document.
    """
    tables: dict[str, str] = doc.__dict__.setdefault("_chronology_tables", {})
    mark = _TABLE_MARK.format(n=len(tables) + 1)
    tables[mark] = table_xml(columns, rows, size=size)
    doc.add_paragraph(mark)
    doc.add_paragraph().paragraph_format.space_after = Pt(2)  # Word needs a paragraph after a table


def _splice(tables: dict[str, str]) -> Any:
    """A rewrite of word/document.xml putting each table in place of its marker paragraph."""

    def rewrite(body: bytes) -> bytes:
        text = body.decode("utf-8")
        parts = []
        at = 0
        for mark, xml in tables.items():
            found = text.index(f">{mark}<", at)
            start = max(text.rfind("<w:p>", at, found), text.rfind("<w:p ", at, found))
            end = text.index("</w:p>", found) + len("</w:p>")
            parts += [text[at:start], xml]
            at = end
        parts.append(text[at:])
        return "".join(parts).encode("utf-8")

    return rewrite


def _field(paragraph: Paragraph, instruction: str, placeholder: str) -> None:
    """A Word field (PAGE, NUMPAGES) as begin, instruction, separator, shown value, end."""
    p = paragraph._p
    for xml in (
        '<w:r %s><w:fldChar w:fldCharType="begin"/></w:r>',
        f'<w:r %s><w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>',
        '<w:r %s><w:fldChar w:fldCharType="separate"/></w:r>',
        f"<w:r %s><w:t>{placeholder}</w:t></w:r>",
        '<w:r %s><w:fldChar w:fldCharType="end"/></w:r>',
    ):
        p.append(parse_xml(xml % nsdecls("w")))


def _tab_stops(paragraph: Paragraph) -> None:
    """A centre and a right tab stop across the landscape page (the Header and Footer styles' portrait ones cleared)."""
    stops = paragraph.paragraph_format.tab_stops
    for inches in (3.25, 6.5):  # the stops of python-docx's template's Header and Footer styles
        stops.add_tab_stop(Mm(inches * 25.4), WD_TAB_ALIGNMENT.CLEAR)
    stops.add_tab_stop(Mm(TEXT_WIDTH_MM / 2), WD_TAB_ALIGNMENT.CENTER)
    stops.add_tab_stop(Mm(TEXT_WIDTH_MM), WD_TAB_ALIGNMENT.RIGHT)


def mark_pages(section: Any, marking: str, title: str, *, own_numbers: bool = False) -> None:
    """The section's header and footer: the marking centred at top and bottom, title and page numbers.

    Header: the title on the left, the marking centred in bold. Footer: the
    marking centred, "Page n of m" (PAGE and NUMPAGES fields) on the right;
    with ``own_numbers`` the section numbers its own pages from 1 ("Page n":
    each agency's pack is numbered as a document of its own).
    """
    section.header.is_linked_to_previous = False
    section.footer.is_linked_to_previous = False
    head = section.header.paragraphs[0]
    head.text = ""
    _tab_stops(head)
    head.add_run(clean(title)).font.size = Pt(8)
    head.add_run("\t")
    head.add_run(clean(marking)).bold = True
    foot = section.footer.paragraphs[0]
    foot.text = ""
    _tab_stops(foot)
    foot.add_run("\t")
    foot.add_run(clean(marking)).bold = True
    foot.add_run("\tPage ")
    _field(foot, "PAGE", "1")
    if not own_numbers:
        foot.add_run(" of ")
        _field(foot, "NUMPAGES", "1")
    else:  # no "of m": LibreOffice does not count a section's pages (SECTIONPAGES)
        numbering = section._sectPr.find(qn("w:pgNumType"))
        if numbering is None:
            numbering = parse_xml(f"<w:pgNumType {nsdecls('w')}/>")
            # in the schema's order: after the page size, margins and borders, before the columns
            later = ("w:cols", "w:formProt", "w:vAlign", "w:noEndnote", "w:titlePg", "w:textDirection",
                     "w:bidi", "w:rtlGutter", "w:docGrid", "w:printerSettings", "w:sectPrChange")  # fmt: skip
            section._sectPr.insert_element_before(numbering, *later)
        numbering.set(qn("w:start"), "1")


def landscape(section: Any) -> None:
    """A4 landscape with the standard margins."""
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width = Mm(PAGE_WIDTH_MM)
    section.page_height = Mm(PAGE_HEIGHT_MM)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(MARGIN_MM))
    section.header_distance = Mm(6)
    section.footer_distance = Mm(6)


def new_document(title: str, marking: str) -> DocumentObject:
    """An empty document: A4 landscape, Arial, the marking and page numbers on every page."""
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = _FONT
    normal.font.size = Pt(10)
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is not None:
        for key in ("w:eastAsia", "w:cs"):
            fonts.set(qn(key), _FONT)
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        style = doc.styles[name]
        style.font.name = _FONT
        style.font.color.rgb = RGBColor(0x1A, 0x1A, 0x1A)
    section = doc.sections[0]
    landscape(section)
    mark_pages(section, marking, title)
    return doc


def bullet(doc: DocumentObject, text: Any, *, lead: str = "") -> Paragraph:
    """A bulleted paragraph, with an optional bold lead-in."""
    p = doc.add_paragraph(style="List Bullet")
    if lead:
        p.add_run(clean(lead)).bold = True
    p.add_run(clean(text))
    return p


def document_bytes(doc: DocumentObject, title: str) -> bytes:
    """The document as bytes, the same for the same content (fixed dates and zip entry times)."""
    props = doc.core_properties
    props.author = "chronology"
    props.last_modified_by = "chronology"
    props.title = clean(title)
    props.created = FIXED_DATE
    props.modified = FIXED_DATE
    props.last_printed = FIXED_DATE
    props.revision = 1
    props.comments = "Made by chronology"
    buffer = io.BytesIO()
    doc.save(buffer)
    tables = doc.__dict__.get("_chronology_tables", {})
    return reproducible_zip(buffer.getvalue(), {"word/document.xml": _splice(tables)} if tables else None)
