"""A leader who forgot their password, in Chromium: their facilitator makes a reset code on the Cohorts page, and
the leader uses it from "Forgot your password?" on the sign-in screen (issue 11)."""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from reflect.devtools.live_server import start_server, stop_server
from reflect.domain import accounts, cohorts
from reflect.storage.db import open_db

from .helpers import PASSWORD, click, fill, goto, settled, sign_in, sign_out
from .test_real_server import choose

NEW = "a brand new passphrase"
CODE = re.compile(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}")


@pytest.fixture
def cohort_server(tmp_path):
    db = open_db(tmp_path / "reflect.db")
    fran = accounts.create_first_facilitator(db, name="Fran", email="fran@x.org", password=PASSWORD)
    north = cohorts.create_cohort(db, fran.id, "North")
    accounts.register_leader(db, join_code=north.join_code, name="Lee", email="lee@x.org", password=PASSWORD)
    db.close()
    running = start_server(tmp_path / "reflect.db", tmp_path / "streamlit.log")
    yield running
    stop_server(running)


def test_a_reset_code_from_the_facilitator_lets_a_leader_choose_a_new_password(cohort_server, page):
    goto(page, cohort_server.url)
    sign_in(page, "fran@x.org")
    page.get_by_role("link", name="Cohorts", exact=True).click()
    settled(page)
    page.get_by_role("tab", name="Forgotten passwords").click()
    choose(page, "Person", "Lee · lee@x.org")
    click(page, "Make a reset code")
    message = page.get_by_text("Give them this reset code")
    expect(message).to_be_visible()
    code = CODE.search(message.inner_text()).group(0)
    sign_out(page)

    page.get_by_test_id("stMain").get_by_role("link", name="Forgot your password?").click()  # under Sign in
    settled(page)
    expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()
    fill(page, "Email", "lee@x.org")
    fill(page, "Reset code", code.lower().replace("-", ""))  # typed any which way, as codes may be
    fill(page, "Choose a password", NEW)
    fill(page, "Type the password again", NEW)
    click(page, "Set my new password and sign in")
    expect(page.get_by_role("heading", name="Welcome, Lee")).to_be_visible()

    sign_out(page)
    sign_in(page, "lee@x.org")  # the old password
    expect(page.get_by_text("do not match")).to_be_visible()
    sign_in(page, "lee@x.org", NEW)
    expect(page.get_by_role("heading", name="Welcome, Lee")).to_be_visible()


def test_a_lock_out_is_told_in_the_leaders_own_time_zone(cohort_server, browser):
    context = browser.new_context(timezone_id="America/New_York")
    try:
        page = context.new_page()
        goto(page, cohort_server.url)
        for _ in range(accounts.FAILURES_BEFORE_LOCK):
            sign_in(page, "lee@x.org", "a wrong guess entirely")
        with sqlite3.connect(cohort_server.db_path) as db:
            until = db.execute("SELECT locked_until FROM users WHERE email = 'lee@x.org'").fetchone()[0]
        local = datetime.fromisoformat(until).astimezone(ZoneInfo("America/New_York"))
        expect(page.get_by_text(f"locked until {local:%H:%M} {local.tzname()}")).to_be_visible()
    finally:
        context.close()
