"""Who may see what, as a matrix: seven people against every page, every export and every command-line read.

People: nobody signed in, leader A, leader B (same cohort), a leader of another cohort, the cohort's facilitator,
another cohort's facilitator, and an administrator (who runs no cohort but may see every one). Leader A has written
something distinctive; the test looks for it on each screen.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from reflect.domain import access, accounts, cohorts, facilitators, responses
from reflect.domain.questions import load_question_sets
from reflect.reporting import export, reports

from .conftest import PASSWORD, ROOT, app_as, shown_text

SETS, _ = load_question_sets(ROOT / "questions")
CHECKLIST, REFLECTION = SETS["munby-fullan-skills"], SETS["personal-reflection"]
SECRET = "Leader A's private reflection about the governing body"
PAGES = {
    "home": "pages/home.py", "reflect": "pages/reflect.py", "checklist": "pages/checklist.py",
    "progress": "pages/progress.py", "my data": "pages/my_data.py", "dashboard": "pages/dashboard.py",
    "completion": "pages/completion.py", "leader record": "pages/leader.py", "impact": "pages/impact.py",
    "cohorts": "pages/cohorts.py",
    "export": "pages/cohort_export.py",
    "activity": "pages/activity.py", "add leaders": "pages/roster.py", "facilitators": "pages/facilitators.py",
    "my account": "pages/my_account.py",
}
LEADER_PAGES = {"home", "reflect", "checklist", "progress", "my data"}
ADMINISTRATOR_PAGES = {"facilitators"}
# What each person may see on each page: "own" pages show only their own answers; "cohort" pages show the cohort's
# ratings but never A's unshared free text; "refused" shows sign-in or "this page is for ...".
ALLOWED = {
    "anonymous": {},
    "leader A": {page: "own" for page in LEADER_PAGES},
    "leader B": {page: "own" for page in LEADER_PAGES},
    "other cohort's leader": {page: "own" for page in LEADER_PAGES},
    "cohort's facilitator": {page: "cohort" for page in set(PAGES) - LEADER_PAGES - ADMINISTRATOR_PAGES},
    "other facilitator": {page: "cohort" for page in set(PAGES) - LEADER_PAGES - ADMINISTRATOR_PAGES},
    "administrator": {page: "cohort" for page in set(PAGES) - LEADER_PAGES},
}
# The pages that show the chosen cohort's own figures or people: an administrator's picker offers every cohort.
COHORT_PAGES = {"dashboard", "completion", "leader record", "impact", "cohorts", "export", "add leaders"}


@pytest.fixture
def world(people, db):
    other_cohort_leader = accounts.register_leader(db, join_code=people.other_cohort.join_code, name="Oz",
                                                   email="oz@school.org.uk", password=PASSWORD)
    responses.save_draft(db, people.leader.id, REFLECTION, "q01", text=SECRET)
    responses.submit(db, people.leader.id, REFLECTION, "a-reflection")
    for item in CHECKLIST.items:
        responses.save_draft(db, people.leader.id, CHECKLIST, item.id, rating=5, note=SECRET)
    responses.submit(db, people.leader.id, CHECKLIST, "a-checklist")
    return {
        "anonymous": None, "leader A": people.leader, "leader B": people.other_leader,
        "other cohort's leader": other_cohort_leader, "cohort's facilitator": people.facilitator,
        "other facilitator": people.other_facilitator, "administrator": people.administrator,
    }


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("person", list(ALLOWED))
def test_page_access(world, people, person, page):
    at = app_as(world[person], PAGES[page])
    assert not at.exception
    text = shown_text(at)
    allowed = ALLOWED[person].get(page)
    if allowed is None:
        refused = [t.value for t in at.title] == ["Sign in to Reflect"] or (
            at.error and "This page is for" in at.error[0].value)
        assert refused, f"{person} reached {page}"
    assert (SECRET in text) == (person == "leader A" and page in {"reflect", "checklist"}), (
        f"{person} on {page}: leader A's private text {'missing' if person == 'leader A' else 'shown'}")
    if person in ("other facilitator", "other cohort's leader", "anonymous"):
        assert people.cohort.join_code not in text and "Lee" not in text
    if person == "administrator" and page in COHORT_PAGES:
        offered = {option for box in at.selectbox if box.label == "Cohort" for option in box.options}
        assert offered == {people.cohort.name, people.other_cohort.name}, f"{page} offers {offered}"


def test_exports_hold_only_what_each_person_may_take(world, people, db):
    mine = export.leader_csv(db, people.leader.id, SETS).decode("utf-8")
    theirs = export.leader_csv(db, people.other_leader.id, SETS).decode("utf-8")
    assert SECRET in mine and SECRET not in theirs
    cohort_long = export.cohort_long_csv(db, people.facilitator, people.cohort.id).decode("utf-8")
    assert "Lee" in cohort_long and SECRET not in cohort_long, "unshared free text in the facilitator's export"
    other_long = export.cohort_long_csv(db, people.other_facilitator, people.other_cohort.id).decode("utf-8")
    assert "Lee" not in other_long
    # A facilitator can only export cohorts they run: the page offers no other, and the library refuses.
    assert [c.id for c in cohorts.cohorts_run_by(db, people.other_facilitator.id)] == [people.other_cohort.id]
    with pytest.raises(cohorts.CohortError):
        cohorts.run_by(db, people.other_facilitator, people.cohort.id)
    # The library itself refuses, whatever a page offers: exports, figures and shared text of another's cohort.
    for refused in (people.other_facilitator, people.leader, people.other_leader):
        with pytest.raises(access.NotYourCohort):
            export.cohort_long_csv(db, refused, people.cohort.id)
        with pytest.raises(access.NotYourCohort):
            export.cohort_wide_csv(db, refused, people.cohort.id, CHECKLIST)
        with pytest.raises(access.NotYourCohort):
            export.codebook_csv(db, refused, people.cohort.id, CHECKLIST)
        with pytest.raises(access.NotYourCohort):
            export.logged(db, refused, people.cohort.id, "long CSV", export.cohort_long_csv)
        with pytest.raises(access.NotYourCohort):
            export.feedback_csv(db, refused, people.cohort.id)
        with pytest.raises(access.NotYourCohort):
            responses.shared_in_cohort(db, refused, people.cohort.id, REFLECTION.id, 0)
    # An administrator may export every cohort; only administrators list the facilitators.
    assert "Lee" in export.cohort_long_csv(db, people.administrator, people.cohort.id).decode("utf-8")
    assert [c.name for c in access.cohorts_for(db, people.administrator)] == ["Spring South", "Spring North"]
    with pytest.raises(access.NotAdministrator):
        facilitators.everyone(db, people.facilitator)
    assert reports.respondents(db, people.administrator, people.cohort.id, CHECKLIST.id, 0) == 0


def test_command_line_reads_need_the_database_file_and_a_cohort_name(world, people, db_path):
    """The command line is for whoever runs Reflect (it reads the file directly); it still names no one wrongly."""
    result = subprocess.run([sys.executable, "-m", "reflect", "export", "--db", str(db_path), "--cohort",
                             people.other_cohort.name], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "Lee" not in result.stdout and SECRET not in result.stdout
    # The command line has full access (an explicit system actor), and its use is logged without an account.
    mine = subprocess.run([sys.executable, "-m", "reflect", "export", "--db", str(db_path), "--cohort",
                           people.cohort.name], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert mine.returncode == 0 and "Lee" in mine.stdout and SECRET not in mine.stdout
