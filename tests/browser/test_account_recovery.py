"""A leader who forgot their password, in Chromium: their facilitator makes a reset code on the Cohorts page, and
the leader uses it from "Forgot your password?" on the sign-in screen (issue 11)."""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from reflect.domain import accounts

from .helpers import click, goto, set_password_with_code, settled, sign_in, sign_out
from .test_real_server import choose

NEW = "a brand new passphrase"
CODE = re.compile(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}")


def test_a_reset_code_from_the_facilitator_lets_a_leader_choose_a_new_password(leader_server, page):
    goto(page, leader_server.url)
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
    set_password_with_code(page, code_label="Reset code", email="lee@x.org",
                           code=code.lower().replace("-", ""),  # typed any which way, as codes may be
                           password=NEW, button="Set my new password and sign in")
    expect(page.get_by_role("heading", name="Welcome, Lee")).to_be_visible()

    sign_out(page)
    sign_in(page, "lee@x.org")  # the old password
    expect(page.get_by_text("do not match")).to_be_visible()
    sign_in(page, "lee@x.org", NEW)
    expect(page.get_by_role("heading", name="Welcome, Lee")).to_be_visible()


def test_a_lock_out_is_told_in_the_leaders_own_time_zone(leader_server, browser):
    context = browser.new_context(timezone_id="America/New_York")
    try:
        page = context.new_page()
        goto(page, leader_server.url)
        for _ in range(accounts.FAILURES_BEFORE_LOCK):
            sign_in(page, "lee@x.org", "a wrong guess entirely")
        with sqlite3.connect(leader_server.db_path) as db:
            until = db.execute("SELECT locked_until FROM users WHERE email = 'lee@x.org'").fetchone()[0]
        local = datetime.fromisoformat(until).astimezone(ZoneInfo("America/New_York"))
        expect(page.get_by_text(f"locked until {local:%H:%M} {local.tzname()}")).to_be_visible()
    finally:
        context.close()
