"""Administrator: invite facilitators, hand a cohort over, and make another facilitator an administrator."""

import pandas as pd
import streamlit as st

from reflect.domain import access, accounts, facilitators
from reflect.domain.accounts import AccountError
from reflect.domain.cohorts import CohortError
from reflect.web import guard

db, user = guard.require_user(accounts.ADMINISTRATOR)
st.title("Facilitators")
if done := st.session_state.pop("facilitators_done", None):
    st.success(done)


def who(person: facilitators.Facilitator) -> str:
    return f"{person.name} ({person.email})"


st.subheader("Invite a facilitator")
with st.form("invite_facilitator", clear_on_submit=True):
    st.write("They get a one-time invitation code to set their own password, and can then create cohorts.")
    name = st.text_input("Their name")
    email = st.text_input("Their email")
    invited = st.form_submit_button("Invite facilitator", type="primary")
if invited:
    try:
        code = facilitators.invite(db, user, name=name, email=email)
    except AccountError as error:
        st.error(str(error))
    else:
        st.success(f"Invited. Give them this one-time invitation code, valid for 14 days: **{code}**. It is shown "
                   "only now. They choose **Use an invitation** on the sign-in screen to set their password.")

everyone = facilitators.everyone(db, user)
every_cohort = access.cohorts_for(db, user)
cohort_names = {cohort.id: cohort.name for cohort in every_cohort}
st.subheader("Everyone who facilitates")
st.dataframe(pd.DataFrame([{
    "Name": person.name, "Email": person.email, "Administrator": "Yes" if person.admin else "",
    "Status": "Invited, no password yet" if person.invited else "Active",
    "Cohorts": "; ".join(cohort_names[i] for i in person.cohort_ids if i in cohort_names),
} for person in everyone]), hide_index=True)

st.subheader("Hand a cohort over")
if not every_cohort:
    st.info("There are no cohorts yet.")
else:
    cohort_id = st.selectbox("Cohort", list(cohort_names), format_func=cohort_names.get, key="handover_cohort")
    by_id = {person.id: person for person in everyone}
    running = [person.id for person in everyone if cohort_id in person.cohort_ids]
    others = [person.id for person in everyone if cohort_id not in person.cohort_ids]
    # st.text, not Markdown: names are shown exactly as people typed them.
    st.text("Facilitated now by: " + "; ".join(who(by_id[i]) for i in running) if running
            else "No one facilitates this cohort now.")
    with st.form("handover"):
        add = st.selectbox("Add a facilitator", [None, *others], key="handover_add",
                           format_func=lambda i: "Nobody" if i is None else who(by_id[i]))
        remove = st.selectbox("Take a facilitator off", [None, *running], key="handover_remove",
                              format_func=lambda i: "Nobody" if i is None else who(by_id[i]))
        handed = st.form_submit_button("Hand over")
    if handed:
        try:
            facilitators.hand_over(db, user, cohort_id, add=add, remove=remove)
        except (AccountError, CohortError) as error:
            st.error(str(error))
        else:
            st.session_state["facilitators_done"] = "Handed over. The change is in the Activity log."
            st.rerun()

st.subheader("Make an administrator")
candidates = {person.id: person for person in everyone if not person.admin}
if not candidates:
    st.caption("Every facilitator is an administrator already.")
else:
    with st.form("make_admin"):
        chosen = st.selectbox("Facilitator", list(candidates), format_func=lambda i: who(candidates[i]),
                              key="make_admin_person")
        made = st.form_submit_button("Make administrator",
                                     help="They can then invite facilitators, see every cohort and hand cohorts over.")
    if made:
        try:
            facilitators.make_administrator(db, user, chosen)
        except AccountError as error:
            st.error(str(error))
        else:
            st.session_state["facilitators_done"] = "Done: they are now an administrator."
            st.rerun()
