"""Checkpoints: the named date windows of a cohort ("Start of module", "Mid-point", "End of module").

A submission belongs to the checkpoint whose window holds the moment it was made: from ``opens_at`` (included) to
``closes_at`` (excluded). A leader's latest submission within a checkpoint is the one that counts for the cohort.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from reflect import tally
from reflect.db import stamp, write_transaction
from reflect.text import InvalidText, clean_text, is_blank

if TYPE_CHECKING:
    from reflect.accounts import User

# Name and length in weeks of the default windows, counted from the day a cohort is made.
DEFAULTS = (("Start of module", 6), ("Mid-point", 6), ("End of module", 14))
MAX_NAME = 60


class CheckpointError(ValueError):
    """Checkpoints that cannot be saved as given; the message says which and why."""


@dataclass(frozen=True)
class Checkpoint:
    id: int
    cohort_id: int
    name: str
    opens_at: str
    closes_at: str

    def holds(self, moment: str) -> bool:
        return self.opens_at <= moment < self.closes_at


def default_windows(start: datetime) -> list[tuple[str, str, str]]:
    """(name, opens_at, closes_at) of the default checkpoints, from midnight UTC of `start`'s day."""
    opens = datetime.combine(start.astimezone(UTC).date(), time(), UTC)
    windows = []
    for name, weeks in DEFAULTS:
        closes = opens + timedelta(weeks=weeks)
        windows.append((name, stamp(opens), stamp(closes)))
        opens = closes
    return windows


def add_defaults(db: Database, cohort_id: int, start: datetime) -> None:
    """Give a new cohort the default checkpoints (call inside the transaction that creates it)."""
    db.conn.executemany(
        "INSERT INTO checkpoints (cohort_id, name, opens_at, closes_at) VALUES (?, ?, ?, ?)",
        [(cohort_id, *window) for window in default_windows(start)],
    )


def of_cohort(db: Database, cohort_id: int) -> list[Checkpoint]:
    """The cohort's checkpoints in time order."""
    rows = db.execute(
        "SELECT id, cohort_id, name, opens_at, closes_at FROM checkpoints WHERE cohort_id = ? ORDER BY opens_at",
        [cohort_id],
    ).fetchall()
    return [Checkpoint(*row) for row in rows]


def at(db: Database, cohort_id: int, moment: str) -> Checkpoint | None:
    """The checkpoint open at `moment` (a stored ISO time), or None between or outside windows."""
    row = db.execute(
        """SELECT id, cohort_id, name, opens_at, closes_at FROM checkpoints
           WHERE cohort_id = ? AND opens_at <= ? AND ? < closes_at""",
        [cohort_id, moment, moment],
    ).fetchone()
    return Checkpoint(*row) if row else None


def from_days(rows: list[tuple[int | None, str, date | None, date | None]], zone: ZoneInfo
              ) -> list[tuple[int | None, str, datetime, datetime]]:
    """Windows from whole days as a facilitator enters them (first and last day included, in their time zone):
    opens at midnight of the first day, closes at midnight after the last. Raises :class:`CheckpointError` for a
    missing day."""
    windows = []
    for number, (checkpoint_id, name, first, last) in enumerate(rows, start=1):
        if first is None or last is None:
            raise CheckpointError(f"Checkpoint {number} needs a first and a last day.")
        windows.append((checkpoint_id, name, datetime.combine(first, time(), zone),
                        datetime.combine(last + timedelta(days=1), time(), zone)))
    return windows


def to_days(point: Checkpoint, zone: ZoneInfo) -> tuple[date, date]:
    """The first and last whole day of a checkpoint in `zone` (the inverse of :func:`from_days`)."""
    opens = datetime.fromisoformat(point.opens_at).astimezone(zone)
    closes = datetime.fromisoformat(point.closes_at).astimezone(zone)
    return opens.date(), (closes - timedelta(days=1)).date()


def replace_all(db: Database, actor: User, cohort_id: int,
                windows: list[tuple[int | None, str, datetime, datetime]]) -> None:
    """Save the cohort's checkpoints as (id or None for a new one, name, opens, closes), if `actor` runs it.

    Checkpoints left out are removed; no submission is touched, since membership follows from the windows (the
    cohort's figures are recounted).
    Raises :class:`CheckpointError` naming the checkpoint for a blank name, an empty window or an overlap.
    """
    from reflect import access  # access builds on cohorts, which imports this module

    access.cohort_for(db, actor, cohort_id)
    cleaned = []
    for number, (checkpoint_id, name, opens, closes) in enumerate(windows, start=1):
        try:
            name = clean_text(name, limit=MAX_NAME).strip()
        except InvalidText as error:
            raise CheckpointError(f"Checkpoint {number}: {error}") from None
        if is_blank(name):
            raise CheckpointError(f"Checkpoint {number} needs a name.")
        if opens.tzinfo is None or closes.tzinfo is None:
            raise ValueError("checkpoint times must be timezone-aware")
        if not opens < closes:
            raise CheckpointError(f"Checkpoint {number} must close after it opens.")
        cleaned.append((checkpoint_id, name, stamp(opens), stamp(closes)))
    if len({name for _, name, _, _ in cleaned}) < len(cleaned):
        raise CheckpointError("Two checkpoints have the same name; give each its own.")
    ordered = sorted(cleaned, key=lambda window: window[2])
    for earlier, later in zip(ordered, ordered[1:], strict=False):
        if later[2] < earlier[3]:
            # By number, as listed, like every message here: a name in it would go through Markdown (st.error).
            first, second = sorted((cleaned.index(earlier) + 1, cleaned.index(later) + 1))
            raise CheckpointError(f"Checkpoints {first} and {second} overlap; a moment can be in one checkpoint only.")
    with write_transaction(db):
        kept = [checkpoint_id for checkpoint_id, *_ in cleaned if checkpoint_id is not None]
        db.execute(
            "DELETE FROM checkpoints WHERE cohort_id = ? AND id NOT IN (SELECT value FROM json_each(?))",
            [cohort_id, json.dumps(kept)],
        )
        for checkpoint_id, name, opens_at, closes_at in cleaned:
            if checkpoint_id is None:
                db.execute(
                    "INSERT INTO checkpoints (cohort_id, name, opens_at, closes_at) VALUES (?, ?, ?, ?)",
                    [cohort_id, name, opens_at, closes_at],
                )
            else:
                db.execute(
                    "UPDATE checkpoints SET name = ?, opens_at = ?, closes_at = ? WHERE id = ? AND cohort_id = ?",
                    [name, opens_at, closes_at, checkpoint_id, cohort_id],
                )
        tally.refresh(db, cohort_id=cohort_id)


