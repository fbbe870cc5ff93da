"""Signed in means signed in, in Chromium against the real server: a refresh, a new tab or a deep link keeps a
person signed in on the same page; signing out, or a facilitator's reset, ends it everywhere; and the cookie routes
refuse what an attacker would try (issue 11)."""

from __future__ import annotations

import re
import sqlite3
import urllib.error
import urllib.request

from playwright.sync_api import Page, expect

from reflect.domain import accounts, cohorts, responses
from reflect.domain.questions import load_question_sets
from reflect.storage.db import open_db

from ..cohort_data import ROOT
from .conftest import join_north
from .helpers import PASSWORD, SAVED_STATUS, click, goto, settled, sign_in, sign_out, wait_for_the_run_to_end
from .test_real_server import choose

COOKIE = "reflect_session"
SETS, _ = load_question_sets(ROOT / "questions")
REFLECTION, THINKPIECE = SETS["personal-reflection"], SETS["thinkpiece-activity"]
NEW = "a brand new passphrase"


def session_cookie(page: Page, *, replacing: str | None = None) -> dict:
    """The sign-in cookie as the browser holds it, once the page has traded its ticket for it (and so replaced the
    cookie whose value was `replacing`)."""
    for _ in range(100):
        cookie = next((c for c in page.context.cookies() if c["name"] == COOKIE), None)
        if cookie and cookie["value"] != replacing:
            return cookie
        page.wait_for_timeout(100)
    raise AssertionError("the browser was not given a new sign-in cookie within 10 s")


def cookie_dropped(page: Page) -> bool:
    """True once the browser no longer holds a sign-in cookie (waiting up to 10 s)."""
    for _ in range(100):
        if not any(c["name"] == COOKIE for c in page.context.cookies()):
            return True
        page.wait_for_timeout(100)
    return False


def signed_in_page(browser, url: str, email: str, path: str = "/") -> Page:
    """A new browser (its own cookies) signed in as `email` on `path`."""
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.context.set_default_timeout(20_000)
    goto(page, url + path)
    sign_in(page, email)
    session_cookie(page)
    return page


def expect_sign_in(page: Page) -> None:
    expect(page.get_by_role("heading", name="Sign in to Reflect")).to_be_visible()


def post(url: str, *, origin: str | None, body: bytes = b"", cookie: str | None = None) -> tuple[int, str | None]:
    """POST as any HTTP client could, with the `Origin` a browser would send from the page that made it; return
    the status and any Set-Cookie header."""
    headers = {"Content-Type": "text/plain"}
    if origin:
        headers["Origin"] = origin
    if cookie:
        headers["Cookie"] = f"{COOKIE}={cookie}"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.headers.get("Set-Cookie")
    except urllib.error.HTTPError as refused:
        return refused.code, refused.headers.get("Set-Cookie")


def test_a_deep_link_a_refresh_and_a_new_tab_keep_a_leader_signed_in_on_the_same_page(north_server, page):
    lee = join_north(north_server, "lee.deep@x.org")
    goto(page, north_server.url + "/checklist")  # a link to a page, signed out: that page's sign-in
    sign_in(page, lee)
    expect(page.get_by_role("heading", name="Skills checklist")).to_be_visible()
    cookie = session_cookie(page)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/"
    assert COOKIE not in page.evaluate("document.cookie")  # no script on the page can read it

    page.reload()
    settled(page)
    expect(page.get_by_role("heading", name="Skills checklist")).to_be_visible()
    expect(page.get_by_text("Signed in as Lee (leader)")).to_be_visible()

    tab = page.context.new_page()
    goto(tab, north_server.url + "/progress")
    expect(tab.get_by_role("heading", name="My progress")).to_be_visible()
    expect(tab.get_by_text("Signed in as Lee (leader)")).to_be_visible()


def test_signing_out_in_one_tab_signs_out_the_other_and_the_old_cookie_opens_nothing(north_server, browser):
    lee = join_north(north_server, "lee.tabs@x.org")
    first = signed_in_page(browser, north_server.url, lee, "/checklist")
    token = session_cookie(first)["value"]
    second = first.context.new_page()
    goto(second, north_server.url + "/progress")
    expect(second.get_by_role("heading", name="My progress")).to_be_visible()

    sign_out(first)
    expect_sign_in(first)
    assert cookie_dropped(first)
    second.get_by_role("link", name="Skills checklist").click()  # its next run
    settled(second)
    expect_sign_in(second)

    for replayed in (token, "forged" + token[6:]):  # the old cookie, and one made up
        other = browser.new_context()
        other.add_cookies([{"name": COOKIE, "value": replayed, "url": north_server.url}])
        page = other.new_page()
        goto(page, north_server.url + "/checklist")
        expect_sign_in(page)
        other.close()
    first.context.close()


def test_a_reset_code_signs_the_leader_out_everywhere(north_server, browser):
    email = join_north(north_server, "lee.reset@x.org")
    lee = signed_in_page(browser, north_server.url, email, "/checklist")
    fran = signed_in_page(browser, north_server.url, "fran@x.org")
    fran.get_by_role("link", name="Cohorts", exact=True).click()
    settled(fran)
    fran.get_by_role("tab", name="Forgotten passwords").click()
    choose(fran, "Person", f"Lee · {email}")
    click(fran, "Make a reset code")
    expect(fran.get_by_text("Give them this reset code")).to_be_visible()

    lee.get_by_role("link", name="My progress").click()
    settled(lee)
    expect_sign_in(lee)
    lee.reload()
    settled(lee)
    expect_sign_in(lee)  # the cookie is dead too
    lee.context.close()
    fran.context.close()


def test_the_cookie_routes_refuse_other_sites_forged_tickets_and_planted_cookies(north_server, browser):
    url = north_server.url
    email = join_north(north_server, "lee.routes@x.org")
    lee = signed_in_page(browser, url, email, "/checklist")
    token = session_cookie(lee)["value"]

    # Another site's page cannot sign Lee out (a cross-site POST), nor trade a ticket, nor make a cookie.
    assert post(url + "/session/end", origin="https://evil.example", cookie=token) == (403, None)
    assert post(url + "/session/end", origin=None, cookie=token) == (403, None)  # no Origin: not from our pages
    assert post(url + "/session", origin="https://evil.example", body=b"anything") == (403, None)
    assert post(url + "/session", origin=url, body=b"a-forged-ticket") == (403, None)
    lee.reload()
    settled(lee)
    expect(lee.get_by_text("Signed in as Lee (leader)")).to_be_visible()  # still signed in

    # Session fixation: a cookie planted before signing in is never the one signed in with.
    planted = browser.new_context()
    planted.add_cookies([{"name": COOKIE, "value": "planted-by-an-attacker", "url": url}])
    page = planted.new_page()
    # An open redirect would send a person elsewhere after signing in; Reflect keeps them on its own page.
    goto(page, url + "/checklist?next=https://evil.example/&redirect=https://evil.example/")
    sign_in(page, email)
    assert session_cookie(page, replacing="planted-by-an-attacker")["value"] != token
    expect(page.get_by_role("heading", name="Skills checklist")).to_be_visible()
    assert page.url.startswith(url + "/checklist")
    lee.context.close()
    planted.close()


def test_a_leader_changes_their_password_and_email_on_my_data_and_their_other_browser_is_signed_out(
        north_server, browser):
    lee = join_north(north_server, "lee.account@x.org")
    here = signed_in_page(browser, north_server.url, lee, "/my_data")
    there = signed_in_page(browser, north_server.url, lee, "/progress")
    expect(here.get_by_role("heading", name="My account", exact=True)).to_be_visible()
    password_form = here.get_by_test_id("stForm").filter(has_text="Change my password")
    password_form.get_by_label("Current password", exact=True).fill("not my password at all")
    password_form.get_by_label("New password", exact=True).fill(NEW)
    password_form.get_by_label("Type the password again", exact=True).fill(NEW)
    click(here, "Change my password")
    expect(here.get_by_text("Your current password is not right, so nothing was changed.")).to_be_visible()
    password_form.get_by_label("Current password", exact=True).fill(PASSWORD)  # the form was emptied: type it all again
    password_form.get_by_label("New password", exact=True).fill(NEW)
    password_form.get_by_label("Type the password again", exact=True).fill(NEW)
    click(here, "Change my password")
    expect(here.get_by_text("Your password has been changed.")).to_be_visible()

    there.get_by_role("link", name="Skills checklist").click()
    settled(there)
    expect_sign_in(there)  # the other browser is signed out
    here.reload()
    settled(here)
    expect(here.get_by_role("heading", name="My account", exact=True)).to_be_visible()  # this one is not

    email_form = here.get_by_test_id("stForm").filter(has_text="Change my email")
    email_form.get_by_label("New email", exact=True).fill("Lee.Lewis@school.org.uk")
    email_form.get_by_label("Your password, to confirm", exact=True).fill(NEW)
    click(here, "Change my email")
    expect(here.get_by_text("Your email has been changed")).to_be_visible()
    expect(here.get_by_text("lee.lewis@school.org.uk", exact=True)).to_be_visible()
    sign_out(here)
    sign_in(here, "lee.lewis@school.org.uk", NEW)
    expect(here.get_by_text("Signed in as Lee (leader)")).to_be_visible()
    here.context.close()
    there.context.close()


# Keeps each websocket the page opens, so that a test can drop the connection as a network blip or a laptop's sleep
# does; Streamlit's page then connects again, carrying the browser's cookies as they are now.
KEEP_SOCKETS = """
const Native = window.WebSocket;
window.__reflectSockets = [];
window.WebSocket = class extends Native {
  constructor(...args) { super(...args); window.__reflectSockets.push(this); }
};
"""


def someone_signs_in_instead(page: Page, url: str, email: str) -> None:
    """In another tab of `page`'s browser: its person signs out and `email` signs in."""
    cookie = session_cookie(page)["value"]
    second = page.context.new_page()
    goto(second, url)
    sign_out(second)
    sign_in(second, email)
    session_cookie(second, replacing=cookie)
    second.close()


def reconnect(page: Page) -> None:
    """Drop `page`'s connection to the server (see KEEP_SOCKETS) and wait until it has connected again."""
    page.evaluate("window.__reflectSockets.forEach((socket) => socket.close())")
    page.wait_for_function("() => window.__reflectSockets.some((socket) => socket.readyState === 1)")
    settled(page)


def left_open_as(north_server, browser, email: str, next_email: str) -> tuple[Page, str]:
    """On a shared computer: `email` leaves a Reflect tab open holding an answer too long to save, signs out in
    another tab, and `next_email` signs in there; then the first tab's connection drops and comes back (the laptop
    slept, the network went), carrying the browser's cookie as it now is; nothing has run since. Return that tab,
    and the text it held."""
    first = signed_in_page(browser, north_server.url, email)
    first.context.add_init_script(KEEP_SOCKETS)
    goto(first, north_server.url + "/reflect")
    first.get_by_role("tab", name=REFLECTION.title).click()
    held = "A private thought. " * 300  # over the 5,000 characters an answer may have: held in the tab, not saved
    box = first.get_by_label(REFLECTION.items[0].text, exact=True)
    box.fill(held)
    box.blur()
    settled(first)
    expect(first.get_by_text("Not saved", exact=False)).to_be_visible()
    someone_signs_in_instead(first, north_server.url, next_email)
    reconnect(first)
    return first, held


def test_a_tab_left_open_by_someone_who_signed_out_shows_the_next_person_nothing_of_theirs(north_server, browser):
    """Ann's tab, once Bo has signed in on the same browser, is Bo's: it shows nothing Ann typed, and saves nothing
    of hers as his."""
    ann, bo = join_north(north_server, "ann.shared@x.org"), join_north(north_server, "bo.shared@x.org")
    first, _ = left_open_as(north_server, browser, ann, bo)
    first.get_by_role("link", name="Reflect", exact=True).click()  # Bo, taking over the tab
    settled(first)
    first.get_by_role("tab", name=REFLECTION.title).click()
    box = first.get_by_label(REFLECTION.items[0].text, exact=True)
    expect(box).to_have_value("")
    expect(first.get_by_text("private thought", exact=False)).to_have_count(0)
    box.fill("Bo's own answer.")
    box.blur()
    expect(first.get_by_text(SAVED_STATUS)).to_have_count(1, timeout=15_000)
    with sqlite3.connect(north_server.db_path) as db:
        drafts = db.execute("SELECT u.email, d.text FROM drafts d JOIN users u ON u.id = d.user_id "
                            "WHERE u.email IN (?, ?) AND d.text IS NOT NULL", [ann, bo]).fetchall()
    assert drafts == [(bo, "Bo's own answer.")]  # the tab is Bo's now, and nothing of Ann's was saved as his
    first.context.close()


def test_a_tab_left_open_by_someone_who_signs_in_again_keeps_what_they_had_typed(north_server, browser):
    """The same person signing in again on that browser finds the tab as they left it, and goes on in it: the
    answer it could not save is still there for them to shorten, and the next answer they write is saved (its save
    comes before any run of the page, and still finds them signed in)."""
    ann = join_north(north_server, "ann.again@x.org")
    db = open_db(north_server.db_path)
    try:  # an answer saved before: a change to it is saved only by its own save, never filled in by a page run
        [ann_id] = db.execute("SELECT id FROM users WHERE email = ?", [ann]).fetchone()
        responses.save_draft(db, ann_id, REFLECTION, REFLECTION.items[1].id, text="First thoughts.")
    finally:
        db.close()
    first, held = left_open_as(north_server, browser, ann, ann)
    box = first.get_by_label(REFLECTION.items[1].text, exact=True)
    box.fill("Second thoughts, once signed in again.")
    box.blur()
    wait_for_the_run_to_end(first)
    with sqlite3.connect(north_server.db_path) as db:
        drafts = db.execute("SELECT d.item_id, d.text FROM drafts d JOIN users u ON u.id = d.user_id "
                            "WHERE u.email = ? AND d.text IS NOT NULL", [ann]).fetchall()
    assert drafts == [(REFLECTION.items[1].id, "Second thoughts, once signed in again.")]
    first.get_by_role("link", name="Reflect", exact=True).click()
    settled(first)
    first.get_by_role("tab", name=REFLECTION.title).click()
    expect(first.get_by_label(REFLECTION.items[0].text, exact=True)).to_have_value(held)
    expect(first.get_by_text("Not saved", exact=False)).to_be_visible()
    first.context.close()


def test_feedback_a_facilitator_left_unsent_is_not_shown_to_the_next_one_on_that_browser(north_server, browser):
    """A form keeps what its box holds in the browser until it is sent, out of the tab's state on the server: Cat's
    unsent feedback must not greet Dan, her co-facilitator, who signs in on the same browser after her."""
    db = open_db(north_server.db_path)
    try:
        north = db.execute("SELECT id FROM cohorts WHERE name = 'North'").fetchone()[0]
        for name in ("Cat", "Dan"):
            made = accounts.create_facilitator(db, name=name, email=f"{name.lower()}.shared@x.org", password=PASSWORD)
            cohorts.add_facilitator(db, north, made.id)
        leader = accounts.existing_user(db, db.execute("SELECT id FROM users WHERE email = ?", [
            join_north(north_server, "lee.sharing@x.org")]).fetchone()[0])
        for item in THINKPIECE.items:
            responses.save_draft(db, leader.id, THINKPIECE, item.id, text="Shared with my facilitators.")
        responses.submit(db, leader.id, THINKPIECE, "shared-once", share=True)
    finally:
        db.close()
    cat = signed_in_page(browser, north_server.url, "cat.shared@x.org")
    cat.context.add_init_script(KEEP_SOCKETS)
    goto(cat, north_server.url + "/completion")
    cat.get_by_text("Write feedback", exact=True).click()
    box = cat.get_by_label(re.compile("^Your feedback"))
    box.fill("Cat's note, not sent yet.")
    someone_signs_in_instead(cat, north_server.url, "dan.shared@x.org")
    reconnect(cat)
    cat.get_by_role("link", name="Completion and reflections", exact=True).click()  # Dan, taking over the tab
    settled(cat)
    cat.get_by_text("Write feedback", exact=True).click()
    expect(cat.get_by_label(re.compile("^Your feedback"))).to_have_value("")
    cat.context.close()
