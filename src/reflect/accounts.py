"""People: the first facilitator, leaders who register with a join code, passwords and signing in.

Passwords are hashed with Argon2id (argon2-cffi); the encoded hash carries its own parameters, so they can be
raised later and old hashes still verify (and are re-hashed on the next sign-in).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlite_utils import Database

from reflect import audit, cohorts, tally
from reflect.db import now, stamp, write_transaction
from reflect.text import InvalidText, clean_text, is_blank

LEADER = "leader"
FACILITATOR = "facilitator"
# Not a stored role: a facilitator whose account has the administrator flag (users.is_admin). An administrator is
# a facilitator everywhere a facilitator is asked for, and may also invite facilitators, see and hand over every
# cohort, and make another facilitator an administrator (reflect.facilitators).
ADMINISTRATOR = "administrator"
MIN_PASSWORD = 10
MAX_PASSWORD = 1024
MAX_NAME = 100
FAILURES_BEFORE_LOCK = 5
LOCK_FOR = timedelta(minutes=15)
# The password hash of an account made by a facilitator until its owner accepts the invitation: nothing verifies.
INVITED = "!invited"

_hasher = PasswordHasher()  # Argon2id with the library's current recommended parameters
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
# Verified against when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password")


class AccountError(Exception):
    """A sign-in, sign-up or set-up that cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class User:
    id: int
    email: str
    name: str
    role: str
    admin: bool = False

    def is_a(self, role: str) -> bool:
        """True if this person may act as `role`: an administrator is also a facilitator."""
        return self.admin if role == ADMINISTRATOR else self.role == role


def has_any_user(db: Database) -> bool:
    return db.execute("SELECT EXISTS (SELECT 1 FROM users)").fetchone()[0] == 1


def get_user(db: Database, user_id: int) -> User | None:
    row = db.execute("SELECT id, email, name, role, is_admin FROM users WHERE id = ?", [user_id]).fetchone()
    return User(*row[:4], admin=bool(row[4])) if row else None


def create_first_facilitator(db: Database, *, name: str, email: str, password: str) -> User:
    """Create the first account, a facilitator and the first administrator. Refused once any account exists
    (set-up happens once)."""
    name, email, password_hash = _checked(name, email, password)
    with write_transaction(db):
        if has_any_user(db):
            raise AccountError("Reflect is already set up. Sign in instead.")
        return insert_user(db, name, email, FACILITATOR, password_hash, admin=True)


def create_facilitator(db: Database, *, name: str, email: str, password: str) -> User:
    """Create a further facilitator account with a password (the demo and tests). People are invited instead, by
    an administrator or ``python -m reflect add-facilitator``: see :func:`reflect.facilitators.invite`."""
    name, email, password_hash = _checked(name, email, password)
    with write_transaction(db):
        _email_is_free(db, email)
        return insert_user(db, name, email, FACILITATOR, password_hash)


def register_leader(db: Database, *, join_code: str, name: str, email: str, password: str) -> User:
    """Create a leader's account in the cohort whose join code they were given."""
    name, email, password_hash = _checked(name, email, password)
    with write_transaction(db):
        cohort = cohorts.find_by_join_code(db, join_code)
        if cohort is None:
            raise AccountError("That join code is not one we know. Check it with your facilitator.")
        if cohort.archived_at:
            raise AccountError("That cohort has closed and no longer takes new members. Ask your facilitator.")
        _email_is_free(db, email)
        user = insert_user(db, name, email, LEADER, password_hash)
        cohorts.add_leader(db, cohort.id, user.id)
        audit.record(db, actor_id=user.id, action=audit.JOINED, cohort_id=cohort.id, detail="with the join code")
        return user


def sign_in(db: Database, email: str, password: str, *, now: datetime | None = None) -> User:
    """Return the user whose email and password these are, or raise :class:`AccountError`.

    Failures are counted per account in the database, so a browser refresh does not reset them: every
    ``FAILURES_BEFORE_LOCK`` failures in a row lock the account for ``LOCK_FOR``.
    """
    now = now or datetime.now(UTC)
    row = db.execute(
        "SELECT id, password_hash, locked_until FROM users WHERE email = ?", [_normal_email(email)]
    ).fetchone()
    if row is None:
        _verify(_DUMMY_HASH, password)
        raise AccountError("That email and password do not match an account. Check both and try again.")
    user_id, password_hash, locked_until = row
    if password_hash == INVITED:
        raise AccountError(
            "This account has no password yet. Choose “Use an invitation” and enter the code you were given."
        )
    if locked_until and datetime.fromisoformat(locked_until) > now:
        raise AccountError(_locked_message(datetime.fromisoformat(locked_until)))
    if not _verify(password_hash, password):
        until = None
        with write_transaction(db):  # committed before the error is raised: a rollback would undo the count
            failures = db.execute(
                "UPDATE users SET failed_sign_ins = failed_sign_ins + 1 WHERE id = ? RETURNING failed_sign_ins",
                [user_id],
            ).fetchone()[0]
            if failures % FAILURES_BEFORE_LOCK == 0:
                until = now + LOCK_FOR
                db.execute("UPDATE users SET locked_until = ? WHERE id = ?", [stamp(until), user_id])
        if until:
            raise AccountError(_locked_message(until))
        left = FAILURES_BEFORE_LOCK - failures % FAILURES_BEFORE_LOCK
        raise AccountError(
            "That email and password do not match an account. Check both and try again "
            f"({left} more {'try' if left == 1 else 'tries'} before the account is locked for a while)."
        )
    with write_transaction(db):
        db.execute("UPDATE users SET failed_sign_ins = 0, locked_until = NULL WHERE id = ?", [user_id])
        if _hasher.check_needs_rehash(password_hash):
            db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [_hasher.hash(password), user_id])
    return get_user(db, user_id)


def delete_leader(db: Database, user_id: int, *, password: str) -> None:
    """Delete a leader's account and everything they wrote, then vacuum so the file keeps no trace of it.

    The password is asked again so that an unattended signed-in browser cannot do this. The audit log keeps that an
    account was deleted (by number), not who it was.
    """
    row = db.execute("SELECT password_hash, role FROM users WHERE id = ?", [user_id]).fetchone()
    if row is None or row[1] != LEADER:
        raise AccountError("Only a leader's own account can be deleted here.")
    if not _verify(row[0], password):
        raise AccountError("That password is not right, so nothing was deleted.")
    with write_transaction(db):
        cohort = audit.leaders_cohort(db, user_id)
        # Out of every cohort first, so the cohort figures lose this leader's ratings while the answers still exist.
        db.execute("DELETE FROM cohort_leaders WHERE user_id = ?", [user_id])
        tally.refresh(db, user_id=user_id)
        mine = "SELECT id FROM submissions WHERE user_id = :user"
        for statement in (
            f"DELETE FROM answers WHERE submission_id IN ({mine})",
            f"DELETE FROM shared_submissions WHERE submission_id IN ({mine})",
            "DELETE FROM submissions WHERE user_id = :user",
            "DELETE FROM drafts WHERE user_id = :user",
            "DELETE FROM invitations WHERE user_id = :user",
            "DELETE FROM users WHERE id = :user",
        ):
            db.execute(statement, {"user": user_id})
        audit.record(db, actor_id=None, action=audit.ACCOUNT_DELETED, cohort_id=cohort,
                     detail=f"account {user_id} and all its answers")
    # Deleted rows would otherwise linger in the file's free pages and in the write-ahead log.
    db.execute("VACUUM")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _locked_message(until: datetime) -> str:
    return (
        "Too many failed sign-ins: this account is locked until "
        f"{until.astimezone(UTC):%H:%M} UTC. Try again then, or ask your facilitator for help."
    )


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _checked(name: str, email: str, password: str) -> tuple[str, str, str]:
    """Validate a new account's details; return (name, email, password hash)."""
    return check_name(name), check_email(email), hash_new_password(password)


def hash_new_password(password: str) -> str:
    """Check a new password's length and return its Argon2id hash; :class:`AccountError` says what to change."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"Choose a password of at least {MIN_PASSWORD} characters; a few words together is fine.")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"Choose a password of at most {MAX_PASSWORD} characters.")
    return _hasher.hash(password)


def check_name(name: str) -> str:
    """A person's name, cleaned; :class:`AccountError` if blank, multi-line or too long."""
    try:
        name = clean_text(name, limit=MAX_NAME).strip()
    except InvalidText as error:
        raise AccountError(f"Name: {error}") from None
    if is_blank(name) or "\n" in name or "\t" in name:
        raise AccountError("Enter a name, on one line.")
    return name


def check_email(email: str) -> str:
    """An email address, lower-cased; :class:`AccountError` if it does not look like one."""
    email = _normal_email(email)
    if not _EMAIL.match(email) or len(email) > 254:
        raise AccountError("Enter an email address like name@school.org.uk.")
    return email


def _normal_email(email: str) -> str:
    return email.strip().lower()


def _email_is_free(db: Database, email: str) -> None:
    if db.execute("SELECT 1 FROM users WHERE email = ?", [email]).fetchone():
        raise AccountError("There is already an account with that email address. Sign in instead.")


def insert_user(db: Database, name: str, email: str, role: str, password_hash: str, *, admin: bool = False) -> User:
    """Insert an account (inside the caller's write transaction; name and email already checked)."""
    cursor = db.execute(
        "INSERT INTO users (email, name, role, password_hash, created_at, is_admin) VALUES (?, ?, ?, ?, ?, ?)",
        [email, name, role, password_hash, now(), int(admin)],
    )
    return User(cursor.lastrowid, email, name, role, admin)
