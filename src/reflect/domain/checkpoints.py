"""Checkpoints: the named date windows of a cohort ("Start of module", "Mid-point", "End of module").

A checkpoint is stored as a facilitator states it: whole days, its first and last included, in the cohort's time
zone (``cohorts.time_zone``). Its window, ``opens_at`` (included) to ``closes_at`` (excluded) as stored UTC times, is
derived from those days by :func:`window` and by nothing else; a submission belongs to the checkpoint whose window
holds the moment it was made, and a leader's latest submission within a checkpoint is the one that counts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from reflect.domain.text import InvalidText, NotAName, clean_name
from reflect.storage import tally
from reflect.storage.db import stamp, write_transaction

if TYPE_CHECKING:
    from reflect.domain.access import Actor

# Name and length in weeks of the default windows, counted from the day a cohort is made.
DEFAULTS = (("Start of module", 6), ("Mid-point", 6), ("End of module", 14))
MAX_NAME = 60
# A cohort's days are counted in this zone unless it was made in another (a browser's): the course runs in England.
DEFAULT_ZONE = "Europe/London"
_COLUMNS = "id, cohort_id, name, opens_at, closes_at, first_day, last_day, asks_then"


class CheckpointError(ValueError):
    """Checkpoints that cannot be saved as given; the message says which and why."""


@dataclass(frozen=True)
class Checkpoint:
    id: int
    cohort_id: int
    name: str
    opens_at: str
    closes_at: str
    first_day: date
    last_day: date
    # The checklist here asks for each skill a rating looking back, at the start of the module, beside the one now
    # (the retrospective "then" rating, the standard check on response-shift bias).
    asks_then: bool = False

    def holds(self, moment: str) -> bool:
        return self.opens_at <= moment < self.closes_at


def window(first_day: date, last_day: date, zone: ZoneInfo) -> tuple[str, str]:
    """The stored window of whole days: from midnight at the start of `first_day` to midnight after `last_day`, in
    `zone`, as stored UTC times. The only place ``opens_at`` and ``closes_at`` come from."""
    return (stamp(datetime.combine(first_day, time(), zone)),
            stamp(datetime.combine(last_day + timedelta(days=1), time(), zone)))


def zone_of(db: Database, cohort_id: int) -> ZoneInfo:
    """The time zone a cohort's days are counted in."""
    row = db.execute("SELECT time_zone FROM cohorts WHERE id = ?", [cohort_id]).fetchone()
    if row is None:
        raise CheckpointError("There is no such cohort.")
    return ZoneInfo(row[0])


def default_windows(today: date) -> list[tuple[str, date, date]]:
    """(name, first day, last day) of the default checkpoints, the first starting on `today`."""
    windows = []
    first = today
    for name, weeks in DEFAULTS:
        last = first + timedelta(weeks=weeks, days=-1)
        windows.append((name, first, last))
        first = last + timedelta(days=1)
    return windows


def add_defaults(db: Database, cohort_id: int, start: datetime) -> None:
    """Give a new cohort the default checkpoints, from the day `start` falls on in the cohort's zone (call inside
    the transaction that creates it). The last asks for the rating looking back (:func:`ask_then_at` changes it)."""
    zone = zone_of(db, cohort_id)
    windows = default_windows(start.astimezone(zone).date())
    db.conn.executemany(
        """INSERT INTO checkpoints (cohort_id, name, first_day, last_day, opens_at, closes_at, asks_then)
           VALUES (?, ?, ?, ?, ?, ?, ?)""",
        [(cohort_id, name, first.isoformat(), last.isoformat(), *window(first, last, zone), number == len(windows))
         for number, (name, first, last) in enumerate(windows, start=1)],
    )


def of_cohort(db: Database, cohort_id: int) -> list[Checkpoint]:
    """The cohort's checkpoints in time order."""
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM checkpoints WHERE cohort_id = ? ORDER BY opens_at", [cohort_id]
    ).fetchall()
    return [_checkpoint(db, row) for row in rows]


def at(db: Database, cohort_id: int, moment: str) -> Checkpoint | None:
    """The checkpoint open at `moment` (a stored ISO time), or None between or outside windows."""
    row = db.execute(
        f"SELECT {_COLUMNS} FROM checkpoints WHERE cohort_id = ? AND opens_at <= ? AND ? < closes_at",
        [cohort_id, moment, moment],
    ).fetchone()
    return _checkpoint(db, row) if row else None


@dataclass(frozen=True)
class Timeline:
    """Where a cohort's checkpoints stand at one moment: the one open, the last to have closed, the next to open."""

    open: Checkpoint | None
    previous: Checkpoint | None
    next: Checkpoint | None


def timeline(db: Database, cohort_id: int, moment: str) -> Timeline:
    """The cohort's checkpoints as they stand at `moment` (a stored ISO time)."""
    points = of_cohort(db, cohort_id)
    return Timeline(
        open=next((point for point in points if point.holds(moment)), None),
        previous=max((point for point in points if point.closes_at <= moment), key=lambda point: point.closes_at,
                     default=None),
        next=next((point for point in points if point.opens_at > moment), None),
    )


def _checkpoint(db: Database, row: tuple) -> Checkpoint:
    checkpoint_id, cohort_id, name, opens_at, closes_at, first_day, last_day, asks_then = row
    if first_day is None or last_day is None:
        # Written without its days (by something other than this module): the days the editor showed for it.
        zone = zone_of(db, cohort_id)
        opens = datetime.fromisoformat(opens_at).astimezone(zone)
        closes = datetime.fromisoformat(closes_at).astimezone(zone)
        first, last = opens.date(), max(opens.date(), (closes - timedelta(days=1)).date())
    else:
        first, last = date.fromisoformat(first_day), date.fromisoformat(last_day)
    return Checkpoint(checkpoint_id, cohort_id, name, opens_at, closes_at, first, last, bool(asks_then))


def ask_then_at(db: Database, actor: Actor, cohort_id: int, checkpoint_id: int | None) -> None:
    """Have the checklist ask for the rating looking back at this checkpoint of the cohort (one at most; None: at
    none), if `actor` runs the cohort. Logged. Submissions already made keep what they hold."""
    from reflect.domain import access, audit  # access builds on cohorts, which imports this module

    access.cohort_for(db, actor, cohort_id)
    with write_transaction(db):
        names = dict(db.execute("SELECT id, name FROM checkpoints WHERE cohort_id = ?", [cohort_id]).fetchall())
        if checkpoint_id is not None and checkpoint_id not in names:
            raise CheckpointError("That checkpoint is not one of this cohort's.")
        db.execute("UPDATE checkpoints SET asks_then = (id IS ?) WHERE cohort_id = ?", [checkpoint_id, cohort_id])
        tally.changed(db, cohort_id)  # the Impact figures compare a different checkpoint's ratings now
        audit.record(db, actor_id=actor.id, action=audit.LOOKING_BACK_SET, cohort_id=cohort_id,
                     detail=names[checkpoint_id] if checkpoint_id is not None else "at no checkpoint")


def replace_all(db: Database, actor: Actor, cohort_id: int,
                rows: list[tuple[int | None, str, date | None, date | None]]) -> bool:
    """Save the cohort's checkpoints as (id or None for a new one, name, first day, last day), days included, in
    the cohort's time zone, if `actor` runs it. Return whether anything changed.

    Checkpoints left out are removed; no submission is touched, since membership follows from the windows (the
    cohort's figures are recounted where a window moved). Saving what is stored already writes nothing and
    recounts nothing.
    Raises :class:`CheckpointError` naming the checkpoint for a blank name, a missing day, a last day before the
    first, an overlap, or a checkpoint of another cohort.
    """
    from reflect.domain import access  # access builds on cohorts, which imports this module

    access.cohort_for(db, actor, cohort_id)
    cleaned = []
    for number, (checkpoint_id, name, first, last) in enumerate(rows, start=1):
        try:
            # A checkpoint's name may run over lines, as it always could: exports keep the break inside its cell.
            name = clean_name(name, limit=MAX_NAME, one_line=False)
        except NotAName:
            raise CheckpointError(f"Checkpoint {number} needs a name.") from None
        except InvalidText as error:
            raise CheckpointError(f"Checkpoint {number}: {error}") from None
        if first is None or last is None:
            raise CheckpointError(f"Checkpoint {number} needs a first and a last day.")
        if isinstance(first, datetime) or isinstance(last, datetime) or not isinstance(first, date) \
                or not isinstance(last, date):
            raise TypeError("checkpoints are saved as whole days (datetime.date), not times")
        if last < first:
            raise CheckpointError(f"Checkpoint {number} must close after it opens.")  # its last day is before its first
        cleaned.append((checkpoint_id, name, first, last))
    ids = [checkpoint_id for checkpoint_id, *_ in cleaned if checkpoint_id is not None]
    if len(set(ids)) < len(ids):
        raise CheckpointError("The same checkpoint is listed twice; reload the page.")
    if len({name for _, name, _, _ in cleaned}) < len(cleaned):
        raise CheckpointError("Two checkpoints have the same name; give each its own.")
    ordered = sorted(cleaned, key=lambda row: row[2])
    for earlier, later in zip(ordered, ordered[1:], strict=False):
        if later[2] <= earlier[3]:
            # By number, as listed, like every message here: a name in it would go through Markdown (st.error).
            one, other = sorted((cleaned.index(earlier) + 1, cleaned.index(later) + 1))
            raise CheckpointError(f"Checkpoints {one} and {other} overlap; a moment can be in one checkpoint only.")
    with write_transaction(db):
        zone = zone_of(db, cohort_id)
        wanted = {}
        for checkpoint_id, name, first, last in cleaned:
            wanted[checkpoint_id if checkpoint_id is not None else object()] = (
                name, first.isoformat(), last.isoformat(), *window(first, last, zone))
        stored = {row[0]: tuple(row[1:]) for row in db.execute(
            "SELECT id, name, first_day, last_day, opens_at, closes_at FROM checkpoints WHERE cohort_id = ?",
            [cohort_id],
        ).fetchall()}
        for number, (checkpoint_id, *_) in enumerate(cleaned, start=1):
            if checkpoint_id is not None and checkpoint_id not in stored:
                raise CheckpointError(f"Checkpoint {number} is not one of this cohort's; reload the page.")
        if wanted == stored:
            return False
        db.execute(
            "DELETE FROM checkpoints WHERE cohort_id = ? AND id NOT IN (SELECT value FROM json_each(?))",
            [cohort_id, json.dumps([key for key in wanted if isinstance(key, int)])],
        )
        # Where each checkpoint's window moved: only submissions made there can count differently now.
        moved = [(key, *values[3:]) for key, values in stored.items() if key not in wanted]
        for key, values in wanted.items():
            if not isinstance(key, int):
                cursor = db.execute(
                    """INSERT INTO checkpoints (name, first_day, last_day, opens_at, closes_at, cohort_id)
                       VALUES (?, ?, ?, ?, ?, ?)""",
                    [*values, cohort_id],
                )
                moved.append((cursor.lastrowid, *values[3:]))
            elif values != stored[key]:
                db.execute(
                    """UPDATE checkpoints SET name = ?, first_day = ?, last_day = ?, opens_at = ?, closes_at = ?
                       WHERE id = ? AND cohort_id = ?""",
                    [*values, key, cohort_id],
                )
                (was_open, was_closed), (opens, closes) = stored[key][3:], values[3:]
                moved += [(key, *sorted(edge)) for edge in ((was_open, opens), (was_closed, closes))
                          if edge[0] != edge[1]]
        tally.refresh_windows(db, cohort_id, moved)  # a new name alone moves no count, but is shown: still changed
    return True
