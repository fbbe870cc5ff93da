"""Reflect's router: page config, who is signed in, and the pages their role may see.

``streamlit run app.py`` imports this file once to find the server app (``app``, below), then runs it as the
script of every page: each run owns one database connection, closed when the run ends (reflect.web.context).

A signed-in person is given only their role's pages. A signed-out person sees Sign in and Join in the menu; the
members' pages are registered for them too, but hidden, so that opening one signed out (a link, or once a session
has ended) shows that page's sign-in screen and returns there after signing in, instead of "Page not found".
Signing in lasts across refreshes, tabs and restarts: see reflect.domain.sessions. Where a school's identity
provider is configured, the run after it sends someone back signs them in (reflect.web.school_sign_in).
Every page checks who is signed in itself (reflect.web.guard.require_user): this router only decides what is
offered (reflect.web.router runs it).
"""

import streamlit as st

from reflect.domain import accounts
from reflect.web import router, routes, server

# (file, title, icon) of each role's pages; the first is that role's home.
ROLE_PAGES = {
    accounts.LEADER: [
        ("pages/home.py", "Home", ":material/home:"),
        ("pages/reflect.py", "Reflect", ":material/edit_note:"),
        ("pages/checklist.py", "Skills checklist", ":material/checklist:"),
        ("pages/progress.py", "My progress", ":material/show_chart:"),
        ("pages/my_data.py", "My data", ":material/download:"),
    ],
    accounts.FACILITATOR: [
        ("pages/dashboard.py", "Cohort dashboard", ":material/monitoring:"),
        ("pages/completion.py", "Completion and reflections", ":material/fact_check:"),
        ("pages/leader.py", "Leader record", ":material/person:"),
        ("pages/impact.py", "Impact", ":material/trending_up:"),
        ("pages/cohorts.py", "Cohorts", ":material/groups:"),
        ("pages/roster.py", "Add leaders", ":material/group_add:"),
        ("pages/cohort_export.py", "Export", ":material/download:"),
        ("pages/activity.py", "Activity log", ":material/history:"),
        ("pages/my_account.py", "My account", ":material/account_circle:"),
    ],
}
# An administrator is a facilitator who also invites facilitators and hands cohorts over.
ROLE_PAGES[accounts.ADMINISTRATOR] = [
    *ROLE_PAGES[accounts.FACILITATOR],
    ("pages/facilitators.py", "Facilitators", ":material/manage_accounts:"),
]


def role_pages(role: str) -> list[st.Page]:
    return [
        st.Page(file, title=title, icon=icon, default=index == 0)
        for index, (file, title, icon) in enumerate(ROLE_PAGES[role])
    ]


def hidden_member_pages() -> list[st.Page]:
    every = {file: (title, icon) for pages in ROLE_PAGES.values() for file, title, icon in pages}
    return [st.Page(file, title=title, icon=icon, visibility="hidden") for file, (title, icon) in every.items()]


def pages_for(user: accounts.User | None, db) -> list[st.Page]:
    if user is None and not accounts.has_any_user(db):
        return [st.Page("pages/setup.py", title="Set up Reflect", icon=":material/settings:", default=True)]
    if user is None:
        return [
            st.Page("pages/sign_in.py", title="Sign in", icon=":material/login:", default=True),
            st.Page("pages/register.py", title="Join a cohort", icon=":material/person_add:"),
            st.Page("pages/invitation.py", title="Use an invitation", icon=":material/key:"),
            # Reached from the link under every sign-in form, not listed: the menu stays the three ways in.
            st.Page("pages/forgot_password.py", title="Forgot your password?", icon=":material/lock_reset:",
                    visibility="hidden"),
            *hidden_member_pages(),
        ]
    return role_pages(accounts.ADMINISTRATOR if user.admin else user.role)


if __name__ == "__main__":  # a script run: route this person to their page
    router.route(pages_for)
else:  # imported by `streamlit run app.py`, once, to serve the app
    server.serve_pages_through_router()
    server.bring_the_database_up_to_date()
    server.keep_start_up_out_of_garbage_collection()
    app = st.App("app.py", routes=routes.ROUTES)
