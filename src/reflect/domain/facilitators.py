"""What administrators do with facilitators: invite one, hand a cohort over, make another an administrator.

Each function takes the acting person and refuses anyone but an administrator or the command line
(:func:`reflect.domain.access.ensure_administrator`). Each change is written to the audit log in the same transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from reflect.domain import access, accounts, audit, invitations
from reflect.domain.access import Actor
from reflect.domain.accounts import AccountError
from reflect.domain.cohorts import CohortError
from reflect.storage.db import write_transaction


@dataclass(frozen=True)
class Facilitator:
    id: int
    name: str
    email: str
    admin: bool
    invited: bool  # has not yet set a password with their invitation
    cohort_ids: tuple[int, ...]  # the cohorts they facilitate


def invite(db: Database, actor: Actor, *, name: str, email: str, admin: bool = False,
           now: datetime | None = None) -> str:
    """Make a facilitator account (an administrator too, with `admin`) and return its one-time invitation code,
    to be shown once. Its owner sets a password on "Use an invitation"."""
    access.ensure_administrator(db, actor)
    name, email = accounts.check_name(name), accounts.check_email(email)
    with write_transaction(db):
        if db.execute("SELECT 1 FROM users WHERE email = ?", [email]).fetchone():
            raise AccountError("There is already an account with that email address. To give a facilitator a "
                               "cohort, hand the cohort over to them.")
        user = accounts.insert_user(db, name, email, accounts.FACILITATOR, accounts.INVITED, admin=admin)
        code = invitations.invite(db, actor.id, user.id, now=now)
        audit.record(db, actor_id=actor.id, action=audit.FACILITATOR_INVITED, cohort_id=None,
                     detail=f"{email}{' as an administrator' if admin else ''}"
                            f"{' from the command line' if actor == access.SYSTEM else ''}")
    return code


def everyone(db: Database, actor: Actor) -> list[Facilitator]:
    """Every facilitator, by name, with the cohorts each facilitates (for an administrator)."""
    access.ensure_administrator(db, actor)
    rows = db.execute(
        """SELECT u.id, u.name, u.email, u.is_admin, u.password_hash = ?,
                  (SELECT json_group_array(f.cohort_id) FROM cohort_facilitators f WHERE f.user_id = u.id)
           FROM users u WHERE u.role = ? ORDER BY u.name COLLATE NOCASE, u.email""",
        [accounts.INVITED, accounts.FACILITATOR],
    ).fetchall()
    return [Facilitator(id, name, email, bool(admin), bool(invited), tuple(json.loads(names)))
            for id, name, email, admin, invited, names in rows]


def hand_over(db: Database, actor: Actor, cohort_id: int, *, add: int | None = None,
              remove: int | None = None) -> None:
    """Add facilitator `add` to the cohort and/or take facilitator `remove` off it (an administrator only).

    A cohort always keeps at least one facilitator: removing its last one is refused, so add the new one first (or
    in the same call).
    """
    access.ensure_administrator(db, actor)
    access.cohort_for(db, actor, cohort_id)  # refuses a cohort that does not exist
    with write_transaction(db):
        if add is not None:
            email = _facilitator_email(db, add)
            db.execute("INSERT OR IGNORE INTO cohort_facilitators (cohort_id, user_id) VALUES (?, ?)",
                       [cohort_id, add])
            audit.record(db, actor_id=actor.id, action=audit.FACILITATOR_ADDED, cohort_id=cohort_id,
                         detail=f"{email} (handed over by an administrator)")
        if remove is not None and remove != add:
            email = _facilitator_email(db, remove)
            if not db.execute("DELETE FROM cohort_facilitators WHERE cohort_id = ? AND user_id = ? RETURNING 1",
                              [cohort_id, remove]).fetchall():
                # No names or emails in these messages: pages show them with st.error, which renders Markdown.
                raise CohortError("The facilitator to take off does not facilitate this cohort.")
            if not db.execute("SELECT 1 FROM cohort_facilitators WHERE cohort_id = ?", [cohort_id]).fetchone():
                raise CohortError("This cohort must keep at least one facilitator: add the new facilitator before "
                                  "taking the last one off.")
            audit.record(db, actor_id=actor.id, action=audit.FACILITATOR_REMOVED, cohort_id=cohort_id,
                         detail=email)


def make_administrator(db: Database, actor: Actor, user_id: int) -> None:
    """Make facilitator `user_id` an administrator too (an administrator only)."""
    access.ensure_administrator(db, actor)
    with write_transaction(db):
        email = _facilitator_email(db, user_id)
        db.execute("UPDATE users SET is_admin = 1 WHERE id = ?", [user_id])
        audit.record(db, actor_id=actor.id, action=audit.ADMINISTRATOR_MADE, cohort_id=None, detail=email)


def _facilitator_email(db: Database, user_id: int) -> str:
    row = db.execute("SELECT email FROM users WHERE id = ? AND role = ?", [user_id, accounts.FACILITATOR]).fetchone()
    if row is None:
        raise AccountError("That account is not a facilitator's.")
    return row[0]
