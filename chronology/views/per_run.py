"""One computation per run, shared by the outputs that need it.

Who knew what, the decisions and services and the chronology's table cells
go into several outputs (timeline.html, the workbook, chronology.docx,
packs.docx); ``per_run`` keeps the last result of each such function with
the run it was computed for, and gives it again while the same run (the
same Run object holding the same events, findings, clusters, sources and
config objects) asks. A frame changed in place is not noticed: change a copy.

Example:
    >>> @per_run
    ... def count(run):
    ...     return len(run.events)
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
_HELD: dict[str, tuple[tuple[Any, ...], Any]] = {}


def _key(run: Any) -> tuple[Any, ...]:
    return (
        run,
        *(getattr(run, name, None) for name in ("events", "findings", "clusters", "sources", "config")),
    )


def per_run(fn: Callable[[Any], T]) -> Callable[[Any], T]:
    """``fn(run)``, computed once while the same run asks (see the module docstring)."""
    name = f"{fn.__module__}.{fn.__qualname__}"

    @functools.wraps(fn)
    def once(run: Any) -> T:
        key = _key(run)
        held = _HELD.get(name)
        if (
            held is not None
            and len(held[0]) == len(key)
            and all(a is b for a, b in zip(held[0], key, strict=True))
        ):
            return held[1]  # type: ignore[no-any-return]
        result = fn(run)
        _HELD[name] = (key, result)
        return result

    return once


def forget() -> None:
    """Drop every result held (tests; a notebook that changed a frame in place)."""
    _HELD.clear()
