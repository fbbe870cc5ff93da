"""The load command for the real server: leaders sign in through the form and rate (or write) over the websocket,
and every save the page acknowledged is found in the database (a changed one is counted as lost)."""

from __future__ import annotations

import contextlib

from reflect.devtools.crowd import ACTIONS, count_lost, leader_emails, run_crowd, table
from reflect.devtools.demo import make_demo
from reflect.domain import responses
from reflect.domain.questions import load_question_sets
from reflect.storage.db import open_db

from .cohort_data import ROOT


def test_leaders_sign_in_and_rate_on_the_real_server_and_every_acknowledged_rating_is_stored():
    [level] = run_crowd([3], seconds=4, ramp=1, pace=(0.2, 0.4), questions=ROOT / "questions")
    assert level.errors == []
    assert [len(level.timings[action]) for action in ACTIONS[:3]] == [3, 3, 3]  # each signed in and opened the page
    assert len(level.timings["rate"]) >= 3 and level.acknowledged and level.lost == 0
    assert level.rss_peak_mb > 0 and level.cpu_percent > 0
    assert "0 errors, 0 of" in table([level])


def test_a_share_of_the_leaders_write_on_reflect_and_every_acknowledged_answer_is_stored():
    [level] = run_crowd([4], seconds=4, ramp=1, pace=(0.2, 0.4), questions=ROOT / "questions", writers=0.5)
    assert level.errors == []
    assert len(level.timings["open checklist"]) == len(level.timings["open reflect"]) == 2
    assert len(level.timings["write"]) >= 2 and len(level.timings["rate"]) >= 2 and level.lost == 0
    assert any(which == "text" for *_, which in level.acknowledged)
    assert level.writing_bytes and "KB sent per answer written" in table([level])


def leader_emails_and_a_draft(path, sets, checklist):
    """A demo cohort of two at `path`, the first of whom has saved a draft rating of 4 on the checklist's first
    skill: (their email, the set, the skill, 4)."""
    with contextlib.closing(open_db(path)) as db:
        make_demo(db, sets, leaders=2, seed=0)
    email = leader_emails(path, 2)[0]
    with contextlib.closing(open_db(path)) as db:
        [user_id] = db.execute("SELECT id FROM users WHERE email = ?", [email]).fetchone()
        responses.save_draft(db, user_id, checklist, checklist.items[0].id, rating=4)
    return email, checklist.id, checklist.items[0].id, 4


def test_a_rating_the_database_does_not_hold_is_counted_as_lost(tmp_path):
    path = tmp_path / "reflect.db"
    sets, _ = load_question_sets(ROOT / "questions")
    checklist = next(qset for qset in sets.values() if qset.is_rating)
    email, set_id, item_id, rating = leader_emails_and_a_draft(path, sets, checklist)
    assert count_lost(path, {(email, set_id, item_id, "rating"): rating}) == 0
    assert count_lost(path, {(email, set_id, item_id, "rating"): rating % 5 + 1}) == 1
    assert count_lost(path, {(email, set_id, "no such skill", "rating"): 3}) == 1
    # A rating chosen after the acknowledged one, whose run did not finish, may have been saved all the same.
    later = {(email, set_id, item_id, "rating"): {rating}}
    assert count_lost(path, {(email, set_id, item_id, "rating"): rating % 5 + 1}, later) == 0
    # An answer's text: the one saved, or none at all.
    reflection = next(qset for qset in sets.values() if not qset.is_rating)
    with contextlib.closing(open_db(path)) as db:
        [user_id] = db.execute("SELECT id FROM users WHERE email = ?", [email]).fetchone()
        responses.save_draft(db, user_id, reflection, reflection.items[0].id, text="Saved words.")
    assert count_lost(path, {(email, reflection.id, reflection.items[0].id, "text"): "Saved words."}) == 0
    assert count_lost(path, {(email, reflection.id, reflection.items[0].id, "text"): "Other words."}) == 1
    assert count_lost(path, {(email, reflection.id, reflection.items[1].id, "text"): "Never saved."}) == 1
