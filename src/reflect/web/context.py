"""What a page run works with: its database connection, the question sets, and who is signed in.

SQLite connections must not cross threads, and Streamlit runs a page, each fragment rerun and each callback on
threads of their own; so each of those owns one connection for as long as it runs (:func:`connection_owner`).
"""

from __future__ import annotations

import contextlib
import functools
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import NoReturn, ParamSpec, TypeVar

import streamlit as st
from sqlite_utils import Database

from reflect.domain import accounts, sessions
from reflect.domain.accounts import User
from reflect.domain.questions import QuestionSet, QuestionSetError, load_question_sets
from reflect.settings import db_path, questions_dir
from reflect.storage.db import DatabaseUnavailable, open_db

SESSION_KEY = "session_id"  # the signed-in session of this browser tab (reflect.domain.sessions)
_USER_KEY = "signed_in_user"  # whose that session is
TICKET_KEY = "session_ticket"  # a new session's ticket, until the browser has traded it for the cookie
FORGET_KEY = "forget_session_cookie"  # signed out: the browser should drop the cookie
# This tab has used (or refused) the school identity Streamlit holds for it (reflect.web.school_sign_in): never again.
SCHOOL_IDENTITY_USED_KEY = "school_identity_used"
P = ParamSpec("P")
R = TypeVar("R")


@st.cache_resource(show_spinner=False)
def _schema_ready(path: str) -> bool:
    """Apply migrations once per server process and database file."""
    open_db(path).close()
    return True


# Who owns the connection on this thread: a script run, a fragment run or a callback, each of which Streamlit may
# run on a thread of its own. SQLite connections must not cross threads, so none outlives its owner.
_owner = threading.local()


@contextlib.contextmanager
def connection_owner() -> Iterator[None]:
    """Own the database connection of one script run, fragment run or callback on this thread, as flaskr's
    ``get_db``/teardown do for a request: :func:`database` opens it on first use, and it is closed when this ends.

    Inside another owner on the same thread (a fragment's first run inside its page) the outer one's is shared.
    Nothing may keep the connection after its owner ends: a later run gets a new one.
    """
    if getattr(_owner, "active", False):
        yield
        return
    _owner.active, _owner.db = True, None
    try:
        yield
    finally:
        db, _owner.db, _owner.active = _owner.db, None, False
        if db is not None:
            db.close()


def database() -> Database:
    """The connection of the current owner (see :func:`connection_owner`), opened on first use."""
    if not getattr(_owner, "active", False):
        raise RuntimeError("context.database() needs a connection owner: the router's script run, "
                           "context.fragment or context.owns_connection")
    if _owner.db is None:
        path = str(db_path())
        try:
            _schema_ready(path)
            _owner.db = open_db(path, migrate=False)
        except DatabaseUnavailable as error:
            st.error(f"Reflect cannot open its database. {error} Ask whoever installed Reflect to check it.")
            st.stop()
    return _owner.db


def owns_connection(function: Callable[P, R]) -> Callable[P, R]:
    """Run `function` (a callback, or a download made on another thread) as the owner of its own connection."""

    @functools.wraps(function)
    def owned(*args: P.args, **kwargs: P.kwargs) -> R:
        with connection_owner():
            return function(*args, **kwargs)

    return owned


_SIGNED_OUT_ELSEWHERE = "signed_out_elsewhere"


def acts_for_the_signed_in(function: Callable[P, None]) -> Callable[P, None]:
    """A callback that changes something for the tab's signed-in person: it owns its connection, and does nothing
    once the tab's session has ended elsewhere (signed out in another tab, a password changed), unless the browser's
    cookie names a live session of the same person (signed in again). A callback runs before its page's sign-in
    check, and a fragment's run has none: the next whole run of the page (see :func:`fragment`) then shows the
    sign-in screen."""

    @functools.wraps(function)
    def checked(*args: P.args, **kwargs: P.kwargs) -> None:
        with connection_owner():
            remembered = st.session_state.get(SESSION_KEY)
            if remembered is not None:
                session = sessions.find(database(), session_id=remembered, token=_cookie_token())
                if session is None or _someone_else(session, remembered):
                    st.session_state[_SIGNED_OUT_ELSEWHERE] = True
                    return
                st.session_state[SESSION_KEY] = session.id  # a new one if the same person signed in again
            function(*args, **kwargs)

    return checked


def fragment(function: Callable[P, None]) -> Callable[P, None]:
    """``st.fragment`` whose every run owns its connection. A fragment reruns on a thread other than its page's,
    after the page's connection has been closed: it must call :func:`database` itself, never capture the page's.
    A run that follows a callback refused because the tab's session has ended (:func:`acts_for_the_signed_in`)
    runs the whole page instead, whose sign-in check signs the tab out."""

    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        if st.session_state.pop(_SIGNED_OUT_ELSEWHERE, False):
            st.rerun(scope="app")
        function(*args, **kwargs)

    return st.fragment(owns_connection(run))


def deferred(make: Callable[[Database], bytes]) -> Callable[[], bytes]:
    """Download data made only when the button is clicked, by ``make(db)``. Streamlit runs it on another thread, so
    it opens a connection of its own (connections must not cross threads)."""

    @owns_connection
    def run() -> bytes:
        return make(database())

    return run


@st.cache_resource(show_spinner=False)
def _load_sets(folder: str) -> tuple[dict[str, QuestionSet], list[QuestionSetError]]:
    return load_question_sets(folder)


def question_sets() -> dict[str, QuestionSet]:
    """The question sets that loaded, in file order. Sets that failed to load are reported by the page guard."""
    return _load_sets(str(questions_dir()))[0]


def question_set_errors() -> list[QuestionSetError]:
    """Why each question set that did not load failed."""
    return _load_sets(str(questions_dir()))[1]


def current_user(db: Database) -> User | None:
    """Who this tab is signed in as: the session it remembers, or else the one its sign-in cookie names, if still
    live. A session ended elsewhere (sign-out in another tab, a password change) signs this tab out at this run; or,
    if the cookie now names another live session, over to it: the same person's keeps what the tab holds, someone
    else's loads the page anew (see :func:`_load_anew`)."""
    remembered = st.session_state.get(SESSION_KEY)
    session = sessions.find(db, session_id=remembered, token=_cookie_token())
    if session is None:
        if remembered is not None:
            _start_afresh()  # what this tab held belonged to the session that ended
        return None
    if remembered is not None and session.id != remembered:
        st.session_state.pop(_SIGNED_OUT_ELSEWHERE, None)  # that session's refusal: this one may act
        if _someone_else(session, remembered):
            _load_anew()
    st.session_state[SESSION_KEY], st.session_state[_USER_KEY] = session.id, session.user_id
    return accounts.get_user(db, session.user_id)


def _someone_else(session: sessions.Session, remembered: int) -> bool:
    """True if `session`, found for a tab that remembers the session `remembered`, is another person's: the tab's
    ended and someone else signed in on the browser since."""
    return session.id != remembered and session.user_id != st.session_state.get(_USER_KEY)


def _cookie_token() -> str | None:
    """The sign-in cookie the browser sent when this tab connected (again)."""
    cookie = st.context.cookies.get(sessions.COOKIE)
    return cookie if isinstance(cookie, str) else None  # AppTest, which has no browser, gives a stand-in object


_LOAD_ANEW_JS = "export default function () { window.location.reload(); }"
_load_anew_component = st.components.v2.component("reflect_load_anew", js=_LOAD_ANEW_JS)


def _load_anew() -> NoReturn:
    """Forget everything this tab held and have the browser load the page anew, ending this run: a tab left open on
    a shared computer, reconnecting after someone else signed in on it, must show them nothing of the last person's.
    The browser keeps its own copy of what a form's boxes hold, which forgetting the tab's state does not reach."""
    _start_afresh()
    _load_anew_component(key="load_anew", height=0)
    st.stop()


def _start_afresh() -> None:
    """Forget everything this tab held but that it has used its school identity: Streamlit keeps that identity in
    memory for as long as the tab is open, and it must not sign the tab in again once its session has ended."""
    used = st.session_state.get(SCHOOL_IDENTITY_USED_KEY, False)
    st.session_state.clear()
    if used:
        st.session_state[SCHOOL_IDENTITY_USED_KEY] = True


def current_session_id() -> int | None:
    return st.session_state.get(SESSION_KEY)


def sign_in(db: Database, user: User) -> None:
    """Start a session for `user` in this tab; the router then has the browser trade its ticket for the cookie that
    keeps them signed in across refreshes and tabs (reflect.web.session_cookie)."""
    _start_afresh()
    session, ticket = sessions.start(db, user.id)
    st.session_state[SESSION_KEY], st.session_state[_USER_KEY] = session.id, user.id
    st.session_state[TICKET_KEY] = ticket


@owns_connection
def sign_out() -> None:
    """End this tab's session everywhere it is used (the other tabs find out at their next run)."""
    session_id = st.session_state.get(SESSION_KEY)
    if session_id is not None:
        with contextlib.suppress(DatabaseUnavailable):  # the cookie route ends it too, by the cookie's token
            sessions.end(database(), session_id=session_id)
    _start_afresh()
    st.session_state[FORGET_KEY] = uuid.uuid4().hex  # a new value each time, so each sign-out is sent
