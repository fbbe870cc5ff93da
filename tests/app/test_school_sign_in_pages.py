"""Signing in with a school account, through AppTest: the button is offered only when the secrets configure a
provider, and the router uses the identity Streamlit holds (st.user, seeded here as AppTest allows) once. The whole
flow against a real provider is in tests/browser/test_school_sign_in.py."""

from __future__ import annotations

import time

import pytest

from reflect.web import school_sign_in
from reflect.web.context import SCHOOL_IDENTITY_USED_KEY

from .conftest import app_as, shown_text, signed_in_app

BUTTON = "Sign in with your school account"
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "a long random cookie secret"}
PROVIDER = {"client_id": "reflect", "client_secret": "a client secret",
            "server_metadata_url": "https://login.school.example/.well-known/openid-configuration"}


def sign_in_screen(secrets: dict | None = None, user: dict | None = None):
    """The app after one run, signed out, with these secrets and this identity held by Streamlit."""
    at = signed_in_app(None)
    at.secrets = secrets or {}  # replaces the secrets files, unless empty
    if user is not None:
        at.user = user
    return app_as(None, at=at)


def identity(**claims) -> dict:
    """What Streamlit holds after a sign-in at the provider just now; a claim given as None is left out."""
    held = {"is_logged_in": True, "email": "lee@school.org.uk", "email_verified": True, "iat": int(time.time()),
            **claims}
    return {name: value for name, value in held.items() if value is not None}


@pytest.mark.parametrize(("secrets", "offered"), [
    ({"other": {"key": "value"}}, False),  # secrets, but no [auth] (and not the checkout's own, if it has one)
    ({"auth": {**AUTH, "school": PROVIDER}}, True),  # a named provider, [auth.school]
    ({"auth": {**AUTH, **PROVIDER}}, True),  # the provider in [auth] itself
    ({"auth": {**AUTH, "school": {"client_id": "reflect"}}}, False),  # incomplete: passwords only, and logged
], ids=["no auth", "named provider", "default provider", "incomplete"])
def test_the_school_button_is_offered_only_when_the_secrets_configure_a_provider(people, secrets, offered, caplog):
    school_sign_in._log_once.cache_clear()
    at = sign_in_screen(secrets)
    assert not at.exception, at.exception
    assert (BUTTON in [button.label for button in at.button]) == offered
    assert "Sign in" in [button.label for button in at.button], "the password form is there either way"
    if "auth" in secrets and not offered:
        assert "Reflect offers no school sign-in" in caplog.text


def test_the_identity_signs_in_its_account_once_and_signing_out_is_not_undone_by_it(people):
    at = sign_in_screen({"auth": {**AUTH, "school": PROVIDER}}, identity())
    assert "Welcome, Lee" in shown_text(at)
    assert at.session_state[SCHOOL_IDENTITY_USED_KEY]
    at.button(key="sign_out").click().run()  # Streamlit still holds the identity in this tab's memory
    assert [title.value for title in at.title] == ["Sign in to Reflect"]
    at.run()
    assert [title.value for title in at.title] == ["Sign in to Reflect"]


@pytest.mark.parametrize(("claims", "why"), [
    ({"email": "stranger@school.org.uk"}, "No Reflect account uses the email of your school account."),
    ({"email_verified": False}, "has not confirmed that this is your email address"),
    ({"email_verified": None}, "has not confirmed that this is your email address"),
    ({"iat": int(time.time()) - 600}, "That school sign-in is more than a few minutes old."),
], ids=["unknown", "unverified", "not said", "old"])
def test_an_identity_that_names_no_account_is_refused_and_not_used_again(people, claims, why):
    at = sign_in_screen({"auth": {**AUTH, "school": PROVIDER}}, identity(**claims))
    assert why in at.error[0].value
    assert f"Your school account's email: {claims.get('email', 'lee@school.org.uk')}" in [t.value for t in at.text]
    assert "Signed in as" not in shown_text(at)
    at.run()
    assert not at.error and "Signed in as" not in shown_text(at)


def test_an_installer_may_trust_a_provider_that_does_not_say_whether_an_email_is_verified(people, monkeypatch):
    monkeypatch.setenv("REFLECT_OIDC_TRUST_EMAIL", "1")
    at = sign_in_screen({"auth": {**AUTH, "school": PROVIDER}}, identity(email_verified=None))
    assert "Welcome, Lee" in shown_text(at)
    at = sign_in_screen({"auth": {**AUTH, "school": PROVIDER}}, identity(email_verified=False))
    assert "has not confirmed" in at.error[0].value
