"""Column roles by content: which column holds the entry's narrative.

A header names a column's field (``layout.recognise_columns``), but agencies
name columns loosely: "Concern / Event" may hold the whole narrative while the
file has no Details column, and a "Setting" or "Team" column repeats one short
label on every row. So the description is chosen by what the columns hold as
well as by their names, from statistics of the rows sampled below the header:

* length: the mean number of characters of a column's filled cells;
* variety: the share of its filled cells that are distinct.

A column's narrative score is length times variety. A short label repeated
down the column (a setting, a team, a contact type) scores low however long its
header's name; free text scores high. In order:

1. A column named as the description keeps the role, unless its cells are not
   narrative (score below ``NARRATIVE_SCORE``) while another candidate's are,
   and score at least ``SWAP_RATIO`` times higher: then that one is the
   description, and the named one is kept among the other fields.
2. With no description column, the candidate with the highest score is the
   description if it is narrative; a type column chosen so stops being the
   type (its cells were the entry, not a label). Further narrative columns
   that no field names are appended to it, "Header: text" (as further columns
   named as the description are).
3. With no narrative column at all, every column that no field names is
   joined into the description (``rows.sheet_records``).

Candidates are the description, the type column and the columns no field
names; named fields (outcome, plan, practitioner...) keep their roles.

Example:
    >>> rows = [["01/02/2019", "Nursery", "Mother disclosed a bruise on the arm"],
    ...         ["02/02/2019", "Nursery", "Child H arrived late and hungry, no coat"]]
    >>> choose_description(["Date", "Setting", "Concern / Event"], {"date": 0, "event_type": 2}, [], rows)[:2]
    ({'date': 0, 'description': 2}, [])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from chronology.ingest.files import cell_text

#: Fields whose columns carry dates, not text.
DATE_FIELDS = ("date", "time", "entry_date", "end_date", "completed_date")
#: Length x variety at or above which a column's cells read as free text
#: (e.g. cells of 30 characters of which half are distinct).
NARRATIVE_SCORE = 15.0
#: How many columns from the left are profiled (a sheet 10,000 columns wide names its narrative early).
MAX_CANDIDATES = 256
#: How much more narrative a candidate must be to take the role from a named
#: description column that is not narrative.
SWAP_RATIO = 2.0


@dataclass(frozen=True)
class Profile:
    """What a column's sampled cells hold.

    Attributes:
        filled: How many sampled cells hold text.
        length: Their mean length in characters.
        variety: The share of them that are distinct (1.0 when all differ).
    """

    filled: int
    length: float
    variety: float

    @property
    def score(self) -> float:
        """Length times variety: high for free text, low for a repeated label."""
        return self.length * self.variety

    @property
    def narrative(self) -> bool:
        """True when the cells read as free text."""
        return self.filled > 0 and self.score >= NARRATIVE_SCORE


def profile(rows: Sequence[Sequence[Any]], col: int) -> Profile:
    """Length and variety of one column's filled cells among ``rows``.

    Example:
        >>> profile([["Nursery"], ["Nursery"], ["Reception"]], 0)
        Profile(filled=3, length=7.666666666666667, variety=0.6666666666666666)
    """
    cells = [t for r in rows if col < len(r) and (t := " ".join(cell_text(r[col]).split()))]
    if not cells:
        return Profile(0, 0.0, 0.0)
    return Profile(len(cells), sum(map(len, cells)) / len(cells), len(set(cells)) / len(cells))


def choose_description(
    headers: Sequence[str],
    columns: Mapping[str, int],
    extras: Sequence[int],
    rows: Sequence[Sequence[Any]],
    configured: Mapping[str, str] | None = None,
) -> tuple[dict[str, int], list[int], list[str]]:
    """Columns and extra description columns with the description chosen by content.

    Args:
        headers: The header cells.
        columns: Field -> column, as the names say.
        extras: Further columns named as the description.
        rows: Sampled rows below the header.
        configured: [sources.columns] of case.toml: a field named there keeps its column.

    Returns:
        (columns, extras, notes): the roles, and one line for each role content changed.
    """
    columns, extras = dict(columns), list(extras)
    configured = configured or {}
    dated = {columns[f] for f in DATE_FIELDS if f in columns}
    named = set(columns.values())
    width = min(len(headers), MAX_CANDIDATES)
    unnamed = [j for j in range(width) if j not in named and j not in extras and j not in dated]
    candidates = [*unnamed, *extras]
    if "event_type" in columns and "event_type" not in configured:
        candidates.append(columns["event_type"])
    profiles = {j: profile(rows, j) for j in {*candidates, columns.get("description", -1)} if j >= 0}
    best = max(candidates, key=lambda j: (profiles[j].score, -j), default=None)
    notes: list[str] = []
    main = columns.get("description")
    if main is not None:
        if "description" in configured or best is None or profiles[main].narrative:
            return columns, extras, notes
        if not profiles[best].narrative or profiles[best].score < SWAP_RATIO * profiles[main].score:
            return columns, extras, notes
        notes.append(
            f"column '{headers[best]}' read as the description (its text is the longest and most varied); "
            f"'{headers[main]}' holds short repeated labels"
        )
        del columns["description"]
    elif best is None or not profiles[best].narrative:
        return columns, extras, notes
    else:
        notes.append(
            f"column '{headers[best]}' read as the description (its text is the longest and most varied)"
        )
    if columns.get("event_type") == best:
        del columns["event_type"]
    columns["description"] = best
    extras = sorted(j for j in [*unnamed, *extras] if j != best and profiles[j].narrative)
    return columns, extras, notes
