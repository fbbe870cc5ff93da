"""What a page run works with: its database connection, the question sets, and who is signed in.

SQLite connections must not cross threads, and Streamlit runs a page, each fragment rerun and each callback on
threads of their own; so each of those owns one connection for as long as it runs (:func:`connection_owner`).
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Callable, Iterator
from typing import ParamSpec, TypeVar

import streamlit as st
from sqlite_utils import Database

from reflect.domain import accounts
from reflect.domain.accounts import User
from reflect.domain.questions import QuestionSet, QuestionSetError, load_question_sets
from reflect.settings import db_path, questions_dir
from reflect.storage.db import DatabaseUnavailable, open_db

USER_KEY = "user_id"
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


def fragment(function: Callable[[], None]) -> Callable[[], None]:
    """``st.fragment`` whose every run owns its connection. A fragment reruns on a thread other than its page's,
    after the page's connection has been closed: it must call :func:`database` itself, never capture the page's."""
    return st.fragment(owns_connection(function))


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
    user_id = st.session_state.get(USER_KEY)
    return accounts.get_user(db, user_id) if user_id is not None else None


def sign_in(user: User) -> None:
    st.session_state.clear()
    st.session_state[USER_KEY] = user.id


def sign_out() -> None:
    st.session_state.clear()
