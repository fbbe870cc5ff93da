"""The audit log: an append-only record of who submitted, shared, changed roles, imported and exported, and when.

:func:`record` runs inside the caller's transaction, so an action and its log entry are committed together or not
at all.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import pandas as pd
from sqlite_utils import Database

from reflect.storage.db import now, stamp

if TYPE_CHECKING:
    from reflect.domain.access import Actor

SUBMITTED = "submitted"
SHARED = "shared a submission"
UNSHARED = "stopped sharing a submission"
COHORT_CREATED = "created the cohort"
FACILITATOR_ADDED = "added a facilitator"
IMPORTED = "imported a roster"
EXPORTED = "exported"
JOINED = "joined the cohort"
ACCOUNT_DELETED = "deleted their account"
FACILITATOR_INVITED = "invited a facilitator"
FACILITATOR_REMOVED = "removed a facilitator"
ADMINISTRATOR_MADE = "made an administrator"
RESET_CODE_MADE = "made a password reset code"
LOOKING_BACK_SET = "set where the checklist asks for a rating looking back"
FEEDBACK_WRITTEN = "wrote feedback on a shared submission"
FEEDBACK_REPLIED = "replied to feedback"
RESET_LINK_SENT = "was emailed a password reset link"  # asked for on "Forgot your password?" with their email


def record(db: Database, *, actor_id: int | None, action: str, cohort_id: int | None, detail: str = "",
           at: datetime | None = None) -> None:
    """Append one entry (call inside the write transaction of the action it records). `at` is now unless given: an
    action whose rule reads the log back (one reset email per 10 minutes) passes the clock that rule uses."""
    db.execute(
        "INSERT INTO audit_log (at, actor_id, action, cohort_id, detail) VALUES (?, ?, ?, ?, ?)",
        [stamp(at) if at else now(), actor_id, action, cohort_id, detail],
    )


def for_facilitator(db: Database, actor: Actor, *, limit: int = 1000) -> pd.DataFrame:
    """The newest entries about the cohorts `actor` runs (and no others); for an administrator, every entry,
    including those of no cohort (facilitators invited, administrators made)."""
    from reflect.domain import access  # access builds on modules that import this one

    every = access.runs_every_cohort(db, actor)
    cursor = db.execute(
        f"""SELECT a.at AS "When", COALESCE(u.name, 'a deleted account') AS "Who", a.action AS "What",
                  c.name AS "Cohort", a.detail AS "Detail"
           FROM audit_log a
           {"" if every else "JOIN cohort_facilitators f ON f.cohort_id = a.cohort_id AND f.user_id = :actor"}
           {"LEFT JOIN" if every else "JOIN"} cohorts c ON c.id = a.cohort_id
           LEFT JOIN users u ON u.id = a.actor_id
           ORDER BY a.at DESC, a.id DESC LIMIT :limit""",
        {"actor": actor.id, "limit": limit},
    )
    return pd.DataFrame(cursor.fetchall(), columns=[column[0] for column in cursor.description])
