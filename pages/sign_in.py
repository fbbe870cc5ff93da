"""Sign in. Shown to anyone not signed in."""

import streamlit as st

from reflect.web import context, guard, show

db = context.database()
user = context.current_user(db)
st.title("Sign in to Reflect")
if user is not None:
    show.plain(f"You are signed in as {user.name}.")
    st.stop()
st.write("Reflect keeps your reflections and skills self-ratings for the module on partnership working.")
guard.sign_in_form(db)
guard.forgot_password_link()
st.page_link("pages/register.py", label="New here? Join your cohort with the code your facilitator gave you",
             icon=":material/person_add:")
