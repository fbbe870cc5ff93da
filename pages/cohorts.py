"""Facilitator: create cohorts and hand out their join codes."""

import pandas as pd
import streamlit as st

from reflect import accounts, cohorts, ui
from reflect.cohorts import CohortError

db, user = ui.require_user(accounts.FACILITATOR)
st.title("Cohorts")

with st.form("new_cohort", clear_on_submit=True):
    name = st.text_input("New cohort name", placeholder="e.g. Partnership working, spring 2027")
    pressed = st.form_submit_button("Create cohort", type="primary")
if pressed:
    try:
        cohort = cohorts.create_cohort(db, user.id, name)
    except CohortError as error:
        st.error(str(error))
    else:
        st.success(f"Created “{ui.literal(cohort.name)}”. Leaders join with the code **{cohort.join_code}**.")

mine = cohorts.cohorts_run_by(db, user.id)
if not mine:
    st.info("You have no cohorts yet. Create one above, then give its join code to your leaders.")
else:
    st.subheader("Your cohorts")
    st.dataframe(
        pd.DataFrame(
            [{"Cohort": c.name, "Join code": c.join_code, "Leaders": c.leaders,
              "Status": "Archived" if c.archived_at else "Open"} for c in mine]
        ),
        hide_index=True,
    )
    st.caption("Leaders open Reflect, choose **Join a cohort** and type the join code.")
