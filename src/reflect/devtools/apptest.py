"""AppTest runs that go through the router, as the real server's do."""

from __future__ import annotations

import contextlib
import functools
import runpy

from sqlite_utils import Database
from streamlit.runtime.scriptrunner import script_runner
from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.testing.v1 import AppTest, app_test, local_script_runner

from reflect.domain import sessions
from reflect.storage.db import open_db
from reflect.web.context import SESSION_KEY


def run_router(main_script_path: str) -> None:
    """Run app.py for a page run where Streamlit would serve the ``pages/`` folder instead.

    AppTest turns the legacy discovery back on before every run it makes, so the tests and the benchmark put this
    in place of Streamlit's ``_mpa_v1`` to run each page through the router, as the real server does.
    """
    runpy.run_path(main_script_path, run_name="__main__")


def route_through_router() -> None:
    """For AppTest in this process: every run goes through app.py (see :func:`run_router`)."""
    script_runner._mpa_v1 = run_router


@functools.cache
def compile_once() -> None:
    """For AppTest in this process: compile each script once, as the real server's runtime does (it keeps one
    script cache), not on every run (AppTest makes a new cache for each). The benchmark times page runs this way,
    so a run is not charged for compiling and transforming two scripts that the server compiled long before. Once
    per process: a cache made anew on each call would be one cache per AppTest again."""
    shared = ScriptCache()
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared  # type: ignore[assignment, misc]


def sign_in(at: AppTest, user_id: int, db: Database | None = None) -> AppTest:
    """Sign `at` in as `user_id` with a real session, as the sign-in form does; call before a run. The session is
    written through `db` if given, else through a connection of its own to REFLECT_DB's file."""
    with contextlib.closing(open_db(migrate=False)) if db is None else contextlib.nullcontext(db) as writer:
        session, _ticket = sessions.start(writer, user_id)
    at.session_state[SESSION_KEY] = session.id
    return at
