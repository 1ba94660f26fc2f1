"""The timeline figure's structure, on the small case of conftest.py."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import plotly.io as pio
import pytest

from chronology.views.layers import _layers
from chronology.views.palette import AGENCY_COLOURS, GROUP_COLOURS, agency_colours, group_colour, type_symbols
from chronology.views.records import format_times
from chronology.views.timeline import (
    DENSITY_THRESHOLD,
    GAP_LABEL_GL_THRESHOLD,
    GL_THRESHOLD,
    OUTSIDE_LANE,
    age_text,
    build_timeline,
    timeline,
)
from chronology.vocabulary import load_vocabulary

CSC = "Children's Social Care"


def traces(fig, role):
    """The figure's traces of one role (records, events, ranges, ...)."""
    return [t for t in fig.data if t.meta and t.meta.get("role") == role]


def points(fig, role):
    """(x, y) of every point of a role's traces, separators dropped."""
    return [(x, y) for t in traces(fig, role) for x, y in zip(t.x, t.y, strict=True) if x is not None]


def segments(trace):
    """A None-separated line trace as a list of ((x0, y0), (x1, y1))."""
    xs, ys = list(trace.x), list(trace.y)
    return [((xs[i], ys[i]), (xs[i + 1], ys[i + 1])) for i in range(0, len(xs), 3)]


def position(parts, record_id):
    """Where a record is plotted."""
    row = parts.records.set_index("record_id").loc[record_id]
    return row["x"], row["y"]


def test_one_lane_per_agency_in_given_order_plus_outside_lane(events):
    # GP's letter goes to "Housing Association", not a case agency: an extra lane at the bottom.
    fig = timeline(events, agencies=["Police", CSC, "School", "GP"])
    labels = list(fig.layout.yaxis.ticktext)
    assert [label.split("</span> ")[-1] for label in labels] == [
        "Police",
        "Children&#x27;s Social Care",
        "School",
        "GP",
        OUTSIDE_LANE,
    ]
    assert list(fig.layout.yaxis.tickvals) == [3, 2, 1, 0, -1]


def test_plots_one_marker_per_event_row_and_nothing_else(events):
    # 12 source rows: 10 events, one continuation, one rejected.
    fig = timeline(events)
    assert len(points(fig, "records")) == 10
    plotted = {t.meta["event_type"]: len(t.x) for t in traces(fig, "records")}
    assert plotted["notification"] == 2 and "other" not in plotted


def test_legend_filters_by_type_with_colour_from_group_and_shape_from_type(events):
    fig = timeline(events)
    for t in traces(fig, "records"):
        assert t.showlegend is not False and t.name == load_vocabulary().types[t.meta["event_type"]].label
        assert t.marker.color == group_colour(t.meta["event_type"])


def test_approximate_dates_are_ranges_with_the_marker_in_the_middle(events):
    parts = build_timeline(events)
    (ranges,) = traces(parts.figure, "ranges")
    segs = segments(ranges)
    # r007 is "September 2019" (end = midnight starting 30/09): the range runs to the end of that day.
    assert (
        ("2019-09-01 00:00", position(parts, "r007")[1]),
        ("2019-10-01 00:00", position(parts, "r007")[1]),
    ) in segs
    assert len(segs) == 2  # r007 and the term entry r008; no exact date becomes a range
    assert position(parts, "r007")[0] == "2019-09-16 00:00"
    school = next(t for t in traces(parts.figure, "records") if t.meta["event_type"] == "school_contact")
    assert school.marker.symbol == type_symbols(["school_contact"])["school_contact"] + "-open"
    # The exact-date records of a type keep the filled symbol and carry the legend entry.
    (notes,) = [t for t in traces(parts.figure, "records") if t.meta["event_type"] == "notification"]
    assert notes.marker.symbol == type_symbols(["notification"])["notification"] and notes.showlegend


def test_records_of_one_real_event_are_joined_across_lanes(events):
    parts = build_timeline(events)
    (connectors,) = traces(parts.figure, "connectors")
    joined = {frozenset(seg) for seg in segments(connectors)}
    assert joined == {
        frozenset({position(parts, "r002"), position(parts, "r003")}),
        frozenset({position(parts, "r005"), position(parts, "r006")}),
    }


def test_switch_between_every_record_and_one_marker_per_real_event(events, clusters):
    fig = timeline(events, clusters)
    # 10 records in 8 real events: c1 and c2 hold two records each, of two agencies: each drawn in both lanes.
    assert len(points(fig, "events")) == 10
    every, per_event = fig.layout.updatemenus[0].buttons
    roles = [t.meta["role"] for t in fig.data]
    shown = dict(zip(roles, every.args[0]["visible"], strict=False))
    assert shown["records"] is True and shown["events"] is False
    shown = dict(zip(roles, per_event.args[0]["visible"], strict=False))
    assert shown["records"] is False and shown["events"] is True and shown["highlight"] is True
    assert all(len(b.args[0]["visible"]) == len(fig.data) for b in (every, per_event))


def test_one_marker_per_event_and_lane_with_the_events_type(events, clusters, kit):
    # c3: GP's appointment (r009) and its letter the next day (r010), one real event of one agency.
    events.loc[events["record_id"].isin(["r009", "r010"]), "cluster_id"] = "c3"
    c3 = clusters.iloc[[0]].assign(cluster_id="c3", event_type="appointment", agencies=[["GP"]])
    c3["record_ids"] = [["r009", "r010"]]
    parts = build_timeline(events, pd.concat([clusters, c3], ignore_index=True))
    fig = parts.figure
    # 4 records alone, c1 and c2 in two lanes each, c3 once in GP's lane: 9 markers.
    assert len(points(fig, "events")) == 9
    # c2 (CSC's strategy discussion, School's "meeting") is drawn in both lanes as a strategy discussion.
    c2 = [t for t in traces(fig, "events") if t.meta["event_type"] == "strategy_discussion"]
    lanes = {round(y) for t in c2 for y in t.y}
    assert lanes == {2, 1}  # CSC's lane (2) and School's (1), top to bottom: Police, CSC, School, GP
    assert not any(t.meta["event_type"] == "meeting" for t in traces(fig, "events"))
    (connectors,) = traces(fig, "connectors")
    assert connectors.visible is True  # joins one event's markers in the per-event view too


def test_per_event_starts_in_one_marker_mode(events, clusters):
    fig = timeline(events, clusters, per_event=True)
    assert all(t.visible is False for t in traces(fig, "records"))
    assert all(t.visible is True for t in traces(fig, "events"))
    assert fig.layout.updatemenus[0].active == 1


def test_handoffs_are_arrows_from_sender_lane_to_receiver(events, findings):
    parts = build_timeline(events, findings=findings)
    (sent,) = traces(parts.figure, "handoffs")
    segs = segments(sent)
    # r002 (Police PPN) arrives at CSC's record r003 of the same real event.
    assert (position(parts, "r002"), position(parts, "r003")) in segs
    # r010 (GP letter to Housing Association) points at the outside lane.
    assert (position(parts, "r010"), (position(parts, "r010")[0], -1)) in segs
    # Arrowheads sit on the receiving end only; hovering one names both agencies.
    assert list(sent.marker.size) == [0, 11, 0] * len(segs)
    assert any("GP \u2192 Housing Association, 03/12/2019" in text for text in sent.text)


def test_missed_handoff_is_red_dashed_and_labelled(events, findings):
    parts = build_timeline(events, findings=findings)
    (missed,) = traces(parts.figure, "missed")
    assert segments(missed) == [(position(parts, "r004"), (position(parts, "r004")[0], 2))]  # CSC lane
    assert missed.line.dash == "dash" and missed.line.color.upper() == "#C00000"
    assert any("F-MISS1" in a.text for a in parts.figure.layout.annotations)
    # The same handoff is not drawn again as an ordinary one.
    assert position(parts, "r004") not in {seg[0] for seg in segments(traces(parts.figure, "handoffs")[0])}


def rectangles(trace):
    """A filled trace of None-separated rectangles as a list of (x0, x1, y0, y1)."""
    xs, ys = list(trace.x), list(trace.y)
    out = []
    for i in range(0, len(xs), 5):
        assert xs[i + 4] is None and ys[i + 4] is None
        assert xs[i] == xs[i + 3] and xs[i + 1] == xs[i + 2] and ys[i] == ys[i + 1] and ys[i + 2] == ys[i + 3]
        out.append((xs[i], xs[i + 1], ys[i], ys[i + 2]))
    return out


def test_gaps_are_shaded_with_their_finding_ids_and_dismissed_ones_are_not(events, findings):
    # Dismiss the contact gap: only the info-sharing gap stays shaded.
    findings.loc[findings["finding_id"] == "F-GAP01", "status"] = "dismissed"
    fig = timeline(events, findings=findings)
    (fill,) = traces(fig, "gaps")
    # The whole height of the lanes (the y range), from its first day to the end of its last.
    assert rectangles(fill) == [("2019-03-03 00:00", "2019-03-18 00:00", *fig.layout.yaxis.range)]
    assert fill.fill == "toself" and fill.fillcolor == "rgba(204,102,119,0.18)"
    assert fill.name == "Information-sharing gap" and fill.hoverinfo == "skip"
    (label,) = traces(fig, "gap_labels")
    assert list(label.text) == ["F-INFO1 info gap"] and label.x == ("2019-03-03 00:00",)
    assert label.type == "scatter" and label.textposition == ("bottom right",)
    assert label.hovertext == (
        "<b>F-INFO1</b> Information-sharing gap<br>03/03/2019 \u2013 17/03/2019<br>info sharing gap F-INFO1",
    )
    # Drawn under everything else; no layout shape per gap (only the lanes' backgrounds).
    assert fig.data[0] is fill
    assert all(s.name.startswith("lane:") for s in fig.layout.shapes)
    # Shown in both views of the switch.
    for button in fig.layout.updatemenus[0].buttons:
        assert button.args[0]["visible"][0] is True and button.args[0]["visible"][1] is True


def test_overlapping_gaps_darken_and_their_labels_alternate(events, findings, kit):
    # Three information-sharing gaps: the second overlaps the first, the third follows the first.
    findings = pd.DataFrame(
        [
            kit.finding("F-A", "info_sharing_gap", "2019-03-01", "2019-03-10", ["r001"]),
            kit.finding("F-B", "info_sharing_gap", "2019-03-05", "2019-03-20", ["r001"]),
            kit.finding("F-C", "info_sharing_gap", "2019-03-11", "2019-03-12", ["r001"]),
            kit.finding("F-D", "contact_gap", "2019-07-02", "2019-11-30", ["r006"]),
        ],
        columns=findings.columns,
    )
    fig = timeline(events, findings=findings)
    info = [t for t in traces(fig, "gaps") if t.meta["kind"] == "info_sharing_gap"]
    # Overlapping gaps are in different traces (one path fills its overlaps once), one legend entry per kind.
    assert [[r[:2] for r in rectangles(t)] for t in info] == [
        [("2019-03-01 00:00", "2019-03-11 00:00"), ("2019-03-11 00:00", "2019-03-13 00:00")],
        [("2019-03-05 00:00", "2019-03-21 00:00")],
    ]
    assert [t.showlegend for t in info] == [True, False]
    assert {t.legendgroup for t in info} == {"info_sharing_gap"}
    (contact,) = [t for t in traces(fig, "gaps") if t.meta["kind"] == "contact_gap"]
    assert contact.fillcolor == "rgba(119,119,119,0.18)" and contact.name == "Contact gap (child not seen)"
    labels = {t.meta["kind"]: t for t in traces(fig, "gap_labels")}
    # A label would touch the next (one is ~46 days wide over this 13-month view): the top row, then the
    # bottom; F-C finds both taken and shows on hover only; F-D, months later, the top row again.
    assert list(labels["info_sharing_gap"].text) == ["F-A info gap", "F-B info gap", ""]
    assert "F-C" in labels["info_sharing_gap"].hovertext[2]
    assert list(labels["info_sharing_gap"].textposition) == ["bottom right", "top right", "bottom right"]
    low, high = fig.layout.yaxis.range
    assert list(labels["info_sharing_gap"].y) == [high, low, high]
    assert list(labels["contact_gap"].text) == ["F-D contact gap"]
    assert list(labels["contact_gap"].textposition) == ["bottom right"]
    assert list(labels["contact_gap"].y) == [high]
    assert "02/07/2019 \u2013 30/11/2019" in labels["contact_gap"].hovertext[0]


def test_many_gaps_are_a_few_traces_with_webgl_labels(events, findings, kit):
    # 400 gaps of two days each, every day a new one: two layers, labels with WebGL, no shapes.
    start = pd.Timestamp("2019-01-01")
    findings = pd.DataFrame(
        [
            kit.finding(f"F-{i:04d}", "info_sharing_gap", f"{start + pd.Timedelta(days=i):%Y-%m-%d}",
                        f"{start + pd.Timedelta(days=i + 1):%Y-%m-%d}", ["r001"])
            for i in range(GAP_LABEL_GL_THRESHOLD + 100)
        ],
        columns=findings.columns,
    )  # fmt: skip
    parts = build_timeline(events, findings=findings)
    fig = parts.figure
    assert [len(rectangles(t)) for t in traces(fig, "gaps")] == [200, 200]
    (label,) = traces(fig, "gap_labels")
    assert label.type == "scattergl" and len(label.text) == 400
    assert len(fig.layout.shapes) == len(parts.lanes)


def test_gap_layers_are_the_fewest_and_ordered_by_start():
    assert _layers([], []) == []
    x0 = ["2019-01-05", "2019-01-01", "2019-01-02", "2019-01-03", "2019-01-10"]
    x1 = ["2019-01-06", "2019-01-03", "2019-01-04", "2019-01-09", "2019-01-11"]
    # 01-01..03 (0), 01-02..04 (1), 01-03..09 (0: starts where layer 0 ends), 01-05..06 (1), 01-10 (0).
    assert _layers(x0, x1) == [1, 0, 1, 0, 0]


def test_age_axis_only_with_a_date_of_birth(events):
    assert "xaxis2" not in timeline(events).layout.to_plotly_json()
    fig = timeline(events, date_of_birth=date(2018, 5, 21))
    axis = fig.layout.xaxis2
    assert axis.overlaying == "x" and axis.matches == "x"
    # Born 21/05/2018; records from March 2019: ticks every three months.
    assert "age 1y 0m" in axis.ticktext and "2019-05-21 00:00" in axis.tickvals


@pytest.mark.parametrize(
    ("born", "on", "expected"),
    [
        (date(2018, 5, 21), date(2020, 3, 3), "1y 9m"),
        (date(2018, 5, 21), date(2018, 6, 1), "11d"),
        (date(2018, 5, 21), date(2018, 5, 20), "before birth"),
        (date(2016, 2, 29), date(2017, 2, 28), "0y 11m"),  # not yet a year: the birthday is the 29th
    ],
)
def test_age_text(born, on, expected):
    assert age_text(born, on) == expected


def test_hover_cites_the_source_and_escapes_entries(events):
    fig = timeline(events, date_of_birth=date(2018, 5, 21))
    texts = [s for t in traces(fig, "records") for s in t.text]
    gp = next(s for s in texts if "gp.xlsx, sheet Chronology, row 10" in s)
    assert "02/12/2019 14:30" in gp and "[time]" in gp and "age 1y 6m" in gp and "GP" in gp
    assert "<script>" not in gp and "&lt;script&gt;" in gp and "&lt;b&gt;bold?&lt;/b&gt;" in gp
    month = next(s for s in texts if "row 8" in s)
    assert "September 2019" in month and "[month]" in month


def test_filters_by_agency_type_and_period(events):
    assert len(points(timeline(events, agencies=["School"]), "records")) == 3
    assert len(points(timeline(events, types=["notification"]), "records")) == 2
    # The term entry (06/01/2020-03/04/2020) overlaps a window starting in February.
    assert len(points(timeline(events, start="2020-02-01"), "records")) == 1
    assert len(points(timeline(events, end="2019-03-03"), "records")) == 1


def test_scattergl_only_above_the_threshold(kit):
    def many(n):
        start = pd.Timestamp("2019-01-01", tz="Europe/London")
        rows = [kit.event(i, "Police", "2019-01-01", "home_visit", f"visit {i}") for i in range(n)]
        for i, row in enumerate(rows):
            row["start"] = row["end"] = start + pd.Timedelta(hours=i)
        return kit.make_events(rows)

    small, large = timeline(many(GL_THRESHOLD)), timeline(many(GL_THRESHOLD + 1))
    assert {t.type for t in traces(small, "records")} == {"scatter"}
    assert {t.type for t in traces(large, "records")} == {"scattergl"}
    assert len(points(large, "records")) == GL_THRESHOLD + 1
    assert not large.layout.xaxis.rangeslider.visible
    assert [b.label for b in large.layout.xaxis.rangeselector.buttons] == ["1m", "6m", "1y", "all"]


def test_same_inputs_same_figure(events, clusters, findings):
    shuffled = events.sample(frac=1, random_state=1)
    one = pio.to_json(timeline(events, clusters, findings, agencies=["Police", CSC, "School", "GP"]))
    two = pio.to_json(timeline(shuffled, clusters, findings, agencies=["Police", CSC, "School", "GP"]))
    assert one == two


def test_agency_colours_are_stable_and_cycle():
    names = [f"Agency {i}" for i in range(10)]
    colours = agency_colours(names)
    assert colours["Agency 0"] == AGENCY_COLOURS[0] and colours["Agency 8"] == AGENCY_COLOURS[0]
    assert agency_colours(["Agency 0", "Agency 1"]) == {k: colours[k] for k in ("Agency 0", "Agency 1")}
    assert all(len(c) == 7 and c.startswith("#") for c in colours.values())


def test_every_vocabulary_type_has_its_own_colour_and_shape():
    vocab = load_vocabulary()
    symbols = type_symbols(list(vocab.types))
    looks = {(group_colour(t), symbols[t]) for t in vocab.types}
    assert len(looks) == len(vocab.types)
    assert set(GROUP_COLOURS) >= {t.group for t in vocab.types.values()}


def test_one_marker_per_event_hover_names_its_agencies_and_citations(events, clusters):
    fig = timeline(events, clusters)
    texts = [s for t in traces(fig, "events") for s in t.text]
    both = [s for s in texts if "2 records" in s and "PPN to MASH" in s]
    assert len(both) == 2  # c1's marker in CSC's lane and in Police's, with the same event text
    # CSC's record (04/03/2019, no time) sorts before Police's (09:00): it is named first.
    csc, police = both
    assert csc.startswith(
        "<b>04/03/2019</b> [day]<br>Recorded by Children&#x27;s Social Care, Police (2 records)"
    )
    assert police.startswith("<b>04/03/2019</b> [time]<br>Recorded by Children&#x27;s Social Care, Police")
    assert "children&#x27;s.xlsx, sheet Chronology, row 4<br>police.xlsx, sheet Chronology, row 3" in csc


def test_page_traces_name_their_rows_instead_of_hover_text(events, clusters):
    # The report builds hover texts in the page from its table rows: the figure names them.
    parts = build_timeline(events, clusters, record_hover=False)
    recs = parts.records
    rows = {rid: i for i, rid in enumerate(recs["record_id"])}
    for t in traces(parts.figure, "records"):
        assert t.text is None and len(t.meta["rows"]) == len(t.x)
        assert [recs.loc[i, "x"] for i in t.meta["rows"]] == list(t.x)
    events_traces = [t for t in parts.data if t["meta"]["role"] == "events"]
    assert all(t["text"] is None for t in events_traces)
    meta = {m: t["meta"]["members"][k] for t in events_traces for k, m in enumerate(t["meta"]["rows"])}
    descs = {m: t["meta"]["desc"][k] for t in events_traces for k, m in enumerate(t["meta"]["rows"])}
    assert len(meta) == 10  # 10 records in 8 real events, c1 and c2 in two lanes each
    # c1: its records, the first (r003) named first, a marker in each lane; its description is r002's own.
    assert meta[rows["r003"]] == meta[rows["r002"]] == [rows["r003"], rows["r002"]]
    assert descs[rows["r003"]] == rows["r002"]
    # A cluster description no plotted record holds travels as text.
    clusters.loc[clusters["cluster_id"] == "c2", "description"] = "Strategy meeting (CSC and School)"
    parts = build_timeline(events, clusters, record_hover=False)
    descs = {m: t["meta"]["desc"][k] for t in parts.data if t["meta"]["role"] == "events"
             for k, m in enumerate(t["meta"]["rows"])}  # fmt: skip
    assert descs[rows["r006"]] == "Strategy meeting (CSC and School)"


@pytest.mark.parametrize("unit", ["s", "us", "ns"])
def test_format_times_writes_what_strftime_writes(unit):
    # Before and after 1970, with seconds to drop, leap days; then a column strftime must write.
    rng = np.random.default_rng(0)
    ticks = rng.integers(pd.Timestamp("1900-01-01").value, pd.Timestamp("2100-01-01").value, 2000)
    values = pd.Series(pd.to_datetime(ticks).as_unit(unit))
    values[:3] = pd.to_datetime(
        ["1969-12-31 23:59:59.9", "2020-02-29 13:45:59", "1900-01-01 00:00:30"], format="ISO8601"
    ).as_unit(unit)
    for fmt in ("%Y-%m-%d %H:%M", "%d/%m/%Y", "%H:%M", "%B %Y"):
        assert format_times(values, fmt).tolist() == values.dt.strftime(fmt).tolist()
    gaps = pd.Series([pd.NaT, pd.Timestamp("2019-06-10 11:30")])
    assert format_times(gaps, "%H:%M").isna().tolist() == [True, False]
    local = values[:5].dt.tz_localize("Europe/London")
    assert format_times(local, "%H:%M").tolist() == local.dt.strftime("%H:%M").tolist()


def test_outside_the_review_scope_is_shaded(events):
    # Records run from 03/03/2019 to the term ending 03/04/2020; the scope is 01/06/2019 to 31/12/2019.
    fig = timeline(events, scope=(date(2019, 6, 1), date(2019, 12, 31)))
    (shade,) = traces(fig, "scope")
    assert shade.name == "Outside the review's scope" and shade.fill == "toself"
    assert [shade.x[i] for i in (0, 1, 5, 6)] == [
        "2019-03-03 00:00", "2019-06-01 00:00", "2020-01-01 00:00", "2020-04-04 00:00",
    ]  # fmt: skip
    assert fig.data[0] is shade  # under everything
    assert not traces(timeline(events), "scope")  # no scope, no shading
    # A scope holding every record shades nothing.
    assert not traces(timeline(events, scope=(date(2019, 1, 1), None)), "scope")


def test_many_records_start_as_a_weekly_density(kit):
    # 3,500 visits, two a day, alternating Police and GP: more than DENSITY_THRESHOLD.
    rows = [
        kit.event(i, "Police" if i % 2 else "GP", "2019-01-01", "home_visit", f"visit {i}")
        for i in range(3500)
    ]
    start = kit.ts("2019-01-07")  # a Monday
    for i, row in enumerate(rows):
        row["start"] = row["end"] = start + pd.Timedelta(hours=12 * i)
    fig = timeline(kit.make_events(rows))
    (density,) = traces(fig, "density")
    assert density.type == "heatmap" and density.visible is True
    # Every record counted once, 14 a week in all (7 a lane): the first week's column holds 7 and 7.
    assert sum(v for row in density.z for v in row if v) == 3500
    assert [row[0] for row in density.z] == [7, 7]
    assert all(t.visible is False for t in traces(fig, "records"))
    every, per_event = fig.layout.updatemenus[0].buttons
    roles = [t.meta["role"] for t in fig.data]
    assert dict(zip(roles, every.args[0]["visible"], strict=True))["density"] is False  # the page decides
    assert DENSITY_THRESHOLD == 3000
