"""Facilitator: who has submitted each set at a checkpoint, and the reflections leaders chose to share."""

import streamlit as st

from reflect.domain import accounts, responses
from reflect.reporting import reports
from reflect.web import answers, context, conversation, guard, pickers, show

db, user = guard.require_user(accounts.FACILITATOR)
st.title("Completion and reflections")
left, right = st.columns(2)
with left:
    cohort = pickers.choose_cohort(db, user)
with right:
    point = pickers.choose_checkpoint(db, cohort)
sets = list(context.question_sets().values())

show.plain(f"Who has submitted at {point.name}", heading=2)
table = reports.completion(db, user, cohort.id, sets, point.id)
if table.empty:
    st.info("No leaders have joined this cohort yet. Give them the join code, or add them on Add leaders.")
    st.stop()
for column, qset in zip(st.columns(len(sets)), sets, strict=True):
    counts = table[qset.title].value_counts()
    column.metric(f"{qset.title}: submitted", f"{counts.get(reports.SUBMITTED, 0):,} of {len(table):,}",
                  f"{counts.get(reports.DRAFT_ONLY, 0):,} with a draft only", delta_color="off", delta_arrow="off")
which = st.segmented_control("Show leaders", [reports.EVERYONE, reports.NOT_EVERYTHING, reports.NOTHING],
                             default=reports.EVERYONE, key="completion_filter") or reports.EVERYONE
chosen = reports.listed(table, sets, which)
listed = chosen.drop(columns="user_id").rename(columns={"leader": "Leader", "email": "Email"})
st.caption(f"Showing {show.count_of(len(listed), 'leader')} of {len(table):,}.")
if listed.empty:
    st.success("Everyone in the cohort has submitted something at this checkpoint." if which == reports.NOTHING
               else "Everyone in the cohort has submitted everything at this checkpoint.")
else:
    # Tall enough for a few dozen names at once; it scrolls within itself for hundreds.
    st.dataframe(listed, hide_index=True, height=min(38 + 35 * len(listed), 38 + 35 * 25))
    if which != reports.EVERYONE:
        st.markdown("**Their email addresses**, to paste into an email (the copy button is at the top right):")
        st.code("; ".join(listed["Email"]), language=None, wrap_lines=True)
    pickers.open_a_leaders_record(chosen, cohort.id, key="completion_leader")
    st.download_button("Download this list (CSV)", listed.to_csv(index=False).encode("utf-8-sig"),
                       file_name=f"{which} at {point.name}.csv".replace("/", "-"), mime="text/csv",
                       icon=":material/download:")

st.header("Shared reflections", divider="gray")
st.caption("Free text appears here only where a leader chose “Share with my facilitator” for that submission.")
text_sets = [qset for qset in sets if qset.has_free_text]
qset = st.selectbox("Question set", text_sets, format_func=lambda q: q.title, key="completion_set")
shared = responses.shared_in_cohort(db, user, cohort.id, qset.id, point.id)
if not shared:
    st.info(f"No one has shared a submission of the {qset.title} at this checkpoint.")
for reflection in shared:
    with answers.shared_reflection(qset, reflection, f"{reflection.name} · {reflection.email}, submitted "
                                                     f"{show.local_time(reflection.submission.submitted_at)}"):
        conversation.for_facilitator(db, user, cohort.id, reflection.submission.id)
conversation.unsent_feedback(reflection.submission.id for reflection in shared)
