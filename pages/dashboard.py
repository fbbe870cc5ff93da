"""Facilitator: how a cohort rates itself on a checklist, at a checkpoint and over time. Ratings only."""

import dataclasses
import math

import streamlit as st

from reflect.domain import accounts, checkpoints
from reflect.reporting import charts, reports
from reflect.web import context, figures, guard, pickers, show

db, user = guard.require_user(accounts.FACILITATOR)
st.title("Cohort dashboard")
rating_sets = [qset for qset in context.question_sets().values() if qset.is_rating]
if not rating_sets:
    st.info("There is no rated checklist among the question sets, so there is nothing to chart.")
    st.stop()

left, middle, right = st.columns(3)
with left:
    cohort = pickers.choose_cohort(db, user)
with middle:
    point = pickers.choose_checkpoint(db, cohort)
with right:
    qset = rating_sets[0] if len(rating_sets) == 1 else st.selectbox(
        "Checklist", rating_sets, format_func=lambda q: q.title, key="dashboard_checklist")
chosen = st.multiselect("Skills", qset.items, format_func=lambda item: f"{item.number}. {item.short}",
                        placeholder="All skills: choose some to show only those", key=f"dashboard_skills:{qset.id}")
shown = dataclasses.replace(qset, items=tuple(chosen)) if chosen else qset  # the same set, limited to the choice
respondents = figures.respondents(db, user, cohort.id, qset.id, point.id)
leaders = figures.leaders_in(db, user, cohort.id)
st.metric("Leaders who submitted at this checkpoint",
          f"{respondents:,} of {leaders:,}" + (f" ({respondents / leaders:.0%})" if leaders else ""),
          help="Out of the leaders in the cohort now. Each leader's latest submission within the checkpoint counts.")

st.header("Where the cohort stands", divider="gray")
if respondents == 0:
    st.info(f"No one has submitted the {qset.title} at this checkpoint yet.")
else:
    counts = figures.distribution(db, user, cohort.id, shown, point.id)
    st.caption(f"Each bar is 100% of the leaders who rated that skill ({charts.scale_words(shown)}). Ratings below "
               "the middle of the scale go left of zero, above it right; the middle point straddles zero. Skills are "
               "ordered by their positive share.")
    show.chart(charts.diverging_bars, counts, shown, width="stretch")
    with st.expander("Numbers behind this chart"):
        st.dataframe(charts.diverging_table(counts, shown).drop(columns="item_id"), hide_index=True,
                     column_config={column: st.column_config.NumberColumn(format="%.1f")
                                    for column in (*charts.scale_names(shown), "Positive %")})

st.header("Change over time", divider="gray")
means = figures.over_time(db, user, cohort.id, shown)
if means.empty:
    st.info("No ratings have been submitted within any checkpoint yet.")
else:
    order = [p.name for p in checkpoints.of_cohort(db, cohort.id)]
    if summary := charts.cohort_change_summary(means, shown):
        show.plain(summary)  # checkpoint names are typed by people
    st.caption("The cohort's mean rating at each checkpoint, with a 95% confidence interval.")
    show.chart(charts.cohort_over_time, means, shown, order)
    with st.expander("Numbers behind this chart"):
        st.dataframe(charts.over_time_table(means, shown), hide_index=True)


@context.fragment
def leaders_grid() -> None:
    """Paging, sorting and searching rerun only this part of the page, on a thread of its own: it uses its own
    connection, never the page's."""
    db = context.database()
    st.header("Leaders × skills", divider="gray")
    search, sort, per_page = st.columns([2, 2, 1])
    name = search.text_input("Find a leader by name", key="grid_name")
    order = sort.selectbox("Sort by", list(reports.GRID_SORTS), key="grid_sort")
    size = per_page.selectbox("Leaders per page", [25, 50, 100], index=1, key="grid_size")
    total = figures.grid_total(db, user, cohort.id, shown.id, point.id, name_contains=name)
    if total == 0:
        st.info("No leader matches." if name else "No one has submitted at this checkpoint yet.")
        return
    pages = math.ceil(total / size)
    if st.session_state.get("grid_page", 1) > pages:  # fewer pages than before: a new search, size or checkpoint
        st.session_state["grid_page"] = pages
    page = st.number_input(f"Page (of {pages:,})", min_value=1, max_value=pages, value=1, key="grid_page")
    grid = figures.grid_page(db, user, cohort.id, shown, point.id, sort=order, page=page, per_page=size,
                             name_contains=name)
    table = charts.grid_table(grid, shown)
    st.caption(f"Leaders {(page - 1) * size + 1:,}–{min(page * size, total):,} of {total:,}: "
               f"each leader's latest rating at this checkpoint ({charts.scale_words(shown)}).")
    show.chart(charts.leader_grid, grid, shown, list(table.index), width="stretch")
    with st.expander("Numbers behind this chart"):
        st.dataframe(table)
    pickers.open_a_leaders_record(grid[["user_id", "leader", "email"]].drop_duplicates(), cohort.id,
                                  key="grid_leader")


leaders_grid()
