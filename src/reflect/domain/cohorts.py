"""Cohorts: the groups of leaders a facilitator runs, and the join codes leaders register with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlite_utils import Database

from reflect.domain import audit, checkpoints
from reflect.domain.codes import letters_of, random_code
from reflect.domain.text import InvalidText, NotAName, clean_name
from reflect.storage import tally
from reflect.storage.db import insert, now, write_transaction

if TYPE_CHECKING:
    from reflect.domain.access import Actor

MAX_NAME = 100


class CohortError(Exception):
    """A cohort change that cannot be made; the message says why."""


@dataclass(frozen=True)
class Cohort:
    id: int
    name: str
    join_code: str
    archived_at: str | None = None
    leaders: int = 0


def create_cohort(db: Database, facilitator_id: int, name: str,
                  time_zone: str = checkpoints.DEFAULT_ZONE) -> Cohort:
    """Create a cohort run by `facilitator_id`, with a fresh join code. Its checkpoint days are counted in
    `time_zone` (an IANA name: the creating facilitator's, so the days they enter are the days they mean)."""
    name = _checked_name(name)
    try:
        time_zone = ZoneInfo(str(time_zone)).key
    except (ZoneInfoNotFoundError, ValueError):
        raise CohortError(f"“{time_zone}” is not a time zone Reflect knows (such as “Europe/London”).") from None
    with write_transaction(db):
        code = _unused_code(db)
        created_at = now()
        cohort_id = insert(
            db, "INSERT INTO cohorts (name, join_code, created_by, created_at, time_zone) VALUES (?, ?, ?, ?, ?)",
            [name, code, facilitator_id, created_at, time_zone],
        )
        db.execute("INSERT INTO cohort_facilitators (cohort_id, user_id) VALUES (?, ?)", [cohort_id, facilitator_id])
        checkpoints.add_defaults(db, cohort_id, datetime.fromisoformat(created_at))
        audit.record(db, actor_id=facilitator_id, action=audit.COHORT_CREATED, cohort_id=cohort_id, detail=name)
    return Cohort(cohort_id, name, code)


def run_by(db: Database, actor: Actor, cohort_id: int) -> Cohort:
    """The cohort, if `actor` may run it (one of its facilitators, an administrator or the command line);
    otherwise :class:`reflect.domain.access.NotYourCohort`, a :class:`CohortError`.

    This is :func:`reflect.domain.access.cohort_for`, the one check every cohort-scoped function opens with, so another
    facilitator's cohort is out of reach.
    """
    from reflect.domain import access  # access builds on this module, so it is imported when first needed

    return access.cohort_for(db, actor, cohort_id)


def rename(db: Database, actor: Actor, cohort_id: int, name: str) -> None:
    run_by(db, actor, cohort_id)
    name = _checked_name(name)
    with write_transaction(db):
        db.execute("UPDATE cohorts SET name = ? WHERE id = ?", [name, cohort_id])


def set_archived(db: Database, actor: Actor, cohort_id: int, archived: bool) -> None:
    """Archive a cohort (its join code stops working; its data stays) or reopen it."""
    run_by(db, actor, cohort_id)
    with write_transaction(db):
        db.execute("UPDATE cohorts SET archived_at = ? WHERE id = ?", [now() if archived else None, cohort_id])


def facilitators_of(db: Database, actor: Actor, cohort_id: int) -> list[tuple[str, str]]:
    """(name, email) of the cohort's facilitators."""
    run_by(db, actor, cohort_id)
    return db.execute(
        """SELECT u.name, u.email FROM users u JOIN cohort_facilitators f ON f.user_id = u.id
           WHERE f.cohort_id = ? ORDER BY u.name""",
        [cohort_id],
    ).fetchall()


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    email: str
    role: str


def people_of(db: Database, actor: Actor, cohort_id: int) -> list[Person]:
    """Everyone in the cohort, its leaders and its facilitators, by name."""
    run_by(db, actor, cohort_id)
    rows = db.execute(
        """SELECT u.id, u.name, u.email, u.role FROM users u WHERE u.id IN (
               SELECT user_id FROM cohort_leaders WHERE cohort_id = :cohort
               UNION SELECT user_id FROM cohort_facilitators WHERE cohort_id = :cohort)
           ORDER BY u.name COLLATE NOCASE, u.email""",
        {"cohort": cohort_id},
    ).fetchall()
    return [Person(*row) for row in rows]


def add_facilitator(db: Database, cohort_id: int, user_id: int) -> None:
    db.execute("INSERT OR IGNORE INTO cohort_facilitators (cohort_id, user_id) VALUES (?, ?)", [cohort_id, user_id])


# A cohort as read, with how many leaders it has.
_COHORTS = """SELECT c.id, c.name, c.join_code, c.archived_at,
                     (SELECT COUNT(*) FROM cohort_leaders l WHERE l.cohort_id = c.id)
              FROM cohorts c"""
_NEWEST_FIRST = "ORDER BY c.created_at DESC, c.id DESC"


def cohorts_run_by(db: Database, facilitator_id: int) -> list[Cohort]:
    """The cohorts this facilitator runs, newest first, with how many leaders each has."""
    rows = db.execute(
        f"{_COHORTS} JOIN cohort_facilitators f ON f.cohort_id = c.id WHERE f.user_id = ? {_NEWEST_FIRST}",
        [facilitator_id],
    ).fetchall()
    return [Cohort(*row) for row in rows]


def every_cohort(db: Database) -> list[Cohort]:
    """Every cohort, newest first, with how many leaders each has (for whoever may run them all)."""
    return [Cohort(*row) for row in db.execute(f"{_COHORTS} {_NEWEST_FIRST}").fetchall()]


def get(db: Database, cohort_id: int) -> Cohort | None:
    """One cohort by id, with how many leaders it has; None if there is no such cohort. Reads it, with no access
    check: that is :func:`reflect.domain.access.cohort_for`."""
    row = db.execute(f"{_COHORTS} WHERE c.id = ?", [cohort_id]).fetchone()
    return Cohort(*row) if row else None


def cohort_of_leader(db: Database, leader_id: int) -> Cohort | None:
    """The cohort `leader_id` joined last (a leader in none: None): the one query for a leader's cohort."""
    row = db.execute(
        """
        SELECT c.id, c.name, c.join_code, c.archived_at FROM cohorts c
        JOIN cohort_leaders l ON l.cohort_id = c.id WHERE l.user_id = ?
        ORDER BY l.joined_at DESC LIMIT 1
        """,
        [leader_id],
    ).fetchone()
    return Cohort(*row) if row else None


def leaders_cohort_id(db: Database, leader_id: int) -> int | None:
    """The id of :func:`cohort_of_leader`, as the audit log records it."""
    cohort = cohort_of_leader(db, leader_id)
    return cohort.id if cohort else None


def find_by_join_code(db: Database, code: str) -> Cohort | None:
    row = db.execute(
        "SELECT id, name, join_code, archived_at FROM cohorts WHERE join_code = ?", [normal_code(code)]
    ).fetchone()
    return Cohort(*row) if row else None


def add_leader(db: Database, cohort_id: int, leader_id: int, *, joined_at: str | None = None) -> None:
    """Make the leader a member of the cohort from `joined_at` (default now; call inside a write transaction).

    Only what they submit from then on reaches the cohort: every cohort read counts submissions made at or after
    ``joined_at``. An existing account joins another cohort only through :mod:`reflect.domain.cohort_invitations`.
    """
    db.execute(
        "INSERT OR IGNORE INTO cohort_leaders (cohort_id, user_id, joined_at) VALUES (?, ?, ?)",
        [cohort_id, leader_id, joined_at or now()],
    )
    tally.refresh(db, user_id=leader_id)


def normal_code(code: str) -> str:
    """Codes are shown as ``ABCD-EFGH``; accept them typed in any case, with or without spaces and the hyphen."""
    letters = letters_of(code)
    return f"{letters[:4]}-{letters[4:]}" if len(letters) == 8 else letters


def _checked_name(name: str) -> str:
    try:
        return clean_name(name, limit=MAX_NAME)
    except NotAName:
        raise CohortError("Give the cohort a name, on one line (for example “Spring 2027, North”).") from None
    except InvalidText as error:
        raise CohortError(f"Cohort name: {error}") from None


def _unused_code(db: Database) -> str:
    while True:
        code = random_code(2)
        if not db.execute("SELECT 1 FROM cohorts WHERE join_code = ?", [code]).fetchone():
            return code
