"""Signed-in sessions that survive a refresh, a new tab and a server restart.

A session is a row here; the browser holds its random token in an HttpOnly cookie, and only the token's SHA-256
hash is stored, so a copy of the database opens no one's account. The cookie is set by an HTTP route
(reflect.web.routes), never by a page: signing in makes a session with a one-time *ticket* instead of a token, the
page hands the ticket to the browser, and the browser trades it at the route for the cookie. A token is only ever
made by the server at that trade, so a cookie planted before sign-in (session fixation) is never promoted.

A session ends when its person signs out, changes or resets their password, or is deleted; after
:func:`reflect.settings.session_idle_days` unused; and :func:`reflect.settings.session_days` after it began.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlite_utils import Database

from reflect.settings import session_days, session_idle_days
from reflect.storage.db import DatabaseUnavailable, stamp, write_transaction

COOKIE = "reflect_session"
TICKET_VALID_FOR = timedelta(minutes=2)  # from the sign-in to the browser's trade: one page load, even a slow one
# Last-seen times are written at most this often, so that reading a page is not a write each time.
SEEN_EVERY = timedelta(minutes=5)


@dataclass(frozen=True)
class Session:
    id: int
    user_id: int


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def start(db: Database, user_id: int, *, now: datetime | None = None) -> tuple[Session, str]:
    """Begin a session for `user_id`; return it and the one-time ticket the browser trades for its cookie."""
    now = now or datetime.now(UTC)
    ticket = secrets.token_urlsafe(32)
    with write_transaction(db):
        # Forget sessions that ended or expired a while ago: nothing reads them.
        db.execute("DELETE FROM sessions WHERE ended_at < :old OR expires_at < :old",
                   {"old": stamp(now - timedelta(days=1))})
        cursor = db.execute(
            """INSERT INTO sessions (user_id, ticket_hash, created_at, last_seen_at, expires_at)
               VALUES (?, ?, ?, ?, ?)""",
            [user_id, _hash(ticket), stamp(now), stamp(now), stamp(now + timedelta(days=session_days()))],
        )
    assert cursor.lastrowid is not None
    return Session(cursor.lastrowid, user_id), ticket


def trade_ticket(db: Database, ticket: str, *, now: datetime | None = None) -> str | None:
    """The new token for the session a live, unused `ticket` belongs to (the ticket is used up), else None."""
    now = now or datetime.now(UTC)
    token = secrets.token_urlsafe(32)
    with write_transaction(db):
        traded = db.execute(
            """UPDATE sessions SET token_hash = ?, ticket_hash = NULL
               WHERE ticket_hash = ? AND ended_at IS NULL AND created_at > ? AND expires_at > ?""",
            [_hash(token), _hash(ticket), stamp(now - TICKET_VALID_FOR), stamp(now)],
        ).rowcount
    return token if traded else None


def has_cookie(db: Database, session_id: int) -> bool:
    """True once the browser has traded the session's ticket for its cookie."""
    return db.execute("SELECT 1 FROM sessions WHERE id = ? AND token_hash IS NOT NULL",
                      [session_id]).fetchone() is not None


def find(db: Database, *, session_id: int | None = None, token: str | None = None,
         now: datetime | None = None) -> Session | None:
    """The live session with `session_id` (what a page run remembers) or, failing that, the one whose cookie
    holds `token`; None if neither is live. A forged, expired or ended one is the same as none."""
    now = now or datetime.now(UTC)
    for column, value in (("id", session_id), ("token_hash", _hash(token) if token else None)):
        if value is None:
            continue
        row = db.execute(
            f"""SELECT id, user_id, last_seen_at FROM sessions
                WHERE {column} = ? AND ended_at IS NULL AND expires_at > ? AND last_seen_at > ?""",
            [value, stamp(now), stamp(now - timedelta(days=session_idle_days()))],
        ).fetchone()
        if row is not None:
            found, user_id, last_seen = row
            if datetime.fromisoformat(last_seen) < now - SEEN_EVERY:
                # Bookkeeping: a database that cannot be written just now must not stop anyone reading.
                with contextlib.suppress(DatabaseUnavailable), write_transaction(db):
                    db.execute("UPDATE sessions SET last_seen_at = ? WHERE id = ?", [stamp(now), found])
            return Session(found, user_id)
    return None


def end(db: Database, *, session_id: int | None = None, token: str | None = None) -> None:
    """End one session, named by its id or by its cookie's token (signing out)."""
    with write_transaction(db):
        if session_id is not None:
            db.execute("UPDATE sessions SET ended_at = ? WHERE id = ? AND ended_at IS NULL",
                       [stamp(datetime.now(UTC)), session_id])
        if token:
            db.execute("UPDATE sessions SET ended_at = ? WHERE token_hash = ? AND ended_at IS NULL",
                       [stamp(datetime.now(UTC)), _hash(token)])


def end_all(db: Database, user_id: int, *, keep: int | None = None) -> None:
    """End every session of `user_id` but `keep`: their password changed, so every other browser signs in again.
    Call inside the write transaction of the change."""
    db.execute("UPDATE sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL AND id IS NOT ?",
               [stamp(datetime.now(UTC)), user_id, keep])
