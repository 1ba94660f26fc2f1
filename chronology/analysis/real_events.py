"""One record per real event: the records of one matched cluster count once.

Example:
    >>> one_per_event(prepared, (prepared["event_type"] == "initial_conference").to_numpy())  # doctest: +SKIP
    array([12, 40])
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def one_per_event(
    events: pd.DataFrame,
    mask: np.ndarray,
    *,
    csc_only: bool = False,
    by_type: bool = True,
    one_per_day: bool = False,
    prefer_csc: bool = True,
) -> np.ndarray:
    """Row positions of one record per real event among ``events[mask]``, in day order.

    Records of one matched cluster are one event; unmatched records are one
    event per type and day (per day alone with ``by_type=False``), and with
    ``one_per_day`` any two kept events of one day count once. The record kept
    is children's social care's where there is one (or, without
    ``prefer_csc``, the earliest), then the first by source file and row.
    ``csc_only`` keeps only events that CSC recorded.

    Example:
        >>> one_per_event(prepared, (prepared["event_type"] == "initial_conference").to_numpy())  # doctest: +SKIP
        array([12, 40])
    """
    positions = np.flatnonzero(mask)
    if positions.size == 0:
        return positions
    cluster = events["cluster_id"].to_numpy()[positions]
    etype = events["event_type"].to_numpy()[positions]
    day = events["day"].to_numpy()[positions].astype("datetime64[D]")
    csc = events["is_csc"].to_numpy()[positions]
    source = events["source_file"].to_numpy()[positions]
    row = events["source_row"].to_numpy()[positions]
    rid = events["record_id"].to_numpy()[positions]
    keys = [
        f"c:{c}" if c else (f"d:{t}:{d}" if by_type else f"d:{d}")
        for c, t, d in zip(cluster, etype, day.astype(str), strict=True)
    ]
    with_csc = {k for k, is_csc in zip(keys, csc, strict=True) if is_csc}
    first: Any = (lambda k: not csc[k]) if prefer_csc else (lambda k: day[k])
    order = sorted(range(len(keys)), key=lambda k: (first(k), source[k], row[k], rid[k]))
    chosen: dict[str, int] = {}
    for k in order:
        if csc_only and keys[k] not in with_csc:
            continue
        chosen.setdefault(keys[k], k)
    kept = sorted(chosen.values(), key=lambda k: (day[k], rid[k]))
    if one_per_day:
        by_day: dict[np.datetime64, int] = {}
        for k in kept:
            by_day.setdefault(day[k], k)
        kept = list(by_day.values())
    return positions[np.array(kept, dtype=int)]
