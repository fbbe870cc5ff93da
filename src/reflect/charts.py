"""Charts as pure functions: a tidy DataFrame in, an ``alt.Chart`` out. No database, no Streamlit."""

from __future__ import annotations

import altair as alt
import pandas as pd

from reflect.questions import QuestionSet


def _item_axis(qset: QuestionSet) -> tuple[list[str], dict[str, str]]:
    """Items in questionnaire order, labelled "1. skilled at giving…" so long wording fits."""
    labels = {item.id: f"{number}. {item.short}" for number, item in enumerate(qset.items, start=1)}
    return list(labels.values()), labels


def _rating_scale(qset: QuestionSet) -> alt.Scale:
    return alt.Scale(domain=[1, len(qset.scale)], nice=False, zero=False)


def _rating_axis(qset: QuestionSet) -> alt.Axis:
    """Whole-number ticks, with the labelled scale spelt out as the axis title so no label is cut short."""
    scale = " · ".join(f"{point} {label}" for point, label in enumerate(qset.scale, start=1))
    return alt.Axis(values=list(range(1, len(qset.scale) + 1)), format="d", title=scale, titleFontWeight="normal")


def ratings_over_time(history: pd.DataFrame, qset: QuestionSet) -> alt.Chart:
    """One small panel per item: the leader's rating at each submission, joined by a line."""
    order, labels = _item_axis(qset)
    data = history.assign(item=history["item_id"].map(labels))[["submitted_at", "item", "rating"]]
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
        .properties(width=260, height=120)
        .facet(facet=alt.Facet("item:N", sort=order, title=None, header=alt.Header(labelLimit=260)), columns=2)
    )


def first_to_latest(history: pd.DataFrame, qset: QuestionSet) -> alt.LayerChart:
    """Each item's first and latest rating, joined by a line: a dumbbell chart of how far each skill moved."""
    change = change_table(history, qset)
    order = list(change["Skill"])
    long = change.melt(id_vars=["Skill"], value_vars=["First", "Latest"], var_name="When", value_name="Rating")
    base = alt.Chart(long).encode(
        y=alt.Y("Skill:N", sort=order, title=None, axis=alt.Axis(labelLimit=400)),
        x=alt.X("Rating:Q", scale=_rating_scale(qset), axis=_rating_axis(qset)),
    )
    line = base.mark_line(color="#999").encode(detail="Skill:N")
    points = base.mark_point(filled=True, size=120).encode(
        color=alt.Color("When:N", scale=alt.Scale(domain=["First", "Latest"], range=["#9ecae1", "#08519c"]),
                        legend=alt.Legend(title=None, orient="top")),
        tooltip=["Skill:N", "When:N", "Rating:Q"],
    )
    return alt.layer(line, points).properties(height=alt.Step(28))


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
