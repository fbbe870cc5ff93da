"""Reset codes: a facilitator of a person's cohort gives them a one-time code to choose a new password with, or,
when Reflect can send email, the person asks for one to be emailed to them (to a real SMTP server, aiosmtpd)."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from reflect import mail
from reflect.devtools.live_server import free_port
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


def emailed(db, inbox, email, *, settings=None, now=None):
    """Ask for a reset link for `email`, wait until whatever is sent has arrived, and return every email so far."""
    invitations.email_reset_link(db, email, settings=settings or inbox.settings(), now=now)
    mail.wait_until_sent()
    return inbox.delivered


def code_in(delivered):
    """The email and code of the link in an emailed message, after checking it is a link to Forgot your password?."""
    [link] = re.findall(r"\S+/forgot_password\?\S+", delivered.message.get_content())
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://reflect.example.org/forgot_password"
    query = parse_qs(parts.query)
    return query["email"][0], query["code"][0]


def test_an_emailed_link_holds_a_code_that_works_once(world, smtp_server):
    db, _, _, _, lee, _ = world
    [delivered] = emailed(db, smtp_server, "  Leader1@School.org.uk ")  # typed any which way
    assert delivered.to == [lee.email] and delivered.message["To"] == lee.email
    assert delivered.message["From"] == "reflect@example.org"
    body = delivered.message.get_content()
    assert "works once, for two days" in body and "did not ask for it, ignore this email" in body
    email, code = code_in(delivered)
    assert email == lee.email and code in body  # the code is also there to type, should the link not open
    assert invitations.accept(db, email=email, code=code, password=NEW).id == lee.id
    assert accounts.sign_in(db, lee.email, NEW).id == lee.id
    with pytest.raises(AccountError, match="already been used"):
        invitations.accept(db, email=email, code=code, password="yet another passphrase")


def test_an_email_with_no_account_gets_nothing_and_nothing_is_kept(world, smtp_server):
    db = world[0]
    assert emailed(db, smtp_server, "nobody@school.org.uk") == []
    assert db.execute("SELECT COUNT(*) FROM invitations").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM audit_log WHERE action = ?", [audit.RESET_LINK_SENT]).fetchone()[0] == 0


def test_an_account_is_emailed_once_in_ten_minutes_however_often_it_is_asked(world, smtp_server):
    db, _, _, _, lee, _ = world
    asked = datetime.now(UTC)
    for minutes in (0, 1, 9):
        emailed(db, smtp_server, lee.email, now=asked + timedelta(minutes=minutes))
    [first] = smtp_server.delivered
    [_, second] = emailed(db, smtp_server, lee.email, now=asked + timedelta(minutes=11))
    with pytest.raises(AccountError, match="expired"):  # a new link ends the last, as a new reset code does
        invitations.accept(db, email=lee.email, code=code_in(first)[1], password=NEW,
                           now=asked + timedelta(minutes=12))
    assert invitations.accept(db, email=lee.email, code=code_in(second)[1], password=NEW,
                              now=asked + timedelta(minutes=12)).id == lee.id


def test_an_emailed_link_is_in_the_audit_log_for_the_cohorts_facilitators(world, smtp_server):
    db, fran, _, north, lee, _ = world
    emailed(db, smtp_server, lee.email)
    logged = db.execute("SELECT actor_id, action, cohort_id, detail FROM audit_log WHERE action = ?",
                        [audit.RESET_LINK_SENT]).fetchall()
    assert logged == [(lee.id, audit.RESET_LINK_SENT, north.id, lee.email)]
    log = audit.for_facilitator(db, fran)
    assert ("Leader 1", audit.RESET_LINK_SENT) in set(zip(log["Who"], log["What"], strict=True))


def test_an_smtp_server_that_cannot_be_reached_is_logged_not_raised(world, smtp_server, caplog):
    db, _, _, _, lee, _ = world
    unreachable = smtp_server.settings(port=free_port())  # nothing listens there
    with caplog.at_level(logging.ERROR, logger="reflect.mail"):
        assert emailed(db, smtp_server, lee.email, settings=unreachable) == []
    assert [record.getMessage() for record in caplog.records] == [
        f"Could not send the email 'Choose a new password for Reflect' to {lee.email} through 127.0.0.1:"
        f"{unreachable.port}"]
    assert caplog.records[0].exc_info[0] is ConnectionRefusedError


def test_something_that_is_not_an_email_address_is_told_so(world, smtp_server):
    with pytest.raises(AccountError, match="Enter an email address"):
        emailed(world[0], smtp_server, "leader1")
    assert smtp_server.delivered == []
