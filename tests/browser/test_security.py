"""Attacks through a real server in Chromium: ten browsers guessing a password at the same moment cannot get past
the lock-out, and a roster with a cell too long for the CSV reader gets a message, not a crash."""

from __future__ import annotations

import time

from playwright.sync_api import expect

from .helpers import PASSWORD, create_cohort, fill, goto, set_up_facilitator, settled, sign_in, sign_out
from .test_roster import upload

EMAIL = "fran@trust.org.uk"
GUESSERS = 10
REPLY = '[data-testid="stAlert"]'


def test_ten_browsers_guessing_at_once_get_no_more_than_five_tries(server, browser, page):
    set_up_facilitator(page, server.url, EMAIL)
    sign_out(page)
    contexts = [browser.new_context() for _ in range(GUESSERS)]
    try:
        guessers = [context.new_page() for context in contexts]
        for guesser in guessers:
            guesser.set_default_timeout(60_000)
            goto(guesser, server.url)
            fill(guesser, "Email", EMAIL)
            fill(guesser, "Password", "not the password")
            guesser.get_by_label("Password", exact=True).press("Tab")  # hand the typed value to the form
        # Every page presses Sign in at the same moment by its own clock, rather than one after another from here.
        moment = (time.time() + 2) * 1000
        for guesser in guessers:
            guesser.evaluate("""moment => setTimeout(() => document.querySelector(
                '[data-testid="stFormSubmitButton"] button').click(), moment - Date.now())""", moment)
        replies = []
        for guesser in guessers:
            expect(guesser.locator(REPLY)).to_be_visible(timeout=90_000)
            settled(guesser)
            replies.append(guesser.locator(REPLY).inner_text())
    finally:
        for context in contexts:
            context.close()
    no_match = [reply for reply in replies if "do not match" in reply]
    assert len(no_match) <= 5, replies
    assert len(no_match) + sum("locked until" in reply for reply in replies) == GUESSERS, replies

    goto(page, server.url)
    sign_in(page, EMAIL, PASSWORD)
    expect(page.locator(REPLY)).to_contain_text("locked until")
    expect(page.get_by_role("heading", name="Sign in to Reflect")).to_be_visible()


def test_a_roster_with_a_200000_character_cell_gets_a_message_not_a_crash(server, page, tmp_path):
    set_up_facilitator(page, server.url)
    create_cohort(page, "Spring North")
    page.get_by_role("link", name="Add leaders", exact=True).click()
    settled(page)
    upload(page, tmp_path, b"name,email\nAisha Khan,aisha@x.org\nBob Evans," + b"x" * 200_000 + b"\n")
    expect(page.get_by_text("Nothing has been imported")).to_be_visible()
    problems = page.locator('[data-testid="stDataFrame"]').first
    expect(problems).to_contain_text("longer than 131,072 characters")
    expect(page.get_by_role("button", name="Import 0 leaders")).to_be_disabled()
