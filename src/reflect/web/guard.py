"""The check at the top of every page, and the forms that sign people in and choose passwords.

``st.navigation`` only decides which pages are listed, so each page checks its reader again with
:func:`require_user` (and the library checks cohort access once more, in reflect.domain.access).
"""

from __future__ import annotations

import logging

import streamlit as st
from sqlite_utils import Database

from reflect import settings
from reflect.domain import accounts, invitations
from reflect.domain.accounts import AccountError, User
from reflect.storage.db import DatabaseUnavailable
from reflect.web import context, school_sign_in
from reflect.web.show import account_error, plain


def require_user(role: str | None = None) -> tuple[Database, User]:
    """Return (db, user) if someone is signed in with `role`; otherwise show sign-in or a refusal and stop.
    An administrator is accepted wherever a facilitator is."""
    db = context.database()
    user = context.current_user(db)
    if user is None:
        st.title("Sign in to Reflect")
        sign_in_form(db)
        forgot_password_link()
        st.stop()
    _sidebar(user)
    if role is not None and not user.is_a(role):
        st.error(f"This page is for {role}s only, and you are signed in as a {user.role}. Choose a page from the menu.")
        st.stop()
    for error in context.question_set_errors():
        st.warning(
            f"The question set in **{error.file}** could not be loaded ({error.field}: {error.why}). "
            "The other question sets work as usual."
        )
    return db, user


def _sidebar(user: User) -> None:
    with st.sidebar:
        plain(f"Signed in as {user.name} ({accounts.ADMINISTRATOR if user.admin else user.role})")
        st.button("Sign out", on_click=context.sign_out, icon=":material/logout:", key="sign_out")


def sign_in_form(db: Database) -> None:
    """Email and password, below the school sign-in button when a school's identity provider is configured."""
    school_sign_in.offer()
    with st.form("sign_in"):
        email = st.text_input("Email", autocomplete="email")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        pressed = st.form_submit_button("Sign in", type="primary")
    if pressed:
        try:
            user = accounts.sign_in(db, email, password)
        except (AccountError, DatabaseUnavailable) as error:
            account_error(error)
        else:
            context.sign_in(db, user)
            st.rerun()


def forgot_password_link() -> None:
    """Under a sign-in form on the router's signed-out pages (it links to one of them)."""
    st.page_link("pages/forgot_password.py", label="Forgot your password?", icon=":material/lock_reset:")


def password_from_code_form(db: Database, *, code_label: str, button: str, email: str = "", code: str = "") -> None:
    """Email, a one-time code (an invitation or a reset code) and a new password: sets it and signs in. `email` and
    `code` fill the first two boxes in (from an emailed reset link), so the person only chooses a password."""
    with st.form("password_from_code"):
        email = st.text_input("Email", value=email, autocomplete="email")
        code = st.text_input(code_label, value=code, autocomplete="one-time-code")
        password, confirm = new_password_inputs()
        pressed = st.form_submit_button(button, type="primary")
    if pressed and passwords_match(password, confirm):
        try:
            user = invitations.accept(db, email=email, code=code, password=password)
        except (AccountError, DatabaseUnavailable) as error:
            st.error(str(error))
        else:
            context.sign_in(db, user)
            st.rerun()


# Shown whatever happened (an account or none, emailed or not, sent or failed), so it tells nobody whether an email
# address has an account.
RESET_LINK_ON_ITS_WAY = ("If that email has a Reflect account, a reset link is on its way. It works once, for two "
                         "days. Check your spam folder if it has not arrived in a few minutes.")


def mail_settings() -> settings.MailSettings | None:
    """The SMTP settings, or None when Reflect sends no email. Settings that cannot be right are logged for whoever
    installed Reflect, and the pages work as if none were set (people can still ask a facilitator for a code)."""
    try:
        return settings.mail_settings()
    except ValueError as error:
        logging.getLogger(__name__).error("Reflect sends no email: %s", error)
        return None


def email_reset_link_form(db: Database, mail: settings.MailSettings) -> None:
    """An email box and a button that emails a reset link to the account with that email, if there is one."""
    with st.form("email_reset_link"):
        email = st.text_input("Email", autocomplete="email")
        pressed = st.form_submit_button("Email me a reset link")
    if pressed:
        try:
            invitations.email_reset_link(db, email, settings=mail)
        except (AccountError, DatabaseUnavailable) as error:  # not an email address, or the database: no account told
            st.error(str(error))
        else:
            st.success(RESET_LINK_ON_ITS_WAY)


def new_password_inputs(label: str = "Choose a password") -> tuple[str, str]:
    """The "choose a password" pair of a sign-up or change form (call inside the form). The hint is a line above the
    box, not a help icon, which would sit between the label and the box in the tab order."""
    st.caption(f"A password needs at least {accounts.MIN_PASSWORD} characters. A few words together is easy to "
               "remember.")
    password = st.text_input(label, type="password", autocomplete="new-password")
    confirm = st.text_input("Type the password again", type="password", autocomplete="new-password")
    return password, confirm


def passwords_match(password: str, confirm: str) -> bool:
    if password != confirm:
        st.error("The two passwords are different. Type the same password in both boxes.")
        return False
    return True


def account_forms(db: Database, user: User) -> None:
    """Change password and change email, each confirmed by the current password. Either signs out the person's other
    browsers (reflect.domain.accounts), in case someone else was using one."""
    st.write("You sign in with this email:")
    plain(user.email)
    left, right = st.columns(2)
    with left, st.form("change_password", clear_on_submit=True):
        st.markdown("**Change my password**")
        current = st.text_input("Current password", type="password", autocomplete="current-password")
        new, confirm = new_password_inputs("New password")
        pressed = st.form_submit_button("Change my password")
    if pressed and passwords_match(new, confirm):
        try:
            accounts.change_password(db, user.id, current=current, new=new, keep_session=context.current_session_id())
        except (AccountError, DatabaseUnavailable) as error:
            account_error(error)
        else:
            st.success("Your password has been changed. Any other browser that was signed in as you is signed out.")
    with right, st.form("change_email", clear_on_submit=True):
        st.markdown("**Change my email**")
        email = st.text_input("New email", autocomplete="email")
        password = st.text_input("Your password, to confirm", type="password", autocomplete="current-password",
                                 key="email_password")
        changed = st.form_submit_button("Change my email")
    if changed:
        try:
            accounts.change_email(db, user.id, password=password, new_email=email,
                                  keep_session=context.current_session_id())
        except (AccountError, DatabaseUnavailable) as error:
            account_error(error)
        else:
            st.session_state["email_changed"] = True
            st.rerun()  # the email shown above, and in every form, is the new one
    if st.session_state.pop("email_changed", False):
        st.success("Your email has been changed: sign in with the new one from now on. Any other browser that was "
                   "signed in as you is signed out.")
