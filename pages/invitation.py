"""Someone added by a facilitator sets their password with the one-time code they were given."""

import streamlit as st

from reflect.domain import invitations
from reflect.domain.accounts import AccountError
from reflect.storage.db import DatabaseUnavailable
from reflect.web import context, guard

db = context.database()
st.title("Use an invitation")
if context.current_user(db) is not None:
    st.info("You are already signed in. Sign out first to use an invitation.")
    st.stop()
st.write("Your facilitator gave you an invitation code, such as **ABCD-EFGH-JKMN**. Use it once to choose your "
         "password; after that, sign in with your email and password.")
with st.form("invitation"):
    email = st.text_input("Email", autocomplete="email")
    code = st.text_input("Invitation code")
    password, confirm = guard.new_password_inputs()
    pressed = st.form_submit_button("Set my password and sign in", type="primary")
if pressed and guard.passwords_match(password, confirm):
    try:
        user = invitations.accept(db, email=email, code=code, password=password)
    except (AccountError, DatabaseUnavailable) as error:
        st.error(str(error))
    else:
        context.sign_in(user)
        st.rerun()
