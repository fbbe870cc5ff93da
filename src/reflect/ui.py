"""The Streamlit glue every page shares: the connection of each run, the question sets, who is signed in, pickers
and fields that save themselves.

:func:`require_user` is the guard at the top of every page: ``st.navigation`` only decides which pages are listed,
so each page checks its reader again (and the library checks cohort access once more, in reflect.access).
"""

from __future__ import annotations

import contextlib
import functools
import html
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import ParamSpec, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st
from sqlite_utils import Database

from reflect import access, accounts, checkpoints, cohorts, reports, responses, tally
from reflect.accounts import AccountError, User
from reflect.db import DatabaseUnavailable, now, open_db
from reflect.questions import QuestionSet, QuestionSetError, load_question_sets
from reflect.settings import db_path, questions_dir
from reflect.text import InvalidText

USER_KEY = "user_id"
P = ParamSpec("P")
R = TypeVar("R")


def plain(text: str, *, heading: int = 0) -> None:
    """Show `text` exactly as typed, as a paragraph or a heading of level `heading` (1 for the page title): for
    anything holding a name someone typed (a person, cohort or checkpoint name, an email).

    Titles, alerts, captions and every label (metric, widget, expander, tab, toast, ``help``) render Markdown, and
    GitHub-flavoured Markdown turns a bare ``http://…`` or ``www.…`` into a link after escapes are undone, so no
    escaping makes a name safe there: leave the name out of those, or show it with this. Option text
    (``format_func``), table cells and chart text are plain already.
    """
    if heading:
        st.html(f"<h{heading}>{html.escape(text)}</h{heading}>")
    else:
        st.text(text)


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
        raise RuntimeError("ui.database() needs a connection owner: the router's script run, ui.fragment or "
                           "ui.owns_connection")
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


@st.cache_resource(show_spinner=False)
def _load_sets(folder: str) -> tuple[dict[str, QuestionSet], list[QuestionSetError]]:
    return load_question_sets(folder)


def question_sets() -> dict[str, QuestionSet]:
    """The question sets that loaded, in file order. Sets that failed to load are reported by :func:`require_user`."""
    return _load_sets(str(questions_dir()))[0]


def current_user(db: Database) -> User | None:
    user_id = st.session_state.get(USER_KEY)
    return accounts.get_user(db, user_id) if user_id is not None else None


def require_user(role: str | None = None) -> tuple[Database, User]:
    """Return (db, user) if someone is signed in with `role`; otherwise show sign-in or a refusal and stop.
    An administrator is accepted wherever a facilitator is."""
    db = database()
    user = current_user(db)
    if user is None:
        st.title("Sign in to Reflect")
        sign_in_form(db)
        st.stop()
    _sidebar(user)
    if role is not None and not user.is_a(role):
        st.error(f"This page is for {role}s only, and you are signed in as a {user.role}. Choose a page from the menu.")
        st.stop()
    for error in _load_sets(str(questions_dir()))[1]:
        st.warning(
            f"The question set in **{error.file}** could not be loaded ({error.field}: {error.why}). "
            "The other question sets work as usual."
        )
    return db, user


def sign_in(user: User) -> None:
    st.session_state.clear()
    st.session_state[USER_KEY] = user.id


def sign_out() -> None:
    st.session_state.clear()


def _sidebar(user: User) -> None:
    with st.sidebar:
        plain(f"Signed in as {user.name} ({accounts.ADMINISTRATOR if user.admin else user.role})")
        st.button("Sign out", on_click=sign_out, icon=":material/logout:", key="sign_out")


def sign_in_form(db: Database) -> None:
    with st.form("sign_in"):
        email = st.text_input("Email", autocomplete="email")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        pressed = st.form_submit_button("Sign in", type="primary")
    if pressed:
        try:
            user = accounts.sign_in(db, email, password)
        except (AccountError, DatabaseUnavailable) as error:
            st.error(str(error))
        else:
            sign_in(user)
            st.rerun()


def browser_zone() -> ZoneInfo:
    """The time zone the browser reports, or UTC when it is not known (or not one this machine knows)."""
    try:
        return ZoneInfo(st.context.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_time(stored: str, style: str = "%d %b %Y, %H:%M") -> str:
    """A stored UTC time shown in the browser's time zone."""
    shown = datetime.fromisoformat(stored).astimezone(browser_zone())
    return f"{shown.strftime(style)} {shown.tzname()}"


# Draft fields: each widget saves its own value to the database when it changes (text areas send on blur or
# Ctrl+Enter). The status under it says "Saved" only after the write committed; text that cannot be saved stays in
# the box with the reason, and the last good draft stays in the database.

def _keys(qset: QuestionSet, item_id: str, field: str) -> tuple[str, str, str]:
    base = f"{qset.id}:{item_id}:{field}"
    return base, f"saved:{base}", f"problem:{base}"


@owns_connection
def _save_field(user_id: int, qset: QuestionSet, item_id: str, field: str) -> None:
    key, saved_key, problem_key = _keys(qset, item_id, field)
    try:
        saved_at = responses.save_draft(database(), user_id, qset, item_id, **{field: st.session_state[key]})
    except (InvalidText, DatabaseUnavailable) as error:
        st.session_state[problem_key] = (str(error), st.session_state[key])
    else:
        st.session_state[saved_key] = saved_at
        st.session_state.pop(problem_key, None)
        st.session_state.pop(f"token:{qset.id}", None)  # changed answers: the next Submit is a new submission


def has_unsaved_problems(qset: QuestionSet) -> bool:
    """True while any field of `qset` holds text that could not be saved."""
    return any(key.startswith(f"problem:{qset.id}:") for key in st.session_state)


def _init_field(qset: QuestionSet, item_id: str, field: str, stored, stored_at: str | None) -> tuple[str, str, str]:
    key, saved_key, problem_key = _keys(qset, item_id, field)
    if key not in st.session_state:  # first show, or back from another page: what was typed, else what was saved
        problem = st.session_state.get(problem_key)
        st.session_state[key] = problem[1] if problem else stored
    if saved_key not in st.session_state and stored_at:
        st.session_state[saved_key] = stored_at
    return key, saved_key, problem_key


def _status(saved_key: str, problem_key: str) -> None:
    problem = st.session_state.get(problem_key)
    if problem:
        st.error(f"Not saved. {problem[0]}", icon=":material/error:")
    elif st.session_state.get(saved_key):
        st.caption(f":material/check: Saved {local_time(st.session_state[saved_key], '%d %b, %H:%M:%S')}")


def draft_text(user_id: int, qset: QuestionSet, item_id: str, draft: responses.Draft | None, *, field: str = "text",
               label: str, height: int = 150, limit: int | None = None) -> None:
    """A text area for one item's answer (or note) that saves itself as a draft."""
    draft = draft or responses.Draft()
    key, saved_key, problem_key = _init_field(qset, item_id, field, getattr(draft, field) or "", draft.saved_at)
    limit = limit or qset.max_chars
    st.text_area(
        label, key=key, height=height, on_change=_save_field, args=(user_id, qset, item_id, field),
        help=f"Saved automatically when you click or tab away. Up to {limit:,} characters.",
    )
    _status(saved_key, problem_key)


def draft_rating(user_id: int, qset: QuestionSet, item_id: str, draft: responses.Draft | None, *, label: str) -> None:
    """A row of labelled scale points for one item, unanswered until chosen, that saves itself as a draft."""
    draft = draft or responses.Draft()
    key, saved_key, problem_key = _init_field(qset, item_id, "rating", draft.rating, draft.saved_at)
    st.radio(
        label, options=range(1, len(qset.scale) + 1), format_func=lambda point: f"{point} · {qset.scale_label(point)}",
        index=None, horizontal=True, key=key, on_change=_save_field, args=(user_id, qset, item_id, "rating"),
    )
    _status(saved_key, problem_key)


# Pickers. A selectbox without a key whose arguments change (an index taken from memory, say) is a new widget to
# Streamlit, which then drops the person's choice; so every picker has a key, and what it remembers across pages
# lives beside it, under a name of its own.

def remembered_choice(label: str, options: list, *, key: str, memory: str, default, format_func=str):
    """A selectbox keyed `key` that starts on what `memory` holds (else `default`) and remembers the choice there.

    Streamlit forgets a widget's value when a page without it runs; `memory` keeps it, for when the person comes
    back. A remembered value that is no longer offered (a deleted checkpoint) falls back to `default`.
    """
    if key not in st.session_state or st.session_state[key] not in options:
        remembered = st.session_state.get(memory, default)
        st.session_state[key] = remembered if remembered in options else default
    choice = st.selectbox(label, options, key=key, format_func=format_func)
    st.session_state[memory] = choice
    return choice


_COHORT_MEMORY, _COHORT_PICKER = "chosen_cohort", "cohort_picker"


def remember_cohort(cohort_id: int) -> None:
    """Make `cohort_id` the cohort every picker shows next (after creating one, say)."""
    st.session_state[_COHORT_MEMORY] = cohort_id
    st.session_state.pop(_COHORT_PICKER, None)


def choose_cohort(db: Database, user: User) -> cohorts.Cohort:
    """A selectbox of the cohorts `user` may run (others' are never offered; an administrator's: every cohort);
    stops with a hint if none."""
    mine = access.cohorts_for(db, user)
    if not mine:
        st.info("You have no cohorts yet. Create one on the Cohorts page.")
        st.page_link("pages/cohorts.py", label="Go to Cohorts", icon=":material/groups:")
        st.stop()
    by_id = {cohort.id: cohort for cohort in mine}
    cohort_id = remembered_choice(
        "Cohort", list(by_id), key=_COHORT_PICKER, memory=_COHORT_MEMORY, default=mine[0].id,
        format_func=lambda i: by_id[i].name + (" (archived)" if by_id[i].archived_at else ""),
    )
    return by_id[cohort_id]


def choose_checkpoint(db: Database, cohort: cohorts.Cohort, *, label: str = "Checkpoint",
                      allow_all: bool = False) -> checkpoints.Checkpoint | None:
    """A selectbox of the cohort's checkpoints, defaulting to the one open now; with `allow_all`, to "All
    checkpoints" (None). Each cohort remembers its own choice."""
    points = checkpoints.of_cohort(db, cohort.id)
    if not points:
        st.info("This cohort has no checkpoints. Add them on the Cohorts page.")
        st.stop()
    by_id = {point.id: point for point in points}
    current = checkpoints.at(db, cohort.id, now())

    def describe(point_id: int | None) -> str:
        if point_id is None:
            return "All checkpoints"
        point = by_id[point_id]  # the days as stored, in the cohort's zone: as the Cohorts page states them
        return f"{point.name} ({point.first_day:%d %b %Y} – {point.last_day:%d %b %Y})"

    scope = f"{cohort.id}:{'any' if allow_all else 'one'}"
    chosen = remembered_choice(
        label, ([None] if allow_all else []) + list(by_id), key=f"checkpoint_picker:{scope}",
        memory=f"chosen_checkpoint:{scope}", default=None if allow_all else (current or points[0]).id,
        format_func=describe,
    )
    return by_id.get(chosen)


def deferred(make: Callable[..., bytes], *args, **kwargs) -> Callable[[], bytes]:
    """Download data made only when the button is clicked. Streamlit runs it on another thread, so it opens a
    connection of its own (connections must not cross threads)."""

    @owns_connection
    def run() -> bytes:
        return make(database(), *args, **kwargs)

    return run


@owns_connection
def _toggle_share(user_id: int, submission_id: int) -> None:
    key = f"share:{submission_id}"
    try:
        responses.set_shared(database(), user_id, submission_id, st.session_state[key])
    except DatabaseUnavailable as error:
        st.session_state[key] = not st.session_state[key]  # show what is really stored
        st.toast(str(error), icon=":material/error:")


def sharing_controls(db: Database, user: User, qset: QuestionSet, made: list[responses.Submission]) -> None:
    """Each submission of `qset` with a "Share with my facilitator" switch (off until the leader turns it on)."""
    if not made:
        return
    shared = responses.shared_ids(db, user.id)
    what = "notes" if qset.is_rating else "written answers"
    with st.expander(f"Your submissions ({len(made)}) and sharing", icon=":material/share:"):
        st.caption(f"Your {what} are private unless you share a submission. Your cohort's facilitators can then read "
                   "that submission; you can stop sharing at any time.")
        for submission in made:
            st.toggle(
                f"Share with my facilitator: submitted {local_time(submission.submitted_at)}",
                value=submission.id in shared, key=f"share:{submission.id}",
                on_change=_toggle_share, args=(user.id, submission.id),
            )


@st.cache_data(max_entries=128, show_spinner=False)
def _cached_report(name: str, path: str, version: int, _actor: User, cohort_id: int, *args, **kwargs):
    # _actor is left out of the cache key (a figure is the same for everyone who may see it): the report checks it
    # when it is made, and cohort_report checks every caller before a cached figure is served.
    with contextlib.closing(open_db(path, migrate=False)) as db:
        return getattr(reports, name)(db, _actor, cohort_id, *args, **kwargs)


def cohort_report_cache_clear() -> None:
    """Forget every cached cohort figure (the benchmark's "first view after a change")."""
    _cached_report.clear()


def cohort_report(db: Database, actor: User, name: str, cohort_id: int, *args, **kwargs):
    """``reports.<name>(db, actor, cohort_id, *args, **kwargs)``, cached across sessions until the data it is made
    from changes. The access check (:func:`reflect.access.cohort_for`) runs first, on every call, cached or not.

    The key includes :func:`tally.version`, which goes up on every write that can change a figure (a submission,
    a deletion, a checkpoint edit, a leader joining), so a facilitator never sees figures older than the database.
    """
    access.cohort_for(db, actor, cohort_id, need=reports.NEEDS[name])
    return _cached_report(name, str(db_path()), tally.version(db), actor, cohort_id, *args, **kwargs)


def submit_button(db: Database, user: User, qset: QuestionSet, label: str) -> responses.Submission | None:
    """A Submit button for `qset`; returns the submission it just made, or None (with the reason shown).

    Each press carries a token that stays the same until the answers change (see :func:`_save_field`), so a
    double click, a retried request or a second press with nothing changed makes one submission, not two. After a
    submission the page runs again, so everything drawn above the button (the share switches) includes it. It
    refuses while a field holds text that could not be saved, so nothing on screen is left out.
    """
    token_key, made_key = f"token:{qset.id}", f"just_submitted:{qset.id}"
    st.session_state.setdefault(token_key, uuid.uuid4().hex)
    if st.button(label, key=f"submit:{qset.id}", type="primary"):
        if has_unsaved_problems(qset):
            st.error("Some answers could not be saved. Fix the ones marked “Not saved”, then submit again.")
            return None
        try:
            st.session_state[made_key] = responses.submit(db, user.id, qset, st.session_state[token_key])
        except (responses.IncompleteSubmission, DatabaseUnavailable) as error:
            st.error(str(error))
            return None
        st.rerun()
    return st.session_state.pop(made_key, None)


def new_password_inputs() -> tuple[str, str]:
    """The "choose a password" pair of a sign-up form (call inside the form)."""
    password = st.text_input(
        "Choose a password", type="password", autocomplete="new-password",
        help=f"At least {accounts.MIN_PASSWORD} characters. A few words together is easy to remember.",
    )
    confirm = st.text_input("Type the password again", type="password", autocomplete="new-password")
    return password, confirm


def passwords_match(password: str, confirm: str) -> bool:
    if password != confirm:
        st.error("The two passwords are different. Type the same password in both boxes.")
        return False
    return True
