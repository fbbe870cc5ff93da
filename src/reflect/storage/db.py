"""The one place that opens the database: connection settings, write transactions, snapshots and backups.

Open a connection per script run or per thread (:func:`open_db`); never share one across Streamlit's threads.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from reflect.settings import db_path
from reflect.storage.migrations import migrations

BUSY_TIMEOUT_MS = 10_000


class DatabaseUnavailable(Exception):
    """The database file cannot be opened or used; the message says what to fix."""


def stamp(moment: datetime) -> str:
    """A time as stored: ISO 8601 in UTC, to the microsecond, so stored times sort and compare as text."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def now() -> str:
    """The current time as stored (see :func:`stamp`)."""
    return stamp(datetime.now(UTC))


def open_db(path: str | Path | None = None, *, migrate: bool = True, any_thread: bool = False) -> Database:
    """Open (creating if needed) the database at `path` with WAL, a busy timeout and foreign keys on.

    With `any_thread`, one thread after another may use the connection (never two at once): a streamed download
    is read on whichever worker thread the server gives each chunk.
    """
    path = Path(path) if path is not None else db_path()
    if path.is_dir():
        raise DatabaseUnavailable(f"{path} is a folder, not a database file. Set REFLECT_DB to a file path.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=not any_thread)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = NORMAL")
        db = Database(conn)
        if migrate and migrations.pending(db):
            # Serialise start-up across processes: only one applies what is pending.
            with write_transaction(db):
                migrations.apply(db)
    except sqlite3.DatabaseError as error:
        raise DatabaseUnavailable(f"Cannot use the database file {path}: {error}.") from error
    except OSError as error:
        raise DatabaseUnavailable(f"Cannot create the database file {path}: {error.strerror}.") from error
    return db


def health(path: str | Path | None = None) -> str | None:
    """Why the database at `path` cannot serve Reflect now, in a few words; None if it can.

    Reads only: a missing file is reported, not created, and pending migrations are counted, not applied.
    """
    path = Path(path) if path is not None else db_path()
    if not path.is_file():
        return "no database file"
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=2)) as conn:
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            pending = len(migrations.pending(Database(conn)))
    except sqlite3.DatabaseError:
        return "database unreadable"
    return f"{pending} migrations pending" if pending else None


def backup(source: str | Path, target: str | Path) -> int:
    """Copy the live database at `source` to a new file `target` with SQLite's online backup API; return its pages.

    Safe while the app is writing: the copy is one consistent snapshot and includes what is still in the WAL
    (a plain file copy would miss it). Refuses to overwrite an existing file.
    """
    source, target = Path(source), Path(target)
    if not source.is_file():
        raise DatabaseUnavailable(f"There is no database at {source}.")
    if target.exists():
        raise DatabaseUnavailable(f"{target} already exists; choose a new file name so nothing is overwritten.")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as live, \
                contextlib.closing(sqlite3.connect(target)) as copy:
            live.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            live.backup(copy, pages=1024)
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            pages = copy.execute("PRAGMA page_count").fetchone()[0]
            if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise DatabaseUnavailable(f"The backup in {target} failed its integrity check.")
    except sqlite3.DatabaseError as error:
        target.unlink(missing_ok=True)
        raise DatabaseUnavailable(f"Cannot back up {source}: {error}.") from error
    return pages


def page_of(page: int | None, per_page: int) -> tuple[str, dict[str, int]]:
    """The clause that ends a query at page `page` (counted from 1) of `per_page` rows, and its parameters; no clause
    for `page=None` (every row)."""
    if page is None:
        return "", {}
    return "LIMIT :limit OFFSET :offset", {"limit": per_page, "offset": (max(page, 1) - 1) * per_page}


def insert(db: Database, sql: str, params: Sequence[object]) -> int:
    """Run one ``INSERT`` and return the new row's id."""
    row_id = db.execute(sql, params).lastrowid
    if row_id is None:
        raise RuntimeError(f"nothing was inserted by {sql!r}")
    return row_id


@contextlib.contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """Run a read-then-write as one ``BEGIN IMMEDIATE`` transaction, so concurrent writers queue, not fail.

    A database that stays locked past the busy timeout, or cannot be written at all, raises
    :class:`DatabaseUnavailable` with a message for people; nothing of the transaction is kept.
    """
    try:
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.rollback()
            raise
        else:
            db.conn.execute("COMMIT")
    except sqlite3.OperationalError as error:
        db.rollback()
        raise DatabaseUnavailable(_write_failure(str(error))) from error


@contextlib.contextmanager
def read_snapshot(db: Database) -> Iterator[Database]:
    """Make several reads see the database as it was at the first of them, whatever is written meanwhile."""
    if db.conn.in_transaction:  # already inside one
        yield db
        return
    db.conn.execute("BEGIN")
    try:
        yield db
    finally:
        if db.conn.in_transaction:  # not if something inside already ended it: its error is the one to see
            db.conn.execute("COMMIT")


def _write_failure(error: str) -> str:
    if "locked" in error or "busy" in error:
        return ("Reflect could not save just now: another program is holding the database. Nothing was lost; "
                "try again in a moment.")
    if "readonly" in error or "read-only" in error:
        return "Reflect cannot save: its database file is read-only. Ask whoever installed Reflect to check it."
    return f"Reflect could not save: {error}. Ask whoever installed Reflect to check the database."
