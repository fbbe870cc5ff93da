"""Someone who forgot their password chooses a new one with the reset code a facilitator of their cohort gave them."""

import streamlit as st

from reflect.web import context, guard

db = context.database()
st.title("Forgot your password?")
if context.current_user(db) is not None:
    st.info("You are signed in. Sign out first to use a reset code.")
    st.stop()
st.write("Ask a facilitator of your cohort for a reset code, such as **ABCD-EFGH-JKMN**. It works once, for two days. "
         "Type it here with your email and choose a new password; it also ends a lock-out.")
guard.password_from_code_form(db, code_label="Reset code", button="Set my new password and sign in")
