"""A leader's answers: drafts saved as they type, and dated submissions that are never changed afterwards.

Every function takes the leader's user id and reads or writes only that leader's rows.

A checklist starts afresh at each checkpoint: ratings and notes saved before the latest checkpoint closed belong
to it, not to the next (:func:`current_drafts`), and are shown only as hints of last time (:func:`ratings_before`).
Written reflections carry on from draft to draft, so a leader can revise their thinking.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

import pandas as pd
from sqlite_utils import Database

from reflect.domain import access, answer_rows, audit, checkpoints, cohorts
from reflect.domain.access import Actor
from reflect.domain.questions import RATING, QuestionSet
from reflect.domain.text import InvalidText, clean_text, is_blank
from reflect.storage import tally
from reflect.storage.db import insert, page_of, stamp, write_transaction
from reflect.storage.db import now as current_time

MAX_NOTE = 2000
# Joins submission `s` to `cp`, the checkpoint it counted for: the one of the leader's cohort (the one they joined
# last, as cohorts.cohort_of_leader) whose window holds it; none if it was made outside every window.
_COUNTED_FOR = """LEFT JOIN checkpoints cp ON cp.cohort_id = (
                   SELECT cohort_id FROM cohort_leaders WHERE user_id = s.user_id ORDER BY joined_at DESC LIMIT 1)
               AND s.submitted_at >= cp.opens_at AND s.submitted_at < cp.closes_at"""
_UNSET = object()


class IncompleteSubmission(ValueError):
    """A submission that lacks answers it needs; `missing` lists the items, the message says what to do."""

    def __init__(self, message: str, missing: tuple = ()):
        super().__init__(message)
        self.missing = missing


@dataclass(frozen=True)
class Draft:
    text: str | None = None
    rating: int | None = None
    note: str | None = None
    saved_at: str | None = None
    then_rating: int | None = None  # looking back, at the start of the module (where the checkpoint asks for it)


@dataclass(frozen=True)
class Submission:
    id: int
    set_id: str
    set_version: int
    submitted_at: str
    # The checkpoint of the leader's cohort it counted for, where it was read with one (:func:`submissions`).
    checkpoint: str | None = field(default=None, compare=False)


# An Answer's fields, in order, as read from answers `a`.
_ANSWER = "a.item_id, a.item_text, a.rating, a.text, a.note, a.then_rating"


@dataclass(frozen=True)
class Answer:
    item_id: str
    item_text: str
    rating: int | None
    text: str | None
    note: str | None
    then_rating: int | None = None


def save_draft(db: Database, user_id: int, qset: QuestionSet, item_id: str, *, text=_UNSET, rating=_UNSET,
               note=_UNSET, then_rating=_UNSET, now: datetime | None = None) -> str:
    """Save one field (or more) of one item's draft; return the time saved. Fields not given are left as they are.

    Raises :class:`InvalidText` (nothing saved) for text that cannot be stored or a rating off the scale.
    """
    item = qset.item(item_id)
    fields: dict[str, object] = {}
    if text is not _UNSET:
        fields["text"] = clean_text(text or "", limit=qset.max_chars)
    if note is not _UNSET:
        fields["note"] = clean_text(note or "", limit=MAX_NOTE)
    for name, value in (("rating", rating), ("then_rating", then_rating)):
        if value is _UNSET:
            continue
        if item.kind != RATING and value is not None:
            raise InvalidText("This question takes a written answer, not a rating.")
        if value is not None and (type(value) is not int or not 1 <= value <= len(qset.scale)):
            raise InvalidText(f"Choose a rating from 1 to {len(qset.scale)}.")
        fields[name] = value
    saved_at = stamp(now) if now else current_time()
    columns = ", ".join(fields)
    placeholders = ", ".join("?" for _ in fields)
    updates = ", ".join(f"{column} = excluded.{column}" for column in fields)
    since = fresh_since(db, user_id, saved_at) if qset.is_rating else None
    with write_transaction(db):
        if since:  # a field of an earlier checkpoint's draft: that draft's other fields do not carry into this one
            db.execute("""UPDATE drafts SET text = NULL, rating = NULL, note = NULL, then_rating = NULL
                          WHERE user_id = ? AND set_id = ? AND item_id = ? AND saved_at < ?""",
                       [user_id, qset.id, item_id, since])
        db.execute(
            f"""
            INSERT INTO drafts (user_id, set_id, item_id, {columns}, saved_at) VALUES (?, ?, ?, {placeholders}, ?)
            ON CONFLICT (user_id, set_id, item_id) DO UPDATE SET {updates}, saved_at = excluded.saved_at
            """,
            [user_id, qset.id, item_id, *fields.values(), saved_at],
        )
    return saved_at


def drafts(db: Database, user_id: int, set_id: str) -> dict[str, Draft]:
    """This leader's drafts for a set, by item id."""
    rows = db.execute(
        "SELECT item_id, text, rating, note, saved_at, then_rating FROM drafts WHERE user_id = ? AND set_id = ?",
        [user_id, set_id],
    ).fetchall()
    return {item_id: Draft(*rest) for item_id, *rest in rows}


def timeline_of(db: Database, user_id: int, moment: str | None = None) -> checkpoints.Timeline | None:
    """Where the checkpoints of the leader's cohort stand at `moment` (now if None); None for a leader in no cohort."""
    cohort_id = cohorts.leaders_cohort_id(db, user_id)
    return checkpoints.timeline(db, cohort_id, moment or current_time()) if cohort_id is not None else None


def asks_then(db: Database, user_id: int, qset: QuestionSet, moment: str | None = None) -> bool:
    """True if a submission of `qset` made at `moment` (now if None) needs a rating looking back beside each one
    now: a checklist, at a checkpoint of the leader's cohort that asks for it."""
    timeline = timeline_of(db, user_id, moment) if qset.is_rating else None
    return bool(timeline and timeline.open and timeline.open.asks_then)


def fresh_since(db: Database, user_id: int, moment: str | None = None) -> str | None:
    """When the leader's checklist last started afresh: the close of their cohort's latest checkpoint to have closed
    by `moment` (None before the first closes, or for a leader in no cohort)."""
    timeline = timeline_of(db, user_id, moment)
    return timeline.previous.closes_at if timeline and timeline.previous else None


def current_drafts(db: Database, user_id: int, qset: QuestionSet, *, now: datetime | None = None) -> dict[str, Draft]:
    """The drafts the leader is working on now, by item id: for a checklist, only those saved since it last started
    afresh (:func:`fresh_since`), so each checkpoint's ratings are made anew; for written questions, all."""
    found = drafts(db, user_id, qset.id)
    since = fresh_since(db, user_id, stamp(now) if now else current_time()) if qset.is_rating else None
    if since is None:
        return found
    return {item_id: draft for item_id, draft in found.items() if draft.saved_at and draft.saved_at >= since}


def ratings_before(db: Database, user_id: int, qset: QuestionSet, moment: str) -> dict[str, int]:
    """The ratings of the leader's latest submission of `qset` made before `moment`, by item id: "last time"."""
    rows = db.execute(
        """SELECT a.item_id, a.rating FROM answers a WHERE a.rating IS NOT NULL AND a.submission_id = (
               SELECT id FROM submissions WHERE user_id = ? AND set_id = ? AND submitted_at < ?
               ORDER BY submitted_at DESC, id DESC LIMIT 1)""",
        [user_id, qset.id, moment],
    ).fetchall()
    return dict(rows)


SUBMITTED_HERE, IN_PROGRESS, NOT_STARTED = "submitted", "in progress", "not started"


def status_at(db: Database, user_id: int, qset: QuestionSet, checkpoint: checkpoints.Checkpoint
              ) -> tuple[str, Submission | None]:
    """Where the leader stands on `qset` at `checkpoint`, by the rule the facilitators' Completion page uses
    (reflect.reporting.reports.completion): :data:`SUBMITTED_HERE` with the submission that counts there,
    :data:`IN_PROGRESS` (a draft saved in its window) or :data:`NOT_STARTED`, counting only what they did as a
    member of that checkpoint's cohort."""
    joined = db.execute("SELECT joined_at FROM cohort_leaders WHERE cohort_id = ? AND user_id = ?",
                        [checkpoint.cohort_id, user_id]).fetchone()
    since = max(checkpoint.opens_at, joined[0]) if joined else checkpoint.closes_at
    window = [user_id, qset.id, since, checkpoint.closes_at]
    row = db.execute(
        """SELECT id, set_id, set_version, submitted_at FROM submissions
           WHERE user_id = ? AND set_id = ? AND submitted_at >= ? AND submitted_at < ?
           ORDER BY submitted_at DESC, id DESC LIMIT 1""", window).fetchone()
    if row:
        return SUBMITTED_HERE, Submission(*row)
    drafted = db.execute("SELECT 1 FROM drafts WHERE user_id = ? AND set_id = ? AND saved_at >= ? AND saved_at < ?",
                         window).fetchone()
    return (IN_PROGRESS if drafted else NOT_STARTED), None


def answered(qset: QuestionSet, current: dict[str, Draft], *, then: bool = False) -> list[str]:
    """Ids of the items that have an answer in `current`: a rating for a checklist (with `then`, both ratings, now
    and looking back), non-blank text otherwise."""
    if qset.is_rating:
        return [item.id for item in qset.items if item.id in current and current[item.id].rating is not None
                and (not then or current[item.id].then_rating is not None)]
    return [item.id for item in qset.items if item.id in current and not is_blank(current[item.id].text)]


def submit(db: Database, user_id: int, qset: QuestionSet, token: str, *, now: datetime | None = None,
           share: bool = False) -> Submission:
    """Record the leader's current drafts of `qset` as a dated submission, and return it.

    `token` identifies one press of Submit: sending it again (a retry, a double click) returns the submission
    already made instead of making another. A checklist needs every item rated at this checkpoint
    (:func:`current_drafts`); a set of questions needs at least one answer. Drafts stay as they are, so the leader
    carries on from what they submitted. With `share`, the submission is shared with their facilitators as it is
    made (:func:`set_shared` changes that later).
    """
    with write_transaction(db):
        existing = db.execute(
            "SELECT id, set_id, set_version, submitted_at, user_id FROM submissions WHERE token = ?", [token]
        ).fetchone()
        if existing and existing[4] == user_id:
            return Submission(*existing[:4])
        if existing:  # not a retry of this leader's own submission: a tampered or corrupted request
            raise InvalidText("This submission could not be recorded. Reload the page and submit again.")
        current = current_drafts(db, user_id, qset, now=now)
        submitted_at = stamp(now) if now else current_time()
        then = asks_then(db, user_id, qset, submitted_at)
        done = set(answered(qset, current, then=then))
        if qset.is_rating:
            missing = tuple(item for item in qset.items if item.id not in done)
            if missing:
                both = ", now and looking back," if then else ""
                raise IncompleteSubmission(
                    f"Rate {'this item' if len(missing) == 1 else f'these {len(missing)} items'}{both} before you "
                    "submit: " + "; ".join(f"{qset.items.index(item) + 1}. {item.text}" for item in missing),
                    missing,
                )
        elif not done:
            raise IncompleteSubmission("Write an answer to at least one question before you submit.")
        submission_id = insert(
            db, "INSERT INTO submissions (user_id, set_id, set_version, submitted_at, token) VALUES (?, ?, ?, ?, ?)",
            [user_id, qset.id, qset.version, submitted_at, token],
        )
        audit.record(db, actor_id=user_id, action=audit.SUBMITTED, cohort_id=cohorts.leaders_cohort_id(db, user_id),
                     detail=f"{qset.title} (version {qset.version})")
        answers = [
            (
                submission_id,
                item.id,
                item.text,
                current[item.id].rating,
                None if is_blank(current[item.id].text) else current[item.id].text,
                None if is_blank(current[item.id].note) else current[item.id].note,
                current[item.id].then_rating if then else None,
            )
            for item in qset.items
            if item.id in done
        ]
        db.conn.executemany(
            """INSERT INTO answers (submission_id, item_id, item_text, rating, text, note, then_rating)
               VALUES (?, ?, ?, ?, ?, ?, ?)""",
            answers,
        )
        answer_rows.store(db, answers)
        if share:
            _share(db, user_id, submission_id, True)
        tally.refresh(db, user_id=user_id)
    return Submission(submission_id, qset.id, qset.version, submitted_at)


def unchanged_since(db: Database, user_id: int, qset: QuestionSet, *, now: datetime | None = None
                    ) -> Submission | None:
    """The leader's latest submission of `qset` if what they have now (:func:`current_drafts`) is exactly what it
    holds, so submitting again would only repeat it; else None."""
    made = submissions(db, user_id, qset.id)
    if not made:
        return None
    current = current_drafts(db, user_id, qset, now=now)
    then = asks_then(db, user_id, qset, stamp(now) if now else None)
    done = answered(qset, current, then=then)
    now_holds = {item_id: (current[item_id].rating, None if is_blank(current[item_id].text) else current[item_id].text,
                           None if is_blank(current[item_id].note) else current[item_id].note,
                           current[item_id].then_rating if then else None) for item_id in done}
    then_holds = {item_id: (answer.rating, answer.text, answer.note, answer.then_rating)
                  for item_id, answer in answers(db, user_id, made[0].id).items()}
    return made[0] if now_holds == then_holds else None


def submissions(db: Database, user_id: int, set_id: str) -> list[Submission]:
    """This leader's submissions of a set, newest first, each with the name of the checkpoint it counted for."""
    rows = db.execute(
        f"""SELECT s.id, s.set_id, s.set_version, s.submitted_at, cp.name FROM submissions s
           {_COUNTED_FOR}
           WHERE s.user_id = ? AND s.set_id = ? ORDER BY s.submitted_at DESC, s.id DESC""",
        [user_id, set_id],
    ).fetchall()
    return [Submission(*row) for row in rows]


def answers(db: Database, user_id: int, submission_id: int) -> dict[str, Answer]:
    """The answers of one of this leader's submissions, by item id (empty if the submission is not theirs)."""
    rows = db.execute(
        f"""SELECT {_ANSWER} FROM answers a
           JOIN submissions s ON s.id = a.submission_id WHERE s.id = ? AND s.user_id = ?""",
        [submission_id, user_id],
    ).fetchall()
    return {row[0]: Answer(*row) for row in rows}


def ratings_over_time(db: Database, user_id: int, set_id: str) -> pd.DataFrame:
    """Every rating this leader has submitted for a set: one row per submission and item, oldest first, with the
    name of the checkpoint of their cohort it counted for (None if it was made outside every window)."""
    return _ratings(db, user_id, set_id)


def ratings_in_cohort(db: Database, actor: Actor, cohort_id: int, user_id: int, set_id: str) -> pd.DataFrame:
    """As :func:`ratings_over_time`, for the cohort's facilitators: only what the leader submitted since joining
    the cohort (nothing from a cohort they were in before; nothing at all for someone not in it)."""
    access.cohort_for(db, actor, cohort_id)
    return _ratings(db, user_id, set_id, in_cohort=cohort_id)


def _ratings(db: Database, user_id: int, set_id: str, *, in_cohort: int | None = None) -> pd.DataFrame:
    membership = ("JOIN cohort_leaders cl ON cl.user_id = s.user_id AND cl.cohort_id = :cohort_id "
                  "AND s.submitted_at >= cl.joined_at" if in_cohort is not None else "")
    return pd.read_sql_query(
        f"""SELECT s.id AS submission_id, s.submitted_at, a.item_id, a.item_text, a.rating, a.then_rating,
                  cp.name AS checkpoint
           FROM submissions s JOIN answers a ON a.submission_id = s.id
           {membership}
           {_COUNTED_FOR}
           WHERE s.user_id = :user_id AND s.set_id = :set_id AND a.rating IS NOT NULL
           ORDER BY s.submitted_at, s.id""",
        db.conn,
        params={"user_id": user_id, "set_id": set_id, "cohort_id": in_cohort},
        parse_dates={"submitted_at": {"format": "ISO8601"}},
    )


def everything_written_by(db: Database, user_id: int) -> list[dict]:
    """Every answer this leader has submitted, then every draft, as rows for their own export."""
    submitted = db.execute(
        """SELECT 'submitted' AS status, s.set_id, a.item_id, a.item_text, s.set_version, a.rating, a.then_rating,
                  a.text, a.note, s.submitted_at AS saved_at
           FROM submissions s JOIN answers a ON a.submission_id = s.id
           WHERE s.user_id = ? ORDER BY s.submitted_at, s.id, a.rowid""",
        [user_id],
    )
    columns = [column[0] for column in submitted.description]
    rows = [dict(zip(columns, row, strict=True)) for row in submitted.fetchall()]
    in_draft = db.execute(
        """SELECT 'draft', set_id, item_id, NULL, NULL, rating, then_rating, text, note, saved_at
           FROM drafts WHERE user_id = ? ORDER BY set_id, rowid""",
        [user_id],
    )
    rows += [dict(zip(columns, row, strict=True)) for row in in_draft.fetchall()]
    return rows


def set_shared(db: Database, user_id: int, submission_id: int, shared: bool) -> None:
    """Share (or stop sharing) one of this leader's submissions' free text with their facilitators."""
    with write_transaction(db):
        owned = db.execute("SELECT 1 FROM submissions WHERE id = ? AND user_id = ?", [submission_id, user_id])
        if not owned.fetchone():
            raise LookupError("not this leader's submission")
        _share(db, user_id, submission_id, shared)


def _share(db: Database, user_id: int, submission_id: int, shared: bool) -> None:
    """Record a share or an unshare, logged (inside the caller's write transaction)."""
    audit.record(db, actor_id=user_id, action=audit.SHARED if shared else audit.UNSHARED,
                 cohort_id=cohorts.leaders_cohort_id(db, user_id), detail=f"submission {submission_id}")
    if shared:
        db.execute("INSERT OR IGNORE INTO shared_submissions (submission_id, shared_at) VALUES (?, ?)",
                   [submission_id, current_time()])
    else:
        db.execute("DELETE FROM shared_submissions WHERE submission_id = ?", [submission_id])


def shared_ids(db: Database, user_id: int) -> set[int]:
    """Ids of this leader's submissions that they share with their facilitators."""
    rows = db.execute(
        "SELECT sh.submission_id FROM shared_submissions sh JOIN submissions s ON s.id = sh.submission_id "
        "WHERE s.user_id = ?",
        [user_id],
    ).fetchall()
    return {row[0] for row in rows}


class SharedReflection(NamedTuple):
    """A submission a leader shared, with who they are as a person tells them apart: name and email."""

    name: str
    email: str
    submission: Submission
    answers: dict[str, Answer]


def shared_by(db: Database, actor: Actor, cohort_id: int, user_id: int) -> list[SharedReflection]:
    """Every submission the cohort's leader `user_id` shared since joining the cohort, oldest first, each with the
    checkpoint it counted for: for their record, read only by those who run the cohort."""
    access.cohort_for(db, actor, cohort_id)
    rows = db.execute(
        f"""SELECT u.name, u.email, s.id, s.set_id, s.set_version, s.submitted_at, cp.name
           FROM cohort_leaders cl JOIN users u ON u.id = cl.user_id
           JOIN submissions s ON s.user_id = cl.user_id AND s.submitted_at >= cl.joined_at
           JOIN shared_submissions sh ON sh.submission_id = s.id
           {_COUNTED_FOR}
           WHERE cl.cohort_id = :cohort_id AND cl.user_id = :user_id ORDER BY s.submitted_at, s.id""",
        {"cohort_id": cohort_id, "user_id": user_id},
    ).fetchall()
    return [SharedReflection(name, email, Submission(*submission), answers(db, user_id, submission[0]))
            for name, email, *submission in rows]


def shared_in_cohort(db: Database, actor: Actor, cohort_id: int, set_id: str, checkpoint_id: int, *,
                     page: int | None = None, per_page: int = 10) -> list[SharedReflection]:
    """Every submission of `set_id` shared by the cohort's leaders in the checkpoint, made while they belonged to
    the cohort, by leader's name: the only free text facilitators can read, and only those who run the cohort. With
    `page`, only that page of `per_page`, paged in SQL, and its answers read in one query."""
    access.cohort_for(db, actor, cohort_id)
    paging, page_params = page_of(page, per_page)
    rows = db.execute(
        f"""{_SHARED_IN_COHORT} ORDER BY u.name COLLATE NOCASE, u.email, s.submitted_at {paging}""",
        {"cohort_id": cohort_id, "set_id": set_id, "checkpoint_id": checkpoint_id, **page_params},
    ).fetchall()
    found: dict[int, dict[str, Answer]] = {row[3]: {} for row in rows}
    for submission_id, *answer in db.execute(
            f"""SELECT a.submission_id, {_ANSWER} FROM answers a
                WHERE a.submission_id IN (SELECT value FROM json_each(?))""", [json.dumps(list(found))]).fetchall():
        found[submission_id][answer[0]] = Answer(*answer)
    return [SharedReflection(name, email, Submission(submission_id, *rest), found[submission_id])
            for _, name, email, submission_id, *rest in rows]


def shared_in_cohort_count(db: Database, actor: Actor, cohort_id: int, set_id: str, checkpoint_id: int) -> int:
    """How many submissions :func:`shared_in_cohort` holds in all."""
    access.cohort_for(db, actor, cohort_id)
    return db.execute(f"SELECT COUNT(*) FROM ({_SHARED_IN_COHORT})",
                      {"cohort_id": cohort_id, "set_id": set_id, "checkpoint_id": checkpoint_id}).fetchone()[0]


_SHARED_IN_COHORT = """
    SELECT u.id, u.name, u.email, s.id, s.set_id, s.set_version, s.submitted_at
    FROM cohort_leaders cl JOIN users u ON u.id = cl.user_id
    JOIN submissions s ON s.user_id = cl.user_id AND s.set_id = :set_id AND s.submitted_at >= cl.joined_at
    JOIN shared_submissions sh ON sh.submission_id = s.id
    JOIN checkpoints cp ON cp.id = :checkpoint_id AND cp.cohort_id = cl.cohort_id
         AND s.submitted_at >= cp.opens_at AND s.submitted_at < cp.closes_at
    WHERE cl.cohort_id = :cohort_id"""
