"""Who may act on a cohort: the one check every cohort-scoped library function opens with.

As Datasette's ``ensure_permission`` opens every view, :func:`cohort_for` opens every function that reads or
changes one cohort's data: the acting person is passed in, never assumed from what a page's picker offered.

- An administrator, and the command line (:data:`SYSTEM`, for whoever installs Reflect), may act on every cohort.
- A facilitator may act on the cohorts they facilitate.
- A leader may read only the aggregate figures of their own cohort (``need=FIGURES``), nothing else.

The role is read from the database on every check, so an account changed since the page loaded is judged as it is
now. A cohort that does not exist is refused with the same message, so ids cannot be probed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from reflect.domain import accounts, cohorts
from reflect.domain.accounts import User

# What the actor needs to do with the cohort.
RUN = "run"  # everything a facilitator does: figures per leader, free text shared with facilitators, exports, edits
FIGURES = "figures"  # the cohort's aggregate figures, which its own leaders may read too (My progress)



@dataclass(frozen=True)
class CommandLine:
    """Whoever installs Reflect, acting at the command line: full access, and no account (the audit log records
    no one)."""

    id: None = None
    name: str = "the command line"


SYSTEM = CommandLine()
# Who is acting: a signed-in person, or the command line.
Actor = User | CommandLine


class AccessDenied(Exception):
    """The acting person may not do this; the message says so in words for people."""


class NotYourCohort(AccessDenied, cohorts.CohortError):
    """The cohort is not one the acting person may act on (or does not exist)."""

    def __init__(self, message: str = "That cohort is not one of yours.") -> None:
        super().__init__(message)


class NotAdministrator(AccessDenied):
    """Only an administrator may do this."""

    def __init__(self, message: str = "Only an administrator can do this.") -> None:
        super().__init__(message)


def cohort_for(db: Database, actor: Actor, cohort_id: int, *, need: str = RUN) -> cohorts.Cohort:
    """The cohort, if `actor` may `need` it (see the module's rules); otherwise :class:`NotYourCohort`."""
    cohort = cohorts.get(db, cohort_id)
    if cohort is None or not _may(db, actor, cohort_id, need):
        raise NotYourCohort()
    return cohort


def cohorts_for(db: Database, actor: Actor) -> list[cohorts.Cohort]:
    """The cohorts `actor` may run, newest first, with how many leaders each has: every cohort for an
    administrator, the ones they facilitate for a facilitator, none for a leader."""
    if runs_every_cohort(db, actor):
        return cohorts.every_cohort(db)
    if isinstance(actor, User) and _stored(db, actor)[0] == accounts.FACILITATOR:
        return cohorts.cohorts_run_by(db, actor.id)
    return []


def runs_every_cohort(db: Database, actor: Actor) -> bool:
    """True for the command line and for an administrator."""
    return actor == SYSTEM or _stored(db, actor) == (accounts.FACILITATOR, True)


def ensure_administrator(db: Database, actor: Actor) -> None:
    """Return if `actor` is an administrator (or the command line); otherwise :class:`NotAdministrator`."""
    if not runs_every_cohort(db, actor):
        raise NotAdministrator()


def _stored(db: Database, actor: Actor) -> tuple[str | None, bool]:
    """(role, administrator) as the database holds them now; (None, False) for no such account."""
    if not isinstance(actor, User | CommandLine):
        raise TypeError(f"the acting person must be an accounts.User, not {type(actor).__name__}")
    if isinstance(actor, CommandLine):
        return None, False
    row = db.execute("SELECT role, is_admin FROM users WHERE id = ?", [actor.id]).fetchone()
    return (row[0], bool(row[1])) if row else (None, False)


def _may(db: Database, actor: Actor, cohort_id: int, need: str) -> bool:
    if actor == SYSTEM:
        return True
    role, admin = _stored(db, actor)
    if role == accounts.FACILITATOR and admin:
        return True
    if role == accounts.FACILITATOR:
        membership = "SELECT 1 FROM cohort_facilitators WHERE cohort_id = ? AND user_id = ?"
    elif role == accounts.LEADER and need == FIGURES:
        membership = "SELECT 1 FROM cohort_leaders WHERE cohort_id = ? AND user_id = ?"
    else:
        return False
    return db.execute(membership, [cohort_id, actor.id]).fetchone() is not None
