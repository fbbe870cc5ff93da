"""The conversation under a shared submission: its messages, shown literally, and a box to write the next one.

A message is sent by a callback that opens its own connection (callbacks run before the page, maybe on another
thread). The box empties only once the message is saved. A message that cannot be sent keeps its text and the reason
under the box; if the box is gone meanwhile (the leader stopped sharing), they are shown where it was, or at the end
of the list (:func:`unsent_feedback`), so nothing typed is lost.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import streamlit as st
from sqlite_utils import Database

from reflect.domain import access, feedback
from reflect.domain.accounts import User
from reflect.domain.text import InvalidText
from reflect.storage.db import DatabaseUnavailable
from reflect.web.context import acts_for_the_signed_in, database
from reflect.web.show import count_of, local_time, plain

_FEEDBACK, _REPLY = "feedback", "reply"


def messages(thread: list[feedback.Message], *, reader_is_leader: bool) -> None:
    """Each message with who wrote it and when, oldest first; a leader's own are "You", a facilitator's named."""
    for message in thread:
        if message.from_leader:
            who = "You" if reader_is_leader else f"{message.author} (leader)"
        else:
            who = f"{message.author} (facilitator)"
        new = " · New" if message.new and reader_is_leader else ""
        plain(f"{who}, {local_time(message.written_at, '%d %b %Y, %H:%M')}{new}")
        with st.container(border=True):
            st.text(message.body)


def for_facilitator(db: Database, user: User, cohort_id: int, submission_id: int) -> None:
    """The conversation on a submission a leader of the cohort shares, and a box to write feedback on it."""
    thread = feedback.thread(db, user, cohort_id, submission_id)
    label = "Write feedback"
    if thread:
        label = f"Feedback ({len(thread)})" + (" · the leader replied" if thread[-1].from_leader else "")
    with st.expander(label, icon=":material/forum:", key=f"feedback_open:{submission_id}"):
        messages(thread, reader_is_leader=False)
        _box(f"Your feedback (the leader sees it with this submission; up to {feedback.MAX_MESSAGE:,} characters)",
             f"{_FEEDBACK}:{submission_id}", "Send feedback", _send_feedback, (user, cohort_id, submission_id))


def unsent_feedback(shown: Iterable[int]) -> None:
    """Feedback that could not be sent on a submission no longer listed (its leader stopped sharing it), with the
    text as typed, to copy: call after the list of shared submissions, with the ids it showed."""
    for submission_id in set(_unsent(_FEEDBACK)) - set(shown):
        _show_unsent(f"{_FEEDBACK}:{submission_id}")


def for_leader(user: User, submission_id: int, thread: list[feedback.Message], shared: bool) -> None:
    """The conversation on one of the leader's submissions, if there is one, and a box to reply while it is shared."""
    key = f"{_REPLY}:{submission_id}"
    if not thread and f"sent:{key}" not in st.session_state:
        return
    new = sum(message.new for message in thread)
    st.markdown(f"**Conversation with your facilitator** ({count_of(len(thread), 'message')}"
                + (f", {new} new)" if new else ")"))
    messages(thread, reader_is_leader=True)
    if shared:
        _box(f"Your reply (up to {feedback.MAX_MESSAGE:,} characters)", key, "Send reply", _send_reply,
             (user.id, submission_id))
    else:
        st.caption("You stopped sharing this submission, so your facilitators cannot see this conversation now. "
                   "Share it again to carry on.")
        _show_unsent(key)


def _box(label: str, key: str, button: str, send: Callable[..., None], args: tuple) -> None:
    """A text box and a Send button, as a form: the text goes with the press, never a run behind it (a box alone
    sends its text when it is left, a separate message from the click). The outcome shows under it."""
    with st.form(f"form:{key}", border=False):
        st.text_area(label, key=key, height=100)
        st.form_submit_button(button, on_click=send, args=(key, *args), icon=":material/send:")
    outcome = st.session_state.pop(f"sent:{key}", None)
    if outcome and outcome[0]:
        st.error(f"Not sent. {outcome[1]}", icon=":material/error:")
    elif outcome:
        st.success(f"Sent {local_time(outcome[1], '%d %b %Y, %H:%M')}.", icon=":material/check:")


def _unsent(kind: str) -> list[int]:
    """Submission ids with a message of `kind` that could not be sent."""
    prefix = f"sent:{kind}:"
    return [int(str(key)[len(prefix):]) for key, outcome in st.session_state.items()
            if str(key).startswith(prefix) and outcome and outcome[0]]


def _show_unsent(key: str) -> None:
    """A message that could not be sent, where its box cannot be shown: the reason, and the text to copy."""
    outcome = st.session_state.pop(f"sent:{key}", None)
    if outcome and outcome[0]:
        st.error(f"Not sent. {outcome[1]} Your text is below, to copy.", icon=":material/error:")
        st.code(outcome[2], language=None, wrap_lines=True)


@acts_for_the_signed_in
def _send_feedback(key: str, user: User, cohort_id: int, submission_id: int) -> None:
    _sent(key, lambda text: feedback.write(database(), user, cohort_id, submission_id, text))


@acts_for_the_signed_in
def _send_reply(key: str, user_id: int, submission_id: int) -> None:
    _sent(key, lambda text: feedback.reply(database(), user_id, submission_id, text))


def _sent(key: str, send: Callable[[str], feedback.Message]) -> None:
    """Send what the box `key` holds; on success empty it, else keep it, with the reason (and the text, for when
    the box is not shown again)."""
    text = st.session_state.get(key, "")
    try:
        message = send(text)
    except (InvalidText, feedback.NotShared, access.AccessDenied, DatabaseUnavailable) as error:
        st.session_state[f"sent:{key}"] = (True, str(error), text)
    else:
        st.session_state[key] = ""
        st.session_state[f"sent:{key}"] = (False, message.written_at)
