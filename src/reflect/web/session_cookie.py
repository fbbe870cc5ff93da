"""The browser's side of signing in: it trades a new session's ticket for the HttpOnly cookie at the app's route,
and asks the route to drop the cookie on sign-out (reflect.web.routes). Pages cannot set cookies, and script must
not be able to read this one, so a few lines of JavaScript make the request and the route's answer sets it.
"""

from __future__ import annotations

import streamlit as st
from sqlite_utils import Database

from reflect.domain import sessions
from reflect.web.context import FORGET_KEY, SESSION_KEY, TICKET_KEY

START_PATH = "/session"
END_PATH = "/session/end"

_JS = """
export default function ({ data }) {
  if (!data || !data.path) return;
  const sent = (window.__reflectSessionRequests ??= new Set());
  const request = JSON.stringify(data);
  if (sent.has(request)) return;  // each ticket, and each sign-out, once
  sent.add(request);
  const send = (triesLeft) => fetch(data.path, {
    method: "POST", body: data.ticket || "", credentials: "same-origin", headers: { "Content-Type": "text/plain" },
  }).then((answer) => {
    if (answer.status >= 500 && triesLeft > 0) setTimeout(() => send(triesLeft - 1), 1000);
  }).catch(() => { if (triesLeft > 0) setTimeout(() => send(triesLeft - 1), 1000); });
  send(2);
}
"""

_component = st.components.v2.component("reflect_session_cookie", js=_JS)


def keep_cookie_in_step(db: Database) -> None:
    """Called by the router on every run: hand a new session's ticket to the browser until it has been traded,
    and pass on a sign-out once.

    The component goes in a placeholder drawn on every run, empty when there is nothing to send, so that what the
    page draws after it keeps its place: otherwise the run that no longer draws it would reset the page's tabs.
    """
    slot = st.empty()
    ticket = st.session_state.get(TICKET_KEY)
    if ticket and sessions.has_cookie(db, st.session_state[SESSION_KEY]):
        del st.session_state[TICKET_KEY]
        ticket = None
    if ticket:
        data = {"path": START_PATH, "ticket": ticket}
    elif FORGET_KEY in st.session_state:
        data = {"path": END_PATH, "nonce": st.session_state.pop(FORGET_KEY)}
    else:
        return
    with slot:
        _component(data=data, key="session_cookie", height=0)
