"""A leader creates their account with their cohort's join code."""

import streamlit as st

from reflect.domain import accounts
from reflect.domain.accounts import AccountError
from reflect.web import context, guard

db = context.database()
st.title("Join your cohort")
if context.current_user(db) is not None:
    st.info("You are already signed in. Sign out first to create another account.")
    st.stop()
st.write("Your facilitator gives you a join code for your cohort, such as **ABCD-2345**.")
with st.form("register"):
    join_code = st.text_input("Join code")
    name = st.text_input("Your name")
    email = st.text_input("Email", autocomplete="email")
    password, confirm = guard.new_password_inputs()
    pressed = st.form_submit_button("Create my account", type="primary")
if pressed and guard.passwords_match(password, confirm):
    try:
        user = accounts.register_leader(db, join_code=join_code, name=name, email=email, password=password)
    except AccountError as error:
        st.error(str(error))
    else:
        context.sign_in(db, user)
        st.rerun()
