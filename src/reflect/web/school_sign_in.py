"""Signing in with a school's identity provider (OpenID Connect, through Streamlit's ``st.login``) beside passwords,
when the ``[auth]`` secrets configure one.

Streamlit does the OpenID Connect part: ``st.login`` sends the person to the provider, and Streamlit's
``/oauth2callback`` checks the ID token it is given back (signature, issuer, audience, expiry, nonce) and keeps its
claims in a signed cookie that ``st.user`` reads. Reflect decides whose account that is
(reflect.domain.accounts.verified_email and user_for_verified_email) and starts its own session, so signing out,
password resets and the session limits work as they do after a password.

Streamlit's identity is then spent, so that Reflect's session is the only sign-in: the cookie routes drop its cookie
(reflect.web.routes), and the tab remembers that it has used the copy Streamlit keeps in memory. ``st.logout`` would
drop both too, but it also sends the person to the provider's own sign-out when the provider has one (Microsoft
does), which would sign them out of their school account everywhere.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Mapping

import streamlit as st
from sqlite_utils import Database

from reflect import settings
from reflect.domain import accounts
from reflect.domain.accounts import AccountError, User
from reflect.storage.db import DatabaseUnavailable
from reflect.web import context
from reflect.web.show import plain

PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
REFUSED_KEY = "school_sign_in_refused"  # (why, the email the provider gave) until the sign-in form shows it


@functools.cache
def _log_once(problem: str) -> None:
    logging.getLogger(__name__).error("Reflect offers no school sign-in: %s", problem)


def provider() -> str | None:
    """The provider ``st.login`` uses: "default" when ``[auth]`` itself names one, else the first ``[auth.<name>]``
    that does; None when the secrets configure none, and then Reflect offers passwords only."""
    if not st.secrets.load_if_toml_exists():
        return None
    auth = st.secrets.get("auth")
    if not isinstance(auth, Mapping):
        return None
    if not (auth.get("redirect_uri") and auth.get("cookie_secret")):
        _log_once("[auth] in the secrets needs redirect_uri and cookie_secret.")
        return None
    if all(auth.get(key) for key in PROVIDER_KEYS):
        return "default"
    for name, section in auth.items():
        if isinstance(section, Mapping) and all(section.get(key) for key in PROVIDER_KEYS):
            return name
    _log_once(f"[auth] in the secrets names no provider with {', '.join(PROVIDER_KEYS)}.")
    return None


def sign_in_with_school_identity(db: Database, user: User | None) -> User | None:
    """Called by the router with whoever is signed in (`user`); returns who is signed in now.

    On the run after the provider sends someone back, sign in the account their verified email names. Anyone else
    is refused (the sign-in form says why) and nothing is made. Either way the identity is spent, and so is one
    this tab holds while already signed in: the browser drops Streamlit's cookie, and this tab never uses the copy
    Streamlit keeps in memory again, so signing out of Reflect is never undone by it.
    """
    if st.session_state.get(context.SCHOOL_IDENTITY_USED_KEY) or not st.user.get("is_logged_in") or not provider():
        return user
    st.session_state[context.SCHOOL_IDENTITY_USED_KEY] = True  # kept when the tab's state is cleared (context)
    if user is not None:
        return user
    claims = st.user.to_dict()
    try:
        email = accounts.verified_email(claims, trust_provider=settings.trust_school_emails())
        user = accounts.user_for_verified_email(db, email)
    except (AccountError, DatabaseUnavailable) as error:
        given = claims.get("email")
        st.session_state[REFUSED_KEY] = (str(error), given if isinstance(given, str) else None)
        st.session_state[context.FORGET_KEY] = uuid.uuid4().hex  # /session/end drops Streamlit's cookie too
        return None
    context.sign_in(db, user)  # the browser's trade of its ticket for Reflect's cookie drops Streamlit's
    return user


def offer() -> None:
    """Above a sign-in form: why the last school sign-in was refused, if it was, and the button, if configured."""
    refused = st.session_state.pop(REFUSED_KEY, None)
    if refused:
        why, email = refused
        st.error(why)
        if email:
            plain(f"Your school account's email: {email}")  # as plain text: alerts render Markdown
    name = provider()
    if name and st.button("Sign in with your school account", icon=":material/school:", key="school_sign_in"):
        st.login(name)
