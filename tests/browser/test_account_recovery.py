"""A leader who forgot their password, in Chromium: their facilitator makes a reset code on the Cohorts page, and
the leader uses it from "Forgot your password?" on the sign-in screen (issue 11); or, when Reflect can send email,
the leader asks there for a link, emailed to them through a real SMTP server the test starts (aiosmtpd)."""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from datetime import datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from reflect.devtools.live_server import Server, free_port, start_server, stop_server
from reflect.domain import accounts
from reflect.web.guard import RESET_LINK_ON_ITS_WAY

from .conftest import fran_north_and_lee, join_north
from .helpers import click, fill, goto, set_password_with_code, settled, sign_in, sign_out
from .test_real_server import choose

NEW = "a brand new passphrase"
CODE = re.compile(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}")


def test_a_reset_code_from_the_facilitator_lets_a_leader_choose_a_new_password(north_server, page):
    lee = join_north(north_server, "lee.forgot@x.org")
    goto(page, north_server.url)
    sign_in(page, "fran@x.org")
    page.get_by_role("link", name="Cohorts", exact=True).click()
    settled(page)
    page.get_by_role("tab", name="Forgotten passwords").click()
    choose(page, "Person", f"Lee · {lee}")
    click(page, "Make a reset code")
    message = page.get_by_text("Give them this reset code")
    expect(message).to_be_visible()
    code = CODE.search(message.inner_text()).group(0)
    sign_out(page)

    page.get_by_test_id("stMain").get_by_role("link", name="Forgot your password?").click()  # under Sign in
    settled(page)
    expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()
    set_password_with_code(page, code_label="Reset code", email=lee,
                           code=code.lower().replace("-", ""),  # typed any which way, as codes may be
                           password=NEW, button="Set my new password and sign in")
    expect(page.get_by_role("heading", name="Welcome, Lee")).to_be_visible()

    sign_out(page)
    sign_in(page, lee)  # the old password
    expect(page.get_by_text("do not match")).to_be_visible()
    sign_in(page, lee, NEW)
    expect(page.get_by_role("heading", name="Welcome, Lee")).to_be_visible()


def test_a_lock_out_is_told_in_the_leaders_own_time_zone(north_server, browser):
    lee = join_north(north_server, "lee.locked@x.org")
    context = browser.new_context(timezone_id="America/New_York")
    try:
        page = context.new_page()
        goto(page, north_server.url)
        for _ in range(accounts.FAILURES_BEFORE_LOCK):
            sign_in(page, lee, "a wrong guess entirely")
        with sqlite3.connect(north_server.db_path) as db:
            until = db.execute("SELECT locked_until FROM users WHERE email = ?", [lee]).fetchone()[0]
        local = datetime.fromisoformat(until).astimezone(ZoneInfo("America/New_York"))
        expect(page.get_by_text(f"locked until {local:%H:%M} {local.tzname()}")).to_be_visible()
    finally:
        context.close()


@pytest.fixture
def mail_server(tmp_path, smtp_server) -> Iterator[Server]:
    """As ``leader_server`` (Fran, North and Lee), started with settings that send email to `smtp_server`."""
    fran_north_and_lee(tmp_path / "reflect.db")
    port = free_port()  # known beforehand: the public URL names it
    running = start_server(tmp_path / "reflect.db", tmp_path / "streamlit.log", port=port, env={
        "REFLECT_SMTP_HOST": smtp_server.host, "REFLECT_SMTP_PORT": str(smtp_server.port), "REFLECT_SMTP_TLS": "none",
        "REFLECT_SMTP_FROM": "reflect@x.org", "REFLECT_PUBLIC_URL": f"http://127.0.0.1:{port}",
    })
    yield running
    stop_server(running)


def test_an_emailed_link_fills_in_the_reset_code_and_says_nothing_of_who_has_an_account(mail_server, smtp_server,
                                                                                         page):
    goto(page, mail_server.url)
    page.get_by_test_id("stMain").get_by_role("link", name="Forgot your password?").click()  # under Sign in
    settled(page)
    asking = page.get_by_test_id("stForm").filter(has=page.get_by_role("button", name="Email me a reset link"))
    told = []
    for email in ("nobody@x.org", "lee@x.org"):  # no account first: anything sent for it would arrive before Lee's
        asking.get_by_label("Email", exact=True).fill(email)
        click(page, "Email me a reset link")
        message = page.get_by_text("If that email has a Reflect account")
        expect(message).to_be_visible()
        told.append(message.inner_text())
    assert told == [RESET_LINK_ON_ITS_WAY, RESET_LINK_ON_ITS_WAY]
    [delivered] = smtp_server.wait_for(1)
    time.sleep(1)
    assert len(smtp_server.delivered) == 1 and delivered.to == ["lee@x.org"]

    link = re.search(r"\S+/forgot_password\?\S+", delivered.message.get_content()).group(0)
    assert link.startswith(f"{mail_server.url}/forgot_password?")
    code = parse_qs(urlsplit(link).query)["code"][0]
    goto(page, link)
    expect(page).not_to_have_url(re.compile("code="))  # the code leaves the address bar
    resetting = page.get_by_test_id("stForm").filter(has=page.get_by_label("Reset code", exact=True))
    for _ in ("as opened", "after a rerun"):  # the second time, the address bar no longer has them
        expect(resetting.get_by_label("Email", exact=True)).to_have_value("lee@x.org")
        expect(resetting.get_by_label("Reset code", exact=True)).to_have_value(code)
        fill(page, "Choose a password", NEW)
        fill(page, "Type the password again", "not the same passphrase")
        click(page, "Set my new password and sign in")
        expect(page.get_by_text("The two passwords are different")).to_be_visible()
    fill(page, "Choose a password", NEW)
    fill(page, "Type the password again", NEW)
    click(page, "Set my new password and sign in")
    expect(page.get_by_role("heading", name="Welcome, Lee")).to_be_visible()
