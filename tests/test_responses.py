"""A leader's journal in the library: text cleaning, accounts, drafts, submissions that are never overwritten,
and their own export, byte for byte."""

from __future__ import annotations

import dataclasses
import sqlite3
from datetime import timedelta

import pytest

from reflect.domain import accounts, checkpoints, responses
from reflect.domain.accounts import AccountError
from reflect.domain.questions import Item
from reflect.domain.text import InvalidText, clean_text
from reflect.reporting import export
from reflect.storage.db import stamp

from .cohort_data import FEB, JAN, MAR, PASSWORD, TINY, cohort_with_windows, facilitator, leaders, rate
from .test_bad_input import WRITTEN


def test_text_is_normalised_and_kept_exactly_otherwise():
    assert clean_text("cafe\u0301\r\nline\rtwo", limit=100) == "café\nline\ntwo"
    kept = "👩🏽‍🏫 tab\there\nnew line"
    assert clean_text(kept, limit=100) == kept
    assert clean_text("x" * 9 + "👍", limit=10) == "x" * 9 + "👍", "the limit counts characters, not bytes"
    with pytest.raises(InvalidText, match="11 characters long; the limit is 10. Remove 1 characters"):
        clean_text("x" * 11, limit=10)


def test_accounts_hash_passwords_with_argon2id_and_refuse_a_second_set_up(db):
    owner = facilitator(db)
    stored = db.execute("SELECT password_hash FROM users WHERE id = ?", [owner.id]).fetchone()[0]
    assert stored.startswith("$argon2id$") and all(part in stored for part in ("m=", "t=", "p="))
    assert accounts.sign_in(db, " FRAN@trust.org.uk ", PASSWORD) == owner
    with pytest.raises(AccountError, match="already set up"):
        accounts.create_first_facilitator(db, name="Two", email="two@x.org", password=PASSWORD)


def test_a_join_code_works_in_any_case_without_its_hyphen(db):
    cohort = cohort_with_windows(db, facilitator(db))
    leader = accounts.register_leader(db, join_code=cohort.join_code.lower().replace("-", " "), name="Lee",
                                      email="lee@x.org", password=PASSWORD)
    assert leader.role == accounts.LEADER


def test_drafts_save_field_by_field(db):
    [leader] = leaders(db, cohort_with_windows(db, facilitator(db)), 1)
    responses.save_draft(db, leader.id, TINY, "a", rating=2)
    responses.save_draft(db, leader.id, TINY, "a", note="Peers told me")
    draft = responses.drafts(db, leader.id, TINY.id)["a"]
    assert (draft.rating, draft.note, draft.text) == (2, "Peers told me", None)


def test_a_submission_is_never_overwritten_by_later_edits(db):
    [leader] = leaders(db, cohort_with_windows(db, facilitator(db)), 1)
    first = rate(db, leader, [1, 2], JAN + timedelta(days=1), note="Then")
    again = responses.submit(db, leader.id, TINY, f"{leader.id}-{(JAN + timedelta(days=1)).isoformat()}")
    assert again == first, "a retried submit made a second submission"
    rate(db, leader, [3, 3], JAN + timedelta(days=2), note="Now")
    then = responses.answers(db, leader.id, first.id)
    assert (then["a"].rating, then["a"].note, then["b"].rating) == (1, "Then", 2)
    with pytest.raises(sqlite3.IntegrityError, match="never changed"):
        db.execute("UPDATE answers SET rating = 3 WHERE submission_id = ?", [first.id])
    with pytest.raises(sqlite3.IntegrityError, match="never changed"):
        db.execute("UPDATE submissions SET submitted_at = 'x' WHERE id = ?", [first.id])


def test_a_later_wording_change_neither_orphans_nor_relabels_old_answers(db):
    [leader] = leaders(db, cohort_with_windows(db, facilitator(db)), 1)
    old = rate(db, leader, [1, 2], JAN + timedelta(days=1))
    reworded = dataclasses.replace(TINY, version=2, items=(Item("a", "rating", "Skill A, newly worded", number=1),
                                                           TINY.items[1]))
    new = rate(db, leader, [2, 2], JAN + timedelta(days=2), qset=reworded)
    assert responses.answers(db, leader.id, old.id)["a"].item_text == "Skill A"
    assert responses.answers(db, leader.id, new.id)["a"].item_text == "Skill A, newly worded"
    assert [s.set_version for s in responses.submissions(db, leader.id, TINY.id)] == [2, 1]


def test_a_leader_reads_only_their_own_answers(db):
    ann, bob = leaders(db, cohort_with_windows(db, facilitator(db)), 2)
    hers = rate(db, ann, [1, 1], JAN + timedelta(days=1), note="Ann's")
    assert responses.answers(db, bob.id, hers.id) == {}
    assert responses.submissions(db, bob.id, TINY.id) == [] and responses.drafts(db, bob.id, TINY.id) == {}
    assert responses.ratings_over_time(db, bob.id, TINY.id).empty
    assert b"Ann's" not in export.leader_csv(db, bob.id, {TINY.id: TINY})


def test_blank_answers_are_not_submitted(db):
    [leader] = leaders(db, cohort_with_windows(db, facilitator(db)), 1)
    responses.save_draft(db, leader.id, WRITTEN, "q1", text="Something")
    responses.save_draft(db, leader.id, WRITTEN, "q2", text=" \u200b\ufeff\n\u00ad ")  # shows nothing
    made = responses.submit(db, leader.id, WRITTEN, "w1")
    assert list(responses.answers(db, leader.id, made.id)) == ["q1"]


def test_the_leaders_export_bytes_with_every_formula_trigger_and_a_line_break(db):
    [leader] = leaders(db, cohort_with_windows(db, facilitator(db)), 1)
    triggers = ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "\nx"]
    payload = dataclasses.replace(WRITTEN, max_chars=100)
    made = []
    for number, trigger in enumerate(triggers):
        responses.save_draft(db, leader.id, payload, "q1", text=trigger)
        made.append(responses.submit(db, leader.id, payload, f"t{number}", now=JAN + timedelta(days=number)))
    responses.save_draft(db, leader.id, payload, "q2", text="line one\nline two")
    saved_at = responses.drafts(db, leader.id, WRITTEN.id)["q2"].saved_at
    draft_q1_saved = responses.drafts(db, leader.id, WRITTEN.id)["q1"].saved_at
    cleaned = {"=1+1": "'=1+1", "+1": "'+1", "-1": "'-1", "@SUM(A1)": "'@SUM(A1)", "\tx": "'\tx",
               "\rx": "\"'\nx\"", "\nx": "\"'\nx\""}  # CR is stored as a line break; both are quoted
    expected = ("set_id,set_title,item_id,item_text,set_version,status,rating,then_rating,text,note,submitted_at,"
                "draft_saved_at\r\n")
    for number, trigger in enumerate(triggers):
        expected += (f"written,Written,q1,First question?,1,submitted,,,{cleaned[trigger]},,"
                     f"{(JAN + timedelta(days=number)).isoformat(timespec='microseconds')},\r\n")
    expected += f"written,Written,q1,First question?,1,draft,,,\"'\nx\",,,{draft_q1_saved}\r\n"
    expected += f"written,Written,q2,Second question?,1,draft,,,\"line one\nline two\",,,{saved_at}\r\n"
    got = export.leader_csv(db, leader.id, {WRITTEN.id: WRITTEN})
    assert got == expected.encode("utf-8")
    assert export.leader_csv(db, leader.id, {WRITTEN.id: WRITTEN}, bom=True) == b"\xef\xbb\xbf" + got


def test_a_checklist_starts_afresh_at_each_checkpoint_with_last_times_ratings_as_hints(db):
    fran = facilitator(db)
    north = cohort_with_windows(db, fran)  # Start: January 2027; End: February 2027
    [lee] = leaders(db, north, 1)
    rate(db, lee, [1, 2], JAN + timedelta(days=3), note="What my peers said")
    in_january = JAN + timedelta(days=20)
    assert {item: draft.rating for item, draft in responses.current_drafts(db, lee.id, TINY, now=in_january).items()
            } == {"a": 1, "b": 2}, "within a checkpoint the draft carries on"

    in_february = FEB + timedelta(days=2)
    assert responses.current_drafts(db, lee.id, TINY, now=in_february) == {}, "a new checkpoint starts unanswered"
    since = responses.fresh_since(db, lee.id, stamp(in_february))
    assert responses.ratings_before(db, lee.id, TINY, since) == {"a": 1, "b": 2}  # the hints
    with pytest.raises(responses.IncompleteSubmission, match="these 2 items"):
        responses.submit(db, lee.id, TINY, "february-too-soon", now=in_february)

    responses.save_draft(db, lee.id, TINY, "a", rating=3, now=in_february)
    [fresh] = responses.current_drafts(db, lee.id, TINY, now=in_february).values()
    assert (fresh.rating, fresh.note) == (3, None), "last checkpoint's note does not come back with a new rating"
    responses.save_draft(db, lee.id, TINY, "b", rating=3, now=in_february)
    made = responses.submit(db, lee.id, TINY, "february", now=in_february)
    assert {a.item_id: a.rating for a in responses.answers(db, lee.id, made.id).values()} == {"a": 3, "b": 3}


def test_written_answers_carry_on_across_checkpoints(db):
    fran = facilitator(db)
    north = cohort_with_windows(db, fran)
    [lee] = leaders(db, north, 1)
    responses.save_draft(db, lee.id, WRITTEN, "q1", text="First thoughts", now=JAN + timedelta(days=3))
    responses.submit(db, lee.id, WRITTEN, "january", now=JAN + timedelta(days=3))
    drafts = responses.current_drafts(db, lee.id, WRITTEN, now=FEB + timedelta(days=2))
    assert drafts["q1"].text == "First thoughts"


def test_a_leaders_status_at_each_checkpoint_is_what_the_completion_page_says(db):
    from reflect.reporting import reports

    fran = facilitator(db)
    north = cohort_with_windows(db, fran)
    submitted, drafting, idle = leaders(db, north, 3)
    rate(db, submitted, [1, 2], JAN + timedelta(days=3))
    responses.save_draft(db, drafting.id, TINY, "a", rating=2, now=FEB + timedelta(days=1))
    words = {responses.SUBMITTED_HERE: reports.SUBMITTED, responses.IN_PROGRESS: reports.DRAFT_ONLY,
             responses.NOT_STARTED: reports.NOT_STARTED}
    seen = set()
    for point in checkpoints.of_cohort(db, north.id):
        table = reports.completion(db, fran, north.id, [TINY], point.id).set_index("user_id")[TINY.title]
        for leader in (submitted, drafting, idle):
            status, _ = responses.status_at(db, leader.id, TINY, point)
            assert words[status] == table[leader.id], (point.name, leader.name)
            seen.add(status)
    assert seen == set(words), "every status was compared"


def test_the_timeline_says_what_is_open_what_closed_last_and_what_is_next(db):
    fran = facilitator(db)
    north = cohort_with_windows(db, fran)
    start, end = checkpoints.of_cohort(db, north.id)
    for moment, expected in (
        (JAN - timedelta(days=1), (None, None, start)),
        (JAN + timedelta(days=1), (start, None, end)),
        (FEB + timedelta(days=1), (end, start, None)),
        (MAR + timedelta(days=1), (None, end, None)),
    ):
        line = checkpoints.timeline(db, north.id, stamp(moment))
        assert (line.open, line.previous, line.next) == expected, moment


def test_a_submission_can_be_shared_as_it_is_made_and_a_repeat_is_recognised(db):
    fran = facilitator(db)
    north = cohort_with_windows(db, fran)
    [lee] = leaders(db, north, 1)
    when = JAN + timedelta(days=3)
    assert responses.unchanged_since(db, lee.id, TINY, now=when) is None  # nothing submitted yet
    made = rate(db, lee, [1, 2], when)
    assert responses.shared_ids(db, lee.id) == set(), "not shared unless asked"
    assert responses.unchanged_since(db, lee.id, TINY, now=when) == made
    responses.save_draft(db, lee.id, TINY, "b", rating=3, now=when)
    assert responses.unchanged_since(db, lee.id, TINY, now=when) is None  # changed: a new submission is worth making
    shared = responses.submit(db, lee.id, TINY, "second", now=when, share=True)
    assert responses.shared_ids(db, lee.id) == {shared.id}
    assert db.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'shared a submission'").fetchone()[0] == 1
    assert responses.unchanged_since(db, lee.id, TINY, now=FEB + timedelta(days=2)) is None  # a new checkpoint


def test_where_a_checkpoint_asks_for_a_rating_looking_back_a_checklist_needs_both_and_keeps_both(db):
    fran = facilitator(db)
    north = cohort_with_windows(db, fran)  # Start: January 2027; End: February 2027
    start, end = checkpoints.of_cohort(db, north.id)
    checkpoints.ask_then_at(db, fran, north.id, end.id)
    assert [point.asks_then for point in checkpoints.of_cohort(db, north.id)] == [False, True]
    [lee] = leaders(db, north, 1)
    in_january, in_february = JAN + timedelta(days=3), FEB + timedelta(days=3)
    for item in TINY.items:
        responses.save_draft(db, lee.id, TINY, item.id, rating=2, then_rating=1, now=in_january)
    first = responses.submit(db, lee.id, TINY, "jan", now=in_january)
    assert {a.then_rating for a in responses.answers(db, lee.id, first.id).values()} == {None}, "not asked in January"

    responses.save_draft(db, lee.id, TINY, "a", rating=3, now=in_february)
    responses.save_draft(db, lee.id, TINY, "b", rating=3, then_rating=1, now=in_february)
    assert responses.answered(TINY, responses.current_drafts(db, lee.id, TINY, now=in_february), then=True) == ["b"]
    with pytest.raises(responses.IncompleteSubmission, match="Rate this item, now and looking back, before you "
                                                             "submit: 1. Skill A"):
        responses.submit(db, lee.id, TINY, "feb", now=in_february)
    with pytest.raises(InvalidText, match="from 1 to 3"):
        responses.save_draft(db, lee.id, TINY, "a", then_rating=4, now=in_february)
    responses.save_draft(db, lee.id, TINY, "a", then_rating=2, now=in_february)
    second = responses.submit(db, lee.id, TINY, "feb", now=in_february)
    assert {item: (a.rating, a.then_rating) for item, a in responses.answers(db, lee.id, second.id).items()} == {
        "a": (3, 2), "b": (3, 1)}
    assert responses.unchanged_since(db, lee.id, TINY, now=in_february) == second
    responses.save_draft(db, lee.id, TINY, "a", then_rating=1, now=in_february)
    assert responses.unchanged_since(db, lee.id, TINY, now=in_february) is None, "a changed 'then' is a change"


def test_only_one_checkpoint_asks_for_a_rating_looking_back_and_only_its_cohorts(db):
    fran = facilitator(db)
    north, south = cohort_with_windows(db, fran), cohort_with_windows(db, fran, "South")
    start, end = checkpoints.of_cohort(db, north.id)
    checkpoints.ask_then_at(db, fran, north.id, start.id)
    checkpoints.ask_then_at(db, fran, north.id, end.id)
    assert [point.asks_then for point in checkpoints.of_cohort(db, north.id)] == [False, True]
    with pytest.raises(checkpoints.CheckpointError, match="not one of this cohort's"):
        checkpoints.ask_then_at(db, fran, south.id, start.id)
    checkpoints.ask_then_at(db, fran, north.id, None)
    assert not any(point.asks_then for point in checkpoints.of_cohort(db, north.id))
