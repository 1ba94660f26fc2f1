"""Colours and marker shapes shared by the timeline and the Excel workbook.

Agencies are coloured from the Okabe-Ito palette (Okabe M. and Ito K., "Color
Universal Design (CUD): how to make figures and presentations that are friendly
to colorblind people", 2002, https://jfly.uni-koeln.de/color/), which stays
distinguishable under protanopia, deuteranopia and tritanopia. Event-type groups
are coloured from Paul Tol's 'muted' qualitative scheme (Tol P., "Colour
Schemes", SRON/EPS/TN/09-002, https://personal.sron.nl/~pault/), also designed
for colour-blind readers. Colour is never the only cue: every type also has its
own marker shape, and every lane its label.

Each common kind of agency has its own colour in every case (``KIND_COLOURS``).

Example:
    >>> agency_colours(["School", "Police"])
    {'School': '#56B4E9', 'Police': '#E69F00'}
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Final

from chronology.vocabulary import load_vocabulary

if TYPE_CHECKING:
    import pandas as pd

#: Okabe-Ito, in its published order, with black last (used for a 9th agency).
AGENCY_COLOURS: Final[list[str]] = [
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#F0E442",  # yellow
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#000000",  # black
]

#: Paul Tol's 'muted' scheme, one colour per vocabulary group ("other" is its pale grey).
GROUP_COLOURS: Final[dict[str, str]] = {
    "handoff": "#332288",  # indigo
    "receipt": "#88CCEE",  # cyan
    "decision": "#44AA99",  # teal
    "statutory": "#117733",  # green
    "meeting": "#999933",  # olive
    "contact": "#DDCC77",  # sand
    "concern": "#CC6677",  # rose
    "health": "#882255",  # wine
    "closure": "#AA4499",  # purple
    "other": "#888888",  # grey (Tol's "bad data" grey, darkened to show on a white page)
    "period": "#BBBBBB",  # pale grey: a declared period of no contact, apart from unexplained silence
}

#: Colour of a missed handoff (never used for an agency or a group above).
MISSED_COLOUR: Final = "#C00000"

#: Plotly marker symbols that stay distinct at small sizes (filled forms).
SYMBOLS: Final[list[str]] = [
    "circle",
    "square",
    "diamond",
    "triangle-up",
    "triangle-down",
    "pentagon",
    "hexagon",
    "star",
    "cross",
    "x",
    "hourglass",
    "bowtie",
    "star-triangle-up",
    "hexagram",
    "triangle-left",
    "triangle-right",
]


def lane_order(events: pd.DataFrame, agencies: Iterable[str] = ()) -> list[str]:
    """Agencies top to bottom, in the order that also sets their colours.

    First the agencies in the order they first appear among dated event
    records (status ``event`` with a start), then ``agencies`` (usually the
    case.toml sources: one with no dated record still gets a lane and a
    colour), then any other agency of an event record. The timeline, the
    report and the workbook all take their order from here, so each agency
    has the same colour in all three.

    Args:
        events: Events with EVENT_COLUMNS (at least ``agency``, ``status``, ``start``).
        agencies: Agencies to add after those with dated records, in order.

    Returns:
        Agency labels, each once.

    Example:
        >>> import pandas as pd
        >>> events = pd.DataFrame({
        ...     "agency": ["GP", "Police", "School", "Police"],
        ...     "status": ["event", "event", "event", "rejected"],
        ...     "start": [pd.NaT, pd.Timestamp("2020-01-02"), pd.Timestamp("2020-01-01"), pd.NaT],
        ... })
        >>> lane_order(events, ["Health Visiting", "School"])
        ['Police', 'School', 'Health Visiting', 'GP']
    """
    dated: list[str] = []
    rest: list[str] = []
    if len(events):
        is_event = events["status"] == "event"
        dated = [str(a) for a in events.loc[is_event & events["start"].notna(), "agency"].tolist()]
        rest = [str(a) for a in events.loc[is_event, "agency"].tolist()]
    return list(dict.fromkeys([*dated, *agencies, *rest]))


#: The colour of each common kind of agency (``schemas/agencies.toml``), the same in every case:
#: Police is orange wherever it appears. Other kinds, and labels of no known kind, take the
#: colours the case has not used yet, in order.
KIND_COLOURS: Final[dict[str, str]] = {
    "police": "#E69F00",  # orange
    "school": "#56B4E9",  # sky blue
    "csc": "#009E73",  # bluish green
    "midwifery": "#F0E442",  # yellow
    "gp": "#0072B2",  # blue
    "emergency_department": "#D55E00",  # vermillion
    "health_visiting": "#CC79A7",  # reddish purple
    "housing": "#000000",  # black
}


def _kinds(agencies: Sequence[str]) -> dict[str, str | None]:
    from chronology.ingest.agencies import shared_resolver

    labels = list(dict.fromkeys(agencies))
    resolver = shared_resolver([(a, ()) for a in labels], load_vocabulary())
    return {a: resolver.kind_of(a) for a in labels}


def agency_colours(agencies: Sequence[str]) -> dict[str, str]:
    """Give each agency a colour: its kind's fixed colour, else the first the case has not used.

    An agency of a common kind (police, school, children's social care, GP,
    health visiting, midwifery, emergency department, housing) has the same
    colour in every case; a second agency of one kind, and any other agency,
    takes the first colour not yet used, in the order given (cycling after
    eight). The same order gives the same colours in the timeline and the
    workbook.

    Args:
        agencies: Agency labels, usually in lane order; repeats are ignored.

    Returns:
        Agency label -> "#RRGGBB".

    Example:
        >>> agency_colours(["GP", "Police", "Police"])
        {'GP': '#0072B2', 'Police': '#E69F00'}
        >>> agency_colours(["Oakfield Primary School", "Hillside Academy", "Youth Offending Team"])
        {'Oakfield Primary School': '#56B4E9', 'Hillside Academy': '#E69F00', 'Youth Offending Team': '#009E73'}
    """
    kinds = _kinds(agencies)
    out: dict[str, str] = {}
    for agency, kind in kinds.items():  # the fixed colours first, each to the first agency of its kind
        colour = KIND_COLOURS.get(kind or "")
        if colour and colour not in out.values():
            out[agency] = colour
    for agency in kinds:
        if agency not in out:
            free = [c for c in AGENCY_COLOURS if c not in out.values()]
            out[agency] = free[0] if free else AGENCY_COLOURS[len(out) % len(AGENCY_COLOURS)]
    return {agency: out[agency] for agency in kinds}


def group_colour(event_type: str) -> str:
    """The colour of an event type: its vocabulary group's colour.

    Example:
        >>> group_colour("injury")
        '#CC6677'
    """
    vocab = load_vocabulary()
    group = vocab.types[event_type].group if event_type in vocab.types else "other"
    return GROUP_COLOURS.get(group, GROUP_COLOURS["other"])


def type_symbols(event_types: Sequence[str]) -> dict[str, str]:
    """Give each event type a plotly marker symbol.

    A vocabulary type gets the symbol of its position within its group, so the
    pair (group colour, symbol) is unique per type and does not depend on which
    types a case happens to contain. Types outside the vocabulary get symbols
    in the order given.

    Args:
        event_types: Type ids; repeats are ignored.

    Returns:
        Type id -> plotly symbol name.

    Example:
        >>> type_symbols(["referral", "notification", "made_up"])
        {'referral': 'square', 'notification': 'circle', 'made_up': 'circle'}
    """
    vocab = load_vocabulary()
    position: dict[str, int] = {}
    seen_in_group: dict[str, int] = {}
    for t in vocab.types.values():
        position[t.name] = seen_in_group.get(t.group, 0)
        seen_in_group[t.group] = position[t.name] + 1
    out: dict[str, str] = {}
    unknown = 0
    for name in event_types:
        if name in out:
            continue
        if name in position:
            out[name] = SYMBOLS[position[name] % len(SYMBOLS)]
        else:
            out[name] = SYMBOLS[unknown % len(SYMBOLS)]
            unknown += 1
    return out
