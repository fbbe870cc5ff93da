"""Feedback on shared submissions: a short conversation between a leader and the facilitators of their cohort.

A facilitator may write on a submission only while its leader shares it and only if it was made since the leader
joined one of the facilitator's cohorts (checked here, through :func:`reflect.domain.access.cohort_for`). The leader
may reply, once or more, while they share it. When the leader stops sharing, facilitators no longer see the
conversation; the leader still does, and it comes back if they share again. Every message is logged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from reflect.domain import access, audit
from reflect.domain.access import Actor
from reflect.domain.text import InvalidText, clean_text, is_blank
from reflect.storage.db import insert, stamp, write_transaction
from reflect.storage.db import now as current_time

MAX_MESSAGE = 2000  # characters: a paragraph or two, as a comment in an ePortfolio


class NotShared(LookupError):
    """The submission is not one the person may see a conversation on (not shared with them, or not theirs)."""

    def __init__(self, message: str = "The leader no longer shares this submission, so it takes no feedback.") -> None:
        super().__init__(message)


@dataclass(frozen=True)
class Message:
    id: int
    submission_id: int
    author: str  # the author's name as it is now ("a deleted account" once theirs is gone)
    from_leader: bool  # written by the submission's leader (a reply), not by a facilitator
    body: str
    written_at: str
    new: bool = False  # a facilitator's message the leader's page has not yet shown them


_MESSAGES = """SELECT f.id, f.submission_id, COALESCE(u.name, 'a deleted account'), f.author_id = s.user_id, f.body,
                      f.written_at, f.author_id != s.user_id AND f.seen_by_leader_at IS NULL
               FROM feedback f JOIN submissions s ON s.id = f.submission_id LEFT JOIN users u ON u.id = f.author_id"""


def write(db: Database, actor: Actor, cohort_id: int, submission_id: int, body: str, *,
          now: datetime | None = None) -> Message:
    """A facilitator's message on a submission their cohort's leader shares: :class:`NotShared` if it is not shared
    (any more), :class:`InvalidText` (nothing saved) for a blank or too long message."""
    access.cohort_for(db, actor, cohort_id)
    if actor.id is None:
        raise access.AccessDenied("Feedback is written by a facilitator, signed in to their account.")
    text = _cleaned(body)
    with write_transaction(db):
        if not _shared_in(db, cohort_id, submission_id):
            raise NotShared()
        message = _add(db, submission_id, actor.id, text, now)
        audit.record(db, actor_id=actor.id, action=audit.FEEDBACK_WRITTEN, cohort_id=cohort_id,
                     detail=f"submission {submission_id}")
    return message


def reply(db: Database, user_id: int, submission_id: int, body: str, *, now: datetime | None = None) -> Message:
    """The leader's reply on their own submission, while they share it (:class:`NotShared` otherwise)."""
    text = _cleaned(body)
    with write_transaction(db):
        shared = db.execute("""SELECT 1 FROM submissions s JOIN shared_submissions sh ON sh.submission_id = s.id
                               WHERE s.id = ? AND s.user_id = ?""", [submission_id, user_id]).fetchone()
        if not shared:
            raise NotShared("Share this submission again to reply: your facilitators cannot see it now.")
        message = _add(db, submission_id, user_id, text, now)
        # Logged for each cohort whose facilitators see the submission: those the leader had joined when making it.
        for (cohort_id,) in db.execute("""SELECT cl.cohort_id FROM cohort_leaders cl JOIN submissions s
                                          ON s.user_id = cl.user_id AND s.submitted_at >= cl.joined_at
                                          WHERE s.id = ?""", [submission_id]).fetchall():
            audit.record(db, actor_id=user_id, action=audit.FEEDBACK_REPLIED, cohort_id=cohort_id,
                         detail=f"submission {submission_id}")
    return message


def thread(db: Database, actor: Actor, cohort_id: int, submission_id: int) -> list[Message]:
    """The conversation on a submission the cohort's leader shares, oldest first, for its facilitators; empty if it
    is not shared with them (or not in their cohort)."""
    access.cohort_for(db, actor, cohort_id)
    if not _shared_in(db, cohort_id, submission_id):
        return []
    return _read(db, "WHERE f.submission_id = ?", [submission_id])


def threads_of_leader(db: Database, user_id: int) -> dict[int, list[Message]]:
    """Every conversation on the leader's own submissions, shared now or not, by submission id, oldest first."""
    found: dict[int, list[Message]] = {}
    for message in _read(db, "WHERE s.user_id = ?", [user_id]):
        found.setdefault(message.submission_id, []).append(message)
    return found


def new_for_leader(db: Database, user_id: int) -> dict[str, int]:
    """How many facilitators' messages on the leader's submissions their pages have not yet shown them, by set id."""
    return dict(db.execute("""SELECT s.set_id, COUNT(*) FROM feedback f JOIN submissions s ON s.id = f.submission_id
                              WHERE s.user_id = ? AND f.author_id != s.user_id AND f.seen_by_leader_at IS NULL
                              GROUP BY s.set_id""", [user_id]).fetchall())


def mark_seen(db: Database, user_id: int, message_ids: list[int]) -> None:
    """Record that the leader's page has shown them these messages (on their own submissions: others are left)."""
    with write_transaction(db):
        db.execute("""UPDATE feedback SET seen_by_leader_at = ?
                      WHERE seen_by_leader_at IS NULL AND id IN (SELECT value FROM json_each(?))
                            AND submission_id IN (SELECT id FROM submissions WHERE user_id = ?)""",
                   [current_time(), json.dumps(list(message_ids)), user_id])


def _cleaned(body: str) -> str:
    if is_blank(body):
        raise InvalidText("Write a message before you send it.")
    return clean_text(body, limit=MAX_MESSAGE, thing="message").strip()


def _shared_in(db: Database, cohort_id: int, submission_id: int) -> bool:
    """True if the submission is shared and was made by a leader of the cohort since they joined it."""
    return db.execute(
        """SELECT 1 FROM submissions s JOIN shared_submissions sh ON sh.submission_id = s.id
           JOIN cohort_leaders cl ON cl.user_id = s.user_id AND cl.cohort_id = ? AND s.submitted_at >= cl.joined_at
           WHERE s.id = ?""", [cohort_id, submission_id]).fetchone() is not None


def _add(db: Database, submission_id: int, author_id: int, body: str, now: datetime | None) -> Message:
    written_at = stamp(now) if now else current_time()
    message_id = insert(db, "INSERT INTO feedback (submission_id, author_id, body, written_at) VALUES (?, ?, ?, ?)",
                        [submission_id, author_id, body, written_at])
    return _read(db, "WHERE f.id = ?", [message_id])[0]


def _read(db: Database, where: str, params: list) -> list[Message]:
    rows = db.execute(f"{_MESSAGES} {where} ORDER BY f.written_at, f.id", params).fetchall()
    return [Message(message_id, submission_id, author, bool(from_leader), body, written_at, bool(new))
            for message_id, submission_id, author, from_leader, body, written_at, new in rows]
