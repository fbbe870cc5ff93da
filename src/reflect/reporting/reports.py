"""What facilitators see of a cohort, aggregated in SQLite before anything is charted.

For each leader, only their latest submission within a checkpoint counts. Which one that is, and how many leaders
gave each rating, are kept current at write time (:mod:`reflect.storage.tally`), so these reads cost the same at any
cohort size. Free text is not read here at all: only ratings, counts and who has submitted.

Every function of one cohort takes the acting person and opens with :func:`reflect.domain.access.cohort_for`: a
facilitator's figures need the cohort's facilitators (or an administrator); a leader may read only their own cohort's
shares and their own ratings (My progress).
"""

from __future__ import annotations

import json
import math
from typing import NamedTuple

import pandas as pd
from sqlite_utils import Database

from reflect.domain import access
from reflect.domain.access import Actor
from reflect.domain.questions import QuestionSet
from reflect.storage.db import page_of

MIN_RESPONDENTS = 5  # below this, no cohort figure is shown to leaders
# Where a leader is with one set at a checkpoint (:func:`completion`), in the words the Completion page shows.
# Within one checkpoint: a leader who submitted at an earlier one is "Not submitted" here, never "Not started".
SUBMITTED, DRAFT_ONLY, NOT_STARTED = "Submitted", "Draft only", "Not submitted"


def _frame(db: Database, sql: str, params: dict) -> pd.DataFrame:
    cursor = db.execute(sql, params)
    return pd.DataFrame(cursor.fetchall(), columns=[column[0] for column in cursor.description])


def distribution(db: Database, actor: Actor, cohort_id: int, qset: QuestionSet, checkpoint_id: int) -> pd.DataFrame:
    """Per item and scale point, how many leaders chose it at the checkpoint: columns item_id, rating, count."""
    access.cohort_for(db, actor, cohort_id)
    counts = _frame(
        db,
        """SELECT rc.item_id, rc.rating, rc.leaders AS count
           FROM rating_counts rc JOIN checkpoints cp ON cp.id = rc.checkpoint_id
           WHERE cp.cohort_id = :cohort_id AND rc.checkpoint_id = :checkpoint_id AND rc.set_id = :set_id""",
        {"cohort_id": cohort_id, "set_id": qset.id, "checkpoint_id": checkpoint_id},
    )
    # Every item and scale point, zeros included, in questionnaire order.
    full = pd.MultiIndex.from_product(
        [[item.id for item in qset.items], range(1, len(qset.scale) + 1)], names=["item_id", "rating"]
    )
    every = counts.set_index(["item_id", "rating"])["count"].reindex(full, fill_value=0)
    return every.reset_index().astype({"count": "int64"})


def respondents(db: Database, actor: Actor, cohort_id: int, set_id: str, checkpoint_id: int) -> int:
    """How many leaders of the cohort have submitted the set at the checkpoint."""
    access.cohort_for(db, actor, cohort_id)
    return db.execute(
        """SELECT COUNT(*) FROM counted_submissions
           WHERE cohort_id = :cohort_id AND checkpoint_id = :checkpoint_id AND set_id = :set_id""",
        {"cohort_id": cohort_id, "set_id": set_id, "checkpoint_id": checkpoint_id},
    ).fetchone()[0]


def leaders(db: Database, actor: Actor, cohort_id: int) -> pd.DataFrame:
    """The cohort's leaders now, by name: user_id, leader (their name), email."""
    access.cohort_for(db, actor, cohort_id)
    return _frame(db, """SELECT u.id AS user_id, u.name AS leader, u.email
                         FROM cohort_leaders cl JOIN users u ON u.id = cl.user_id
                         WHERE cl.cohort_id = :cohort_id ORDER BY u.name COLLATE NOCASE, u.email""",
                  {"cohort_id": cohort_id})


def leaders_in(db: Database, actor: Actor, cohort_id: int) -> int:
    """How many leaders the cohort has now: what a count of those who submitted is out of."""
    access.cohort_for(db, actor, cohort_id)
    return db.execute("SELECT COUNT(*) FROM cohort_leaders WHERE cohort_id = ?", [cohort_id]).fetchone()[0]


def over_time(db: Database, actor: Actor, cohort_id: int, qset: QuestionSet) -> pd.DataFrame:
    """Per checkpoint (in time order) and item: n, mean rating and a 95% confidence interval of the mean."""
    access.cohort_for(db, actor, cohort_id)
    table = _frame(
        db,
        """SELECT cp.id AS checkpoint_id, cp.name AS checkpoint, cp.opens_at, rc.item_id,
                  SUM(rc.leaders) AS n, SUM(rc.rating * rc.leaders) * 1.0 / SUM(rc.leaders) AS mean,
                  SUM(rc.rating * rc.rating * rc.leaders) * 1.0 / SUM(rc.leaders) AS mean_square
           FROM rating_counts rc JOIN checkpoints cp ON cp.id = rc.checkpoint_id
           WHERE cp.cohort_id = :cohort_id AND rc.set_id = :set_id
           GROUP BY cp.id, rc.item_id
           ORDER BY cp.opens_at""",
        {"cohort_id": cohort_id, "set_id": qset.id},
    )
    table = table[table["item_id"].isin([item.id for item in qset.items])].reset_index(drop=True)
    if table.empty:
        return table.assign(low=[], high=[]).drop(columns=["mean_square", "opens_at"])
    n = table["n"]
    variance = (table["mean_square"] - table["mean"] ** 2) * n / (n - 1).where(n > 1)
    half_width = 1.96 * (variance.clip(lower=0) / n).map(math.sqrt)
    table["low"] = (table["mean"] - half_width.fillna(0)).clip(lower=1)
    table["high"] = (table["mean"] + half_width.fillna(0)).clip(upper=len(qset.scale))
    table["position"] = table["item_id"].map({item.id: index for index, item in enumerate(qset.items)})
    table = table.sort_values(["opens_at", "position"])
    return table.drop(columns=["mean_square", "opens_at", "position"]).reset_index(drop=True)


GRID_SORTS = {
    "Name (A–Z)": "u.name COLLATE NOCASE, u.id",
    "Mean rating, lowest first": "mean_rating, u.name COLLATE NOCASE, u.id",
    "Mean rating, highest first": "mean_rating DESC, u.name COLLATE NOCASE, u.id",
}


# The leaders who count at the checkpoint: one kept row each (reflect.storage.tally), so counting them and ordering
# them by name reads no answers. Only a sort by mean rating averages every leader's answers.
_GRID_ROWS = """FROM counted_submissions counted JOIN users u ON u.id = counted.user_id
                WHERE counted.cohort_id = :cohort_id AND counted.checkpoint_id = :checkpoint_id
                      AND counted.set_id = :set_id AND u.name LIKE :name"""


def _grid_params(cohort_id: int, set_id: str, checkpoint_id: int, name_contains: str) -> dict[str, object]:
    """The parameters of :data:`_GRID_ROWS`: a name matches if it holds `name_contains` anywhere."""
    return {"cohort_id": cohort_id, "set_id": set_id, "checkpoint_id": checkpoint_id,
            "name": f"%{name_contains.strip()}%"}


def grid_total(db: Database, actor: Actor, cohort_id: int, set_id: str, checkpoint_id: int, *,
               name_contains: str = "") -> int:
    """How many leaders the grid of `set_id` at a checkpoint lists: those whose name holds `name_contains`, if given,
    else all who count there (read from the kept rows alone, not every leader's name)."""
    if not name_contains.strip():
        return respondents(db, actor, cohort_id, set_id, checkpoint_id)
    access.cohort_for(db, actor, cohort_id)
    params = _grid_params(cohort_id, set_id, checkpoint_id, name_contains)
    return db.execute(f"SELECT COUNT(*) {_GRID_ROWS}", params).fetchone()[0]


def grid_page(db: Database, actor: Actor, cohort_id: int, qset: QuestionSet, checkpoint_id: int, *,
              sort: str = "Name (A–Z)", page: int = 1, per_page: int = 50, name_contains: str = "") -> pd.DataFrame:
    """One page of the leaders × items grid of latest ratings at a checkpoint (:func:`grid_total` counts its
    leaders). Rows: leader (name), user_id, email, item_id, rating. Sorting and paging happen in SQL."""
    access.cohort_for(db, actor, cohort_id)
    paging, page_params = page_of(page, per_page)
    params = {**_grid_params(cohort_id, qset.id, checkpoint_id, name_contains), **page_params}
    mean = ("(SELECT AVG(a.rating) FROM answers a WHERE a.submission_id = counted.submission_id)"
            if "mean_rating" in GRID_SORTS[sort] else "NULL")
    grid = _frame(
        db,
        f"""WITH page AS (
                SELECT counted.user_id, counted.submission_id, u.name, u.email, {mean} AS mean_rating {_GRID_ROWS}
                ORDER BY {GRID_SORTS[sort]}
                {paging}
            )
            SELECT page.name AS leader, page.user_id, page.email, a.item_id, a.rating
            FROM page JOIN answers a ON a.submission_id = page.submission_id""",
        params,
    )
    return grid[grid["item_id"].isin([item.id for item in qset.items])].reset_index(drop=True)


# What the Completion page can list: everyone, those yet to submit some set, or those who have submitted none.
EVERYONE, NOT_EVERYTHING, NOTHING = "Everyone", "Not submitted everything", "Nothing submitted"


class CompletionCounts(NamedTuple):
    """How a cohort stands at a checkpoint: its leaders, per set title those who submitted and those with a draft
    only, and how many leaders the chosen filter lists."""

    leaders: int
    submitted: dict[str, int]
    draft_only: dict[str, int]
    listed: int


def _status_columns(sets: list[QuestionSet]) -> tuple[str, dict[str, object]]:
    """One column per set (``s0``, ``s1``, …): a member ``m``'s (user_id, joined_at) status at checkpoint ``cp``,
    counting only what they did since joining; and the parameters it needs. Submitted is read from the kept figures
    (a leader counts at a checkpoint exactly when they submitted in it as a member: reflect.storage.tally)."""
    columns: list[str] = []
    params: dict[str, object] = {"submitted": SUBMITTED, "draft_only": DRAFT_ONLY, "not_started": NOT_STARTED}
    for number, qset in enumerate(sets):
        params[f"set{number}"] = qset.id
        columns.append(f"""
            CASE WHEN EXISTS (SELECT 1 FROM counted_submissions c WHERE c.checkpoint_id = cp.id
                              AND c.set_id = :set{number} AND c.user_id = m.user_id)
                 THEN :submitted
                 WHEN EXISTS (SELECT 1 FROM drafts d WHERE d.user_id = m.user_id AND d.set_id = :set{number}
                              AND d.saved_at >= MAX(cp.opens_at, m.joined_at) AND d.saved_at < cp.closes_at)
                 THEN :draft_only
                 ELSE :not_started END AS s{number}""")
    return ",".join(columns), params


def _listed(sets: list[QuestionSet], which: str) -> str:
    """The SQL condition on a member ``cl`` for the leaders `which` names, from the kept figures alone: yet to
    submit some set, or every set, at :checkpoint_id."""
    if which not in (NOT_EVERYTHING, NOTHING) or not sets:
        return "1"
    submitted = """(SELECT COUNT(*) FROM counted_submissions c WHERE c.checkpoint_id = :checkpoint_id
                    AND c.user_id = cl.user_id AND c.set_id IN (SELECT value FROM json_each(:sets)))"""
    return f"{submitted} < {len(sets)}" if which == NOT_EVERYTHING else f"{submitted} = 0"


def completion(db: Database, actor: Actor, cohort_id: int, sets: list[QuestionSet], checkpoint_id: int, *,
               which: str = EVERYONE, page: int | None = None, per_page: int = 25) -> pd.DataFrame:
    """Per leader of the cohort that `which` lists, by name: user_id, leader, email and, per set title,
    :data:`SUBMITTED`, :data:`DRAFT_ONLY` or :data:`NOT_STARTED` within the checkpoint, counting only what they did
    since they joined the cohort. With `page`, only that page of `per_page` leaders: chosen, ordered and paged in
    SQL before any status is worked out, so a page costs a page's work whatever the size of the cohort."""
    access.cohort_for(db, actor, cohort_id)
    columns, params = _status_columns(sets)
    paging, page_params = page_of(page, per_page)
    table = _frame(db, f"""
        WITH m AS (
            SELECT cl.user_id, cl.joined_at, u.name AS leader, u.email
            FROM cohort_leaders cl JOIN users u ON u.id = cl.user_id
            WHERE cl.cohort_id = :cohort_id AND {_listed(sets, which)}
            ORDER BY u.name COLLATE NOCASE, u.email {paging})
        SELECT m.user_id, m.leader, m.email{"," if columns else ""}{columns}
        FROM m JOIN checkpoints cp ON cp.id = :checkpoint_id AND cp.cohort_id = :cohort_id
        ORDER BY m.leader COLLATE NOCASE, m.email""",
        {**params, "cohort_id": cohort_id, "checkpoint_id": checkpoint_id, "sets": json.dumps([q.id for q in sets]),
         **page_params})
    return table.rename(columns={f"s{number}": qset.title for number, qset in enumerate(sets)})


def completion_counts(db: Database, actor: Actor, cohort_id: int, sets: list[QuestionSet], checkpoint_id: int, *,
                      which: str = EVERYONE) -> CompletionCounts:
    """How the cohort stands at the checkpoint (:class:`CompletionCounts`), counted in aggregate: who submitted from
    the kept figures (a key range each), who has a draft only from the drafts of the checkpoint's window, and who is
    listed by the same rule :func:`completion` lists them by."""
    access.cohort_for(db, actor, cohort_id)
    params = {"cohort_id": cohort_id, "checkpoint_id": checkpoint_id, "sets": json.dumps([q.id for q in sets])}
    leaders, listed = db.execute(f"""SELECT COUNT(*), COALESCE(SUM({_listed(sets, which)}), 0)
                                     FROM cohort_leaders cl WHERE cl.cohort_id = :cohort_id""", params).fetchone()
    submitted = dict(db.execute(
        """SELECT set_id, COUNT(*) FROM counted_submissions WHERE checkpoint_id = :checkpoint_id
           AND set_id IN (SELECT value FROM json_each(:sets)) GROUP BY set_id""", params).fetchall())
    draft_only = dict(db.execute(
        """SELECT d.set_id, COUNT(DISTINCT d.user_id) FROM drafts d
           JOIN cohort_leaders cl ON cl.user_id = d.user_id AND cl.cohort_id = :cohort_id
           JOIN checkpoints cp ON cp.id = :checkpoint_id
           WHERE d.set_id IN (SELECT value FROM json_each(:sets))
                 AND d.saved_at >= MAX(cp.opens_at, cl.joined_at) AND d.saved_at < cp.closes_at
                 AND NOT EXISTS (SELECT 1 FROM counted_submissions c WHERE c.checkpoint_id = cp.id
                                 AND c.set_id = d.set_id AND c.user_id = d.user_id)
           GROUP BY d.set_id""", params).fetchall())
    return CompletionCounts(leaders, {qset.title: submitted.get(qset.id, 0) for qset in sets},
                            {qset.title: draft_only.get(qset.id, 0) for qset in sets}, listed)


def cohort_shares(db: Database, actor: Actor, cohort_id: int, qset: QuestionSet) -> pd.DataFrame:
    """Per checkpoint with at least :data:`MIN_RESPONDENTS` respondents: the share of the cohort at each rating of
    each item. Columns: checkpoint_id, checkpoint, respondents, item_id, rating, share. The same for every leader of
    the cohort, so it can be computed once and shared; the cohort's leaders may read it as well as its facilitators."""
    access.cohort_for(db, actor, cohort_id, need=access.FIGURES)
    return _frame(
        db,
        """WITH counted AS (
               SELECT checkpoint_id, COUNT(*) AS respondents FROM counted_submissions
               WHERE cohort_id = :cohort_id AND set_id = :set_id
               GROUP BY checkpoint_id HAVING COUNT(*) >= :minimum
           )
           SELECT cp.id AS checkpoint_id, cp.name AS checkpoint, counted.respondents, rc.item_id, rc.rating,
                  rc.leaders * 1.0 / counted.respondents AS share
           FROM counted
           JOIN checkpoints cp ON cp.id = counted.checkpoint_id
           JOIN rating_counts rc ON rc.checkpoint_id = counted.checkpoint_id AND rc.set_id = :set_id
           ORDER BY cp.opens_at, rc.item_id, rc.rating""",
        {"cohort_id": cohort_id, "set_id": qset.id, "minimum": MIN_RESPONDENTS},
    )


def own_latest(db: Database, actor: Actor, cohort_id: int, qset: QuestionSet, user_id: int) -> pd.DataFrame:
    """The ratings of the leader's submission that counts at each checkpoint: checkpoint_id, item_id, rating.
    A leader may read their own (in their own cohort); anyone else's need the cohort's facilitators."""
    access.cohort_for(db, actor, cohort_id, need=access.FIGURES if user_id == actor.id else access.RUN)
    return _frame(
        db,
        """SELECT counted.checkpoint_id, a.item_id, a.rating
           FROM counted_submissions counted JOIN answers a ON a.submission_id = counted.submission_id
           WHERE counted.cohort_id = :cohort_id AND counted.user_id = :user_id AND counted.set_id = :set_id
                 AND a.rating IS NOT NULL""",
        {"cohort_id": cohort_id, "set_id": qset.id, "user_id": user_id},
    )


def positions(shares: pd.DataFrame, own: pd.DataFrame) -> pd.DataFrame:
    """The cohort's shares at the checkpoints where the leader submitted, with ``mine`` = 1 on the leader's rating.

    Checkpoints below :data:`MIN_RESPONDENTS` are already absent from `shares`, so no leader can work out another's
    answers from a small group. Columns: checkpoint, respondents, item_id, rating, share, mine.
    """
    joined = shares.merge(own.rename(columns={"rating": "own"}), on=["checkpoint_id", "item_id"], how="inner")
    joined["mine"] = (joined["rating"] == joined["own"]).astype(int)
    return joined[["checkpoint", "respondents", "item_id", "rating", "share", "mine"]].reset_index(drop=True)
