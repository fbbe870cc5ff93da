"""Someone added by a facilitator sets their password with the one-time code they were given."""

import streamlit as st

from reflect.web import context, guard

db = context.database()
st.title("Use an invitation")
if context.current_user(db) is not None:
    st.info("You are already signed in. Sign out first to use an invitation.")
    st.stop()
st.write("Your facilitator gave you an invitation code, such as **ABCD-EFGH-JKMN**. Use it once to choose your "
         "password; after that, sign in with your email and password.")
guard.password_from_code_form(db, code_label="Invitation code", button="Set my password and sign in")
