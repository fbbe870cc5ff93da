"""Facilitator: one leader across the module: their ratings at every checkpoint, and only what they chose to share."""

import streamlit as st

from reflect.domain import accounts, responses
from reflect.reporting import charts
from reflect.web import answers, context, conversation, guard, pickers, show

db, user = guard.require_user(accounts.FACILITATOR)
st.title("Leader record")
left, right = st.columns(2)
with left:
    cohort = pickers.choose_cohort(db, user)
with right:
    leader_id, name, email = pickers.choose_leader(db, user, cohort)
show.plain(f"{name} · {email}", heading=2)
sets = context.question_sets()

for qset in (qset for qset in sets.values() if qset.is_rating):
    st.header(qset.title, divider="gray")
    history = responses.ratings_in_cohort(db, user, cohort.id, leader_id, qset.id)
    if history.empty:
        st.info("No submission of this checklist since joining this cohort.")
        continue
    show.chart(charts.ratings_over_time, history, qset)
    with st.expander("The same numbers as a table"):
        st.dataframe(charts.ratings_table(history, qset, lambda moment: show.local_time(moment.isoformat())))

st.header("Shared with facilitators", divider="gray")
st.caption("Written answers and notes appear here only for submissions the leader chose to share.")
shared = [reflection for reflection in responses.shared_by(db, user, cohort.id, leader_id)
          if reflection.submission.set_id in sets]
if not shared:
    st.info("Nothing shared yet: this leader's written answers and notes stay private unless they share them.")
for reflection in shared:
    qset = sets[reflection.submission.set_id]
    with answers.shared_reflection(qset, reflection, f"{qset.title}: {answers.counted_for(reflection.submission)}"):
        conversation.for_facilitator(db, user, cohort.id, reflection.submission.id)
conversation.unsent_feedback(reflection.submission.id for reflection in shared)
