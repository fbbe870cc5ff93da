"""The printable cohort report: aggregates of the cohort only, names typed by people escaped, and the gate."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from reflect.devtools.demo import make_demo
from reflect.domain import access, cohorts, responses
from reflect.domain.access import SYSTEM
from reflect.domain.questions import load_question_sets
from reflect.reporting.cohort_report import cohort_report_html

from .cohort_data import ROOT, facilitator

SETS, _ = load_question_sets(ROOT / "questions")


def test_the_report_holds_the_cohorts_figures_and_no_leaders_name_email_or_words(db):
    made = make_demo(db, SETS, leaders=40, seed=8)
    cohorts.rename(db, SYSTEM, made.cohort.id, "<b>North</b> & co")
    page = cohort_report_html(db, SYSTEM, made.cohort.id, list(SETS.values()), UTC,
                              now=datetime(2027, 3, 1, 9, 30, tzinfo=UTC)).decode()
    assert "&lt;b&gt;North&lt;/b&gt; &amp; co" in page and "<b>North</b>" not in page
    assert "made 01 Mar 2027, 09:30 UTC" in page
    assert page.count("<svg") >= 4  # where the cohort stands at three checkpoints, and change over time
    for heading in ("Who submitted", "Start of module", "Impact: Start to end", "Impact: Looking back to now",
                    "Impact: Response shift"):
        assert heading in page
    leaders = db.execute("SELECT id, name, email FROM users WHERE role = 'leader'").fetchall()
    assert not [email for _, _, email in leaders if email in page]
    names = {name for _, name, _ in leaders}
    assert not [name for name in names if name in page]
    words = {answer.text or answer.note for user_id, _, _ in leaders
             for submission in responses.submissions(db, user_id, "personal-reflection")
             for answer in responses.answers(db, user_id, submission.id).values()} - {None}
    assert words and not [text for text in words if text in page], "a leader's words in the report"
    submitted = db.execute("SELECT COUNT(*) FROM counted_submissions WHERE set_id = 'munby-fullan-skills' AND "
                           "checkpoint_id = (SELECT MIN(id) FROM checkpoints WHERE cohort_id = ?)",
                           [made.cohort.id]).fetchone()[0]
    assert f"{submitted:,} of 40" in page


def test_only_those_who_run_the_cohort_get_its_report(db):
    made = make_demo(db, SETS, leaders=10, seed=8)
    with pytest.raises(access.NotYourCohort):
        cohort_report_html(db, facilitator(db, "olu@trust.org.uk"), made.cohort.id, list(SETS.values()), UTC)


def test_no_chart_or_mean_of_fewer_than_five_leaders_is_shown(db):
    from datetime import timedelta

    from .cohort_data import JAN, TINY, cohort_with_windows, leaders, rate

    north = cohort_with_windows(db, facilitator(db))
    for number, person in enumerate(leaders(db, north, 4)):
        rate(db, person, [1 + number % 3, 3], JAN + timedelta(days=2))
    page = cohort_report_html(db, SYSTEM, north.id, [TINY], UTC).decode()
    assert "4 of 4 (100%)" in page  # how many submitted is shown
    assert "<svg" not in page and "Start: fewer than 5 leaders submitted" in page
