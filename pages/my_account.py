"""Facilitator: change their password or email (a leader does this on My data)."""

import streamlit as st

from reflect.domain import accounts
from reflect.web import guard

db, user = guard.require_user(accounts.FACILITATOR)
st.title("My account")
guard.account_forms(db, user)
