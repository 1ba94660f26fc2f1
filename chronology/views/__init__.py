"""Views of a run: the interactive timeline, the panel's HTML report, the Word documents and the shared palette.

Example:
    >>> from chronology.views import timeline
    >>> fig = timeline(run.events, run.clusters, run.findings)  # doctest: +SKIP
    >>> knowledge_matrix(run)  # who knew what, when: one row per concern and agency  # doctest: +SKIP
    >>> Path("chronology.docx").write_bytes(chronology_docx(run))  # doctest: +SKIP
"""

from chronology.views.document import chronology_docx
from chronology.views.knowledge import knowledge_matrix
from chronology.views.packs import packs_docx
from chronology.views.palette import AGENCY_COLOURS, agency_colours, type_symbols
from chronology.views.report import report_html, write_report
from chronology.views.services import decisions_and_services
from chronology.views.timeline import timeline

__all__ = [
    "AGENCY_COLOURS",
    "agency_colours",
    "chronology_docx",
    "decisions_and_services",
    "knowledge_matrix",
    "packs_docx",
    "report_html",
    "timeline",
    "type_symbols",
    "write_report",
]
