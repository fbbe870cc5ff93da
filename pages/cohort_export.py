"""Facilitator: download a cohort's answers as CSV (long, wide and codebook), Excel-safe.

Each button is a link to the server's export route (reflect.web.routes), which checks who is signed in, logs the
download and streams the file from SQLite, so a file of any size never passes through this page.
"""

import streamlit as st

from reflect.domain import accounts
from reflect.web import context, guard, pickers, routes

db, user = guard.require_user(accounts.FACILITATOR)
st.title("Export")
st.write(
    "Download your cohort's answers for your own analysis. Ratings are always included; free text only where a leader "
    "shared that submission with you. Text that Excel could mistake for a formula starts with an apostrophe."
)
left, middle, right = st.columns(3)
with left:
    cohort = pickers.choose_cohort(db, user)
with middle:
    point = pickers.choose_checkpoint(db, cohort, allow_all=True)
sets = list(context.question_sets().values())
with right:
    qset = st.selectbox("Question set (wide file and codebook)", sets, format_func=lambda q: q.title,
                        index=next((i for i, q in enumerate(sets) if q.is_rating), 0), key="export_set")
excel = st.toggle("For Excel (UTF-8 with BOM)", key="export_bom",
                  help="Use this if accented letters look wrong when Excel opens the file.")
checkpoint_id = point.id if point else None


def url(kind: str) -> str:
    return routes.export_url(cohort.id, kind, checkpoint_id=checkpoint_id, set_id=qset.id, bom=excel)


st.subheader("Long: one row per answer")
st.link_button("Download long CSV", url("long"), icon=":material/download:")
st.subheader("Wide: one row per leader per checkpoint")
st.caption("The submission that counts at each checkpoint (a leader's latest there, as in the charts), one column per "
           "question, named by its stable id; see the codebook for the wording. Earlier submissions are in the long "
           "file, marked 0 in counts_for_checkpoint.")
st.link_button("Download wide CSV", url("wide"), icon=":material/download:")
st.subheader("Codebook")
st.link_button("Download codebook CSV", url("codebook"), icon=":material/download:")
st.subheader("Feedback on shared reflections")
st.caption("Every message between you and your cohort's leaders on the submissions they share now, one per row.")
st.link_button("Download feedback CSV", url("feedback"), icon=":material/download:")
