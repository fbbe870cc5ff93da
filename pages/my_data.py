"""Leader: download everything they have written, as CSV."""

import streamlit as st

from reflect import accounts, export, responses, ui

db, user = ui.require_user(accounts.LEADER)
st.title("My data")
st.write(
    "Download everything you have written in Reflect: every submitted answer (with the set version and question "
    "wording it was given under) and your current drafts. One row per answer."
)
rows = responses.everything_written_by(db, user.id)
if not rows:
    st.info("You have not written anything yet. Your answers appear here once you start.")
    st.stop()
sets = ui.question_sets()
st.download_button(
    "Download CSV", export.leader_csv(db, user.id, sets), file_name="reflect-my-answers.csv", mime="text/csv",
    icon=":material/download:", type="primary",
)
st.download_button(
    "Download CSV for Excel (UTF-8 with BOM)", export.leader_csv(db, user.id, sets, bom=True),
    file_name="reflect-my-answers-excel.csv", mime="text/csv", icon=":material/download:",
)
st.caption(
    "Both files hold the same answers. Use the Excel one if accented letters or symbols look wrong in Excel. "
    "Text that Excel could mistake for a formula starts with an apostrophe."
)
