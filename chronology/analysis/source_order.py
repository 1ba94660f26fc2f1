"""Where a record sits in its own agency's chronology, and what that says of an approximate date.

An agency writes its chronology in date order, so a record dated only "Summer
term 2020" that sits between rows dated 11/07/2020 and 07/09/2020 happened
between those days. :func:`neighbour_window` reads that from the source's own
row order, and only where the source is in date order (oldest first or newest
first, judged from its records dated to a day) and the record's place is not
where a sort on its window's first day would put it ("March 2019" sorted as
01/03, before the month's dated rows, says nothing of its day); the written
window is never widened, and where the neighbours contradict it the written
window stands.
Nothing here changes a record's dates: it is reasoning a finding states.

Example:
    >>> import pandas as pd
    >>> ev = pd.DataFrame({
    ...     "source_file": ["s.xlsx"] * 4, "source_sheet": [""] * 4, "source_row": [2, 3, 4, 5],
    ...     "day": pd.to_datetime(["2020-07-07", "2020-07-11", "2020-04-28", "2020-09-07"]),
    ...     "end_day": pd.to_datetime(["2020-07-07", "2020-07-11", "2020-07-31", "2020-09-07"]),
    ... })
    >>> lo, hi, rows = neighbour_window(ev)
    >>> str(lo[2])[:10], str(hi[2])[:10], rows[2]
    ('2020-07-11', '2020-07-31', (3, 5))
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: The share of a source's consecutive dated rows that must run one way for it to count as in date order.
IN_ORDER = 0.9
#: Fewer rows dated to a day than this, and a source's order says nothing.
MIN_DATED = 3


def neighbour_window(events: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int] | None]]:
    """Each record's date window narrowed by its neighbours in its own source.

    Returns ``(first, last, rows)`` aligned with ``events``: the window's first
    and last day (the written ``day``/``end_day`` where the neighbours say
    nothing more) and, where they narrowed it, the source rows of the dated
    records before and after it.
    """
    first = events["day"].to_numpy().copy()
    last = events["end_day"].to_numpy().copy()
    rows: list[tuple[int, int] | None] = [None] * len(events)
    loose = np.flatnonzero(last > first)
    if not loose.size:
        return first, last, rows
    keys = events["source_file"].astype(str) + "\x1f" + events["source_sheet"].fillna("").astype(str)
    for key in pd.unique(keys.to_numpy()[loose]):
        at = np.flatnonzero(keys.to_numpy() == key)
        at = at[np.argsort(events["source_row"].to_numpy()[at], kind="stable")]
        dated = at[last[at] == first[at]]
        if dated.size < MIN_DATED:
            continue
        step = np.diff(first[dated].astype("datetime64[D]").astype(np.int64))
        step = step[step != 0]  # rows of one day say nothing of the order
        if step.size == 0:
            continue
        if (step > 0).mean() >= IN_ORDER:
            newest_first = False
        elif (step < 0).mean() >= IN_ORDER:
            newest_first = True
        else:
            continue
        position = {int(p): n for n, p in enumerate(at)}
        is_dated = last[at] == first[at]
        for p in loose[np.isin(loose, at)]:
            n = position[int(p)]
            before = [q for q in at[:n][is_dated[:n]][-1:]]
            after = [q for q in at[n + 1 :][is_dated[n + 1 :]][:1]]
            if not before or not after:
                continue
            earlier, later = (after[0], before[0]) if newest_first else (before[0], after[0])
            if first[earlier] <= first[p] <= first[later]:
                continue  # where a sort on the window's first day puts it: its place says nothing
            lo, hi = max(first[p], first[earlier]), min(last[p], first[later])
            if lo > hi or (lo, hi) == (first[p], last[p]):
                continue  # the neighbours contradict the written window, or add nothing
            first[p], last[p] = lo, hi
            rows[p] = (int(events["source_row"].iat[earlier]), int(events["source_row"].iat[later]))
    return first, last, rows
