"""Leader: rate yourself on each skill of a checklist, with an optional note on how you know."""

from functools import partial

import streamlit as st

from reflect.domain import accounts, feedback, responses
from reflect.domain.questions import Item, QuestionSet
from reflect.web import answers, context, guard, show


@context.fragment
def skill(user_id: int, qset: QuestionSet, number: int, item: Item, draft: responses.Draft | None,
          last_time: int | None, *, then: bool) -> None:
    """One skill: its rating (and with `then`, its rating looking back) and its note. A fragment, so a rating or a
    note reruns this skill alone, not the page: about a sixth of the server's work (docs/performance.md). Nothing
    else on the page needs a run for it: the count at the top keeps itself in step in the browser, and Submit
    checks what changed when pressed."""
    with st.container(border=True, gap="xxsmall"):  # compact: ten skills fit a phone in fewer screens
        # The skill in bold; its rating group is named by the plain text, so a screen reader reads no stars.
        st.markdown(f"**{number}. {item.text}**")
        if last_time is not None:
            st.caption(f"Last time: {last_time} · {qset.scale_label(last_time)}")
        if then:
            st.markdown("**Now**")
        answers.draft_rating(user_id, qset, item.id, draft, label=answers.rating_label(number, item.text))
        if then:
            st.markdown(f"**{answers.LOOKING_BACK}**")
            answers.draft_rating(user_id, qset, item.id, draft, field="then_rating",
                                 label=answers.then_label(number, item.text))
        if qset.note_prompt:
            answers.draft_text(user_id, qset, item.id, draft, field="note", label=f"{qset.note_prompt} (optional)",
                               height=68)


db, user = guard.require_user(accounts.LEADER)
st.title("Skills checklist")
sets = [qset for qset in context.question_sets().values() if qset.is_rating]
if not sets:
    st.info("There is no skills checklist to complete yet. Your facilitator or administrator can add one.")
    st.stop()

# Opens on a set with feedback not yet seen (from Home's "Read and reply"); switching reruns, so the page knows
# which set is in view.
new_messages = feedback.new_for_leader(db, user.id)
if opening := next((qset.title for qset in sets if new_messages.get(qset.id)), None):
    st.session_state["checklist_set"] = opening  # not `default=`: a changed default makes the tabs anew
tabs = st.tabs([qset.title for qset in sets], key="checklist_set", on_change="rerun")
for qset, tab in zip(sets, tabs, strict=True):
    with tab:
        st.markdown(qset.intro)
        st.caption(f"Source: {qset.source}")
        st.markdown(
            "**The scale:** " + " · ".join(f"**{point}** {label}" for point, label in enumerate(qset.scale, start=1))
        )
        current = answers.reconciled(user.id, qset, partial(responses.current_drafts, db, user.id, qset))
        since = responses.fresh_since(db, user.id)
        last_time = responses.ratings_before(db, user.id, qset, since) if since else {}
        then = responses.asks_then(db, user.id, qset)
        if then:
            st.info("At this checkpoint, rate each skill twice: **Now**, as you see yourself today, and **Looking "
                    "back**, as you now think you were at the start of the module. Both are needed to submit.",
                    icon=":material/history:")
        st.caption(("A new checkpoint starts afresh: rate each skill as you see it now. Your rating at the last "
                    "checkpoint is shown under each skill as a hint. " if last_time else "")
                   + f"Rate all {len(qset.items)} skills{' both ways' if then else ''} to submit. "
                   + (f"A note on “{qset.note_prompt}” is optional, up to {responses.MAX_NOTE:,} characters. "
                      if qset.note_prompt else "") + "Everything saves as you go.")
        answers.answered_bar(qset, current, then=then)
        earlier = responses.submissions(db, user.id, qset.id)
        if earlier and not last_time:
            show.plain(f"You have submitted this checklist {show.count_of(len(earlier), 'time')}. Latest: "
                       f"{answers.counted_for(earlier[0])}. Your ratings below start from your draft.")

        for number, item in enumerate(qset.items, start=1):
            skill(user.id, qset, number, item, current.get(item.id), last_time.get(item.id), then=then)

        st.info("Your cohort's facilitators can see the ratings you submit. Your notes stay private unless you share "
                "that submission.", icon=":material/visibility:")
        answers.sharing_controls(db, user, qset, earlier, in_view=tab.open is not False)
        answers.what_submitting_counts_for(db, user)
        if submission := answers.submit_button(db, user, qset, "Submit my ratings"):
            st.success(f"Submitted {show.local_time(submission.submitted_at)}. See how you have moved on My progress.")
            st.page_link("pages/progress.py", label="Go to My progress", icon=":material/show_chart:")
answers.save_while_typing()
