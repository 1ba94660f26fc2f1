"""Where each record of the timeline goes, and what its hover says.

``plotted_records`` selects, sorts and places the records the timeline plots
(lane, x, y and the period an approximate date may refer to) and writes their
date, time, age, type and citation texts; ``hover_texts`` and
``per_event_records`` build the hover boxes of the two views (every record, one
marker per real event). ``chronology.views.timeline`` draws the figure from these.

Example:
    >>> recs, lanes = plotted_records(events)  # doctest: +SKIP
    >>> text = hover_texts(recs)  # doctest: +SKIP
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from chronology.views.palette import lane_order
from chronology.vocabulary import load_vocabulary

#: Date format of x values and period bounds in the figure's data.
X_FORMAT = "%Y-%m-%d %H:%M"
_OFFSETS = (0.0, 0.2, -0.2, 0.35, -0.35, 0.1, -0.1, 0.28, -0.28)


def age_text(born: date, when: pd.Timestamp | date) -> str:
    """The child's age on a date, as a reviewer writes it.

    Example:
        >>> age_text(date(2018, 5, 21), date(2020, 3, 3))
        '1y 9m'
        >>> age_text(date(2018, 5, 21), date(2018, 5, 1))
        'before birth'
    """
    day = when.date() if isinstance(when, pd.Timestamp) else when
    if day < born:
        return "before birth"
    months = (day.year - born.year) * 12 + day.month - born.month - (day.day < born.day)
    if months == 0:
        return f"{(day - born).days}d"
    return f"{months // 12}y {months % 12}m"


def wall_times(series: pd.Series) -> pd.Series:
    """Timestamps as naive wall-clock times in their own timezone."""
    series = pd.to_datetime(series)
    return series.dt.tz_localize(None) if series.dt.tz is not None else series


def _date_text(start: pd.Timestamp, last: pd.Timestamp, precision: str) -> str:
    if precision == "week":
        return f"w/c {start:%d/%m/%Y}"
    if precision == "month":
        return f"{start:%B %Y}"
    if precision == "year" and start.month == 1 and start.day == 1:
        return f"{start:%Y}"
    if last.normalize() > start.normalize():
        return f"{start:%d/%m/%Y}\u2013{last:%d/%m/%Y}"
    return f"{start:%d/%m/%Y}"


#: Formats ``format_times`` writes fast, from numpy's ISO text ("YYYY-MM-DDTHH:MM"): each character its
#: position there (a number) or itself.
_FROM_ISO: dict[str, tuple[int | str, ...]] = {
    X_FORMAT: (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, " ", 11, 12, 13, 14, 15),
    "%d/%m/%Y": (8, 9, "/", 5, 6, "/", 0, 1, 2, 3),
    "%H:%M": (11, 12, 13, 14, 15),
}
_ISO_SPAN = (pd.Timestamp("1000-01-01"), pd.Timestamp("9999-12-31"))


def format_times(values: pd.Series, fmt: str) -> pd.Series:
    """``values.dt.strftime(fmt)``, about three times faster for naive datetimes and the formats of ``_FROM_ISO``.

    The text is cut from numpy's ISO text of each value's minute; a column with
    a timezone, a missing value or a year outside 1000-9999 (not four digits
    there) goes to strftime.

    Example:
        >>> format_times(pd.Series(pd.to_datetime(["2019-06-10 11:30:59"])), "%d/%m/%Y").tolist()
        ['10/06/2019']
    """
    if fmt not in _FROM_ISO or not len(values) or values.dt.tz is not None or values.isna().any():
        return values.dt.strftime(fmt)
    if values.min() < _ISO_SPAN[0] or values.max() > _ISO_SPAN[1]:
        return values.dt.strftime(fmt)
    iso = np.datetime_as_string(values.to_numpy().astype("datetime64[m]"), unit="m")
    points = iso.astype("<U16").view(np.uint32).reshape(len(iso), 16)
    layout = _FROM_ISO[fmt]
    out = np.empty((len(iso), len(layout)), dtype=np.uint32)
    for i, part in enumerate(layout):
        out[:, i] = points[:, part] if isinstance(part, int) else ord(part)
    return pd.Series(out.view(f"<U{len(layout)}").ravel(), index=values.index)


def _excerpt(text: str, width: int = 70, lines: int = 3) -> str:
    """Escaped excerpt for a hover box: at most ``lines`` lines of about ``width`` characters.

    Example:
        >>> _excerpt("a <b> " * 3, width=6, lines=2)
        'a &lt;b&gt;<br>a &lt;b&gt; …'
    """
    text = " ".join(str(text).split())
    limit = width * lines
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + " …"
    out: list[str] = []
    while len(text) > width and len(out) < lines - 1:
        cut = text.rfind(" ", 0, width + 1)
        cut = width if cut <= 0 else cut
        out.append(text[:cut])
        text = text[cut:].lstrip()
    out.append(text)
    return "<br>".join(html.escape(part) for part in out)


def plotted_records(
    events: pd.DataFrame,
    *,
    date_of_birth: date | None = None,
    agencies: Sequence[str] | None = None,
    start: Any = None,
    end: Any = None,
    types: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """Select, sort and place the records the timeline plots.

    Only rows with status ``event`` and a start are plotted. Approximate dates
    are placed at the middle of their period, with ``x0``/``x1`` its bounds.

    Returns:
        The records (see ``TimelineParts.records``) and the lanes, top first.

    Example:
        >>> recs, lanes = plotted_records(events)  # doctest: +SKIP
    """
    vocab = load_vocabulary()
    ev = events[(events["status"] == "event") & events["start"].notna()].copy()
    lanes = list(dict.fromkeys(agencies)) if agencies is not None else lane_order(ev)
    ev = ev[ev["agency"].isin(lanes)]
    if types is not None:
        ev = ev[ev["event_type"].isin(list(types))]
    s = wall_times(ev["start"])
    e = wall_times(ev["end"]).fillna(s) if len(ev) else s
    e = e.where(e >= s, s)
    if start is not None:
        keep = e >= pd.Timestamp(start).tz_localize(None)
        ev, s, e = ev[keep], s[keep], e[keep]
    if end is not None:
        last = pd.Timestamp(end).tz_localize(None)
        # A bare date means the whole of that day.
        keep = s < last + pd.Timedelta(days=1) if last == last.normalize() else s <= last
        ev, s, e = ev[keep], s[keep], e[keep]
    precision = ev["date_precision"].fillna("day").astype(str)
    ranged = (e > s) & ~precision.isin(["time"])
    x1 = (e + pd.Timedelta(days=1)).where(ranged, s)
    x = (s + (x1 - s) / 2).where(ranged, s)
    lane_of = {a: i for i, a in enumerate(lanes)}
    recs = pd.DataFrame(
        {
            "record_id": ev["record_id"].astype(str).to_numpy(),
            "agency": ev["agency"].astype(str).to_numpy(),
            "lane": ev["agency"].map(lane_of).astype(int).to_numpy(),
            "event_type": ev["event_type"].astype(str).to_numpy(),
            "cluster_id": ev["cluster_id"].fillna("").astype(str).to_numpy(),
            "to_agency": ev["to_agency"].fillna("").astype(str).to_numpy(),
            "start": s.to_numpy(),
            "last": e.to_numpy(),
            "x_ts": x.to_numpy(),
            "x1_ts": x1.to_numpy(),
            "ranged": ranged.to_numpy(),
            "precision": precision.to_numpy(),
            "source_file": ev["source_file"].astype(str).to_numpy(),
            "source_sheet": ev["source_sheet"].fillna("").astype(str).to_numpy(),
            "source_row": ev["source_row"].to_numpy(),
            "type_label": ev["type_label"].fillna("").astype(str).to_numpy(),
            "description": ev["description"].fillna("").astype(str).to_numpy(),
            "outcome": ev["outcome"].fillna("").astype(str).to_numpy(),
            "practitioner": ev["practitioner"].fillna("").astype(str).to_numpy(),
        }
    )
    recs = recs.sort_values(
        ["start", "lane", "source_file", "source_sheet", "source_row", "record_id"], kind="stable"
    ).reset_index(drop=True)
    day = recs["x_ts"].dt.normalize()
    nth = recs.groupby([recs["lane"], day]).cumcount() % len(_OFFSETS)
    recs["y"] = (len(lanes) - 1 - recs["lane"]) + nth.map(dict(enumerate(_OFFSETS)))
    recs["x"] = format_times(recs["x_ts"], X_FORMAT)
    recs["x0"] = format_times(recs["start"], X_FORMAT)
    recs["x1"] = format_times(recs["x1_ts"], X_FORMAT)
    recs["date_text"] = format_times(recs["start"], "%d/%m/%Y")
    odd = recs["precision"].isin(["week", "month", "year"]) | (
        recs["last"].dt.normalize() > recs["start"].dt.normalize()
    )
    recs.loc[odd, "date_text"] = [
        _date_text(a, b, p)
        for a, b, p in zip(
            recs.loc[odd, "start"], recs.loc[odd, "last"], recs.loc[odd, "precision"], strict=True
        )
    ]
    recs["time_text"] = format_times(recs["start"], "%H:%M").where(recs["precision"] == "time", "")
    recs["age_text"] = [age_text(date_of_birth, t) for t in recs["start"]] if date_of_birth else ""
    labels = {name: t.label for name, t in vocab.types.items()}
    recs["type_text"] = recs["event_type"].map(lambda t: labels.get(t, t))
    sheet = recs["source_sheet"].astype(str)
    recs["citation"] = (
        recs["source_file"].astype(str)
        + sheet.where(sheet == "", ", sheet " + sheet)
        + ", row "
        + recs["source_row"].astype(str)
    )
    return recs, lanes


def column_lists(frame: pd.DataFrame, *names: str) -> list[list[Any]]:
    """Columns as Python lists (much faster to loop over than itertuples on Arrow strings)."""
    return [frame[n].tolist() for n in names]


def hover_texts(recs: pd.DataFrame) -> list[str]:
    """The hover box of each record (rows of ``plotted_records``), for the every-record view."""
    out = []
    cols = column_lists(
        recs, "date_text", "time_text", "age_text", "type_label", "type_text", "outcome", "precision",
        "agency", "description", "citation",
    )  # fmt: skip
    for date_t, time_t, age_t, own_t, type_t, outcome_t, prec, agency, desc, cite in zip(*cols, strict=True):
        when = date_t + (f" {time_t}" if time_t else "")
        age = f" \u00b7 age {age_t}" if age_t else ""
        own = f" ({html.escape(own_t)})" if own_t and own_t != type_t else ""
        outcome = f"<br><b>Outcome:</b> {_excerpt(outcome_t, lines=2)}" if outcome_t else ""
        out.append(
            f"<b>{html.escape(when)}</b> [{prec}]{age}<br>"
            f"{html.escape(agency)} \u00b7 {html.escape(type_t)}{own}<br>"
            f"{_excerpt(desc)}{outcome}<br><i>{html.escape(cite)}</i>"
        )
    return out


def per_event_records(
    recs: pd.DataFrame, clusters: pd.DataFrame | None, *, hover: bool = True
) -> tuple[pd.DataFrame, list[str] | None]:
    """One representative record per real event (its earliest, top-lane record), with hover text.

    The representatives are the rows of ``recs`` (columns ``record_id``,
    ``agency``, ``x``, ``y``, ``ranged``, ``date_text``, ``precision``) with
    their positions in ``recs`` as index; ``event_type`` and ``type_text`` are
    their event's, ``members`` the positions in ``recs`` of the event's
    records (the representative first) and ``event_text`` the event's
    description (its cluster's, else the record's own). With ``hover=False``
    no hover text is built (None): a page that builds it needs only those.
    """
    keys = recs["cluster_id"].where(recs["cluster_id"] != "", "r:" + recs["record_id"]).tolist()
    info: dict[str, tuple[Any, Any]] = {}
    if clusters is not None and len(clusters):
        info = dict(
            zip(
                clusters["cluster_id"].astype(str).tolist(),
                zip(clusters["event_type"].tolist(), clusters["description"].tolist(), strict=True),
                strict=True,
            )
        )
    groups: dict[str, list[int]] = {}
    for i, key in enumerate(keys):
        groups.setdefault(key, []).append(i)
    members = list(groups.values())
    first = [m[0] for m in members]
    own_types, own_descs = (
        [values[i] for i in first] for values in column_lists(recs, "event_type", "description")
    )
    reps = recs[["record_id", "agency", "x", "y", "ranged", "date_text", "precision"]].iloc[first]
    types, descs = [], []
    for key, own_type, own_desc in zip(groups, own_types, own_descs, strict=True):
        c_type, c_desc = info.get(key, (None, None))
        types.append(str(c_type or own_type))
        descs.append(str(c_desc or own_desc))
    text: list[str] | None = None
    if hover:
        text = []
        agency, citation = column_lists(recs, "agency", "citation")
        for rows, desc, date_t, prec in zip(
            members, descs, *column_lists(reps, "date_text", "precision"), strict=True
        ):
            n = len(rows)
            agencies = ", ".join(dict.fromkeys(agency[i] for i in rows))
            cite = "<br>".join(html.escape(citation[i]) for i in rows[:4]) + ("<br>\u2026" if n > 4 else "")
            text.append(
                f"<b>{html.escape(date_t)}</b> [{prec}]<br>"
                f"Recorded by {html.escape(agencies)} ({n} record{'s' if n != 1 else ''})<br>"
                f"{_excerpt(desc)}<br><i>{cite}</i>"
            )
    labels = {name: t.label for name, t in load_vocabulary().types.items()}
    reps["event_type"] = types
    reps["type_text"] = [labels.get(t, t) for t in types]
    reps["members"] = pd.Series(members, index=reps.index, dtype=object)
    reps["event_text"] = descs
    return reps, text
