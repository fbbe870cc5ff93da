"""Reset codes: a facilitator of a person's cohort gives them a one-time code to choose a new password with."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from reflect.domain import accounts, audit, cohorts, invitations
from reflect.domain.access import NotYourCohort
from reflect.domain.accounts import AccountError

from .cohort_data import PASSWORD, cohort_with_windows, facilitator, leaders

NEW = "a brand new passphrase"


@pytest.fixture
def world(db):
    fran, olu = facilitator(db), facilitator(db, "olu@trust.org.uk")
    north, south = cohort_with_windows(db, fran), cohort_with_windows(db, olu, "South")
    [lee] = leaders(db, north, 1)
    [sam] = leaders(db, south, 1, prefix="sam")
    return db, fran, olu, north, lee, sam


def lock_out(db, user):
    for _ in range(accounts.FAILURES_BEFORE_LOCK):
        with pytest.raises(AccountError):
            accounts.sign_in(db, user.email, "a wrong guess entirely")
    with pytest.raises(AccountError, match="locked until"):
        accounts.sign_in(db, user.email, PASSWORD)


def test_a_reset_code_sets_a_new_password_once_and_ends_a_lock_out(world):
    db, fran, _, north, lee, _ = world
    lock_out(db, lee)
    code = invitations.make_reset_code(db, fran, north.id, lee.id)
    assert invitations.accept(db, email=lee.email, code=code, password=NEW).id == lee.id
    assert accounts.sign_in(db, lee.email, NEW).id == lee.id
    with pytest.raises(AccountError, match="do not match"):
        accounts.sign_in(db, lee.email, PASSWORD)
    with pytest.raises(AccountError, match="already been used"):
        invitations.accept(db, email=lee.email, code=code, password="yet another passphrase")
    logged = db.execute("SELECT actor_id, action, cohort_id, detail FROM audit_log WHERE action = ?",
                        [audit.RESET_CODE_MADE]).fetchall()
    assert logged == [(fran.id, audit.RESET_CODE_MADE, north.id, lee.email)]


def test_a_new_code_ends_the_last_and_a_code_expires(world):
    db, fran, _, north, lee, _ = world
    made = datetime(2027, 1, 5, 9, tzinfo=UTC)
    first = invitations.make_reset_code(db, fran, north.id, lee.id, now=made)
    second = invitations.make_reset_code(db, fran, north.id, lee.id, now=made + timedelta(minutes=5))
    with pytest.raises(AccountError, match="expired"):
        invitations.accept(db, email=lee.email, code=first, password=NEW, now=made + timedelta(minutes=6))
    with pytest.raises(AccountError, match="expired"):
        invitations.accept(db, email=lee.email, code=second, password=NEW,
                           now=made + timedelta(minutes=5) + invitations.RESET_VALID_FOR)
    assert invitations.accept(db, email=lee.email, code=second, password=NEW, now=made + timedelta(days=1))


def test_only_a_facilitator_of_the_persons_cohort_makes_one(world):
    db, fran, olu, north, lee, sam = world
    with pytest.raises(NotYourCohort):
        invitations.make_reset_code(db, olu, north.id, lee.id)  # another cohort's facilitator
    with pytest.raises(NotYourCohort):
        invitations.make_reset_code(db, lee, north.id, lee.id)  # a leader
    with pytest.raises(AccountError, match="not in this cohort"):
        invitations.make_reset_code(db, fran, north.id, sam.id)  # someone of a cohort Fran does not run
    assert db.execute("SELECT COUNT(*) FROM invitations").fetchone()[0] == 0


def test_a_co_facilitator_of_a_shared_cohort_can_be_given_one(world):
    db, fran, olu, north, _, _ = world
    cohorts.add_facilitator(db, north.id, olu.id)
    db.conn.commit()
    assert {person.email for person in cohorts.people_of(db, fran, north.id)} == {
        "fran@trust.org.uk", "olu@trust.org.uk", "leader1@school.org.uk"}
    code = invitations.make_reset_code(db, fran, north.id, olu.id)
    assert invitations.accept(db, email=olu.email, code=code, password=NEW).id == olu.id


def test_a_lock_out_is_told_in_the_readers_own_time_zone(world):
    db, _, _, _, lee, _ = world
    moment = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)
    for _ in range(accounts.FAILURES_BEFORE_LOCK - 1):
        with pytest.raises(AccountError):
            accounts.sign_in(db, lee.email, "a wrong guess entirely", now=moment)
    with pytest.raises(accounts.AccountLocked) as locked:
        accounts.sign_in(db, lee.email, "a wrong guess entirely", now=moment)
    assert "locked until 09:15 UTC" in str(locked.value)  # the command line and logs: UTC
    assert "locked until 04:15 EST" in locked.value.message_in(ZoneInfo("America/New_York"))
    assert "reset code" in str(locked.value)
