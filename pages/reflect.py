"""Leader: the free-text reflection sets. Answers save as drafts as they are typed; Submit records a dated copy."""

from functools import partial

import streamlit as st

from reflect.domain import accounts, feedback, responses
from reflect.domain.questions import Item, QuestionSet
from reflect.web import answers, context, guard, show


@context.fragment
def question(user_id: int, qset: QuestionSet, number: int, item: Item, draft: responses.Draft | None,
             beside: tuple[str, responses.Answer | None] | None) -> None:
    """One question and the leader's answer; with `beside`, an earlier submission's answer beside it (when it was
    submitted, as shown, and the answer). A fragment, so a save while typing reruns this question alone, not the
    page: the count at the top keeps itself in step in the browser, and Submit checks what changed when pressed."""
    st.markdown(f"**Question {number} of {len(qset.items)}**")
    if item.behaviour:
        st.caption(f"Core behaviour: {item.behaviour}")
    if beside is None:
        answers.draft_text(user_id, qset, item.id, draft, label=item.text)
        return
    submitted, answer = beside
    draft_column, then_column = st.columns(2)
    with draft_column:
        answers.draft_text(user_id, qset, item.id, draft, label=item.text)
    with then_column:
        st.caption(f"Your answer, submitted {submitted}")
        with st.container(border=True):
            st.text(answer.text if answer and answer.text else "(no answer)")


db, user = guard.require_user(accounts.LEADER)
st.title("Reflect")
sets = [qset for qset in context.question_sets().values() if not qset.is_rating]
if not sets:
    st.info("There are no reflection questions to answer yet. Your facilitator or administrator can add them.")
    st.stop()

# Opens on a set with feedback not yet seen (from Home's "Read and reply"); switching reruns, so the page knows
# which set is in view.
new_messages = feedback.new_for_leader(db, user.id)
if opening := next((qset.title for qset in sets if new_messages.get(qset.id)), None):
    st.session_state["reflect_set"] = opening  # not `default=`: a changed default makes the tabs anew
tabs = st.tabs([qset.title for qset in sets], key="reflect_set", on_change="rerun")
for qset, tab in zip(sets, tabs, strict=True):
    with tab:
        st.markdown(qset.intro)
        st.caption(f"Source: {qset.source}")
        current = answers.reconciled(user.id, qset, partial(responses.drafts, db, user.id, qset.id))
        answers.answered_bar(qset, current)
        st.caption(
            f"Each answer can be up to {qset.max_chars:,} characters. It saves as a draft as you type; Submit keeps "
            "a dated copy."
        )

        earlier = responses.submissions(db, user.id, qset.id)
        compare_with = None
        if earlier:
            compare_with = st.selectbox(
                "Show beside your draft: an earlier submission (read-only)",
                [None, *earlier],
                format_func=lambda s: "Nothing, just my draft" if s is None else answers.counted_for(s),
                key=f"compare:{qset.id}",
            )
        else:
            st.caption("When you submit, a dated copy is kept here so you can later compare how your thinking moved.")
        then = responses.answers(db, user.id, compare_with.id) if compare_with else {}

        for number, item in enumerate(qset.items, start=1):
            question(user.id, qset, number, item, current.get(item.id),
                     (show.local_time(compare_with.submitted_at), then.get(item.id)) if compare_with else None)

        answers.sharing_controls(db, user, qset, earlier, in_view=tab.open is not False)
        answers.what_submitting_counts_for(db, user)
        if submission := answers.submit_button(db, user, qset, "Submit these reflections"):
            st.success(
                f"Submitted {show.local_time(submission.submitted_at)}. Your answers stay here as your draft, "
                "so you can keep working on them and submit again later."
            )
answers.save_while_typing()
