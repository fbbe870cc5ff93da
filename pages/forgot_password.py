"""Someone who forgot their password chooses a new one with a reset code: one a facilitator of their cohort gave them
or, when Reflect can send email, one emailed to them in a link that opens this page with the code filled in."""

import streamlit as st

from reflect.web import context, guard

FROM_LINK = "reset_link"  # session state: the email and code of the link this page was opened from

db = context.database()
st.title("Forgot your password?")
if context.current_user(db) is not None:
    st.info("You are signed in. Sign out first to use a reset code.")
    st.stop()
if "email" in st.query_params and "code" in st.query_params:  # opened from an emailed link
    st.session_state[FROM_LINK] = (st.query_params["email"], st.query_params["code"])
    st.query_params.clear()  # the code leaves the address bar; this session keeps it
email, code = st.session_state.get(FROM_LINK, ("", ""))
mail = guard.mail_settings()
if mail is not None:
    st.write("Type the email of your Reflect account and we will email you a link to choose a new password.")
    guard.email_reset_link_form(db, mail)
if code:
    st.write("Your email and the reset code from your link are filled in below: choose a new password.")
else:
    st.write(f"{'Or ask' if mail else 'Ask'} a facilitator of your cohort for a reset code, such as "
             "**ABCD-EFGH-JKMN**. It works once, for two days. Type it here with your email and choose a new "
             "password; it also ends a lock-out.")
guard.password_from_code_form(db, code_label="Reset code", button="Set my new password and sign in", email=email,
                              code=code)
