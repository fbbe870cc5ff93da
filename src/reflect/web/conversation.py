"""The conversation under a shared submission: its messages, shown literally, and a box to write the next one.

A message is sent by a callback that opens its own connection (callbacks run before the page, maybe on another
thread). What was typed stays in the box until it is saved; a message that cannot be saved keeps it there with the
reason.
"""

from __future__ import annotations

import streamlit as st
from sqlite_utils import Database

from reflect.domain import feedback
from reflect.domain.accounts import User
from reflect.domain.text import InvalidText
from reflect.storage.db import DatabaseUnavailable
from reflect.web.context import database, owns_connection
from reflect.web.show import count_of, local_time, plain


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
    label = f"Feedback ({len(thread)})" if thread else "Write feedback"
    with st.expander(label, icon=":material/forum:", key=f"feedback_open:{submission_id}"):
        messages(thread, reader_is_leader=False)
        _box(f"Your feedback (the leader sees it with this submission; up to {feedback.MAX_MESSAGE:,} characters)",
             f"feedback:{submission_id}", "Send feedback", _send_feedback, (user, cohort_id, submission_id))


def for_leader(user: User, submission_id: int, thread: list[feedback.Message], shared: bool) -> None:
    """The conversation on one of the leader's submissions, if there is one, and a box to reply while it is shared."""
    if not thread:
        return
    new = sum(message.new for message in thread)
    plain(f"Feedback from your facilitator ({count_of(len(thread), 'message')}"
          + (f", {new} new)" if new else ")"))
    messages(thread, reader_is_leader=True)
    if shared:
        _box(f"Your reply (up to {feedback.MAX_MESSAGE:,} characters)", f"reply:{submission_id}", "Send reply",
             _send_reply, (user.id, submission_id))
    else:
        st.caption("You stopped sharing this submission, so your facilitators cannot see this conversation now. "
                   "Share it again to carry on.")


def _box(label: str, key: str, button: str, send, args: tuple) -> None:
    """A text box and a Send button; the outcome of the last send shows under it."""
    st.text_area(label, key=key, height=100)
    st.button(button, key=f"send:{key}", on_click=send, args=(key, *args), icon=":material/send:")
    outcome = st.session_state.pop(f"sent:{key}", None)
    if outcome and outcome[0]:
        st.error(f"Not sent. {outcome[1]}", icon=":material/error:")
    elif outcome:
        st.success(f"Sent {local_time(outcome[1], '%d %b %Y, %H:%M')}.", icon=":material/check:")


@owns_connection
def _send_feedback(key: str, user: User, cohort_id: int, submission_id: int) -> None:
    _sent(key, lambda text: feedback.write(database(), user, cohort_id, submission_id, text))


@owns_connection
def _send_reply(key: str, user_id: int, submission_id: int) -> None:
    _sent(key, lambda text: feedback.reply(database(), user_id, submission_id, text))


def _sent(key: str, send) -> None:
    """Send what the box `key` holds; on success empty it, else keep it with the reason."""
    try:
        message = send(st.session_state.get(key, ""))
    except (InvalidText, feedback.NotShared, DatabaseUnavailable) as error:
        st.session_state[f"sent:{key}"] = (True, str(error))
    else:
        st.session_state[key] = ""
        st.session_state[f"sent:{key}"] = (False, message.written_at)
