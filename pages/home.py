"""Leader home: what the module asks, where each question set stands, and what to do next."""

import streamlit as st

from reflect.domain import accounts, cohort_invitations, cohorts, responses
from reflect.domain.cohort_invitations import InvitationError
from reflect.web import context, guard, show

db, user = guard.require_user(accounts.LEADER)
show.plain(f"Welcome, {user.name}", heading=1)
# Invitations to another cohort: joining one is this leader's choice, made here.
for invitation in cohort_invitations.pending_for(db, user.id):
    with st.container(border=True):
        if invitation.invited_by:
            show.plain(f"{invitation.invited_by} invited you to join the cohort {invitation.cohort_name}.", heading=2)
        else:
            show.plain(f"Someone typed the join code of the cohort {invitation.cohort_name} with your email, to join "
                     "it. Accept only if that was you.", heading=2)
        st.caption("If you accept, its facilitators see your ratings, and the reflections you choose to share, from "
                   "now on: nothing you submitted before. If you decline, nothing changes.")
        accept, decline = st.columns(2)
        choice = (True if accept.button("Accept", key=f"accept_invitation:{invitation.id}", type="primary")
                  else False if decline.button("Decline", key=f"decline_invitation:{invitation.id}") else None)
        if choice is not None:
            try:
                cohort_invitations.answer(db, user.id, invitation.id, accept=choice)
            except InvitationError as error:
                st.error(str(error))
            else:
                st.rerun()
cohort = cohorts.cohort_of_leader(db, user.id)
if cohort:
    show.plain(f"Cohort: {cohort.name}")
st.markdown(
    "This module is about **partnership working**: with parents, the governing body, other schools and the wider "
    "community. At the start of the module, and again later, you reflect in writing on the module's questions and "
    "rate yourself on the Munby–Fullan skills checklist. Each time you submit, Reflect keeps a dated copy, so you can "
    "see how your thinking and your skills move."
)

next_step = None
for qset in context.question_sets().values():
    page = "pages/checklist.py" if qset.is_rating else "pages/reflect.py"
    made = responses.submissions(db, user.id, qset.id)
    answered = len(responses.answered(qset, responses.drafts(db, user.id, qset.id)))
    with st.container(border=True):
        st.markdown(f"**{qset.title}** · {len(qset.items)} {'skills' if qset.is_rating else 'questions'}")
        if made:
            times = "once" if len(made) == 1 else f"{len(made)} times"
            latest = show.local_time(made[0].submitted_at)
            st.markdown(f":material/check_circle: Submitted {times}, most recently {latest}.")
        elif answered:
            st.markdown(f":material/pending: In progress: {answered} of {len(qset.items)} answered, not yet submitted.")
        else:
            st.markdown(":material/radio_button_unchecked: Not started.")
        action = "Open" if made else "Continue" if answered else "Start"
        st.page_link(page, label=action, icon=":material/arrow_forward:")
    if not made and next_step is None:
        next_step = (qset, page)

st.subheader("What to do next")
if next_step:
    st.page_link(next_step[1], label=f"Complete and submit: {next_step[0].title}", icon=":material/arrow_forward:")
else:
    st.markdown(
        "You have submitted every set. Later in the module, come back to reflect and rate yourself again; "
        "then **My progress** shows how your ratings changed."
    )
    st.page_link("pages/progress.py", label="See my progress", icon=":material/show_chart:")
