"""Charts as pure functions: a tidy DataFrame in, an ``alt.Chart`` out. No database, no Streamlit.

Each encoding names its channel (``x2=alt.X2("end:Q")``, ``tooltip=[alt.Tooltip("Skill:N")]``), never a bare
shorthand string: Altair finds a string's channel class by hashing candidate schemas, which made each chart 25-35%
slower to build for the same spec."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from datetime import datetime

import altair as alt
import pandas as pd

from reflect.domain.questions import QuestionSet


def _item_axis(qset: QuestionSet) -> tuple[list[str], dict[str, str]]:
    """Items in questionnaire order, labelled in full: "1. skilled at giving robust and honest feedback…"."""
    labels = {item.id: f"{item.number or position}. {item.text}" for position, item in enumerate(qset.items, start=1)}
    return list(labels.values()), labels


LINE = "|"  # where a chart's label breaks onto its next line (see _wrapped)
_SPLIT = f"split(datum.label, '{LINE}')"


def _wrapped(label: str, width: int = 34) -> str:
    """`label` with line breaks every `width` characters or so, for an axis or a header that draws it on several
    lines (``labelExpr=_SPLIT``): a skill's whole name fits a phone's width instead of being cut short."""
    return LINE.join(textwrap.wrap(label, width)) or label


def _skill_axis(order: list[str]) -> alt.Y:
    """The y axis of a chart with a row per skill, each named in full on as many lines as it needs."""
    return alt.Y("Label:N", sort=[_wrapped(label) for label in order], title=None,
                 axis=alt.Axis(labelExpr=_SPLIT, labelLimit=0, labelOverlap=False))


# Vega fits a chart whose skills are named on several lines (see _skill_axis) up to about 15 px wider than its box,
# so on a phone what sits at the right edge was cut off: the last axis label, a legend's last entry, the end of a
# centred axis title ("…lead others in" lost its last word). A wider right margin, which the fitting takes out of the
# plot, keeps them in (the accessibility test checks every chart's text at a phone's width).
_SKILL_ROWS_PADDING = {"left": 5, "top": 5, "right": 25, "bottom": 5}
# A legend of the scale's numbers only, in rows that fit above the bars on a phone; the page says what each means.
_SCALE_NUMBERS = alt.Legend(orient="top", title=None, columns=3, labelExpr="split(datum.label, ' ')[0]")


def _rating_scale(qset: QuestionSet) -> alt.Scale:
    return alt.Scale(domain=[1, len(qset.scale)], nice=False, zero=False)


def _rating_axis(qset: QuestionSet) -> alt.Axis:
    """Whole-number ticks, with the labelled scale spelt out as the axis title, a point a line, so no label is cut
    short on a phone."""
    points = [f"{point} {label}" for point, label in enumerate(qset.scale, start=1)]
    return alt.Axis(values=list(range(1, len(qset.scale) + 1)), format="d", title=points, titleFontWeight="normal")


def ratings_over_time(history: pd.DataFrame, qset: QuestionSet) -> alt.Chart:
    """One small panel per item: the leader's rating at each submission, joined by a line."""
    order, labels = _item_axis(qset)
    data = history.assign(item=history["item_id"].map(labels).map(_wrapped))[["submitted_at", "item", "rating"]]
    return (
        alt.Chart(data)
        .mark_line(point=alt.OverlayMarkDef(size=60))
        .encode(
            x=alt.X("submitted_at:T", title="Submitted", axis=alt.Axis(format="%d %b %Y", labelAngle=-30)),
            y=alt.Y("rating:Q", scale=_rating_scale(qset), axis=alt.Axis(values=list(range(1, len(qset.scale) + 1)),
                                                                          format="d", title="Rating")),
            tooltip=[
                alt.Tooltip("item:N", title="Skill"),
                alt.Tooltip("submitted_at:T", title="Submitted", format="%d %b %Y %H:%M"),
                alt.Tooltip("rating:Q", title="Rating"),
            ],
        )
        .properties(width=280, height=110)
        .facet(facet=alt.Facet("item:N", sort=[_wrapped(label) for label in order], title=None,
                               header=alt.Header(labelExpr=_SPLIT, labelLimit=0, labelAlign="left",
                                                 labelAnchor="start")),
               columns=1)
        .properties(description=f"Line charts, one a skill: your rating of each skill of the {qset.title} at each "
                                "submission.")
    )


def ratings_table(history: pd.DataFrame, qset: QuestionSet, label_time: Callable[[datetime], str]) -> pd.DataFrame:
    """The numbers of :func:`ratings_over_time` as a table: a row per skill, in checklist order, and a column per
    checkpoint, headed by its name, holding the submission that counts there (the latest); a submission made outside
    every checkpoint has a column of its own, headed by its time as `label_time` writes it."""
    skills = {item.id: f"{number}. {item.text}" for number, item in enumerate(qset.items, start=1)}
    ordered = history.sort_values(["submitted_at", "submission_id"])
    named = ordered["checkpoint"] if "checkpoint" in ordered else pd.Series(None, index=ordered.index, dtype=object)
    heading = named.where(named.notna(), ordered["submitted_at"].map(label_time))
    latest = ordered.assign(Skill=ordered["item_id"].map(skills), When=heading).drop_duplicates(
        ["When", "item_id"], keep="last")
    table = latest.pivot_table(index="Skill", columns="When", values="rating", sort=False)
    table.columns.name = None
    return table.reindex([skill for skill in skills.values() if skill in table.index])


def first_to_latest(history: pd.DataFrame, qset: QuestionSet) -> alt.LayerChart:
    """Each item's first and latest rating, joined by a line: a dumbbell chart of how far each skill moved."""
    change = change_table(history, qset)
    order = list(change["Skill"])
    long = change.melt(id_vars=["Skill"], value_vars=["First", "Latest"], var_name="When", value_name="Rating")
    long["Label"] = long["Skill"].map(_wrapped)
    base = alt.Chart(long).encode(
        y=_skill_axis(order),
        x=alt.X("Rating:Q", scale=_rating_scale(qset), axis=_rating_axis(qset)),
    )
    line = base.mark_line(color="#999").encode(detail=alt.Detail("Label:N"))
    points = base.mark_point(filled=True, size=120).encode(
        color=alt.Color("When:N", scale=alt.Scale(domain=["First", "Latest"], range=["#9ecae1", "#08519c"]),
                        legend=alt.Legend(title=None, orient="top")),
        tooltip=[alt.Tooltip("Skill:N"), alt.Tooltip("When:N"), alt.Tooltip("Rating:Q")],
    )
    return alt.LayerChart(layer=[line, points]).properties(
        height=alt.Step(80), padding=_SKILL_ROWS_PADDING,
        description=f"Dot chart: your first and latest rating of each skill of the {qset.title}.")


def change_table(history: pd.DataFrame, qset: QuestionSet) -> pd.DataFrame:
    """Per item, in questionnaire order: first rating, latest rating and the change between them."""
    _, labels = _item_axis(qset)
    ordered = history.sort_values(["submitted_at", "submission_id"])
    grouped = ordered.groupby("item_id")["rating"]
    table = pd.DataFrame({"First": grouped.first(), "Latest": grouped.last()})
    table = table.reindex([item.id for item in qset.items]).dropna().astype(int)
    table["Change"] = table["Latest"] - table["First"]
    table.insert(0, "Skill", [labels[item_id] for item_id in table.index])
    return table.reset_index(drop=True)


LOOKING_BACK_COLUMNS = ("Skill", "At the start, you said", "Looking back, you say", "Now")


def looking_back_table(history: pd.DataFrame, qset: QuestionSet) -> pd.DataFrame:
    """Per item, in questionnaire order: the leader's rating at the first checkpoint of their cohort they rated in
    (the submission that counts there, their latest in it: "then", as they saw it at the time), and from their latest
    submission that asked for it, their rating looking back at the start and their rating now. Without the first
    column when that is the same submission. Empty if no submission asked for a rating looking back."""
    asked = history[history["then_rating"].notna()] if "then_rating" in history else history.iloc[0:0]
    if asked.empty:
        return pd.DataFrame(columns=list(LOOKING_BACK_COLUMNS))
    _, labels = _item_axis(qset)
    ordered = history.sort_values(["submitted_at", "submission_id"])
    if "checkpoint" in ordered and ordered["checkpoint"].notna().any():
        counted = ordered[ordered["checkpoint"].notna()]
        first_id = counted.loc[counted["checkpoint"] == counted["checkpoint"].iloc[0], "submission_id"].iloc[-1]
    else:  # no checkpoint known: their first submission
        first_id = ordered["submission_id"].iloc[0]
    first = ordered[ordered["submission_id"] == first_id].set_index("item_id")["rating"]
    latest_id = asked.sort_values(["submitted_at", "submission_id"])["submission_id"].iloc[-1]
    latest = asked[asked["submission_id"] == latest_id].set_index("item_id")
    items = [item.id for item in qset.items if item.id in latest.index and item.id in first.index]
    table = pd.DataFrame({
        LOOKING_BACK_COLUMNS[0]: [labels[item_id] for item_id in items],
        LOOKING_BACK_COLUMNS[1]: [int(first[item_id]) for item_id in items],
        LOOKING_BACK_COLUMNS[2]: [int(latest["then_rating"][item_id]) for item_id in items],
        LOOKING_BACK_COLUMNS[3]: [int(latest["rating"][item_id]) for item_id in items],
    })
    return table.drop(columns=LOOKING_BACK_COLUMNS[1]) if first_id == latest_id else table


def looking_back_summary(table: pd.DataFrame) -> str:
    """In words, how the leader's view of their start moved: "Looking back, you rate your start lower than you did
    at the time on 6 skills, and higher on 1. …"; "" without a first rating to compare."""
    if LOOKING_BACK_COLUMNS[1] not in table or table.empty:
        return ""
    shift = table[LOOKING_BACK_COLUMNS[2]] - table[LOOKING_BACK_COLUMNS[1]]
    lower, higher = int((shift < 0).sum()), int((shift > 0).sum())
    if not lower and not higher:
        return "Looking back, you rate your start as you did at the time, on every skill."
    return (f"Looking back, you rate your start lower than you did at the time on {lower} "
            f"skill{'' if lower == 1 else 's'}, and higher on {higher}. Lower is common: a course changes what "
            "people think good looks like, so you may have grown more than your first and latest ratings show.")


def change_summary(history: pd.DataFrame, qset: QuestionSet) -> str:
    """In words, how the skills moved from the first rating to the latest: "Since your first rating: 4 skills up,
    1 down, 5 the same." """
    change = change_table(history, qset)["Change"]
    up, down, same = int((change > 0).sum()), int((change < 0).sum()), int((change == 0).sum())
    return f"Since your first rating: {up} skill{'' if up == 1 else 's'} up, {down} down, {same} the same."


def cohort_change_summary(means: pd.DataFrame, qset: QuestionSet) -> str:
    """In words, how the cohort's mean ratings (:func:`reflect.reporting.reports.over_time`) moved from the first
    checkpoint with ratings to the latest, and the largest rise and fall; "" before there are two to compare."""
    points = list(dict.fromkeys(means["checkpoint"]))
    if len(points) < 2:
        return ""
    first, latest = points[0], points[-1]
    by_item = means.pivot_table(index="item_id", columns="checkpoint", values="mean")
    change = (by_item[latest] - by_item[first]).dropna().round(1)
    if change.empty:
        return ""
    _, labels = _item_axis(qset)
    up, down = int((change > 0).sum()), int((change < 0).sum())
    words = [f"From {first} to {latest}, the cohort's mean rating rose on {up} skill{'' if up == 1 else 's'}, "
             f"fell on {down} and held on {len(change) - up - down}."]
    if up:
        words.append(f"Largest rise: {labels[change.idxmax()]}, {change.max():+.1f} on average.")
    if down:
        words.append(f"Largest fall: {labels[change.idxmin()]}, {change.min():+.1f} on average.")
    return " ".join(words)


def _scale_colours(qset: QuestionSet) -> alt.Scale:
    """A diverging palette: disagreeing points red, the middle grey, agreeing points blue."""
    return alt.Scale(domain=[f"{p} {label}" for p, label in enumerate(qset.scale, start=1)], scheme="redblue")


def _point_names(qset: QuestionSet) -> dict[int, str]:
    return {point: f"{point} {label}" for point, label in enumerate(qset.scale, start=1)}


def scale_names(qset: QuestionSet) -> list[str]:
    """The scale points as the charts and tables name them: "1 Not yet", "2 …"."""
    return list(_point_names(qset).values())


def scale_words(qset: QuestionSet) -> str:
    """The scale spelt out in a line, for a page to say what a chart's legend of numbers means: "1 Not yet · 2 …"."""
    return " · ".join(scale_names(qset))


def diverging_table(counts: pd.DataFrame, qset: QuestionSet) -> pd.DataFrame:
    """Per item: n, the percentage at each scale point and the positive share, ordered by positive share.

    `counts` has columns item_id, rating, count (every point of every item). With an odd scale the middle point
    is neutral; above it is positive.
    """
    points = len(qset.scale)
    wide = counts.pivot(index="item_id", columns="rating", values="count").reindex(
        index=[item.id for item in qset.items], columns=range(1, points + 1), fill_value=0)
    n = wide.sum(axis=1)
    percent = wide.div(n.where(n > 0), axis=0).fillna(0) * 100
    table = percent.rename(columns=_point_names(qset))
    table.insert(0, "n", n.astype(int))
    table["Positive %"] = percent.loc[:, [p for p in range(1, points + 1) if p > (points + 1) / 2]].sum(axis=1)
    _, labels = _item_axis(qset)
    table.insert(0, "Skill", [labels[item_id] for item_id in table.index])
    return table.sort_values("Positive %", ascending=False, kind="stable").reset_index(names="item_id")


def diverging_bars(counts: pd.DataFrame, qset: QuestionSet) -> alt.Chart:
    """Heiberger & Robbins diverging stacked bars: the neutral point straddles zero, items by positive share."""
    table = diverging_table(counts, qset)
    points = len(qset.scale)
    names = _point_names(qset)
    middle = (points + 1) / 2
    neutral = int(middle) if middle.is_integer() else None  # the middle point of an odd scale straddles zero
    segments = []
    for row in table.to_dict("records"):
        skill = f"{row['Skill']} (n={row['n']})"
        start = -sum(row[names[p]] for p in names if p < middle) - (row[names[neutral]] / 2 if neutral else 0)
        for point, name in names.items():
            segments.append({"Skill": skill, "Rating": name, "point": point, "start": start,
                             "end": start + row[name], "Percent": round(row[name], 1)})
            start += row[name]
    data = pd.DataFrame(segments)
    data["Label"] = data["Skill"].map(_wrapped)
    order = [f"{skill} (n={n})" for skill, n in zip(table["Skill"], table["n"], strict=True)]
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("start:Q", title="Percent of leaders", scale=alt.Scale(domain=[-100, 100])),
            x2=alt.X2("end:Q"),
            y=_skill_axis(order),
            color=alt.Color("Rating:N", scale=_scale_colours(qset), sort=list(names.values()),
                            legend=_SCALE_NUMBERS),
            order=alt.Order("point:Q"),
            tooltip=[alt.Tooltip("Skill:N"), alt.Tooltip("Rating:N"), alt.Tooltip("Percent:Q", format=".1f")],
        )
        .properties(height=alt.Step(80), padding=_SKILL_ROWS_PADDING,
                    description="Diverging bar chart: the share of leaders at each rating of each skill, lower "
                                "ratings left of zero and higher right.")
    )


def cohort_over_time(means: pd.DataFrame, qset: QuestionSet, checkpoint_order: list[str]) -> alt.FacetChart:
    """Each item's cohort mean at each checkpoint with its 95% interval, one small panel per item."""
    _, labels = _item_axis(qset)
    data = means.assign(Skill=means["item_id"].map(labels))[["Skill", "checkpoint", "n", "mean", "low", "high"]]
    data["Label"] = data["Skill"].map(_wrapped)
    x = alt.X("checkpoint:N", sort=checkpoint_order, title=None,
              axis=alt.Axis(labelAngle=-30, labelOverlap=False, labelLimit=0))
    y_scale = _rating_scale(qset)
    base = alt.Chart().encode(x=x)
    interval = base.mark_rule(strokeWidth=2, color="#9ecae1").encode(
        y=alt.Y("low:Q", scale=y_scale, title="Mean rating (95% interval)"), y2=alt.Y2("high:Q"))
    line = base.mark_line(point=True, color="#08519c").encode(
        y=alt.Y("mean:Q", scale=y_scale),
        tooltip=[alt.Tooltip("Skill:N"), alt.Tooltip("checkpoint:N"), alt.Tooltip("n:Q"),
                 alt.Tooltip("mean:Q", format=".2f"), alt.Tooltip("low:Q", format=".2f"),
                 alt.Tooltip("high:Q", format=".2f")],
    )
    return (
        alt.layer(interval, line, data=data)
        .properties(width=240, height=120)
        .facet(facet=alt.Facet("Label:N", sort=[_wrapped(label) for label in labels.values()], title=None,
                               header=alt.Header(labelExpr=_SPLIT, labelLimit=0, labelAlign="left",
                                                 labelAnchor="start")),
               columns=1)
        .properties(description="Line charts, one a skill: the cohort's mean rating at each checkpoint, with its 95% "
                                "interval.")
    )


def leader_grid(grid: pd.DataFrame, qset: QuestionSet, leader_order: list[str]) -> alt.Chart:
    """A heat map of one page of leaders (rows) × items (columns), coloured by their latest rating."""
    _, labels = _item_axis(qset)
    names = _point_names(qset)
    data = grid.assign(Skill=grid["item_id"].map(labels), Rating=grid["rating"].map(names),
                       Leader=_leader_label(grid))
    data["Number"] = data["item_id"].map({item.id: item.number or position
                                          for position, item in enumerate(qset.items, start=1)})
    return (
        alt.Chart(data[["Leader", "Skill", "Number", "Rating", "rating"]])
        .mark_rect(stroke="white", strokeWidth=1)
        .encode(
            # Skill numbers on the axis (full wording in the tooltip and the table): ten long labels cannot fit.
            x=alt.X("Number:O", title="Skill number", axis=alt.Axis(labelAngle=0, orient="top")),
            y=alt.Y("Leader:N", sort=leader_order, title=None, axis=alt.Axis(labelOverlap=False, labelLimit=220)),
            color=alt.Color("Rating:N", scale=_scale_colours(qset), sort=list(names.values()),
                            legend=_SCALE_NUMBERS),
            tooltip=[alt.Tooltip("Leader:N"), alt.Tooltip("Skill:N"), alt.Tooltip("Rating:N")],
        )
        .properties(height=alt.Step(20), padding=_SKILL_ROWS_PADDING,
                    description="Heat map: each leader's latest rating of each skill.")
    )


def position_in_cohort(positions: pd.DataFrame, qset: QuestionSet) -> alt.LayerChart:
    """The cohort's spread of ratings on each item as a 100% bar, with a marker where the leader's own rating sits."""
    order, labels = _item_axis(qset)
    names = _point_names(qset)
    data = positions.assign(Skill=positions["item_id"].map(labels), Rating=positions["rating"].map(names),
                            Percent=positions["share"] * 100)
    data = data.sort_values(["item_id", "rating"])
    data["end"] = data.groupby("item_id")["Percent"].cumsum()
    data["start"] = data["end"] - data["Percent"]
    data["middle"] = (data["start"] + data["end"]) / 2
    data = data[["Skill", "Rating", "rating", "Percent", "start", "end", "middle", "mine"]]
    data["Label"] = data["Skill"].map(_wrapped)
    y = _skill_axis(order)
    bars = alt.Chart(data).mark_bar().encode(
        x=alt.X("start:Q", title="Percent of the cohort", scale=alt.Scale(domain=[0, 100])), x2=alt.X2("end:Q"), y=y,
        color=alt.Color("Rating:N", scale=_scale_colours(qset), sort=list(names.values()),
                        legend=_SCALE_NUMBERS),
        tooltip=[alt.Tooltip("Skill:N"), alt.Tooltip("Rating:N"), alt.Tooltip("Percent:Q", format=".0f")],
    )
    you = alt.Chart(data).transform_filter("datum.mine == 1").mark_point(
        shape="triangle-down", size=140, filled=True, color="black", yOffset=-9).encode(
        x=alt.X("middle:Q"), y=y, tooltip=[alt.Tooltip("Rating:N", title="Your rating")])
    return alt.LayerChart(layer=[bars, you]).properties(
        height=alt.Step(80), padding=_SKILL_ROWS_PADDING,
        description="Stacked bar chart: the share of your cohort at each rating of each skill, with a triangle at "
                    "your own rating.")


def over_time_table(means: pd.DataFrame, qset: QuestionSet) -> pd.DataFrame:
    """The numbers behind :func:`cohort_over_time`: one row per skill and checkpoint."""
    _, labels = _item_axis(qset)
    return pd.DataFrame({
        "Skill": means["item_id"].map(labels), "Checkpoint": means["checkpoint"], "n": means["n"],
        "Mean": means["mean"].round(2), "95% low": means["low"].round(2), "95% high": means["high"].round(2),
    })


def _leader_label(grid: pd.DataFrame) -> pd.Series:
    """Names can repeat in a cohort: name and email tell people apart as a person would (emails are unique)."""
    return grid["leader"] + " · " + grid["email"]


def grid_table(grid: pd.DataFrame, qset: QuestionSet) -> pd.DataFrame:
    """The numbers behind :func:`leader_grid`: leaders (in page order) × skills."""
    order, labels = _item_axis(qset)
    table = grid.assign(Leader=_leader_label(grid), Skill=grid["item_id"].map(labels)).pivot(
        index="Leader", columns="Skill", values="rating")
    leaders = list(dict.fromkeys(_leader_label(grid)))
    return table.reindex(index=leaders, columns=[label for label in order if label in table.columns])


def position_table(positions: pd.DataFrame, qset: QuestionSet) -> pd.DataFrame:
    """The numbers behind :func:`position_in_cohort`: percent of the cohort at each rating, and the leader's own."""
    _, labels = _item_axis(qset)
    names = _point_names(qset)
    table = (positions.assign(Percent=(positions["share"] * 100).round(0)).pivot(
        index="item_id", columns="rating", values="Percent").reindex(
        index=[item.id for item in qset.items], columns=list(names)).fillna(0).rename(columns=names))
    mine = positions[positions["mine"] == 1].set_index("item_id")["rating"]
    table["Your rating"] = mine.reindex(table.index).astype("Int64")
    table.index = table.index.map(labels)
    table.index.name = "Skill"
    return table
