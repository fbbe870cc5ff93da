"""Facilitator: create cohorts, hand out join codes, and manage a cohort's name, checkpoints and facilitators."""

import pandas as pd
import streamlit as st

from reflect.domain import access, accounts, checkpoints, cohorts, invitations
from reflect.domain.accounts import AccountError
from reflect.domain.checkpoints import CheckpointError
from reflect.domain.cohorts import CohortError
from reflect.web import guard, pickers, show

db, user = guard.require_user(accounts.FACILITATOR)
st.title("Cohorts")

with st.form("new_cohort", clear_on_submit=True):
    name = st.text_input("New cohort name", placeholder="e.g. Partnership working, spring 2027")
    pressed = st.form_submit_button("Create cohort", type="primary")
if pressed:
    try:
        cohort = cohorts.create_cohort(db, user.id, name, time_zone=show.browser_zone().key)
    except CohortError as error:
        st.error(str(error))
    else:
        pickers.remember_cohort(cohort.id)
        st.success(f"Cohort created. Leaders join with the code **{cohort.join_code}**.")

mine = access.cohorts_for(db, user)
if not mine:
    st.info("You have no cohorts yet. Create one above, then give its join code to your leaders.")
    st.stop()
st.subheader("Your cohorts")
st.dataframe(
    pd.DataFrame([{"Cohort": c.name, "Join code": c.join_code, "Leaders": c.leaders,
                   "Status": "Archived" if c.archived_at else "Open"} for c in mine]),
    hide_index=True,
)
st.caption("Leaders open Reflect, choose **Join a cohort** and type the join code.")

st.subheader("Manage a cohort")
cohort = pickers.choose_cohort(db, user)
settings, timeline, people, passwords = st.tabs(["Name and status", "Checkpoints", "Facilitators",
                                                "Forgotten passwords"])

with settings:
    with st.form("rename"):
        new_name = st.text_input("Cohort name", value=cohort.name)
        if st.form_submit_button("Rename"):
            try:
                cohorts.rename(db, user, cohort.id, new_name)
            except CohortError as error:
                st.error(str(error))
            else:
                st.rerun()
    if cohort.archived_at:
        st.warning(f"Archived on {show.local_time(cohort.archived_at)}: the join code no longer works. "
                   "Its data stays and can still be viewed and exported.")
        if st.button("Reopen this cohort"):
            cohorts.set_archived(db, user, cohort.id, False)
            st.rerun()
    else:
        st.write(f"Join code: **{cohort.join_code}**")
        if st.button("Archive this cohort", help="Stops new leaders joining. Nothing is deleted."):
            cohorts.set_archived(db, user, cohort.id, True)
            st.rerun()

with timeline:
    zone = checkpoints.zone_of(db, cohort.id)
    yours = show.browser_zone()
    st.caption(
        "A submission belongs to the checkpoint open when it was made; a leader's latest submission in a checkpoint "
        f"is the one the cohort charts use. Dates are whole days in {zone.key}, first and last day included; "
        "checkpoints may not overlap."
        + (f" (Your browser is in {yours.key}.)" if yours.key != zone.key else "")
    )
    current = checkpoints.of_cohort(db, cohort.id)
    table = pd.DataFrame({
        "id": [point.id for point in current], "Name": [point.name for point in current],
        "First day": [point.first_day for point in current], "Last day": [point.last_day for point in current],
    })
    edited = st.data_editor(
        table, num_rows="dynamic", hide_index=True, key=f"checkpoints:{cohort.id}",
        column_config={
            "id": None,
            "Name": st.column_config.TextColumn(required=True),
            "First day": st.column_config.DateColumn(required=True, format="D MMM YYYY"),
            "Last day": st.column_config.DateColumn(required=True, format="D MMM YYYY"),
        },
    )
    if st.button("Save checkpoints", type="primary"):
        rows = [(None if pd.isna(row["id"]) else int(row["id"]), str(row["Name"] or ""),
                 None if pd.isna(row["First day"]) else pd.Timestamp(row["First day"]).date(),
                 None if pd.isna(row["Last day"]) else pd.Timestamp(row["Last day"]).date())
                for row in edited.to_dict("records")]
        try:
            changed = checkpoints.replace_all(db, user, cohort.id, rows)
        except CheckpointError as error:
            st.error(str(error))
        else:
            st.session_state["checkpoints_saved"] = changed
            st.session_state.pop(f"checkpoints:{cohort.id}", None)  # the edits are saved: show the table afresh
            st.rerun()  # so everything below (the checkpoint asking for the rating looking back) shows them saved
    if (saved := st.session_state.pop("checkpoints_saved", None)) is not None:
        st.success("Checkpoints saved." if saved else "Nothing to save: the checkpoints are as stored.")

    st.subheader("Rating looking back")
    st.caption("Ratings at the start of a course tend to run high: the course changes what people think good looks "
               "like. At the checkpoint chosen here (usually the last), the checklist also asks each leader to rate "
               "each skill as they now think they were at the start of the module. Impact compares the two.")
    names = {point.id: point.name for point in current}
    asked = next((point.id for point in current if point.asks_then), None)
    options = [None, *names]
    looking_back = st.selectbox("Ask for a rating looking back at", options, index=options.index(asked),
                                key=f"asks_then:{cohort.id}:{asked}",  # anew when what is saved changes
                                format_func=lambda point_id: "No checkpoint" if point_id is None else names[point_id])
    if st.button("Save", key=f"save_asks_then:{cohort.id}", disabled=looking_back == asked):
        try:
            checkpoints.ask_then_at(db, user, cohort.id, looking_back)
        except CheckpointError as error:
            st.error(str(error))
        else:
            st.rerun()

with people:
    st.dataframe(pd.DataFrame(cohorts.facilitators_of(db, user, cohort.id), columns=["Name", "Email"]), hide_index=True)
    with st.form("co_facilitator", clear_on_submit=True):
        st.write("Add a co-facilitator. They see this cohort's ratings, completion and shared reflections.")
        co_name = st.text_input("Their name")
        co_email = st.text_input("Their email")
        added = st.form_submit_button("Add co-facilitator")
    if added:
        try:
            code = invitations.add_co_facilitator(db, user, cohort.id, name=co_name, email=co_email)
        except (AccountError, CohortError) as error:
            st.error(str(error))
        else:
            if code:
                st.success(f"Added. Give them this one-time invitation code, valid for 14 days: **{code}**. They "
                           "choose **Use an invitation** on the sign-in screen to set their password.")
            else:
                st.success("Added. They will see this cohort next time they open Reflect.")

with passwords:
    st.write("Someone in this cohort who forgot their password (or is locked out) can choose a new one with a reset "
             "code: it works once, for two days, on **Forgot your password?** on the sign-in screen.")
    members = {person.id: person for person in cohorts.people_of(db, user, cohort.id)}
    with st.form(f"reset:{cohort.id}"):
        chosen = st.selectbox("Person", list(members), index=None, placeholder="Choose someone",
                              format_func=lambda i: f"{members[i].name} · {members[i].email}")
        make = st.form_submit_button("Make a reset code")
    if make and chosen is None:
        st.error("Choose the person who needs a new password.")
    elif make and chosen is not None:
        try:
            reset = invitations.make_reset_code(db, user, cohort.id, chosen)
        except (AccountError, CohortError) as error:
            st.error(str(error))
        else:
            st.success(f"Give them this reset code, shown only now: **{reset}**. Any code made for them before no "
                       "longer works.")

