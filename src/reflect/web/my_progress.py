"""What My progress shows of a leader's ratings of one set, made once for the same ratings and kept
(:func:`reflect.web.show.made_once`): the tables, the words and the chart specs all come from one frame, and making
them (pandas, Altair) was most of the page's run, each time it was opened. Tables are kept as Arrow, as
``st.dataframe`` sends them, so a run does not convert them again."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import pandas as pd
from streamlit.dataframe_util import convert_pandas_df_to_arrow_table

from reflect.domain.questions import QuestionSet
from reflect.reporting import charts
from reflect.web import show

if TYPE_CHECKING:
    import pyarrow as pa  # Streamlit's own dependency: a table as st.dataframe takes it


class History(NamedTuple):
    """What the page shows of every rating the leader submitted. The first-to-latest parts are None after a single
    submission (no change to show yet)."""
    change_summary: str | None
    first_to_latest: dict | None  # a chart's spec
    change_table: pa.Table | None
    looking_back: pa.Table | None  # None if no rating looked back
    looking_back_summary: str
    over_time: dict  # a chart's spec
    ratings_table: pa.Table


class Position(NamedTuple):
    """Where the leader's ratings sit among the cohort's at one checkpoint."""
    respondents: int  # leaders who submitted at that checkpoint
    chart: dict  # a chart's spec
    table: pa.Table


def history(ratings: pd.DataFrame, qset: QuestionSet) -> History:
    """:class:`History` of `ratings` (:func:`reflect.domain.responses.ratings_over_time`, at least one submission),
    with times in the browser's zone."""
    return show.made_once(_history, ratings, qset, show.browser_zone().key)


def position(positions: pd.DataFrame, checkpoint: str, qset: QuestionSet) -> Position:
    """:class:`Position` at `checkpoint` (its name), from :func:`reflect.reporting.reports.positions`."""
    return show.made_once(_position, positions, qset, checkpoint)


def _history(ratings: pd.DataFrame, qset: QuestionSet, zone: str) -> History:
    # `zone` is the browser's (show.local_time writes the table's times in it): here only to be part of the key.
    changed = ratings["submission_id"].nunique() > 1
    looking_back = charts.looking_back_table(ratings, qset)
    return History(
        change_summary=charts.change_summary(ratings, qset) if changed else None,
        first_to_latest=show.vega_lite_spec(charts.first_to_latest(ratings, qset)) if changed else None,
        change_table=convert_pandas_df_to_arrow_table(charts.change_table(ratings, qset)) if changed else None,
        looking_back=None if looking_back.empty else convert_pandas_df_to_arrow_table(looking_back),
        looking_back_summary=charts.looking_back_summary(looking_back),
        over_time=show.vega_lite_spec(charts.ratings_over_time(ratings, qset)),
        ratings_table=convert_pandas_df_to_arrow_table(
            charts.ratings_table(ratings, qset, lambda moment: show.local_time(moment.isoformat()))),
    )


def _position(positions: pd.DataFrame, qset: QuestionSet, checkpoint: str) -> Position:
    at_checkpoint = positions[positions["checkpoint"] == checkpoint]
    return Position(int(at_checkpoint["respondents"].iloc[0]),
                    show.vega_lite_spec(charts.position_in_cohort(at_checkpoint, qset)),
                    convert_pandas_df_to_arrow_table(charts.position_table(at_checkpoint, qset)))
