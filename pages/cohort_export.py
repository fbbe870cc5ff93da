"""Facilitator: download a cohort's answers as CSV (long, wide and codebook), Excel-safe."""

from collections.abc import Callable
from functools import partial

import streamlit as st

from reflect.domain import accounts
from reflect.reporting import export
from reflect.web import context, guard, pickers

db, user = guard.require_user(accounts.FACILITATOR)
st.title("Export")
st.write(
    "Download your cohort's answers for your own analysis. Ratings are always included; free text only where a leader "
    "shared that submission with you. Text that Excel could mistake for a formula starts with an apostrophe."
)
left, middle, right = st.columns(3)
with left:
    cohort = pickers.choose_cohort(db, user)
with middle:
    point = pickers.choose_checkpoint(db, cohort, allow_all=True)
sets = list(context.question_sets().values())
with right:
    qset = st.selectbox("Question set (wide file and codebook)", sets, format_func=lambda q: q.title,
                        index=next((i for i, q in enumerate(sets) if q.is_rating), 0), key="export_set")
excel = st.toggle("For Excel (UTF-8 with BOM)", key="export_bom",
                  help="Use this if accented letters look wrong when Excel opens the file.")
checkpoint_id = point.id if point else None
slug = f"reflect-cohort-{cohort.id}" + (f"-checkpoint-{point.id}" if point else "")
scope = point.name if point else "all checkpoints"


def logged(description: str, make: export.CohortFile) -> Callable[[], bytes]:
    """The download's bytes, made on click, with an audit log entry saying who exported what."""
    return context.deferred(lambda db: export.logged(db, user, cohort.id, f"{description} ({scope})", make))


st.subheader("Long: one row per answer")
st.download_button("Download long CSV", logged("long CSV", partial(export.cohort_long_csv,
                                                                checkpoint_id=checkpoint_id, bom=excel)),
                   file_name=f"{slug}-long.csv", mime="text/csv", icon=":material/download:", on_click="ignore")
st.subheader("Wide: one row per leader per checkpoint")
st.caption("The submission that counts at each checkpoint (a leader's latest there, as in the charts), one column per "
           "question, named by its stable id; see the codebook for the wording. Earlier submissions are in the long "
           "file, marked 0 in counts_for_checkpoint.")
wide = partial(export.cohort_wide_csv, qset=qset, checkpoint_id=checkpoint_id, bom=excel)
st.download_button("Download wide CSV", logged(f"wide CSV of {qset.title}", wide),
                   file_name=f"{slug}-{qset.id}-wide.csv", mime="text/csv", icon=":material/download:",
                   on_click="ignore")
st.subheader("Codebook")
st.download_button("Download codebook CSV", logged(f"codebook of {qset.title}",
                                                    partial(export.codebook_csv, qset=qset, bom=excel)),
                   file_name=f"{slug}-{qset.id}-codebook.csv", mime="text/csv", icon=":material/download:",
                   on_click="ignore")
