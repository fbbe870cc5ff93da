"""Leader: download everything they have written, as CSV; change their password or email; or delete their account
and all of it."""

import streamlit as st

from reflect.domain import accounts, responses
from reflect.domain.accounts import AccountError
from reflect.reporting import export, journal
from reflect.web import context, guard, show

db, user = guard.require_user(accounts.LEADER)
zone = show.browser_zone()  # read here: the journal is made on another thread, outside this run
st.title("My data")
st.write(
    "Download everything you have written in Reflect: every submitted answer (with the set version and question "
    "wording it was given under) and your current drafts. One row per answer."
)
if not responses.everything_written_by(db, user.id):
    st.info("You have not written anything yet. Your answers appear here once you start.")
else:
    sets = context.question_sets()
    # No download reruns the page: a rerun would replace the journal's deferred file while a click on it is on its way.
    st.download_button(
        "Download CSV", export.leader_csv(db, user.id, sets), file_name="reflect-my-answers.csv", mime="text/csv",
        icon=":material/download:", type="primary", on_click="ignore",
    )
    st.download_button(
        "Download CSV for Excel (UTF-8 with BOM)", export.leader_csv(db, user.id, sets, bom=True),
        file_name="reflect-my-answers-excel.csv", mime="text/csv", icon=":material/download:", on_click="ignore",
    )
    st.download_button(
        "Download my journal, ready to print", context.deferred(
            lambda db: journal.journal_html(db, user.id, sets, zone)),
        file_name="reflect-journal.html", mime="text/html", icon=":material/print:", on_click="ignore",
        help="One page with everything you submitted, by checkpoint, and your charts. Open it in your browser, "
             "then print it or save it as a PDF for your portfolio or appraisal.",
    )
    st.caption(
        "Both CSV files hold the same answers. Use the Excel one if accented letters or symbols look wrong in Excel. "
        "Text that Excel could mistake for a formula starts with an apostrophe."
    )
st.download_button(
    "Download my account details and activity", export.about_me_csv(db, user.id), file_name="reflect-about-me.csv",
    mime="text/csv", icon=":material/person:", on_click="ignore",
    help="Your name, email, role and cohort, your facilitators' feedback on what you shared and your replies, and "
         "the log of what you did in Reflect (submitted, shared, joined).",
)

st.subheader("My account")
guard.account_forms(db, user)

st.subheader("Delete my account")
st.write(
    "This deletes your account and everything you have written: drafts, submissions and what you shared. It cannot "
    "be undone, so download your data first if you want to keep it. Your facilitators will no longer see your ratings."
)
with st.form("delete_account"):
    password = st.text_input("Your password, to confirm", type="password", autocomplete="current-password")
    sure = st.checkbox("I understand that everything I wrote in Reflect will be deleted")
    pressed = st.form_submit_button("Delete my account and all my answers")
if pressed:
    if not sure:
        st.error("Tick the box to confirm, then press Delete again. Nothing was deleted.")
    else:
        try:
            accounts.delete_leader(db, user.id, password=password)
        except AccountError as error:
            show.account_error(error)
        else:
            context.sign_out()
            st.success("Your account and all your answers have been deleted.")
            st.stop()
