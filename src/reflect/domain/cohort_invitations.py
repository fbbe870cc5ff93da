"""Invitations to join a cohort, for people who already have an account: they join only if they accept.

A facilitator's roster, or someone registering with a cohort's join code and an email that already has an account,
makes one (:func:`invite`). The leader sees it on their Home page when signed in (:func:`pending_for`) and accepts
or declines it (:func:`answer`). Until they accept, nothing of theirs reaches that cohort's facilitators; after,
only what they submit from then on (every cohort read counts submissions from ``cohort_leaders.joined_at``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from reflect.domain import audit, cohorts
from reflect.storage.db import now as current_time
from reflect.storage.db import stamp, write_transaction


class InvitationError(Exception):
    """An invitation that cannot be answered; the message says why."""


@dataclass(frozen=True)
class CohortInvitation:
    id: int
    cohort_id: int
    cohort_name: str
    invited_by: str | None  # the facilitator's name; None when it was asked for with the cohort's join code
    created_at: str


def invite(db: Database, cohort_id: int, user_id: int, *, invited_by: int | None) -> bool:
    """Invite an existing account to a cohort (call inside the caller's write transaction).

    Nothing happens if they are already a member or already have an unanswered invitation to it. Returns whether a
    new invitation was made.
    """
    if is_member(db, cohort_id, user_id):
        return False
    made = db.execute(
        """INSERT INTO cohort_invitations (cohort_id, user_id, invited_by, created_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (cohort_id, user_id) WHERE answered_at IS NULL DO NOTHING""",
        [cohort_id, user_id, invited_by, current_time()],
    ).rowcount
    return made == 1


def is_member(db: Database, cohort_id: int, user_id: int) -> bool:
    return db.execute("SELECT 1 FROM cohort_leaders WHERE cohort_id = ? AND user_id = ?",
                      [cohort_id, user_id]).fetchone() is not None


def is_pending(db: Database, cohort_id: int, user_id: int) -> bool:
    return db.execute(
        "SELECT 1 FROM cohort_invitations WHERE cohort_id = ? AND user_id = ? AND answered_at IS NULL",
        [cohort_id, user_id],
    ).fetchone() is not None


def pending_for(db: Database, user_id: int) -> list[CohortInvitation]:
    """This person's unanswered invitations to cohorts that are still open, oldest first."""
    rows = db.execute(
        """SELECT i.id, c.id, c.name, u.name, i.created_at FROM cohort_invitations i
           JOIN cohorts c ON c.id = i.cohort_id LEFT JOIN users u ON u.id = i.invited_by
           WHERE i.user_id = ? AND i.answered_at IS NULL AND c.archived_at IS NULL
           ORDER BY i.created_at, i.id""",
        [user_id],
    ).fetchall()
    return [CohortInvitation(*row) for row in rows]


def answer(db: Database, user_id: int, invitation_id: int, *, accept: bool, now: datetime | None = None) -> None:
    """Accept (join the cohort from now on) or decline one of this person's own unanswered invitations."""
    answered_at = stamp(now) if now else current_time()
    with write_transaction(db):
        row = db.execute(
            """SELECT i.cohort_id, c.archived_at FROM cohort_invitations i JOIN cohorts c ON c.id = i.cohort_id
               WHERE i.id = ? AND i.user_id = ? AND i.answered_at IS NULL""",
            [invitation_id, user_id],
        ).fetchone()
        if row is None:
            raise InvitationError("That invitation has already been answered.")
        cohort_id, archived_at = row
        if accept and archived_at:
            raise InvitationError("That cohort has closed and no longer takes new members.")
        db.execute("UPDATE cohort_invitations SET answered_at = ?, accepted = ? WHERE id = ?",
                   [answered_at, int(accept), invitation_id])
        if accept:
            cohorts.add_leader(db, cohort_id, user_id, joined_at=answered_at)
            audit.record(db, actor_id=user_id, action=audit.JOINED, cohort_id=cohort_id,
                         detail="accepted an invitation")
