"""Signed-in sessions: a ticket traded once for a cookie's token, and every way a session ends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from reflect.domain import accounts, invitations, sessions
from reflect.domain.accounts import AccountError

from .cohort_data import PASSWORD, cohort_with_windows, facilitator, leaders

NEW = "a brand new passphrase"


@pytest.fixture
def world(db):
    fran = facilitator(db)
    north = cohort_with_windows(db, fran)
    [lee] = leaders(db, north, 1)
    return db, fran, north, lee


def signed_in(db, user_id, **when) -> tuple[sessions.Session, str]:
    """A session whose browser has its cookie: (session, token)."""
    session, ticket = sessions.start(db, user_id, **when)
    token = sessions.trade_ticket(db, ticket, **when)
    assert token is not None
    return session, token


def test_a_ticket_is_traded_once_for_a_token_that_finds_the_session(world):
    db, _, _, lee = world
    session, ticket = sessions.start(db, lee.id)
    assert not sessions.has_cookie(db, session.id)
    token = sessions.trade_ticket(db, ticket)
    assert token and token != ticket and sessions.has_cookie(db, session.id)
    assert sessions.trade_ticket(db, ticket) is None  # used up
    assert sessions.find(db, token=token) == session == sessions.find(db, session_id=session.id)
    stored = db.execute("SELECT token_hash, ticket_hash FROM sessions").fetchone()
    assert token not in stored and ticket not in stored  # only a hash of the token is kept; the ticket is gone


def test_a_ticket_not_traded_within_two_minutes_is_refused(world):
    db, _, _, lee = world
    start = datetime(2027, 1, 1, 9, tzinfo=UTC)
    _, ticket = sessions.start(db, lee.id, now=start)
    assert sessions.trade_ticket(db, ticket, now=start + sessions.TICKET_VALID_FOR + timedelta(seconds=1)) is None


def test_a_forged_token_or_an_unknown_session_finds_nobody(world):
    db, _, _, lee = world
    signed_in(db, lee.id)
    assert sessions.find(db, token="forged-by-someone") is None
    assert sessions.find(db, session_id=9999) is None
    assert sessions.find(db) is None


def test_signing_out_ends_the_session_by_its_id_or_its_token(world):
    db, _, _, lee = world
    first, first_token = signed_in(db, lee.id)
    second, second_token = signed_in(db, lee.id)
    sessions.end(db, session_id=first.id)
    assert sessions.find(db, session_id=first.id) is None and sessions.find(db, token=first_token) is None
    sessions.end(db, token=second_token)
    assert sessions.find(db, token=second_token) is None and sessions.find(db, session_id=second.id) is None


def test_a_session_ends_when_unused_too_long_or_too_old(world, monkeypatch):
    db, _, _, lee = world
    monkeypatch.setenv("REFLECT_SESSION_IDLE_DAYS", "2")
    start = datetime(2027, 1, 1, 9, tzinfo=UTC)
    session, token = signed_in(db, lee.id, now=start)
    assert sessions.find(db, token=token, now=start + timedelta(days=1, hours=23)) == session  # used: idle again
    assert sessions.find(db, token=token, now=start + timedelta(days=3, hours=22)) == session
    assert sessions.find(db, token=token, now=start + timedelta(days=5, hours=23)) is None  # two days unused

    monkeypatch.setenv("REFLECT_SESSION_DAYS", "5")
    busy, busy_token = signed_in(db, lee.id, now=start)
    for day in range(1, 5):
        assert sessions.find(db, token=busy_token, now=start + timedelta(days=day)) == busy
    assert sessions.find(db, token=busy_token, now=start + timedelta(days=5, seconds=1)) is None  # lifetime over


def test_reading_a_page_writes_last_seen_at_most_every_five_minutes(world):
    db, _, _, lee = world
    start = datetime(2027, 1, 1, 9, tzinfo=UTC)
    session, _ = signed_in(db, lee.id, now=start)

    def last_seen():
        return db.execute("SELECT last_seen_at FROM sessions WHERE id = ?", [session.id]).fetchone()[0]

    before = last_seen()
    sessions.find(db, session_id=session.id, now=start + timedelta(minutes=4))
    assert last_seen() == before
    sessions.find(db, session_id=session.id, now=start + timedelta(minutes=6))
    assert last_seen() > before


def test_changing_the_password_signs_out_every_other_browser(world):
    db, _, _, lee = world
    here, _ = signed_in(db, lee.id)
    elsewhere, elsewhere_token = signed_in(db, lee.id)
    with pytest.raises(AccountError, match="current password is not right"):
        accounts.change_password(db, lee.id, current="not my password at all", new=NEW, keep_session=here.id)
    assert sessions.find(db, token=elsewhere_token) == elsewhere  # nothing changed
    accounts.change_password(db, lee.id, current=PASSWORD, new=NEW, keep_session=here.id)
    assert sessions.find(db, session_id=here.id) == here
    assert sessions.find(db, token=elsewhere_token) is None
    assert accounts.sign_in(db, lee.email, NEW).id == lee.id
    with pytest.raises(AccountError):
        accounts.sign_in(db, lee.email, PASSWORD)


def test_a_new_password_too_short_is_refused_and_the_old_one_still_works(world):
    db, _, _, lee = world
    with pytest.raises(AccountError, match="at least"):
        accounts.change_password(db, lee.id, current=PASSWORD, new="short")
    assert accounts.sign_in(db, lee.email, PASSWORD).id == lee.id


def test_changing_the_email_needs_the_password_and_a_free_address(world):
    db, fran, _, lee = world
    here, _ = signed_in(db, lee.id)
    elsewhere, elsewhere_token = signed_in(db, lee.id)
    with pytest.raises(AccountError, match="already your email"):
        accounts.change_email(db, lee.id, password=PASSWORD, new_email=lee.email.upper())
    with pytest.raises(AccountError, match="already an account"):
        accounts.change_email(db, lee.id, password=PASSWORD, new_email=fran.email)
    with pytest.raises(AccountError, match="current password is not right"):
        accounts.change_email(db, lee.id, password="not my password at all", new_email="lee.new@school.org.uk")
    assert sessions.find(db, token=elsewhere_token) == elsewhere
    assert accounts.change_email(db, lee.id, password=PASSWORD, new_email=" Lee.New@School.org.uk ",
                                 keep_session=here.id) == "lee.new@school.org.uk"
    assert accounts.sign_in(db, "lee.new@school.org.uk", PASSWORD).id == lee.id
    assert sessions.find(db, token=elsewhere_token) is None and sessions.find(db, session_id=here.id) == here


def test_a_reset_code_ends_every_session_when_made_and_when_used(world):
    db, fran, north, lee = world
    _, before_code = signed_in(db, lee.id)
    code = invitations.make_reset_code(db, fran, north.id, lee.id)
    assert sessions.find(db, token=before_code) is None  # a facilitator's reset shuts out whoever is signed in
    _, after_code = signed_in(db, lee.id)  # e.g. someone who still knew the old password
    invitations.accept(db, email=lee.email, code=code, password=NEW)
    assert sessions.find(db, token=after_code) is None


def test_deleting_an_account_deletes_its_sessions(world):
    db, _, _, lee = world
    signed_in(db, lee.id)
    accounts.delete_leader(db, lee.id, password=PASSWORD)
    assert db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 0
