"""Reflect's router: page config, who is signed in, and the pages their role may see.

Each page also checks who is signed in itself (reflect.ui.require_user): this list only decides what is offered.
"""

import streamlit as st

from reflect import accounts, ui

st.set_page_config(page_title="Reflect", page_icon=":material/edit_note:", layout="wide")

db = ui.database()
user = ui.current_user(db)

if user is None and not accounts.has_any_user(db):
    pages = [st.Page("pages/setup.py", title="Set up Reflect", icon=":material/settings:", default=True)]
elif user is None:
    pages = [
        st.Page("pages/sign_in.py", title="Sign in", icon=":material/login:", default=True),
        st.Page("pages/register.py", title="Join a cohort", icon=":material/person_add:"),
    ]
elif user.role == accounts.LEADER:
    pages = [
        st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
        st.Page("pages/reflect.py", title="Reflect", icon=":material/edit_note:"),
        st.Page("pages/checklist.py", title="Skills checklist", icon=":material/checklist:"),
        st.Page("pages/progress.py", title="My progress", icon=":material/show_chart:"),
        st.Page("pages/my_data.py", title="My data", icon=":material/download:"),
    ]
else:
    pages = [st.Page("pages/cohorts.py", title="Cohorts", icon=":material/groups:", default=True)]

db.close()
st.navigation(pages).run()
