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
import re
from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from chronology.views.palette import lane_order
from chronology.vocabulary import load_vocabulary

#: Date format of x values and period bounds in the figure's data.
X_FORMAT = "%Y-%m-%d %H:%M"
#: The columns of the events that ``plotted_records`` takes (besides start and end).
_TAKEN = (
    "record_id", "agency", "event_type", "cluster_id", "to_agency", "date_precision", "source_file",
    "source_sheet", "source_row", "type_label", "description", "outcome", "practitioner",
)  # fmt: skip
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
_ISO_SPAN = (np.datetime64("1000-01-01", "s"), np.datetime64("9999-12-31", "s"))


def _iso_points(values: np.ndarray) -> np.ndarray | None:
    """numpy's ISO text of each naive datetime's minute, as one row of 16 code points per value.

    None when that text is not "YYYY-MM-DDTHH:MM" for every value: a missing
    value or a year outside 1000-9999 (not four digits there).
    """
    if not len(values) or np.isnat(values).any():
        return None
    if values.min() < _ISO_SPAN[0] or values.max() > _ISO_SPAN[1]:
        return None
    iso = np.datetime_as_string(values.astype("datetime64[m]"), unit="m")
    return iso.astype("<U16").view(np.uint32).reshape(len(iso), 16)


def _cut(points: np.ndarray, fmt: str) -> np.ndarray:
    """The text of ``fmt`` (a format of ``_FROM_ISO``) from ``_iso_points``."""
    layout = _FROM_ISO[fmt]
    out = np.empty((len(points), len(layout)), dtype=np.uint32)
    for i, part in enumerate(layout):
        out[:, i] = points[:, part] if isinstance(part, int) else ord(part)
    return out.view(f"<U{len(layout)}").ravel()


def _format_array(values: np.ndarray, fmt: str, points: np.ndarray | None = None) -> np.ndarray:
    """``format_times`` of naive datetimes as an array, from their ``_iso_points`` when given."""
    if points is None:
        return format_times(pd.Series(values), fmt).to_numpy()
    return _cut(points, fmt)


def format_times(values: pd.Series, fmt: str) -> pd.Series:
    """``values.dt.strftime(fmt)``, about three times faster for naive datetimes and the formats of ``_FROM_ISO``.

    The text is cut from numpy's ISO text of each value's minute; a column with
    a timezone, a missing value or a year outside 1000-9999 (not four digits
    there) goes to strftime.

    Example:
        >>> format_times(pd.Series(pd.to_datetime(["2019-06-10 11:30:59"])), "%d/%m/%Y").tolist()
        ['10/06/2019']
    """
    if fmt not in _FROM_ISO or values.dt.tz is not None:
        return values.dt.strftime(fmt)
    points = _iso_points(values.to_numpy())
    if points is None:
        return values.dt.strftime(fmt)
    return pd.Series(_cut(points, fmt), index=values.index)


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


def sort_codes(values: np.ndarray | pd.Series) -> np.ndarray:
    """Integer codes that sort as pandas sorts ``values`` (missing values last)."""
    codes, _ = pd.factorize(values, sort=True)
    return np.where(codes < 0, len(codes), codes)


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
    # The rows to plot, chosen on whole columns as numpy masks; only the columns used are then taken.
    keep = ((events["status"] == "event") & events["start"].notna()).to_numpy(dtype=bool, copy=True)
    lanes = list(dict.fromkeys(agencies)) if agencies is not None else lane_order(events[keep])
    keep &= events["agency"].isin(lanes).to_numpy(dtype=bool)
    if types is not None:
        keep &= events["event_type"].isin(list(types)).to_numpy(dtype=bool)
    rows = np.flatnonzero(keep)
    s = wall_times(events["start"].iloc[rows]).to_numpy()
    e = wall_times(events["end"].iloc[rows]).to_numpy()
    e = np.where(np.isnat(e) | ~(e >= s), s, e)
    chosen = np.ones(len(rows), dtype=bool)
    if start is not None:
        chosen &= e >= pd.Timestamp(start).tz_localize(None).to_datetime64()
    if end is not None:
        last = pd.Timestamp(end).tz_localize(None)
        # A bare date means the whole of that day.
        if last == last.normalize():
            chosen &= s < (last + pd.Timedelta(days=1)).to_datetime64()
        else:
            chosen &= s <= last.to_datetime64()
    rows, s, e = rows[chosen], s[chosen], e[chosen]
    ev = events[list(_TAKEN)].iloc[rows]
    precision = ev["date_precision"].fillna("day").astype(str).to_numpy()
    ranged = (e > s) & (precision != "time")
    x1 = np.where(ranged, e + np.timedelta64(1, "D"), s)
    x = np.where(ranged, s + (x1 - s) / 2, s)
    lane_of = {a: i for i, a in enumerate(lanes)}
    columns: dict[str, np.ndarray] = {
        "record_id": ev["record_id"].astype(str).to_numpy(),
        "agency": ev["agency"].astype(str).to_numpy(),
        "lane": ev["agency"].map(lane_of).astype(int).to_numpy(),
        "event_type": ev["event_type"].astype(str).to_numpy(),
        "cluster_id": ev["cluster_id"].fillna("").astype(str).to_numpy(),
        "to_agency": ev["to_agency"].fillna("").astype(str).to_numpy(),
        "start": s,
        "last": e,
        "x_ts": x,
        "x1_ts": x1,
        "ranged": ranged,
        "precision": precision,
        "source_file": ev["source_file"].astype(str).to_numpy(),
        "source_sheet": ev["source_sheet"].fillna("").astype(str).to_numpy(),
        "source_row": ev["source_row"].to_numpy(),
        "type_label": ev["type_label"].fillna("").astype(str).to_numpy(),
        "description": ev["description"].fillna("").astype(str).to_numpy(),
        "outcome": ev["outcome"].fillna("").astype(str).to_numpy(),
        "practitioner": ev["practitioner"].fillna("").astype(str).to_numpy(),
    }
    # Sorted (stably) as pandas sorts: np.lexsort takes the last key first.
    keys = ["start", "lane", "source_file", "source_sheet", "source_row", "record_id"]
    order = np.lexsort([sort_codes(columns[k]) for k in reversed(keys)])
    columns = {k: v[order] for k, v in columns.items()}
    s, e, x, x1, precision, lane = (
        columns[k] for k in ("start", "last", "x_ts", "x1_ts", "precision", "lane")
    )
    # Records of one lane and day are spread over _OFFSETS in turn.
    seen: dict[tuple[int, Any], int] = {}
    nth = []
    for key in zip(lane.tolist(), x.astype("datetime64[D]").tolist(), strict=True):
        nth.append(seen.get(key, 0))
        seen[key] = nth[-1] + 1
    columns["y"] = (len(lanes) - 1 - lane) + np.asarray(_OFFSETS)[np.asarray(nth, dtype=int) % len(_OFFSETS)]
    starts = _iso_points(s)
    columns["x"] = _format_array(x, X_FORMAT)
    columns["x0"] = _format_array(s, X_FORMAT, starts)
    columns["x1"] = _format_array(x1, X_FORMAT)
    dates = _format_array(s, "%d/%m/%Y", starts)
    dates = dates.astype(object)
    odd = np.isin(precision, ["week", "month", "year"]) | (
        e.astype("datetime64[D]") > s.astype("datetime64[D]")
    )
    for i in np.flatnonzero(odd).tolist():
        dates[i] = _date_text(pd.Timestamp(s[i]), pd.Timestamp(e[i]), precision[i])
    columns["date_text"] = dates
    columns["time_text"] = np.where(precision == "time", _format_array(s, "%H:%M", starts), "")
    if date_of_birth:
        ages: dict[date, str] = {}
        days = s.astype("datetime64[D]").tolist()
        columns["age_text"] = np.array(
            [ages[d] if d in ages else ages.setdefault(d, age_text(date_of_birth, d)) for d in days],
            dtype=object,
        )
    else:
        columns["age_text"] = np.full(len(s), "", dtype=object)
    labels = {name: t.label for name, t in vocab.types.items()}
    columns["type_text"] = np.array([labels.get(t, t) for t in columns["event_type"].tolist()], dtype=object)
    columns["lag_text"] = _lag_texts(events, columns["cluster_id"], s)
    recs = pd.DataFrame(columns)
    sheet = recs["source_sheet"].astype(str)
    recs["citation"] = (
        recs["source_file"].astype(str)
        + sheet.where(sheet == "", ", sheet " + sheet)
        + ", row "
        + recs["source_row"].astype(str)
    )
    return recs, lanes


def _lag_texts(events: pd.DataFrame, cluster: np.ndarray, start: np.ndarray) -> np.ndarray:
    """How many days after its real event's first record each record was made ("" when none or the same day).

    The first record is the earliest of all the event's records, whatever the
    view shows: a receipt two days after the PPN says so even when the police
    lane is filtered out.
    """
    out = np.full(len(cluster), "", dtype=object)
    dated = (events["status"] == "event") & events["start"].notna() & (events["cluster_id"].fillna("") != "")
    if not dated.any() or len(cluster) == 0:
        return out
    days = wall_times(events.loc[dated, "start"]).dt.normalize()
    first = days.groupby(events.loc[dated, "cluster_id"].astype(str).to_numpy()).min()
    own = pd.Series(start).dt.normalize().to_numpy()
    earliest = first.reindex(cluster).to_numpy()
    for i in np.flatnonzero(pd.notna(earliest)).tolist():
        lag = int((own[i] - earliest[i]) / np.timedelta64(1, "D"))
        if lag > 0:
            out[i] = f"recorded {lag} day{'s' if lag != 1 else ''} after this event's first record"
    return out


def _lag_note(text: str) -> str:
    """ " (+3 d)" after a member's citation in an event's hover, from its lag text ("" when none)."""
    found = re.search(r"(\d+) day", text)
    return f" (+{found.group(1)} d)" if found else ""


def column_lists(frame: pd.DataFrame, *names: str) -> list[list[Any]]:
    """Columns as Python lists (much faster to loop over than itertuples on Arrow strings)."""
    return [frame[n].tolist() for n in names]


def hover_texts(recs: pd.DataFrame) -> list[str]:
    """The hover box of each record (rows of ``plotted_records``), for the every-record view."""
    out = []
    cols = column_lists(
        recs, "date_text", "time_text", "age_text", "type_label", "type_text", "outcome", "precision",
        "agency", "description", "citation", "lag_text",
    )  # fmt: skip
    for date_t, time_t, age_t, own_t, type_t, outcome_t, prec, agency, desc, cite, lag_t in zip(
        *cols, strict=True
    ):
        when = date_t + (f" {time_t}" if time_t else "")
        age = f" \u00b7 age {age_t}" if age_t else ""
        own = f" ({html.escape(own_t)})" if own_t and own_t != type_t else ""
        outcome = f"<br><b>Outcome:</b> {_excerpt(outcome_t, lines=2)}" if outcome_t else ""
        out.append(
            f"<b>{html.escape(when)}</b> [{prec}]{age}<br>"
            f"{html.escape(agency)} \u00b7 {html.escape(type_t)}{own}<br>"
            f"{_excerpt(desc)}{outcome}<br><i>{html.escape(cite)}</i>"
            + (f"<br><i>{html.escape(lag_t)}</i>" if lag_t else "")
        )
    return out


def per_event_records(
    recs: pd.DataFrame, clusters: pd.DataFrame | None, *, hover: bool = True
) -> tuple[pd.DataFrame, list[str] | None]:
    """One representative record per real event and lane (each agency's earliest record of it), with hover text.

    A strategy meeting three agencies recorded is drawn in each of their three
    lanes (the connectors join them), so no one reads an agency as absent; the
    records one agency made of one event (an ED's triage, clinician and liaison
    rows) become one marker in its lane. The representatives are the rows of
    ``recs`` (columns ``record_id``, ``agency``, ``x``, ``y``, ``ranged``,
    ``date_text``, ``precision``) with their positions in ``recs`` as index;
    ``event_type`` and ``type_text`` are their event's (the canonical type,
    the same in every lane), ``members`` the positions in ``recs`` of the
    event's records (the event's first record first) and ``event_text`` the
    event's description (its cluster's, else the first record's own). With
    ``hover=False`` no hover text is built (None): a page that builds it needs
    only those.
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
    lane_of = recs["lane"].tolist() if "lane" in recs else recs["agency"].tolist()
    own_type, own_desc = column_lists(recs, "event_type", "description")
    first: list[int] = []
    members: list[list[int]] = []
    types: list[str] = []
    descs: list[str] = []
    for key, rows in groups.items():
        c_type, c_desc = info.get(key, (None, None))
        kind, about = str(c_type or own_type[rows[0]]), str(c_desc or own_desc[rows[0]])
        seen: set[Any] = set()
        for i in rows:  # each lane's earliest record of the event (rows are in plotted order)
            if lane_of[i] not in seen:
                seen.add(lane_of[i])
                first.append(i)
                members.append(rows)
                types.append(kind)
                descs.append(about)
    order = sorted(range(len(first)), key=lambda k: first[k])
    first = [first[k] for k in order]
    members = [members[k] for k in order]
    types = [types[k] for k in order]
    descs = [descs[k] for k in order]
    reps = recs[["record_id", "agency", "x", "y", "ranged", "date_text", "precision"]].iloc[first]
    text: list[str] | None = None
    if hover:
        text = []
        agency, citation, lag = column_lists(recs, "agency", "citation", "lag_text")
        for rows, desc, date_t, prec in zip(
            members, descs, *column_lists(reps, "date_text", "precision"), strict=True
        ):
            n = len(rows)
            agencies = ", ".join(dict.fromkeys(agency[i] for i in rows))
            cite = "<br>".join(html.escape(citation[i]) + _lag_note(lag[i]) for i in rows[:4]) + (
                "<br>\u2026" if n > 4 else ""
            )
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
