"""Demo data: every chart and every completion state has something to show, and a seed gives the same data."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from reflect.devtools.demo import make_demo
from reflect.domain import checkpoints
from reflect.domain.access import SYSTEM  # full access: these tests are about the figures, not who sees them
from reflect.domain.questions import load_question_sets
from reflect.reporting import export, reports
from reflect.storage.db import open_db

SETS, _ = load_question_sets(Path(__file__).resolve().parents[1] / "questions")
CHECKLIST = SETS["munby-fullan-skills"]


def test_demo_cohort_has_three_checkpoints_of_ratings_drafts_repeats_and_shared_reflections(db):
    made = make_demo(db, SETS, leaders=60, seed=3)
    points = checkpoints.of_cohort(db, made.cohort.id)
    assert [p.name for p in points] == ["Start of module", "Mid-point", "End of module"]
    respondents = [reports.respondents(db, SYSTEM, made.cohort.id, CHECKLIST.id, p.id) for p in points]
    assert all(5 <= count < 60 for count in respondents), respondents  # some miss each checkpoint
    means = reports.over_time(db, SYSTEM, made.cohort.id, CHECKLIST).groupby("checkpoint", sort=False)["mean"].mean()
    assert means["End of module"] > means["Start of module"], "no growth over the module"
    states = reports.completion(db, SYSTEM, made.cohort.id, [CHECKLIST], points[-1].id)[CHECKLIST.title]
    assert {"Submitted", "Draft only", "Not submitted"} <= set(states)
    repeats = db.execute("SELECT COUNT(*) - COUNT(DISTINCT user_id || checkpoint) FROM (SELECT s.user_id, "
                         "(SELECT id FROM checkpoints c WHERE s.submitted_at >= c.opens_at AND s.submitted_at < "
                         "c.closes_at) AS checkpoint FROM submissions s WHERE s.set_id = ?)", [CHECKLIST.id]).fetchone()
    assert repeats[0] > 0, "no leader submitted twice in a checkpoint"
    assert db.execute("SELECT COUNT(*) FROM shared_submissions").fetchone()[0] > 0
    unshared = "SELECT COUNT(*) FROM feedback WHERE submission_id NOT IN (SELECT submission_id FROM shared_submissions)"
    assert db.execute(unshared).fetchone()[0] == 0, "feedback on a submission that is not shared"
    assert db.execute("SELECT COUNT(DISTINCT author_id = (SELECT user_id FROM submissions s WHERE s.id = "
                      "submission_id)) FROM feedback").fetchone()[0] == 2, "no facilitator's feedback and reply"
    assert made.cohort.leaders == 60


def test_the_same_seed_gives_the_same_data(tmp_path):
    outputs = []
    for name in ("one.db", "two.db"):
        with open_db(tmp_path / name) as db:
            made = make_demo(db, SETS, leaders=25, seed=11, now=datetime(2027, 3, 1, tzinfo=UTC))
            outputs.append(export.cohort_long_csv(db, SYSTEM, made.cohort.id))
    assert outputs[0] == outputs[1]
    with open_db(tmp_path / "three.db") as db:
        made = make_demo(db, SETS, leaders=25, seed=12, now=datetime(2027, 3, 1, tzinfo=UTC))
        assert export.cohort_long_csv(db, SYSTEM, made.cohort.id) != outputs[0]
