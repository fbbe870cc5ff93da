"""What My progress shows of a leader's ratings of one set, made once for the same ratings and kept
(:func:`reflect.web.show.made_once`): the tables, the words and the chart specs all come from one frame, and making
them (pandas, Altair) was most of the page's run, each time it was opened."""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

from reflect.domain.questions import QuestionSet
from reflect.reporting import charts
from reflect.web import show


class History(NamedTuple):
    """What the page shows of every rating the leader submitted. The first-to-latest parts are None after a single
    submission (no change to show yet)."""
    change_summary: str | None
    first_to_latest: dict | None  # a chart's spec
    change_table: pd.DataFrame | None
    looking_back: pd.DataFrame
    looking_back_summary: str
    over_time: dict  # a chart's spec
    ratings_table: pd.DataFrame


class Position(NamedTuple):
    """Where the leader's ratings sit among the cohort's at one checkpoint."""
    chart: dict  # a chart's spec
    table: pd.DataFrame


def history(ratings: pd.DataFrame, qset: QuestionSet) -> History:
    """:class:`History` of `ratings` (:func:`reflect.domain.responses.ratings_over_time`, at least one submission),
    with times in the browser's zone."""
    return show.made_once(_history, ratings, qset, show.browser_zone().key)


def position(at_checkpoint: pd.DataFrame, qset: QuestionSet) -> Position:
    """:class:`Position` from the rows of :func:`reflect.reporting.reports.positions` at one checkpoint."""
    return show.made_once(_position, at_checkpoint, qset)


def _history(ratings: pd.DataFrame, qset: QuestionSet, zone: str) -> History:
    # `zone` is the browser's (show.local_time writes the table's times in it): here only to be part of the key.
    changed = ratings["submission_id"].nunique() > 1
    looking_back = charts.looking_back_table(ratings, qset)
    return History(
        change_summary=charts.change_summary(ratings, qset) if changed else None,
        first_to_latest=show.vega_lite_spec(charts.first_to_latest(ratings, qset)) if changed else None,
        change_table=charts.change_table(ratings, qset) if changed else None,
        looking_back=looking_back,
        looking_back_summary=charts.looking_back_summary(looking_back),
        over_time=show.vega_lite_spec(charts.ratings_over_time(ratings, qset)),
        ratings_table=charts.ratings_table(ratings, qset, lambda moment: show.local_time(moment.isoformat())),
    )


def _position(at_checkpoint: pd.DataFrame, qset: QuestionSet) -> Position:
    return Position(show.vega_lite_spec(charts.position_in_cohort(at_checkpoint, qset)),
                    charts.position_table(at_checkpoint, qset))
