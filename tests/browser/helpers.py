"""Steps a person takes in Reflect, written once for the browser tests."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page, expect

from reflect.domain import sessions
from reflect.storage.db import open_db

from ..cohort_data import PASSWORD

# The status under a draft field once its answer is saved: "Saved 25 Nov, 14:32:05 GMT".
SAVED_STATUS = re.compile(r"Saved \d{2} \w{3}, \d{2}:\d{2}:\d{2}")


# The script has finished its run, and every element it sent is drawn. Streamlit loads an element's code the first
# time the page needs it and shows a placeholder (stSkeleton) meanwhile; the element then takes its own height and
# moves what is below it, so a click aimed before then can land on something else.
_DRAWN = """() => document.querySelector('[data-testid="stApp"][data-test-script-state="notRunning"]') !== null
                 && document.querySelector('[data-testid="stSkeleton"]') === null"""


def settled(page: Page) -> None:
    """Wait until Streamlit has finished running the script for what is on screen, and has drawn all of it."""
    page.wait_for_function(_DRAWN, timeout=30_000)
    page.wait_for_timeout(150)
    page.wait_for_function(_DRAWN, timeout=30_000)


def wait_for_the_run_to_end(page: Page, quiet_ms: int = 1000) -> None:
    """Wait until the script has not been running for `quiet_ms`: after ``st.rerun()`` a second run follows the
    first, and on a busy machine the gap between them can outlast :func:`settled`'s pause."""
    for _ in range(60):
        settled(page)
        page.wait_for_timeout(quiet_ms)
        if page.evaluate(_DRAWN):
            return
    raise AssertionError("the page kept running")


def shown(page: Page, text: str):
    """`text` as the page shows it, not as a text box holds it. A box's text content is what it held when it was
    drawn, which can be a message just sent: a run that adds the message above the box draws the box anew while the
    browser still holds the text, and then empties it."""
    return page.get_by_text(text, exact=True).and_(page.locator(":not(textarea)"))


def goto(page: Page, url: str) -> None:
    page.goto(url)
    settled(page)


def fill(page: Page, label: str, value: str, *, nth: int = 0) -> None:
    page.get_by_label(label, exact=True).nth(nth).fill(value)


def click(page: Page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    settled(page)


def set_up_facilitator(page: Page, base_url: str, email: str = "fran@trust.org.uk") -> None:
    goto(page, base_url)
    expect(page.get_by_role("heading", name="Set up Reflect")).to_be_visible()
    fill(page, "Your name", "Fran Facilitator")
    fill(page, "Email", email)
    fill(page, "Choose a password", PASSWORD)
    fill(page, "Type the password again", PASSWORD)
    click(page, "Create facilitator account")
    expect(page.get_by_role("heading", name="Cohort dashboard")).to_be_visible()
    expect(page.get_by_text("You have no cohorts yet")).to_be_visible()


def create_cohort(page: Page, name: str) -> str:
    """Create a cohort on the Cohorts page and return its join code as shown."""
    page.get_by_role("link", name="Cohorts", exact=True).click()
    settled(page)
    fill(page, "New cohort name", name)
    click(page, "Create cohort")
    message = page.get_by_text("Leaders join with the code")
    expect(message).to_be_visible()
    return message.inner_text().rsplit(" ", 1)[-1].rstrip(".")


def sign_out(page: Page) -> None:
    click(page, "Sign out")


def register_leader(page: Page, base_url: str, join_code: str, name: str, email: str) -> None:
    goto(page, base_url + "/register")
    fill(page, "Join code", join_code)
    fill(page, "Your name", name)
    fill(page, "Email", email)
    fill(page, "Choose a password", PASSWORD)
    fill(page, "Type the password again", PASSWORD)
    click(page, "Create my account")
    expect(page.get_by_role("heading", name=f"Welcome, {name}")).to_be_visible()


def set_password_with_code(page: Page, *, code_label: str, email: str, code: str, password: str = PASSWORD,
                           button: str = "Set my password and sign in") -> None:
    """On Use an invitation or Forgot your password?: the email, the one-time code and a new password, twice."""
    fill(page, "Email", email)
    fill(page, code_label, code)
    fill(page, "Choose a password", password)
    fill(page, "Type the password again", password)
    click(page, button)


def signed_in_context(browser: Browser, url: str, db_path: Path, email: str, **options) -> BrowserContext:
    """A new browser context holding the session cookie `email` would have a moment after signing in: for tests
    about what comes after, where signing in through the form is only the way there (its own tests drive it)."""
    db = open_db(db_path)
    try:
        [user_id] = db.execute("SELECT id FROM users WHERE email = ?", [email]).fetchone()
        _, ticket = sessions.start(db, user_id)
        token = sessions.trade_ticket(db, ticket)
    finally:
        db.close()
    context = browser.new_context(**options)
    context.add_cookies([{"name": sessions.COOKIE, "value": token, "url": url, "httpOnly": True, "sameSite": "Lax"}])
    return context


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    fill(page, "Email", email)
    fill(page, "Password", password)
    click(page, "Sign in")


def write_answer(page: Page, set_title: str, question: str, text: str) -> None:
    """On the Reflect page, type an answer to one question of a set and leave the box, which saves it as a draft."""
    page.get_by_role("link", name="Reflect", exact=True).click()
    settled(page)
    page.get_by_role("tab", name=set_title).click()
    box = page.get_by_label(question, exact=True)
    statuses = page.get_by_text(SAVED_STATUS)
    before = statuses.all_inner_texts()
    box.fill(text)
    box.blur()
    settled(page)
    # Done when a field's "Saved …" status is new: a busy machine can take longer than any fixed wait.
    for _ in range(200):
        if statuses.all_inner_texts() != before:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"no new “Saved” status after writing an answer to {question!r}")
