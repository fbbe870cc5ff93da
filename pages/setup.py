"""First run: create the first facilitator account. Refused once any account exists."""

import streamlit as st

from reflect.domain import accounts
from reflect.domain.accounts import AccountError
from reflect.settings import db_path
from reflect.web import context, guard

db = context.database()
st.title("Set up Reflect")
if accounts.has_any_user(db):
    st.info("Reflect is already set up.")
    if context.current_user(db) is None:
        guard.sign_in_form(db)
    st.stop()
st.write(
    "Welcome. Create the first **facilitator** account. Facilitators create cohorts and give leaders the join code. "
    "This account is also the first **administrator**: it invites further facilitators and sees every cohort."
)
st.caption("Reflect keeps its data in the file below. If you expected existing data here, stop and check the "
           "REFLECT_DB setting before you go on.")
st.code(str(db_path().resolve()), language=None, wrap_lines=True)
with st.form("setup"):
    name = st.text_input("Your name")
    email = st.text_input("Email", autocomplete="email")
    password, confirm = guard.new_password_inputs()
    pressed = st.form_submit_button("Create facilitator account", type="primary")
if pressed and guard.passwords_match(password, confirm):
    try:
        user = accounts.create_first_facilitator(db, name=name, email=email, password=password)
    except AccountError as error:
        st.error(str(error))
    else:
        context.sign_in(db, user)
        st.rerun()
