"""Cohort figures kept current as submissions arrive, so reading them costs the same at 30 leaders or 10,000.

Two derived tables: ``counted_submissions`` says which submission counts for each leader, set and checkpoint (the
leader's latest within the checkpoint's window), and ``rating_counts`` how many counted submissions gave each rating
of each item. Every write that can change them calls :func:`refresh` in its own transaction: a submission, a leader
joining or leaving a cohort, a bulk load (a checkpoint edit calls :func:`refresh_windows`, which recounts only where
a window moved). :func:`refresh` recomputes the scope it is given from
the submissions themselves and applies only the difference, so it is idempotent and cannot drift. Each refresh
also counts up the :func:`version` of every cohort it touched, so a cache of a cohort's figures keyed on it is never
stale, and a change in one cohort leaves every other cohort's cache as it is.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from sqlite_utils import Database

# Each leader's latest submission of each set per checkpoint, from scratch, for the leaders in scope. Only what they
# submitted as members counts: a leader who joins a second cohort brings none of their earlier work into it.
_LATEST = """
    SELECT checkpoint_id, set_id, user_id, cohort_id, submission_id FROM (
        SELECT cp.id AS checkpoint_id, s.set_id, s.user_id, cl.cohort_id, s.id AS submission_id,
               ROW_NUMBER() OVER (PARTITION BY s.user_id, s.set_id, cp.id
                                  ORDER BY s.submitted_at DESC, s.id DESC) AS newest
        FROM cohort_leaders cl
        JOIN submissions s ON s.user_id = cl.user_id AND s.submitted_at >= cl.joined_at
        JOIN checkpoints cp ON cp.cohort_id = cl.cohort_id
             AND s.submitted_at >= cp.opens_at AND s.submitted_at < cp.closes_at
        WHERE {scope}
    ) WHERE newest = 1
"""

_ADD_RATINGS = """
    INSERT INTO rating_counts (checkpoint_id, set_id, item_id, rating, leaders)
    SELECT ?, ?, item_id, rating, 1 FROM answers WHERE submission_id = ? AND rating IS NOT NULL
    ON CONFLICT (checkpoint_id, set_id, item_id, rating) DO UPDATE SET leaders = leaders + 1
"""
_REMOVE_RATINGS = """
    UPDATE rating_counts SET leaders = leaders - 1
    WHERE checkpoint_id = ? AND set_id = ?
          AND (item_id, rating) IN (SELECT item_id, rating FROM answers WHERE submission_id = ? AND rating IS NOT NULL)
"""


def refresh(db: Database, *, user_id: int | None = None, cohort_id: int | None = None,
            left: Iterable[int] = ()) -> None:
    """Bring the counted submissions and rating counts of one leader (in every cohort) or one whole cohort up to
    date with the submissions, checkpoints and memberships now in the database. Call inside the write transaction
    that changed them, before any answers it counts are deleted. `left`: cohorts the leader has just left, whose
    figures change though nothing of theirs was counted there."""
    if (user_id is None) == (cohort_id is None):
        raise ValueError("refresh one leader or one cohort")
    column, value = ("user_id", user_id) if user_id is not None else ("cohort_id", cohort_id)
    rows = _recount(db, f"cl.{column} = :value", f"{column} = :value", {"value": value})
    # The cohorts whose figures may have moved: the one refreshed, or the leader's (a member joining or leaving
    # moves the count of leaders even when nothing of theirs counts).
    touched = {row[3] for row in rows} | set(left)
    if cohort_id is not None:
        touched.add(cohort_id)
    else:
        touched |= {row[0] for row in db.execute("SELECT cohort_id FROM cohort_leaders WHERE user_id = ?", [user_id])}
    changed(db, *touched)


def refresh_windows(db: Database, cohort_id: int, moved: Iterable[tuple[int, str, str]]) -> None:
    """After a checkpoint edit: bring the cohort's figures up to date where windows moved, given as (checkpoint id,
    from, until), a checkpoint's own window for one added or removed. Only a leader with a submission in such a
    stretch can count differently for that checkpoint, so only they are recounted: moving a closing day by a week
    recounts that week's submitters, not the cohort. Counts the cohort's :func:`version` up either way."""
    db.execute("CREATE TEMP TABLE IF NOT EXISTS moved_leaders (checkpoint_id INTEGER, user_id INTEGER, "
               "PRIMARY KEY (checkpoint_id, user_id)) WITHOUT ROWID")
    try:
        db.execute("""INSERT OR IGNORE INTO temp.moved_leaders (checkpoint_id, user_id)
                      SELECT json_extract(m.value, '$[0]'), s.user_id FROM json_each(?) m
                      JOIN submissions s ON s.submitted_at >= json_extract(m.value, '$[1]')
                           AND s.submitted_at < json_extract(m.value, '$[2]')
                      JOIN cohort_leaders cl ON cl.user_id = s.user_id AND cl.cohort_id = ?""",
                   [json.dumps(list(moved)), cohort_id])
        pairs = "(SELECT checkpoint_id, user_id FROM temp.moved_leaders)"
        _recount(db, f"cl.cohort_id = :value AND (cp.id, cl.user_id) IN {pairs}",
                 f"cohort_id = :value AND (checkpoint_id, user_id) IN {pairs}", {"value": cohort_id})
    finally:
        db.execute("DELETE FROM temp.moved_leaders")
    changed(db, cohort_id)


def changed(db: Database, *cohort_ids: int) -> None:
    """Count the :func:`version` of these cohorts up, for a write that changes what their figures read (a refresh
    does this itself; which checkpoint asks for the rating looking back, say, does not move a count). Call inside
    that write's transaction."""
    db.conn.executemany("""INSERT INTO cohort_versions (cohort_id, version) VALUES (?, 1)
                           ON CONFLICT (cohort_id) DO UPDATE SET version = version + 1""",
                        [(cohort_id,) for cohort_id in sorted(cohort_ids)])


def version(db: Database, cohort_id: int) -> tuple[int, int]:
    """A key that changes whenever anything the cohort's figures are made from may have changed: every write that
    can change them counts it up (:func:`refresh`, :func:`changed`), and a rebuild of every figure does too.
    Cheap: for keying caches that must be cleared on write."""
    everything = db.execute("SELECT version FROM tally_version").fetchone()[0]
    mine = db.execute("SELECT version FROM cohort_versions WHERE cohort_id = ?", [cohort_id]).fetchone()
    return everything, mine[0] if mine else 0


def rebuild(db: Database) -> None:
    """Recompute both tables for every cohort from scratch (when they are first made, and to check them)."""
    db.execute("DELETE FROM counted_submissions")
    db.execute("DELETE FROM rating_counts")
    _apply(db, gone=set(), new=set(db.execute(_LATEST.format(scope="1")).fetchall()))
    db.execute("UPDATE tally_version SET version = version + 1")  # every cohort's figures


def _recount(db: Database, scope: str, kept_scope: str, params: dict) -> set[tuple]:
    """Recount the counted submissions `scope` picks (a condition on the member ``cl`` and checkpoint ``cp`` of
    :data:`_LATEST`), compare them with the kept rows `kept_scope` picks (the same condition on
    ``counted_submissions``' own columns), and apply the difference. Returns the rows before and after, for the
    cohorts they touch."""
    fresh = set(db.execute(_LATEST.format(scope=scope), params).fetchall())
    stored = set(db.execute(f"SELECT checkpoint_id, set_id, user_id, cohort_id, submission_id FROM counted_submissions "
                            f"WHERE {kept_scope}", params).fetchall())
    _apply(db, gone=stored - fresh, new=fresh - stored)
    return stored | fresh


def _apply(db: Database, *, gone: set[tuple], new: set[tuple]) -> None:
    new_rows = sorted(new)
    db.conn.executemany(_REMOVE_RATINGS, [(checkpoint_id, set_id, submission)
                                          for checkpoint_id, set_id, _, _, submission in gone])
    db.conn.executemany(
        "DELETE FROM counted_submissions WHERE checkpoint_id = ? AND set_id = ? AND user_id = ?",
        [row[:3] for row in gone],
    )
    db.conn.executemany(
        """INSERT INTO counted_submissions (checkpoint_id, set_id, user_id, cohort_id, submission_id)
           VALUES (?, ?, ?, ?, ?)""",
        new_rows,
    )
    db.conn.executemany(_ADD_RATINGS, [(checkpoint_id, set_id, submission)
                                       for checkpoint_id, set_id, _, _, submission in new_rows])
    # Only where counts went down, through the primary key: a submission runs this, so it must not scan every cohort.
    db.conn.executemany("DELETE FROM rating_counts WHERE checkpoint_id = ? AND set_id = ? AND leaders = 0",
                        sorted({row[:2] for row in gone}))
