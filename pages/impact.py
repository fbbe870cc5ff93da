"""Facilitator: the cohort's "so what": how each skill's self-rating changed over the module, paired leader by
leader, with the rating looking back where the cohort asked for it."""

import streamlit as st

from reflect.domain import accounts
from reflect.reporting import cohort_report, impact
from reflect.web import context, figures, guard, pickers, show

db, user = guard.require_user(accounts.FACILITATOR)
st.title("Impact")
checklists = [qset for qset in context.question_sets().values() if qset.is_rating]
left, right = st.columns(2)
with left:
    cohort = pickers.choose_cohort(db, user)
with right:
    qset = st.selectbox("Checklist", checklists, format_func=lambda q: q.title, key="impact_set")
if qset is None:
    st.info("There is no skills checklist to measure change on.")
    st.stop()

table = figures.impact(db, user, cohort.id, qset)
st.caption(
    "Each figure pairs the same leaders' two ratings of a skill: only leaders with both count, and the number of "
    f"pairs is shown. Under {impact.MIN_FIGURES} pairs no figures are shown, and no test under {impact.MIN_TEST} "
    "pairs that changed. "
    "The Wilcoxon signed-rank test asks whether the change could be chance; the effect size d_z is the mean change "
    "in standard deviations of the changes (about 0.2 small, 0.5 medium, 0.8 large), with a 95% interval."
)
for comparison in dict.fromkeys(table["comparison"]) if not table.empty else []:
    st.header(comparison, divider="gray")
    st.caption(impact.ABOUT[comparison])
    # A table that wraps, so every figure shows at once (a data grid would hide the last columns off to the side).
    show.table(impact.readable(table, comparison), f"{comparison}: figures for each skill")
if table.empty or impact.THEN_NOW not in set(table["comparison"]):
    st.info("No ratings looking back yet. On Cohorts, choose a checkpoint (usually the last) to ask for them: the "
            "checklist there asks each skill both now and looking back, and this page adds two comparisons.")
left, right = st.columns(2)
# Neither download reruns the page: a rerun would replace the report's deferred file while a click on it is on its way.
left.download_button("Download these figures (CSV)", table.to_csv(index=False).encode("utf-8-sig"),
                     file_name="reflect-impact.csv", mime="text/csv", icon=":material/download:", on_click="ignore")
zone = show.browser_zone()  # read here: the report is made on another thread, outside this run
sets = list(context.question_sets().values())
right.download_button(
    "Download the cohort report, ready to print",
    context.deferred(lambda db: cohort_report.cohort_report_html(db, user, cohort.id, sets, zone)),
    file_name="reflect-cohort-report.html", mime="text/html", icon=":material/print:", on_click="ignore",
    help="One page for a quality review: completion, where the cohort stands, change and these figures. Only "
         "aggregates: no leader's name or words. Open it in a browser to print it or save it as a PDF.")
