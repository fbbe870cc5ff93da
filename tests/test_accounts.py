"""Passwords under attack: parallel guesses cannot pass the lock-out, replies do not tell whether an account exists,
password hashing is bounded and never spent on a wrong invitation code. And signing in with a school account: only
a fresh, verified email that an account already has gets in."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from reflect.domain import accounts, cohorts, facilitators, invitations
from reflect.domain.accounts import AccountError
from reflect.storage.db import open_db, write_transaction

from .cohort_data import PASSWORD, administrator, cohort_with_windows, facilitator, leaders

GUESSERS = 10


class CountingHasher:
    """The real Argon2 hasher, counting its calls and how many run at once (optionally slowed down)."""

    def __init__(self, delay: float = 0.0):
        self.real, self.delay = accounts._hasher, delay
        self.calls, self.running, self.most_at_once = 0, 0, 0
        self.lock = threading.Lock()

    def _start(self) -> None:
        with self.lock:
            self.calls += 1
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        time.sleep(self.delay)

    def _end(self) -> None:
        with self.lock:
            self.running -= 1

    def hash(self, password):
        self._start()
        try:
            return self.real.hash(password)
        finally:
            self._end()

    def verify(self, password_hash, password):
        self._start()
        try:
            return self.real.verify(password_hash, password)
        finally:
            self._end()

    def check_needs_rehash(self, password_hash):
        return self.real.check_needs_rehash(password_hash)


@pytest.fixture
def hasher(monkeypatch):
    counting = CountingHasher()
    monkeypatch.setattr(accounts, "_hasher", counting)
    return counting


@pytest.fixture
def leader(db):
    cohort = cohort_with_windows(db, facilitator(db))
    [member] = leaders(db, cohort, 1)  # leader1@school.org.uk
    return member


def failures(db, user_id):
    return db.execute("SELECT failed_sign_ins FROM users WHERE id = ?", [user_id]).fetchone()[0]


def all_at_once(tmp_path, attempt) -> list[str]:
    """Run `attempt(db)` in GUESSERS threads, each with its own connection, released together; return the replies."""
    start = threading.Barrier(GUESSERS)

    def one(_):
        db = open_db(tmp_path / "reflect.db")
        try:
            start.wait()
            attempt(db)
            return "signed in"
        except AccountError as error:
            return str(error)
        finally:
            db.close()

    with ThreadPoolExecutor(GUESSERS) as pool:
        return list(pool.map(one, range(GUESSERS)))


def test_parallel_wrong_passwords_cannot_pass_the_lock_out(db, leader, hasher, tmp_path):
    replies = all_at_once(tmp_path, lambda own: accounts.sign_in(own, "leader1@school.org.uk", "a wrong guess!"))
    no_match = [r for r in replies if "do not match" in r]
    locked = [r for r in replies if "locked until" in r]
    assert len(no_match) <= accounts.FAILURES_BEFORE_LOCK, replies
    assert len(no_match) + len(locked) == GUESSERS, replies
    assert failures(db, leader.id) <= accounts.FAILURES_BEFORE_LOCK
    assert hasher.calls <= accounts.FAILURES_BEFORE_LOCK, "a guess refused as locked still ran the slow hash"
    with pytest.raises(AccountError, match="locked until"):
        accounts.sign_in(db, "leader1@school.org.uk", PASSWORD)


def test_the_right_password_resets_the_count_and_a_locked_account_is_refused_unhashed(db, leader, hasher):
    for _ in range(accounts.FAILURES_BEFORE_LOCK - 1):
        with pytest.raises(AccountError, match="do not match"):
            accounts.sign_in(db, "leader1@school.org.uk", "a wrong guess!")
    assert accounts.sign_in(db, "leader1@school.org.uk", PASSWORD) == leader
    assert failures(db, leader.id) == 0
    for _ in range(accounts.FAILURES_BEFORE_LOCK):
        with pytest.raises(AccountError):
            accounts.sign_in(db, "leader1@school.org.uk", "a wrong guess!")
    hashed = hasher.calls
    with pytest.raises(AccountError, match="locked until"):
        accounts.sign_in(db, "leader1@school.org.uk", PASSWORD)
    assert hasher.calls == hashed


def test_no_more_than_a_few_password_hashes_run_at_once(db, leader, monkeypatch, tmp_path):
    slowed = CountingHasher(delay=0.2)
    monkeypatch.setattr(accounts, "_hasher", slowed)
    all_at_once(tmp_path, lambda own: accounts.sign_in(own, "nobody@school.org.uk", "a wrong guess!"))
    assert slowed.calls == GUESSERS
    assert slowed.most_at_once <= accounts.HASHING_AT_ONCE


def test_an_unknown_email_and_an_invited_account_get_the_same_reply_as_a_wrong_password(db, leader, hasher):
    owner = accounts.get_user(db, 1)
    with write_transaction(db):
        invited = accounts.insert_user(db, "Invited", "invited@school.org.uk", accounts.LEADER, accounts.INVITED)
        cohorts.add_leader(db, cohorts.cohort_of_leader(db, leader.id).id, invited.id)
        invitations.invite(db, owner.id, invited.id)
    replies = []
    for email in ("leader1@school.org.uk", "nobody@school.org.uk", "invited@school.org.uk"):
        before = hasher.calls
        with pytest.raises(AccountError) as refused:
            accounts.sign_in(db, email, "a wrong guess!")
        assert hasher.calls == before + 1, f"{email}: no slow check, so the reply comes back sooner"
        replies.append(str(refused.value))
    assert replies == [accounts.NO_MATCH] * 3


def test_a_wrong_password_to_delete_an_account_counts_and_a_locked_account_cannot_delete(db, leader):
    with pytest.raises(AccountError, match="nothing was deleted"):
        accounts.delete_leader(db, leader.id, password="a wrong guess!")
    assert failures(db, leader.id) == 1
    for _ in range(accounts.FAILURES_BEFORE_LOCK - 1):
        with pytest.raises(AccountError):
            accounts.delete_leader(db, leader.id, password="a wrong guess!")
    with pytest.raises(AccountError, match="locked until"):
        accounts.delete_leader(db, leader.id, password=PASSWORD)
    assert accounts.get_user(db, leader.id) == leader
    with pytest.raises(AccountError, match="locked until"):
        accounts.sign_in(db, "leader1@school.org.uk", PASSWORD)


def test_a_wrong_invitation_code_is_refused_before_any_password_hashing(db, leader, hasher):
    owner = accounts.get_user(db, 1)
    with write_transaction(db):
        invited = accounts.insert_user(db, "Invited", "invited@school.org.uk", accounts.LEADER, accounts.INVITED)
        code = invitations.invite(db, owner.id, invited.id)
    with pytest.raises(AccountError, match="does not match"):
        invitations.accept(db, email="invited@school.org.uk", code="ZZZZ-ZZZZ-ZZZZ", password=PASSWORD)
    with pytest.raises(AccountError, match="does not match"):
        invitations.accept(db, email="leader1@school.org.uk", code=code, password=PASSWORD)
    assert hasher.calls == 0
    assert invitations.accept(db, email="invited@school.org.uk", code=code, password=PASSWORD) == invited
    assert hasher.calls == 1
    with pytest.raises(AccountError, match="already been used"):
        invitations.accept(db, email="invited@school.org.uk", code=code, password=PASSWORD)
    assert hasher.calls == 1


def test_reflect_ships_argon2id_at_the_recommended_cost():
    """The suite hashes cheaply (tests/conftest.py); a fresh process hashes as the library recommends (RFC 9106's
    second choice: 64 MiB, 3 passes, 4 lanes)."""
    from argon2 import PasswordHasher

    recommended = PasswordHasher()
    assert (recommended.memory_cost, recommended.time_cost, recommended.parallelism) == (65536, 3, 4)
    code = "from reflect.domain import accounts; print(accounts.hash_new_password('a long enough password'))"
    shipped = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert shipped.startswith("$argon2id$") and shipped.split("$")[3] == "m=65536,t=3,p=4"


def test_a_wrong_or_closed_join_code_is_refused_before_any_password_hashing(db, leader, hasher):
    owner = accounts.get_user(db, 1)
    closed = cohorts.create_cohort(db, owner.id, "Closed")
    cohorts.set_archived(db, owner, closed.id, True)
    with pytest.raises(AccountError, match="not one we know"):
        accounts.register_leader(db, join_code="ZZZZ-ZZZZ", name="New", email="new@school.org.uk", password=PASSWORD)
    with pytest.raises(AccountError, match="has closed"):
        accounts.register_leader(db, join_code=closed.join_code, name="New", email="new@school.org.uk",
                                 password=PASSWORD)
    assert hasher.calls == 0
    open_cohort = cohorts.create_cohort(db, owner.id, "Open")
    accounts.register_leader(db, join_code=open_cohort.join_code, name="New", email="new@school.org.uk",
                             password=PASSWORD)
    assert hasher.calls == 1


NOW = datetime(2027, 1, 5, 9, tzinfo=UTC)


def identity(**claims):
    """What a school's provider says in its ID token (as st.user holds it), issued a moment ago."""
    return {"iss": "https://login.school.example", "sub": "abc", "iat": int(NOW.timestamp()) - 5, **claims}


def test_a_school_identity_vouches_for_an_email_only_if_the_provider_verified_it_just_now():
    assert accounts.verified_email(identity(email=" Lee@X.org ", email_verified=True), now=NOW) == "lee@x.org"
    assert accounts.verified_email(identity(email="lee@x.org", email_verified="true"), now=NOW) == "lee@x.org"
    refusals = {
        "not verified": identity(email="lee@x.org", email_verified=False),
        "not said": identity(email="lee@x.org"),
        "no email": identity(email_verified=True),
        "old": identity(email="lee@x.org", email_verified=True, iat=int((NOW - timedelta(minutes=6)).timestamp())),
        "no time": {"email": "lee@x.org", "email_verified": True},
    }
    reasons = {}
    for case, claims in refusals.items():
        with pytest.raises(AccountError) as refused:
            accounts.verified_email(claims, now=NOW)
        reasons[case] = str(refused.value)
    assert reasons["not verified"] == reasons["not said"] == (
        "Your school account has not confirmed that this is your email address, so Reflect cannot sign you in with "
        "it. Sign in with your password instead.")
    assert "did not tell Reflect your email address" in reasons["no email"]
    assert reasons["old"] == reasons["no time"] == ("That school sign-in is more than a few minutes old. Choose "
                                                    "“Sign in with your school account” again.")


def test_trusting_a_provider_that_sends_no_email_verified_still_refuses_an_email_marked_unverified():
    """Microsoft Entra sends no email_verified: an installer may trust their own tenant's emails (off by default)."""
    assert accounts.verified_email(identity(email="lee@x.org"), trust_provider=True, now=NOW) == "lee@x.org"
    with pytest.raises(AccountError, match="has not confirmed"):
        accounts.verified_email(identity(email="lee@x.org", email_verified=False), trust_provider=True, now=NOW)


def test_a_verified_email_signs_in_the_account_that_has_it_and_nobody_else_gets_one(db, leader):
    assert accounts.user_for_verified_email(db, "Leader1@School.org.uk") == leader
    users = db.execute("SELECT count(*) FROM users").fetchone()[0]
    with pytest.raises(AccountError) as refused:
        accounts.user_for_verified_email(db, "stranger@school.org.uk")
    assert str(refused.value) == ("No Reflect account uses the email of your school account. Ask your facilitator to "
                                  "invite you, or sign in with your password.")
    assert db.execute("SELECT count(*) FROM users").fetchone()[0] == users  # nothing made
    assert accounts.sign_in(db, leader.email, PASSWORD) == leader  # a password works as before


def test_an_invited_account_is_taken_up_by_a_school_sign_in_and_its_invitation_code_stops_working(db):
    admin = administrator(db)
    code = facilitators.invite(db, admin, name="Nia", email="nia@trust.org.uk")
    [nia] = [person for person in facilitators.everyone(db, admin) if person.email == "nia@trust.org.uk"]
    assert nia.invited

    user = accounts.user_for_verified_email(db, "nia@trust.org.uk")
    assert (user.name, user.role) == ("Nia", accounts.FACILITATOR)
    [nia] = [person for person in facilitators.everyone(db, admin) if person.email == "nia@trust.org.uk"]
    assert not nia.invited  # Active on the Facilitators page
    with pytest.raises(AccountError, match="already been used"):  # a code left in an inbox sets no password now
        invitations.accept(db, email="nia@trust.org.uk", code=code, password=PASSWORD)
    with pytest.raises(AccountError) as refused:  # still no password: none matches
        accounts.sign_in(db, "nia@trust.org.uk", accounts.SCHOOL_ACCOUNT)
    assert str(refused.value) == accounts.NO_MATCH
    assert accounts.user_for_verified_email(db, "nia@trust.org.uk") == user  # and again next time


def test_a_school_account_user_can_still_be_given_a_password_with_a_reset_code(db):
    fran = facilitator(db)
    north = cohort_with_windows(db, fran)
    with write_transaction(db):
        invited = accounts.insert_user(db, "Ivy", "ivy@school.org.uk", accounts.LEADER, accounts.INVITED)
        cohorts.add_leader(db, north.id, invited.id)
        invitations.invite(db, fran.id, invited.id)
    accounts.user_for_verified_email(db, "ivy@school.org.uk")
    code = invitations.make_reset_code(db, fran, north.id, invited.id)
    invitations.accept(db, email="ivy@school.org.uk", code=code, password=PASSWORD)
    assert accounts.sign_in(db, "ivy@school.org.uk", PASSWORD) == invited
