"""Someone added by a facilitator sets their password with the one-time code they were given."""

import streamlit as st

from reflect import accounts, invitations, ui
from reflect.accounts import AccountError
from reflect.db import DatabaseUnavailable

db = ui.database()
st.title("Use an invitation")
if ui.current_user(db) is not None:
    st.info("You are already signed in. Sign out first to use an invitation.")
    st.stop()
st.write("Your facilitator gave you an invitation code, such as **ABCD-EFGH-JKMN**. Use it once to choose your "
         "password; after that, sign in with your email and password.")
with st.form("invitation"):
    email = st.text_input("Email", autocomplete="email")
    code = st.text_input("Invitation code")
    password = st.text_input("Choose a password", type="password", autocomplete="new-password",
                             help=f"At least {accounts.MIN_PASSWORD} characters.")
    confirm = st.text_input("Type the password again", type="password", autocomplete="new-password")
    pressed = st.form_submit_button("Set my password and sign in", type="primary")
if pressed:
    if password != confirm:
        st.error("The two passwords are different. Type the same password in both boxes.")
    else:
        try:
            user = invitations.accept(db, email=email, code=code, password=password)
        except (AccountError, DatabaseUnavailable) as error:
            st.error(str(error))
        else:
            ui.sign_in(user)
            st.rerun()
