"""Signing in with a school account, in Chromium against the real server and a real OpenID Connect provider on
localhost (tests/oidc_provider.py): Streamlit's st.login, its /oauth2callback and Authlib do the whole flow, and
Reflect signs in only a verified email that an account already has, with a session of its own."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from reflect.devtools.live_server import Server, free_port, start_server, stop_server
from reflect.storage.db import open_db

from ..oidc_provider import Provider, running_provider
from .conftest import fran_north_and_lee
from .helpers import click, goto, settled
from .test_sessions import COOKIE, cookie_dropped, expect_sign_in, session_cookie

BUTTON = "Sign in with your school account"


def write_secrets(path: Path, port: int, provider: Provider) -> None:
    """The ``[auth]`` secrets a school would set, in a file of the test's own (never in the checkout)."""
    path.write_text(f"""[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "{secrets.token_urlsafe(32)}"

[auth.school]
client_id = "{provider.client_id}"
client_secret = "{provider.client_secret}"
server_metadata_url = "{provider.metadata_url}"
""")


@pytest.fixture(scope="module")
def school(tmp_path_factory) -> Iterator[tuple[Server, Provider]]:
    """Fran, North and Lee (lee@x.org) on a server whose secrets name a provider started for it; shared by this
    module's tests, each in a browser of its own, as none makes or changes an account."""
    folder = tmp_path_factory.mktemp("school")
    port = free_port()
    with running_provider(f"http://127.0.0.1:{port}/oauth2callback") as provider:
        write_secrets(folder / "secrets.toml", port, provider)
        fran_north_and_lee(folder / "reflect.db")
        server = start_server(folder / "reflect.db", folder / "streamlit.log", port=port,
                              options=["--secrets.files", str(folder / "secrets.toml")])
        try:
            yield server, provider
        finally:
            stop_server(server)


def sign_in_at_school(page: Page, server: Server, provider: Provider, email: str, *, verified: bool = True) -> None:
    """Choose the school button, sign in at the provider as `email`, and come back to Reflect."""
    page.get_by_role("button", name=BUTTON, exact=True).click()
    page.wait_for_url(re.compile(re.escape(provider.issuer) + r"/authorize\?"))
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Email verified", exact=True).set_checked(verified)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(re.escape(server.url) + r"/(\?.*)?$"))  # Streamlit's callback sends people home
    settled(page)


def streamlit_identity_dropped(page: Page) -> bool:
    """True once the browser holds none of Streamlit's identity cookies (waiting up to 10 s)."""
    for _ in range(100):
        if not any(c["name"].startswith("_streamlit_user") for c in page.context.cookies()):
            return True
        page.wait_for_timeout(100)
    return False


def expect_signed_in_as_lee(page: Page) -> None:
    expect(page.get_by_role("heading", name="Welcome, Lee")).to_be_visible()
    expect(page.get_by_text("Signed in as Lee (leader)")).to_be_visible()


def test_a_leader_signs_in_with_their_school_account_and_signing_out_of_reflect_is_final(school, page):
    server, provider = school
    goto(page, server.url + "/checklist")  # a link to a page, signed out
    expect_sign_in(page)
    sign_in_at_school(page, server, provider, "lee@x.org")
    expect_signed_in_as_lee(page)  # on Home: Streamlit's callback always returns to the app's first page
    assert provider.id_tokens_issued[-1]["email_verified"] is True
    cookie = session_cookie(page)  # Reflect's own session, as after a password
    assert cookie["httpOnly"]
    assert streamlit_identity_dropped(page)  # Reflect's session is the only sign-in now

    # Signing out straight away, in the tab whose Streamlit session still holds the identity in memory.
    click(page, "Sign out")
    expect_sign_in(page)
    assert cookie_dropped(page)
    page.get_by_role("link", name="Join a cohort").click()  # another run of the same tab
    settled(page)
    expect(page.get_by_text("Signed in as Lee")).to_have_count(0)

    goto(page, server.url)
    sign_in_at_school(page, server, provider, "lee@x.org")
    expect_signed_in_as_lee(page)
    session_cookie(page)
    assert streamlit_identity_dropped(page)
    page.reload()  # a new Streamlit session: Reflect's cookie signs Lee in
    settled(page)
    expect_signed_in_as_lee(page)
    page.get_by_role("link", name="Skills checklist").click()
    settled(page)
    expect(page.get_by_role("heading", name="Skills checklist")).to_be_visible()

    click(page, "Sign out")
    expect_sign_in(page)
    assert cookie_dropped(page)
    page.reload()
    settled(page)
    expect_sign_in(page)  # not signed in again by any identity the browser kept
    expect(page.get_by_text("Signed in as Lee")).to_have_count(0)


def users(server: Server) -> list[str]:
    db = open_db(server.db_path, migrate=False)
    try:
        return [row[0] for row in db.execute("SELECT email FROM users ORDER BY email").fetchall()]
    finally:
        db.close()


@pytest.mark.parametrize(("email", "verified", "why"), [
    ("stranger@x.org", True, "No Reflect account uses the email of your school account. Ask your facilitator to "
                             "invite you, or sign in with your password."),
    ("lee@x.org", False, "Your school account has not confirmed that this is your email address, so Reflect cannot "
                         "sign you in with it. Sign in with your password instead."),
], ids=["unknown email", "unverified email"])
def test_a_school_account_without_a_verified_email_of_an_account_is_refused(school, page, email, verified, why):
    server, provider = school
    goto(page, server.url)
    sign_in_at_school(page, server, provider, email, verified=verified)
    expect(page.get_by_text(why)).to_be_visible()
    expect(page.get_by_text(f"Your school account's email: {email}")).to_be_visible()
    expect_sign_in(page)
    expect(page.get_by_text("Signed in as")).to_have_count(0)
    assert streamlit_identity_dropped(page)
    assert not any(c["name"] == COOKIE for c in page.context.cookies())
    assert users(server) == ["fran@x.org", "lee@x.org"]  # nothing made

    page.reload()
    settled(page)
    expect_sign_in(page)
    expect(page.get_by_text(why)).to_have_count(0)  # the identity is gone, not refused again
