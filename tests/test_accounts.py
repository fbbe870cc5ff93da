"""Passwords under attack: password hashing is never spent on a wrong invitation code."""

from __future__ import annotations

import threading
import time

import pytest

from reflect import accounts, invitations
from reflect.accounts import AccountError
from reflect.db import write_transaction

from .cohort_data import PASSWORD, cohort_with_windows, facilitator, leaders


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
