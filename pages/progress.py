"""Leader: how their own self-ratings changed, as charts and as a table of the same numbers."""

import streamlit as st

from reflect.domain import accounts, cohorts, responses
from reflect.reporting import charts, reports
from reflect.web import context, figures, guard, my_progress, show

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
    if history.empty:
        st.info("You have not submitted this checklist yet. When you do, your ratings appear here.")
        st.page_link("pages/checklist.py", label="Rate yourself now", icon=":material/checklist:")
        continue
    view = my_progress.history(history, qset)
    if view.first_to_latest is None:
        st.info(
            "You have submitted once, so there is no change to show yet. Rate yourself again later in the module "
            "and this page shows how each skill moved."
        )
    else:
        st.write(view.change_summary)
        st.subheader("From your first to your latest rating")
        show.draw_spec(view.first_to_latest, width="stretch")
        st.dataframe(view.change_table, hide_index=True)
    if view.looking_back is not None:
        st.subheader("Looking back at where you started")
        if view.looking_back_summary:
            st.write(view.looking_back_summary)
        st.dataframe(view.looking_back, hide_index=True)
    st.subheader("Every rating you submitted")
    show.draw_spec(view.over_time)
    with st.expander("The same numbers as a table"):
        st.dataframe(view.ratings_table)

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
    where = my_progress.position(positions, chosen, qset)
    st.caption(f"{where.respondents:,} leaders submitted at this checkpoint. The bars show the share of the cohort at "
               f"each rating ({charts.scale_words(qset)}); ▼ marks your own rating.")
    show.draw_spec(where.chart, width="stretch")
    with st.expander("The same numbers as a table"):
        st.dataframe(where.table)
