"""One page run, as app.py routes it: the run's connection, who is signed in, their session cookie kept in step,
and the page chosen from those `pages_for` offers them. Each page checks who is signed in itself
(reflect.web.guard.require_user): the router only decides what is offered."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from sqlite_utils import Database

from reflect.domain.accounts import User
from reflect.web import context, school_sign_in, session_cookie


def route(pages_for: Callable[[User | None, Database], list[st.Page]]) -> None:
    """Run the page this person asked for, among `pages_for(person, db)` (the person None when signed out)."""
    st.set_page_config(page_title="Reflect", page_icon=":material/edit_note:", layout="wide")
    with context.connection_owner():
        db = context.database()
        user = school_sign_in.sign_in_with_school_identity(db, context.current_user(db))
        session_cookie.keep_cookie_in_step(db)
        page = st.navigation(pages_for(user, db))
        st.set_page_config(page_title=f"{page.title} · Reflect")  # each page its own name in the browser's tab
        page.run()
