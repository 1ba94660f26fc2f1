"""chronology: merge agencies' chronologies for multi-agency case reviews.

The public API; everything else is importable but not promised.

Example:
    >>> import chronology
    >>> case = chronology.load_case("data_samples/child_h/case.toml")  # doctest: +SKIP
    >>> case.findings[["finding_id", "kind", "title"]]  # doctest: +SKIP
"""

from chronology.case import Case, Finding, load_case
from chronology.config import CaseConfig, SourceConfig, load_config
from chronology.errors import ConfigError, InputError
from chronology.pipeline import Run, run_case

__version__ = "0.1.0"

__all__ = [
    "Case",
    "CaseConfig",
    "ConfigError",
    "Finding",
    "InputError",
    "Run",
    "SourceConfig",
    "__version__",
    "load_case",
    "load_config",
    "run_case",
]
