"""Leader home: what the module asks, where each question set stands, and what to do next."""

import streamlit as st

from reflect.domain import accounts, cohort_invitations, cohorts, feedback, responses
from reflect.domain.cohort_invitations import InvitationError
from reflect.web import answers, context, guard, show

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
timeline = responses.timeline_of(db, user.id)
point = timeline.open if timeline else None
if point:
    show.plain(f"Now: {point.name}", heading=2)
    show.plain(f"Open until {show.closes(point)}. What you submit now counts for {point.name}.")
elif timeline and timeline.next:
    st.subheader("No checkpoint is open now")
    show.plain(f"The next, {timeline.next.name}, opens at {show.opens(timeline.next)}. Until then you can keep "
               "writing: your drafts are saved as you type.")
elif timeline:
    st.subheader("Every checkpoint has closed")
    st.write("You can still read everything you wrote, see your progress and download it from My data.")

next_step = None
new_messages = feedback.new_for_leader(db, user.id)
for qset in context.question_sets().values():
    page = "pages/checklist.py" if qset.is_rating else "pages/reflect.py"
    answered = len(responses.answered(qset, responses.current_drafts(db, user.id, qset),
                                      then=responses.asks_then(db, user.id, qset)))
    made = responses.submissions(db, user.id, qset.id)
    # At an open checkpoint, where this set stands there, as the facilitators' Completion page says.
    counted_here = responses.status_at(db, user.id, qset, point)[1] if point else None
    done = counted_here is not None if point else bool(made)
    with st.container(border=True):
        st.markdown(f"**{qset.title}** · {len(qset.items)} {'skills' if qset.is_rating else 'questions'}")
        if counted_here:
            st.markdown(":material/check_circle: Submitted at this checkpoint, "
                        f"{show.local_time(counted_here.submitted_at)}.")
        elif done:
            times = "once" if len(made) == 1 else f"{len(made)} times"
            st.markdown(f":material/check_circle: Submitted {times}.")
            show.plain(f"Latest: {answers.counted_for(made[0])}.")
        elif answered:
            st.markdown(f":material/pending: In progress: {answered} of {len(qset.items)} answered, not yet submitted.")
        else:
            st.markdown(":material/radio_button_unchecked: Not started.")
        if new := new_messages.get(qset.id):
            st.markdown(f":material/forum: **Your facilitator wrote to you: {show.count_of(new, 'new message')}** "
                        "on a submission you shared.")
        action = "Read and reply" if new else "Open" if done else "Continue" if answered else "Start"
        st.page_link(page, label=action, icon=":material/arrow_forward:")
    if not done and next_step is None:
        next_step = (qset, page)

st.subheader("What to do next")
if next_step and (point or not timeline):
    st.page_link(next_step[1], label=f"Complete and submit: {next_step[0].title}", icon=":material/arrow_forward:")
elif point:
    show.plain(f"You have submitted everything for {point.name}."
               + (f" The next checkpoint, {timeline.next.name}, opens at {show.opens(timeline.next)}."
                  if timeline and timeline.next else " It is the last checkpoint of the module."))
    st.page_link("pages/progress.py", label="See my progress", icon=":material/show_chart:")
elif timeline and timeline.next:
    show.plain(f"Come back when {timeline.next.name} opens to reflect and rate yourself again; then My progress shows "
               "how your ratings changed.")
    st.page_link("pages/progress.py", label="See my progress", icon=":material/show_chart:")
else:
    st.page_link("pages/progress.py", label="See my progress", icon=":material/show_chart:")

st.subheader("About this module")
st.markdown(
    "This module is about **partnership working**: with parents, the governing body, other schools and the wider "
    "community. At the start of the module, and again later, you reflect in writing on the module's questions and "
    "rate yourself on the Munby–Fullan skills checklist. Each time you submit, Reflect keeps a dated copy, so you can "
    "see how your thinking and your skills move."
)
