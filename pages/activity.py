"""Facilitator: the audit log of their cohorts: submissions, sharing, role changes, imports and exports."""

import streamlit as st

from reflect.domain import accounts, audit
from reflect.web import guard, show

db, user = guard.require_user(accounts.FACILITATOR)
st.title("Activity log")
st.write("Who did what, and when, in the cohorts you facilitate. Entries are never changed or removed.")
log = audit.for_facilitator(db, user)
if log.empty:
    st.info("Nothing has happened in your cohorts yet.")
    st.stop()
actions = st.multiselect("Show only", sorted(set(log["What"])), placeholder="Everything", key="activity_filter")
if actions:
    log = log[log["What"].isin(actions)]
log["When"] = log["When"].map(show.local_time)
st.caption(f"The newest {len(log):,} entries.")
st.dataframe(log, hide_index=True)
