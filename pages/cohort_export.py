"""Facilitator: take a cohort's answers away as CSV: for Excel, for analysis, what each column means, feedback.

The download is a link to the server's export route (reflect.web.routes), which checks who is signed in, logs the
download and streams the file from SQLite, so a file of any size never passes through this page.
"""

import streamlit as st

from reflect.domain import accounts
from reflect.web import context, guard, pickers, routes

db, user = guard.require_user(accounts.FACILITATOR)
st.title("Export")
st.write(
    "Download your cohort's answers as a CSV file. Ratings are always included; written answers and notes only "
    "where a leader shared that submission with you. Text that Excel could mistake for a formula starts with an "
    "apostrophe. Times are in the cohort's time zone, named in each time's column."
)
left, right = st.columns(2)
with left:
    cohort = pickers.choose_cohort(db, user)
with right:
    point = pickers.choose_checkpoint(db, cohort, allow_all=True)

FILES = {  # what a person chooses: (the route's kind, what the file holds)
    "For Excel: one row per leader": (
        "wide", "For each leader and checkpoint, the submission that counts there (their latest), one column per "
                "question. Earlier submissions in a checkpoint are in the file for analysis."),
    "For analysis: one row per answer": (
        "long", "Every answer of every submission, earlier ones too, one row each: for R, SPSS, Python or a pivot "
                "table."),
    "What each column means": (
        "codebook", "The codebook: each column of the file for Excel, with the question's wording in every version "
                    "and what each rating means."),
    "Feedback on shared reflections": (
        "feedback", "Every message between the cohort's facilitators and its leaders on the submissions they "
                    "share now, one row each."),
}
chosen = st.radio("File", list(FILES), key="export_file", captions=[about for _, about in FILES.values()])
kind = FILES[chosen][0]
sets = list(context.question_sets().values())
# Every choice stays on screen, off where it does not apply, so none is lost while another file is chosen.
qset = st.selectbox("Question set", sets, format_func=lambda q: q.title, key="export_set",
                    index=next((i for i, q in enumerate(sets) if q.is_rating), 0),
                    disabled=kind not in ("wide", "codebook"),
                    help="The file for Excel and its column meanings are one question set at a time; the file for "
                         "analysis and the feedback hold them all.")
labels = st.radio("Ratings as", ["Numbers", "Labels (as leaders saw them)"], key="export_ratings",
                  horizontal=True, disabled=kind not in ("wide", "long")) != "Numbers"
excel = st.toggle("Ready for Excel (UTF-8 with BOM)", value=True, key="export_bom",
                  help="Leave on for Excel, so accented letters read right. Turn off only if another program shows "
                       "odd characters at the very start of the file.")
st.link_button(f"Download: {chosen}", routes.export_url(cohort.id, kind, checkpoint_id=point.id if point else None,
                                                        set_id=qset.id, bom=excel, labels=labels),
               icon=":material/download:", type="primary")
