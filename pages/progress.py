"""Leader: how their own self-ratings changed, as charts and as a table of the same numbers."""

import streamlit as st

from reflect.domain import accounts, cohorts, responses
from reflect.reporting import charts, reports
from reflect.web import context, figures, guard, show

db, user = guard.require_user(accounts.LEADER)
st.title("My progress")
sets = [qset for qset in context.question_sets().values() if qset.is_rating]
if not sets:
    st.info("There is no skills checklist yet, so there is nothing to chart.")
    st.stop()

cohort = cohorts.cohort_of_leader(db, user.id)
for qset in sets:
    st.header(qset.title)
    history = responses.ratings_over_time(db, user.id, qset.id)
    times = history["submission_id"].nunique()
    if times == 0:
        st.info("You have not submitted this checklist yet. When you do, your ratings appear here.")
        st.page_link("pages/checklist.py", label="Rate yourself now", icon=":material/checklist:")
        continue
    if times == 1:
        st.info(
            "You have submitted once, so there is no change to show yet. Rate yourself again later in the module "
            "and this page shows how each skill moved."
        )
    else:
        st.write(charts.change_summary(history, qset))
        st.subheader("From your first to your latest rating")
        show.chart(charts.first_to_latest, history, qset, width="stretch")
        st.dataframe(charts.change_table(history, qset), hide_index=True)
    looking_back = charts.looking_back_table(history, qset)
    if not looking_back.empty:
        st.subheader("Looking back at where you started")
        if summary := charts.looking_back_summary(looking_back):
            st.write(summary)
        st.dataframe(looking_back, hide_index=True)
    st.subheader("Every rating you submitted")
    show.chart(charts.ratings_over_time, history, qset)
    with st.expander("The same numbers as a table"):
        st.dataframe(charts.ratings_table(history, qset, lambda moment: show.local_time(moment.isoformat())))

    st.subheader("Where you sit in your cohort")
    positions = (reports.positions(figures.cohort_shares(db, user, cohort.id, qset),
                                   reports.own_latest(db, user, cohort.id, qset, user.id)) if cohort else None)
    if positions is None or positions.empty:
        st.info(
            f"Not enough responses yet. Once at least {reports.MIN_RESPONDENTS} leaders in your cohort have submitted "
            "at the same checkpoint as you, this shows how the cohort rated each skill and where your rating sits."
        )
        continue
    names = list(dict.fromkeys(positions["checkpoint"]))
    chosen = st.selectbox("Checkpoint", names, index=len(names) - 1, key=f"position:{qset.id}")
    at_checkpoint = positions[positions["checkpoint"] == chosen]
    scale = " · ".join(f"{point} {label}" for point, label in enumerate(qset.scale, start=1))
    st.caption(f"{int(at_checkpoint['respondents'].iloc[0]):,} leaders submitted at this checkpoint. The bars show the "
               f"share of the cohort at each rating ({scale}); ▼ marks your own rating.")
    show.chart(charts.position_in_cohort, at_checkpoint, qset, width="stretch")
    with st.expander("The same numbers as a table"):
        st.dataframe(charts.position_table(at_checkpoint, qset))
