"""Facilitator: who has submitted each set at a checkpoint, and the reflections leaders chose to share."""

import streamlit as st

from reflect.domain import accounts, responses
from reflect.reporting import reports
from reflect.web import context, guard, pickers, show

db, user = guard.require_user(accounts.FACILITATOR)
st.title("Completion and reflections")
left, right = st.columns(2)
with left:
    cohort = pickers.choose_cohort(db, user)
with right:
    point = pickers.choose_checkpoint(db, cohort)
sets = list(context.question_sets().values())

st.header("Who has submitted", divider="gray")
table = reports.completion(db, user, cohort.id, sets, point.id)
if table.empty:
    st.info("No leaders have joined this cohort yet. Give them the join code, or add them on Add leaders.")
    st.stop()
for column, qset in zip(st.columns(len(sets)), sets, strict=True):
    counts = table[qset.title].value_counts()
    column.metric(f"{qset.title}: submitted", f"{counts.get(reports.SUBMITTED, 0):,} / {len(table):,}",
                  f"{counts.get(reports.DRAFT_ONLY, 0):,} with a draft only", delta_color="off", delta_arrow="off")
status = st.segmented_control("Show leaders", ["Everyone", "Not submitted everything", "Nothing at all"],
                              default="Everyone", key="completion_filter")
statuses = table[[qset.title for qset in sets]]
if status == "Not submitted everything":
    table = table[(statuses != reports.SUBMITTED).any(axis=1)]
elif status == "Nothing at all":
    table = table[(statuses == reports.NOT_STARTED).all(axis=1)]
st.dataframe(table.drop(columns="user_id").rename(columns={"leader": "Leader", "email": "Email"}), hide_index=True)

st.header("Shared reflections", divider="gray")
st.caption("Free text appears here only where a leader chose “Share with my facilitator” for that submission.")
text_sets = [qset for qset in sets if qset.has_free_text]
qset = st.selectbox("Question set", text_sets, format_func=lambda q: q.title, key="completion_set")
shared = responses.shared_in_cohort(db, user, cohort.id, qset.id, point.id)
if not shared:
    st.info(f"No one has shared a submission of the {qset.title} at this checkpoint.")
for name, email, submission, answers in shared:
    with st.container(border=True):
        show.plain(f"{name} · {email}, submitted {show.local_time(submission.submitted_at)}", heading=3)
        for number, item in enumerate(qset.items, start=1):
            answer = answers.get(item.id)
            written = answer and (answer.note if qset.is_rating else answer.text)
            if written:
                st.markdown(f"**{number}. {item.text}**")
                st.text(written)
