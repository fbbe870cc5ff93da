"""Facilitator: who has submitted each set at a checkpoint, and the reflections leaders chose to share.

The list is filtered and paged in SQL (reflect.reporting.reports.completion), so a page of a cohort of thousands
sends a page of rows; the whole list is made only when it is downloaded.
"""

import pandas as pd
import streamlit as st

from reflect.domain import accounts, responses
from reflect.reporting import reports
from reflect.web import answers, context, conversation, guard, pickers, show

PER_PAGE = 25
COPY_AT_MOST = 500  # addresses in the box to copy; more are in the download
SHARED_PER_PAGE = 10  # shared reflections, each with its conversation


def as_read(table: pd.DataFrame) -> pd.DataFrame:
    """A completion table as the page shows and downloads it: headed in words, without the internal id."""
    return table.drop(columns="user_id").rename(columns={"leader": "Leader", "email": "Email"})


db, user = guard.require_user(accounts.FACILITATOR)
st.title("Completion and reflections")
left, right = st.columns(2)
with left:
    cohort = pickers.choose_cohort(db, user)
with right:
    point = pickers.choose_checkpoint(db, cohort)
sets = list(context.question_sets().values())

show.plain(f"Who has submitted at {point.name}", heading=2)
figures = st.container()  # drawn above the filter, filled once the filter is known
which = st.segmented_control("Show leaders", [reports.EVERYONE, reports.NOT_EVERYTHING, reports.NOTHING],
                             default=reports.EVERYONE, key="completion_filter") or reports.EVERYONE
counts = reports.completion_counts(db, user, cohort.id, sets, point.id, which=which)
if not counts.leaders:
    st.info("No leaders have joined this cohort yet. Give them the join code, or add them on Add leaders.")
    st.stop()
for column, qset in zip(figures.columns(len(sets)), sets, strict=True):
    column.metric(f"{qset.title}: submitted", f"{counts.submitted[qset.title]:,} of {counts.leaders:,}",
                  f"{counts.draft_only[qset.title]:,} with a draft only", delta_color="off", delta_arrow="off")
if not counts.listed:
    st.success("Everyone in the cohort has submitted something at this checkpoint." if which == reports.NOTHING
               else "Everyone in the cohort has submitted everything at this checkpoint.")
else:
    pages = -(-counts.listed // PER_PAGE)
    page, page_key = 1, f"completion_page:{which}"
    if pages > 1:
        if st.session_state.get(page_key, 1) > pages:  # fewer pages since (leaders submitted): the last
            st.session_state[page_key] = pages
        page = int(st.number_input(f"Page (of {pages:,})", min_value=1, max_value=pages, step=1, key=page_key))
    chosen = reports.completion(db, user, cohort.id, sets, point.id, which=which, page=page, per_page=PER_PAGE)
    first = (page - 1) * PER_PAGE + 1
    st.caption(f"Showing {show.count_of(counts.listed, 'leader')} of {counts.leaders:,}." if pages == 1 else
               f"Showing {first:,}–{first + len(chosen) - 1:,} of the {counts.listed:,} leaders listed "
               f"({counts.leaders:,} in the cohort).")
    shown = as_read(chosen)
    st.dataframe(shown, hide_index=True, height=38 + 35 * len(shown))
    if which != reports.EVERYONE:
        if counts.listed <= COPY_AT_MOST:
            everyone = reports.completion(db, user, cohort.id, sets, point.id, which=which)
            st.markdown("**Their email addresses**, to paste into an email (the copy button is at the top right):")
            st.code("; ".join(everyone["email"]), language=None, wrap_lines=True)
        else:
            st.markdown(f"**{counts.listed:,} email addresses** are too many to paste at once: they are all in the "
                        "list below, to download.")
    pickers.open_a_leaders_record(chosen, cohort.id, key="completion_leader")
    st.download_button(
        "Download this list (CSV)",
        context.deferred(lambda db: as_read(reports.completion(db, user, cohort.id, sets, point.id, which=which))
                         .to_csv(index=False).encode("utf-8-sig")),
        file_name=f"{which} at {point.name}.csv".replace("/", "-"), mime="text/csv", icon=":material/download:",
        on_click="ignore", help="Everyone listed, on every page.")

st.header("Shared reflections", divider="gray")
st.caption("Free text appears here only where a leader chose “Share with my facilitator” for that submission.")
text_sets = [qset for qset in sets if qset.has_free_text]
qset = st.selectbox("Question set", text_sets, format_func=lambda q: q.title, key="completion_set")
total = responses.shared_in_cohort_count(db, user, cohort.id, qset.id, point.id)
if not total:
    st.info(f"No one has shared a submission of the {qset.title} at this checkpoint.")
shared_page, shared_pages, shared_key = 1, -(-total // SHARED_PER_PAGE), f"shared_page:{qset.id}"
if shared_pages > 1:
    if st.session_state.get(shared_key, 1) > shared_pages:
        st.session_state[shared_key] = shared_pages
    shared_page = int(st.number_input(f"Page of shared reflections (of {shared_pages:,})", min_value=1,
                                      max_value=shared_pages, step=1, key=shared_key))
    first_shared = (shared_page - 1) * SHARED_PER_PAGE + 1
    st.caption(f"Showing {first_shared:,}–{min(first_shared + SHARED_PER_PAGE - 1, total):,} of {total:,}, by "
               "leader's name.")
shared = responses.shared_in_cohort(db, user, cohort.id, qset.id, point.id, page=shared_page,
                                    per_page=SHARED_PER_PAGE)
for reflection in shared:
    with answers.shared_reflection(qset, reflection, f"{reflection.name} · {reflection.email}, submitted "
                                                     f"{show.local_time(reflection.submission.submitted_at)}"):
        conversation.for_facilitator(db, user, cohort.id, reflection.submission.id)
conversation.unsent_feedback(reflection.submission.id for reflection in shared)
