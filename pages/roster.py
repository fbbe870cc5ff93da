"""Facilitator: add leaders to a cohort from a roster CSV. Checked first; nothing is imported until confirmed. People
already in the cohort are skipped, so a class list can be uploaded again with new names added."""

import pandas as pd
import streamlit as st

from reflect.domain import accounts, roster
from reflect.domain.roster import RosterError
from reflect.reporting import export
from reflect.web import guard, pickers, show

db, user = guard.require_user(accounts.FACILITATOR)
st.title("Add leaders")
cohort = pickers.choose_cohort(db, user)
imported_key, round_key = f"invited:{cohort.id}", f"roster_round:{cohort.id}"

imported = st.session_state.get(imported_key)
if imported:
    count, invited = imported
    # The same message whoever was in the file; only new accounts have codes (the others must not get one).
    st.success(roster.imported_message(count))
    if invited:
        st.dataframe(pd.DataFrame([{"Name": i.name, "Email": i.email, "Invitation code": i.code} for i in invited]),
                     hide_index=True)
        st.download_button("Download the codes (CSV)", export.invitations_csv(invited), file_name="invitations.csv",
                           mime="text/csv", icon=":material/download:")
    st.divider()

st.write(
    "Leaders can join with the cohort's join code themselves. To add a list of them at once, upload a CSV file with "
    "a header row naming a **name** and an **email** column (other columns are ignored). Each new leader gets a "
    "one-time invitation code to set their own password; someone who already has a Reflect account is asked, when "
    "they sign in, whether to join this cohort. People already in this cohort are skipped."
)
st.download_button("Download an example file", roster.EXAMPLE, file_name="roster-example.csv", mime="text/csv",
                   icon=":material/download:")
# A new key after each import gives an empty uploader, so the imported file is not checked again.
upload = st.file_uploader("Roster CSV", type=["csv"], key=f"roster:{cohort.id}:{st.session_state.get(round_key, 0)}")
if upload is None:
    st.stop()

check = roster.check_roster(db, user, cohort.id, upload.getvalue())
if check.problems:
    st.error(f"Nothing has been imported. Fix {'this problem' if len(check.problems) == 1 else 'these problems'} "
             "in the file and upload it again:")
    st.dataframe(pd.DataFrame([{"Line": p.line, "Problem": p.message} for p in check.problems]), hide_index=True)
preview = roster.preview(check)
count = check.to_invite  # the skipped are neither imported nor counted as imported
skipped = (f" {show.count_of(len(check.skipped), 'leader')} already in this cohort will be skipped."
           if check.skipped else "")
if not check.problems and count:
    st.info(f"{show.count_of(count, 'new leader')} will get an invitation code, or, if they already have a Reflect "
            f"account, an invitation to accept when they sign in.{skipped} Nothing has been imported yet.")
elif not check.problems:
    st.warning(roster.NOTHING_TO_IMPORT)
if preview:
    st.dataframe(pd.DataFrame(preview), hide_index=True)
if st.button(f"Import {show.count_of(count, 'leader')}", type="primary", disabled=not check.ok):
    try:
        st.session_state[imported_key] = (count, roster.import_roster(db, user, cohort.id, check))
    except RosterError as error:
        st.error(str(error))
    else:
        st.session_state[round_key] = st.session_state.get(round_key, 0) + 1
        st.rerun()
