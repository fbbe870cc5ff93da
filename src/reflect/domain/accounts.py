"""People: the first facilitator, leaders who register with a join code, passwords and signing in.

Passwords are hashed with Argon2id (argon2-cffi); the encoded hash carries its own parameters, so they can be
raised later and old hashes still verify (and are re-hashed on the next sign-in).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlite_utils import Database

from reflect.domain import audit, cohort_invitations, cohorts, sessions
from reflect.domain.text import InvalidText, NotAName, clean_name
from reflect.storage import tally
from reflect.storage.db import insert, now, stamp, write_transaction

LEADER = "leader"
FACILITATOR = "facilitator"
# Not a stored role: a facilitator whose account has the administrator flag (users.is_admin). An administrator is
# a facilitator everywhere a facilitator is asked for, and may also invite facilitators, see and hand over every
# cohort, and make another facilitator an administrator (reflect.domain.facilitators).
ADMINISTRATOR = "administrator"
MIN_PASSWORD = 10
MAX_PASSWORD = 1024
MAX_NAME = 100
FAILURES_BEFORE_LOCK = 5
LOCK_FOR = timedelta(minutes=15)
# Each Argon2 hash or check takes 64 MiB and most of a core for a moment: a storm of sign-ins waits its turn for one
# of these slots instead of exhausting the server's memory.
HASHING_AT_ONCE = 3
# The password hash of an account made by a facilitator until its owner accepts the invitation: nothing verifies.
INVITED = "!invited"
# The password hash of an invited account its owner took up by signing in with their school account instead: still
# nothing verifies (they have no password), but it no longer waits on its invitation.
SCHOOL_ACCOUNT = "!school-account"
# How old a school identity may be when Reflect is handed it: the provider issues it moments before, so an older one
# is a leftover (Streamlit keeps it in a cookie for 30 days), not someone signing in now.
SCHOOL_SIGN_IN_FRESH_FOR = timedelta(minutes=5)

_hasher = PasswordHasher()  # Argon2id with the library's current recommended parameters (64 MiB, ~0.1 s a hash)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
# Verified against when the email is unknown or has no password yet, so that costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password")
_hashing_slots = threading.BoundedSemaphore(HASHING_AT_ONCE)
# One reply for an unknown email, an invited account and a wrong password, so the reply never tells whether an
# account exists. It states the lock-out rule instead of counting down, since a countdown only real accounts get
# would tell.
NO_MATCH = (
    "That email and password do not match an account. Check both and try again "
    f"({FAILURES_BEFORE_LOCK} wrong tries in a row lock an account for {LOCK_FOR.total_seconds() // 60:.0f} minutes). "
    "If you were given an invitation code and have not used it yet, choose “Use an invitation” instead."
)
WRONG_PASSWORD_TO_DELETE = "That password is not right, so nothing was deleted."
WRONG_PASSWORD_TO_CHANGE = "Your current password is not right, so nothing was changed. Type it again."
# Registering with an email that has an account. Worded as a condition, not a finding, and it offers the way in that
# account's owner has: the attempt becomes an invitation to the cohort, which only they can accept, when signed in.
NOT_REGISTERED = (
    "Reflect could not create an account with these details. If there is already an account for you, sign in with "
    "it: a leader's account finds an invitation to join this cohort on its Home page. Otherwise check your email "
    "address and try again."
)


def use_password_hasher(hasher: PasswordHasher) -> None:
    """Hash and check passwords with `hasher` from now on in this process. The test suite's one seam: it uses cheap
    parameters, since the production ones make hundreds of test accounts take minutes. Hashes keep their own
    parameters, so either kind verifies with the other (and is re-hashed at the next sign-in)."""
    global _hasher, _DUMMY_HASH
    _hasher, _DUMMY_HASH = hasher, hasher.hash("not a real password")


class AccountError(Exception):
    """A sign-in, sign-up or set-up that cannot go ahead; the message says why and what to do."""


class AccountLocked(AccountError):
    """Too many wrong passwords in a row: the account refuses sign-in until `until`. Its message gives the time in
    UTC; pages say it in the reader's own zone (:meth:`message_in`)."""

    def __init__(self, until: datetime) -> None:
        self.until = until
        super().__init__(self.message_in(UTC))

    def message_in(self, zone: tzinfo) -> str:
        shown = self.until.astimezone(zone)
        return (f"Too many wrong passwords: this account is locked until {shown:%H:%M} {shown.tzname()}. Try again "
                "then, or ask a facilitator of your cohort for a reset code and use it on “Forgot your password?”.")


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
    return User(row[0], row[1], row[2], row[3], admin=bool(row[4])) if row else None


def existing_user(db: Database, user_id: int) -> User:
    """The account `user_id`, which the caller knows exists (it has just read or written it)."""
    user = get_user(db, user_id)
    if user is None:
        raise LookupError(f"there is no account {user_id}")
    return user


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
    an administrator or ``python -m reflect add-facilitator``: see :func:`reflect.domain.facilitators.invite`."""
    name, email, password_hash = _checked(name, email, password)
    with write_transaction(db):
        _email_is_free(db, email)
        return insert_user(db, name, email, FACILITATOR, password_hash)


def register_leader(db: Database, *, join_code: str, name: str, email: str, password: str) -> User:
    """Create a leader's account in the cohort whose join code they were given.

    An email that already has an account is not told apart by a message of its own (:data:`NOT_REGISTERED`), and
    the account is not changed: if it is a leader's, it gets an invitation to the cohort, which its owner accepts or
    declines when signed in. So a join code never puts someone else's account, or its past work, into a cohort.
    """
    name, email = check_name(name), check_email(email)
    _open_cohort(db, join_code)  # before the slow hash, so a wrong code costs no Argon2 work
    password_hash = hash_new_password(password)
    with write_transaction(db):
        cohort = _open_cohort(db, join_code)  # again: it may have been archived meanwhile
        existing = db.execute("SELECT id, role FROM users WHERE email = ?", [email]).fetchone()
        if existing is None:
            user = insert_user(db, name, email, LEADER, password_hash)
            cohorts.add_leader(db, cohort.id, user.id)
            audit.record(db, actor_id=user.id, action=audit.JOINED, cohort_id=cohort.id, detail="with the join code")
            return user
        if existing[1] == LEADER:
            cohort_invitations.invite(db, cohort.id, existing[0], invited_by=None)
    raise AccountError(NOT_REGISTERED)  # after the commit, so the invitation is kept


def _open_cohort(db: Database, join_code: str) -> cohorts.Cohort:
    """The cohort a join code opens; :class:`AccountError` for an unknown code or a closed cohort."""
    cohort = cohorts.find_by_join_code(db, join_code)
    if cohort is None:
        raise AccountError("That join code is not one we know. Check it with your facilitator.")
    if cohort.archived_at:
        raise AccountError("That cohort has closed and no longer takes new members. Ask your facilitator.")
    return cohort


def sign_in(db: Database, email: str, password: str, *, now: datetime | None = None) -> User:
    """Return the user whose email and password these are, or raise :class:`AccountError`.

    Failures are counted per account in the database, so a browser refresh does not reset them: every
    ``FAILURES_BEFORE_LOCK`` failures in a row lock the account for ``LOCK_FOR``.
    """
    row = db.execute("SELECT id, password_hash FROM users WHERE email = ?", [_normal_email(email)]).fetchone()
    if row is None or row[1] in (INVITED, SCHOOL_ACCOUNT):
        _verify(_DUMMY_HASH, password)  # as slow as a real check, so the time taken does not tell either
        raise AccountError(NO_MATCH)
    _check_password(db, row[0], password, now=now or datetime.now(UTC), wrong=NO_MATCH)
    return existing_user(db, row[0])


def verified_email(claims: Mapping[str, object], *, trust_provider: bool = False, now: datetime | None = None) -> str:
    """The email address a school's identity provider vouches for in `claims` (its ID token's, as Streamlit checked
    them); :class:`AccountError` says why there is none (without repeating the email: pages show it as plain text).

    Only a claim ``email_verified`` of true counts: an email the provider has not verified may be anyone's typing.
    `trust_provider` (an explicit setting, off by default) accepts an email sent without that claim, as Microsoft
    Entra sends it; one marked unverified is refused even then. An identity issued more than
    :data:`SCHOOL_SIGN_IN_FRESH_FOR` ago is refused too.
    """
    now = now or datetime.now(UTC)
    issued = claims.get("iat")
    if not isinstance(issued, int | float) or datetime.fromtimestamp(issued, UTC) < now - SCHOOL_SIGN_IN_FRESH_FOR:
        raise AccountError("That school sign-in is more than a few minutes old. Choose “Sign in with your school "
                           "account” again.")
    email, verified = claims.get("email"), claims.get("email_verified")
    if not isinstance(email, str) or not email.strip():
        raise AccountError("Your school account did not tell Reflect your email address, so Reflect cannot sign you "
                           "in with it. Sign in with your password instead.")
    if not (str(verified).lower() == "true" or (verified is None and trust_provider)):  # true, or "true"
        raise AccountError("Your school account has not confirmed that this is your email address, so Reflect cannot "
                           "sign you in with it. Sign in with your password instead.")
    return _normal_email(email)


def user_for_verified_email(db: Database, email: str) -> User:
    """The account whose email a school's identity provider has verified, to sign in without a password;
    :class:`AccountError` if no account has it (nobody gets an account this way).

    An invited account (no password yet) is taken up as if its invitation were accepted: its unused codes stop
    working, so a code still lying in someone's inbox cannot later set a password on an account now in use.
    """
    email = _normal_email(email)
    with write_transaction(db):
        row = db.execute("SELECT id, password_hash FROM users WHERE email = ?", [email]).fetchone()
        if row is None:
            raise AccountError("No Reflect account uses the email of your school account. Ask your facilitator to "
                               "invite you, or sign in with your password.")
        if row[1] == INVITED:
            db.execute("UPDATE invitations SET used_at = ? WHERE user_id = ? AND used_at IS NULL", [now(), row[0]])
            db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [SCHOOL_ACCOUNT, row[0]])
    return existing_user(db, row[0])


def delete_leader(db: Database, user_id: int, *, password: str) -> None:
    """Delete a leader's account and everything they wrote, then vacuum so the file keeps no trace of it.

    The password is asked again so that an unattended signed-in browser cannot do this. The audit log keeps that an
    account was deleted (by number), not who it was.
    """
    row = db.execute("SELECT role FROM users WHERE id = ?", [user_id]).fetchone()
    if row is None or row[0] != LEADER:
        raise AccountError("Only a leader's own account can be deleted here.")
    _check_password(db, user_id, password, now=datetime.now(UTC), wrong=WRONG_PASSWORD_TO_DELETE)
    with write_transaction(db):
        cohort = cohorts.leaders_cohort_id(db, user_id)
        # Out of every cohort first, so the cohort figures lose this leader's ratings while the answers still exist.
        left = [row[0] for row in db.execute("DELETE FROM cohort_leaders WHERE user_id = ? RETURNING cohort_id",
                                             [user_id]).fetchall()]
        tally.refresh(db, user_id=user_id, left=left)
        mine = "SELECT id FROM submissions WHERE user_id = :user"
        for statement in (
            f"DELETE FROM answers WHERE submission_id IN ({mine})",
            f"DELETE FROM answer_rows WHERE submission_id IN ({mine})",
            f"DELETE FROM feedback WHERE submission_id IN ({mine})",
            f"DELETE FROM shared_submissions WHERE submission_id IN ({mine})",
            "DELETE FROM submissions WHERE user_id = :user",
            "DELETE FROM drafts WHERE user_id = :user",
            "DELETE FROM invitations WHERE user_id = :user",
            "DELETE FROM cohort_invitations WHERE user_id = :user",
            "DELETE FROM users WHERE id = :user",
        ):
            db.execute(statement, {"user": user_id})
        audit.record(db, actor_id=None, action=audit.ACCOUNT_DELETED, cohort_id=cohort,
                     detail=f"account {user_id} and all its answers")
    # Deleted rows would otherwise linger in the file's free pages and in the write-ahead log.
    db.execute("VACUUM")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def change_password(db: Database, user_id: int, *, current: str, new: str, keep_session: int | None = None) -> None:
    """Set a new password for someone who knows the current one; every other signed-in browser of theirs is signed
    out (all but `keep_session`, the one they changed it in), in case someone else was using it."""
    _check_password(db, user_id, current, now=datetime.now(UTC), wrong=WRONG_PASSWORD_TO_CHANGE)
    new_hash = hash_new_password(new)
    with write_transaction(db):
        db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [new_hash, user_id])
        sessions.end_all(db, user_id, keep=keep_session)


def change_email(db: Database, user_id: int, *, password: str, new_email: str,
                 keep_session: int | None = None) -> str:
    """Change the email someone signs in with (their password confirms it); return it as stored. Like a password
    change, it signs out their other browsers."""
    new_email = check_email(new_email)
    if db.execute("SELECT 1 FROM users WHERE id = ? AND email = ?", [user_id, new_email]).fetchone():
        raise AccountError("That is already your email address. Type the new one.")
    _check_password(db, user_id, password, now=datetime.now(UTC), wrong=WRONG_PASSWORD_TO_CHANGE)
    with write_transaction(db):
        _email_is_free(db, new_email)
        db.execute("UPDATE users SET email = ? WHERE id = ?", [new_email, user_id])
        sessions.end_all(db, user_id, keep=keep_session)
        # The figures kept for a leader's cohorts name them by email too (the dashboard's grid).
        tally.changed(db, *[cohort_id for (cohort_id,) in db.execute(
            "SELECT cohort_id FROM cohort_leaders WHERE user_id = ?", [user_id]).fetchall()])
    return new_email


def _check_password(db: Database, user_id: int, password: str, *, now: datetime, wrong: str) -> None:
    """Check an account's password on any form that asks for it; raise :class:`AccountError` (`wrong`, or locked).

    The attempt is counted as a failure before the slow hash (:func:`_reserve_attempt`) and forgiven only if the
    password is right, so parallel guesses cannot all pass the lock check before any of them is counted.
    """
    password_hash, locks_at = _reserve_attempt(db, user_id, now)
    if not _verify(password_hash, password):
        raise AccountLocked(locks_at) if locks_at else AccountError(wrong)
    rehashed = _hash(password) if _hasher.check_needs_rehash(password_hash) else None
    with write_transaction(db):
        db.execute("UPDATE users SET failed_sign_ins = 0, locked_until = NULL WHERE id = ?", [user_id])
        if rehashed:
            db.execute("UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?",
                       [rehashed, user_id, password_hash])


def _reserve_attempt(db: Database, user_id: int, now: datetime) -> tuple[str, datetime | None]:
    """Refuse a locked account, else count this attempt as failed; return the stored hash and any lock it set.

    Lock check and count are one ``BEGIN IMMEDIATE`` transaction, so of a burst of guesses at most
    ``FAILURES_BEFORE_LOCK`` get as far as hashing; the rest are refused here, uncounted and unhashed.
    """
    with write_transaction(db):
        row = db.execute("SELECT password_hash, failed_sign_ins, locked_until FROM users WHERE id = ?",
                         [user_id]).fetchone()
        if row is None:  # deleted since it was looked up
            raise AccountError(NO_MATCH)
        password_hash, failures, locked_until = row
        if locked_until and datetime.fromisoformat(locked_until) > now:
            raise AccountLocked(datetime.fromisoformat(locked_until))
        failures += 1
        locks_at = now + LOCK_FOR if failures % FAILURES_BEFORE_LOCK == 0 else None
        db.execute("UPDATE users SET failed_sign_ins = ? WHERE id = ?", [failures, user_id])
        if locks_at:
            db.execute("UPDATE users SET locked_until = ? WHERE id = ?", [stamp(locks_at), user_id])
    return password_hash, locks_at


def _hash(password: str) -> str:
    """Argon2id hash of `password`, taking one of the few hashing slots."""
    with _hashing_slots:
        return _hasher.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    """Whether `password` matches `password_hash`, taking one of the few hashing slots."""
    with _hashing_slots:
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
    return _hash(password)


def check_name(name: str) -> str:
    """A person's name, cleaned; :class:`AccountError` if blank, multi-line or too long."""
    try:
        return clean_name(name, limit=MAX_NAME)
    except NotAName as error:
        raise AccountError(str(error)) from None
    except InvalidText as error:
        raise AccountError(f"Name: {error}") from None


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
    user_id = insert(
        db, "INSERT INTO users (email, name, role, password_hash, created_at, is_admin) VALUES (?, ?, ?, ?, ?, ?)",
        [email, name, role, password_hash, now(), int(admin)],
    )
    return User(user_id, email, name, role, admin)
