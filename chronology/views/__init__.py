"""Views of a run: the interactive timeline, the panel's HTML report and the shared palette.

Example:
    >>> from chronology.views import timeline
    >>> fig = timeline(run.events, run.clusters, run.findings)  # doctest: +SKIP
"""

from chronology.views.palette import AGENCY_COLOURS, agency_colours, type_symbols
from chronology.views.report import report_html, write_report
from chronology.views.timeline import timeline

__all__ = ["AGENCY_COLOURS", "agency_colours", "report_html", "timeline", "type_symbols", "write_report"]
