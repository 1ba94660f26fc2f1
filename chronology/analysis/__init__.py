"""Gap analysis: findings a reviewer can cite, from the merged events and clusters.

Each detector is one module that registers itself in :data:`DETECTORS` with a
name, a description and its parameters (defaults and their sources in
``schemas/rules.toml``); :func:`analyse` runs the enabled ones per subject and
applies the reviewer's decisions.

Example:
    >>> from chronology.analysis import DETECTORS
    >>> sorted(DETECTORS)[:3]
    ['closure_after_concern', 'conflicting_accounts', 'contact_gap']
"""

from __future__ import annotations

# Detector modules register themselves on import.
from chronology.analysis import (  # noqa: F401
    closure_after_concern,
    conflicting_accounts,
    contact_gap,
    info_sharing_gap,
    missed_handoff,
    repeated_concern,
    timescale_breach,
)
from chronology.analysis.analyser import Analysed, analyse
from chronology.analysis.calendar import add_working_days, working_days_between
from chronology.analysis.decisions import apply_decisions, read_decisions
from chronology.analysis.finding import Finding, cited_hash
from chronology.analysis.panel import grouped_share, panel_lines
from chronology.analysis.registry import DETECTORS, Detector, Parameter
from chronology.analysis.report import findings_json, findings_markdown, summary

__all__ = [
    "DETECTORS",
    "Analysed",
    "Detector",
    "Finding",
    "Parameter",
    "add_working_days",
    "analyse",
    "apply_decisions",
    "cited_hash",
    "findings_json",
    "findings_markdown",
    "grouped_share",
    "panel_lines",
    "read_decisions",
    "summary",
    "working_days_between",
]
