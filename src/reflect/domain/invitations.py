"""One-time codes with which a person sets their password: an invitation (someone a facilitator added, a roster
leader or a co-facilitator) or a reset code (someone who forgot theirs, given one by a facilitator of their cohort,
or emailed one in a link when Reflect can send email).

Only a SHA-256 hash of each code is stored (the codes are random and long, so a slow hash adds nothing). A code
works once, before it expires, and only with the email it was made for.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from sqlite_utils import Database

from reflect import mail
from reflect.domain import accounts, audit, cohorts, sessions
from reflect.domain.access import Actor
from reflect.domain.accounts import AccountError, User
from reflect.domain.codes import letters_of, random_code
from reflect.settings import MailSettings
from reflect.storage.db import stamp, write_transaction

VALID_FOR = timedelta(days=14)
RESET_VALID_FOR = timedelta(days=2)  # a reset code is asked for when it is needed, and opens an account that exists
RESET_EMAILS_EVERY = timedelta(minutes=10)  # at most one reset email per account in this time: no flooding an inbox
NO_ACCOUNT = 0  # no account has this id (SQLite's start at 1): an unknown email runs the same queries with it


def _hash(code: str) -> str:
    return hashlib.sha256(letters_of(code).encode()).hexdigest()


def invite(db: Database, created_by: int | None, user_id: int, *, now: datetime | None = None,
           valid_for: timedelta = VALID_FOR) -> str:
    """Make a code for `user_id` (call inside the caller's write transaction) and return it; it is shown once.

    `created_by` is None for the command line, which is no account, and for a reset link someone asked to be emailed:
    the invitation is then recorded as made by the account it is for (the audit log says where it came from).
    """
    now = now or datetime.now(UTC)
    code = random_code(3)
    db.execute(
        "INSERT INTO invitations (code_hash, user_id, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
        [_hash(code), user_id, user_id if created_by is None else created_by, stamp(now), stamp(now + valid_for)],
    )
    return code


def accept(db: Database, *, email: str, code: str, password: str, now: datetime | None = None) -> User:
    """Set the password of the account the code was made for, use the code up, end every session the account had
    (whoever knew the old password is signed out), and return the user.

    The code is checked before the new password is hashed, so a wrong code costs no Argon2 work, and again inside
    the write, in case another session used it meanwhile.
    """
    now = now or datetime.now(UTC)
    _usable(db, email, code, now)
    password_hash = accounts.hash_new_password(password)
    with write_transaction(db):
        code_hash, user_id = _usable(db, email, code, now)
        db.execute("UPDATE invitations SET used_at = ? WHERE code_hash = ?", [stamp(now), code_hash])
        db.execute(
            "UPDATE users SET password_hash = ?, failed_sign_ins = 0, locked_until = NULL WHERE id = ?",
            [password_hash, user_id],
        )
        sessions.end_all(db, user_id)
    return accounts.existing_user(db, user_id)


def _usable(db: Database, email: str, code: str, now: datetime) -> tuple[str, int]:
    """The (code hash, user id) of an unused, unexpired code made for `email`; :class:`AccountError` says why not."""
    row = db.execute(
        """SELECT i.code_hash, i.user_id, i.expires_at, i.used_at FROM invitations i
           JOIN users u ON u.id = i.user_id WHERE i.code_hash = ? AND u.email = ?""",
        [_hash(code), email.strip().lower()],
    ).fetchone()
    if row is None:
        raise AccountError("That code does not match that email. Check both against what your facilitator gave you.")
    code_hash, user_id, expires_at, used_at = row
    if used_at:
        raise AccountError("That code has already been used. Sign in with your password, or ask your facilitator for "
                           "a new code.")
    if datetime.fromisoformat(expires_at) <= now:
        raise AccountError("That code has expired. Ask your facilitator for a new one.")
    return code_hash, user_id


def make_reset_code(db: Database, actor: Actor, cohort_id: int, user_id: int, *, now: datetime | None = None) -> str:
    """A one-time code with which a leader of a cohort `actor` runs, or one of its co-facilitators, chooses a new
    password on "Forgot your password?" (which also lifts a lock-out). Shown once, valid for
    :data:`RESET_VALID_FOR`, logged; any earlier unused code of theirs stops working, and so does every session of
    theirs: a reset is also how a facilitator shuts someone out of an account that may be in the wrong hands."""
    cohorts.run_by(db, actor, cohort_id)
    now = now or datetime.now(UTC)
    with write_transaction(db):
        if not any(person.id == user_id for person in cohorts.people_of(db, actor, cohort_id)):
            raise AccountError("That person is not in this cohort.")
        db.execute("UPDATE invitations SET expires_at = ? WHERE user_id = ? AND used_at IS NULL AND expires_at > ?",
                   [stamp(now), user_id, stamp(now)])
        code = invite(db, actor.id, user_id, now=now, valid_for=RESET_VALID_FOR)
        sessions.end_all(db, user_id)
        audit.record(db, actor_id=actor.id, action=audit.RESET_CODE_MADE, cohort_id=cohort_id,
                     detail=accounts.existing_user(db, user_id).email)
    return code


def add_co_facilitator(db: Database, actor: Actor, cohort_id: int, *, name: str, email: str,
                       now: datetime | None = None) -> str | None:
    """Add a facilitator to a cohort `actor` runs. Returns an invitation code if a new account was made.

    An existing facilitator account is added as it is; a leader's email is refused (roles do not mix).
    """
    cohorts.run_by(db, actor, cohort_id)
    email = accounts.check_email(email)
    with write_transaction(db):
        row = db.execute("SELECT id, role FROM users WHERE email = ?", [email]).fetchone()
        if row and row[1] != accounts.FACILITATOR:
            raise AccountError("That email belongs to a leader's account; a facilitator needs an account of their own.")
        code = None
        if row is None:
            user = accounts.insert_user(db, accounts.check_name(name), email, accounts.FACILITATOR, accounts.INVITED)
            code = invite(db, actor.id, user.id, now=now)
            user_id = user.id
        else:
            user_id = row[0]
        cohorts.add_facilitator(db, cohort_id, user_id)
        audit.record(db, actor_id=actor.id, action=audit.FACILITATOR_ADDED, cohort_id=cohort_id,
                     detail=f"{email}{' (new account, invited)' if code else ''}")
    return code


def email_reset_link(db: Database, email: str, *, settings: MailSettings, now: datetime | None = None) -> None:
    """If an account has `email`, email it a link to "Forgot your password?" holding a new reset code (valid for
    :data:`RESET_VALID_FOR`, logged; any earlier unused code of theirs stops working). If none has, do nothing.

    Whoever asks learns nothing either way: an unknown email runs the same queries, the email is sent in the
    background, so the reply does not wait on the SMTP server only for real accounts, and a failure to send is logged
    (reflect.mail), never raised. An account is emailed at most once per :data:`RESET_EMAILS_EVERY`; further asks in
    that time do nothing, so the form cannot flood an inbox. An address that is not an email address at all raises
    :class:`AccountError`, which says nothing about accounts.
    """
    email = accounts.check_email(email)
    now = now or datetime.now(UTC)
    with write_transaction(db):
        row = db.execute("SELECT id, name FROM users WHERE email = ?", [email]).fetchone()
        user_id, name = row or (NO_ACCOUNT, "")
        cohort_id = cohorts.leaders_cohort_id(db, user_id)  # as other account events are logged
        emailed_lately = db.execute(
            "SELECT EXISTS (SELECT 1 FROM audit_log WHERE cohort_id IS ? AND at > ? AND action = ? AND actor_id = ?)",
            [cohort_id, stamp(now - RESET_EMAILS_EVERY), audit.RESET_LINK_SENT, user_id],
        ).fetchone()[0]
        if row is None or emailed_lately:
            return
        db.execute("UPDATE invitations SET expires_at = ? WHERE user_id = ? AND used_at IS NULL AND expires_at > ?",
                   [stamp(now), user_id, stamp(now)])
        code = invite(db, None, user_id, now=now, valid_for=RESET_VALID_FOR)
        audit.record(db, actor_id=user_id, action=audit.RESET_LINK_SENT, cohort_id=cohort_id, detail=email, at=now)
    link = f"{settings.public_url}/forgot_password?{urlencode({'email': email, 'code': code})}"
    mail.send_in_background(settings, to=email, subject="Choose a new password for Reflect", body=(
        f"Hello {name},\n\n"
        "Someone asked to reset the password of your Reflect account. If it was you, open this link and choose a new "
        f"password:\n\n{link}\n\n"
        "The link works once, for two days. If you did not ask for it, ignore this email: your password stays as it "
        "is.\n\n"
        "If the link does not open, choose “Forgot your password?” under Sign in at "
        f"{settings.public_url} and type your email and this reset code: {code}\n"
    ))
