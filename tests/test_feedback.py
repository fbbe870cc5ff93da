"""Feedback on shared submissions: who may write, who may read, and what unsharing does."""

from __future__ import annotations

from datetime import timedelta

import pytest

from reflect.domain import access, accounts, audit, feedback, responses
from reflect.domain.text import InvalidText

from .cohort_data import JAN, cohort_with_windows, facilitator, leaders, rate


@pytest.fixture
def shared(db):
    """Fran runs North; its leader Leader 1 submitted in January and shares it; Leader 2's is not shared."""
    fran = facilitator(db)
    north = cohort_with_windows(db, fran)
    lee, kim = leaders(db, north, 2)
    made = rate(db, lee, [1, 2], JAN + timedelta(days=3), note="I asked our governors.")
    kept = rate(db, kim, [2, 2], JAN + timedelta(days=3))
    responses.set_shared(db, lee.id, made.id, True)
    return db, fran, north, lee, made, kim, kept


def test_a_facilitator_writes_the_leader_reads_it_as_new_and_replies(shared):
    db, fran, north, lee, made, *_ = shared
    written = feedback.write(db, fran, north.id, made.id, "  Which governors? Say more.\n")
    assert (written.author, written.from_leader, written.body) == ("Fran", False, "Which governors? Say more.")
    assert feedback.new_for_leader(db, lee.id) == {"tiny": 1}
    [seen] = feedback.threads_of_leader(db, lee.id)[made.id]
    assert seen.new and seen.body == "Which governors? Say more."

    later = feedback.write(db, fran, north.id, made.id, "And when?")  # written after Lee's page drew the first
    feedback.mark_seen(db, lee.id, [seen.id])
    assert feedback.new_for_leader(db, lee.id) == {"tiny": 1}, "a message the page did not show is still new"
    feedback.mark_seen(db, lee.id, [later.id])
    assert feedback.new_for_leader(db, lee.id) == {}
    feedback.reply(db, lee.id, made.id, "The chair and the vice-chair.")
    feedback.reply(db, lee.id, made.id, "And the clerk.")
    thread = feedback.thread(db, fran, north.id, made.id)
    assert [(m.author, m.from_leader, m.body) for m in thread] == [
        ("Fran", False, "Which governors? Say more."), ("Fran", False, "And when?"),
        ("Leader 1", True, "The chair and the vice-chair."),
        ("Leader 1", True, "And the clerk.")]
    assert feedback.new_for_leader(db, lee.id) == {}, "a leader's own replies are never new to them"
    logged = audit.for_facilitator(db, fran)
    assert list(logged["What"]).count(audit.FEEDBACK_REPLIED) == 2
    assert list(logged["What"]).count(audit.FEEDBACK_WRITTEN) == 2


def test_unsharing_hides_the_thread_from_facilitators_and_keeps_it_for_the_leader(shared):
    db, fran, north, lee, made, *_ = shared
    feedback.write(db, fran, north.id, made.id, "Thank you for sharing.")
    responses.set_shared(db, lee.id, made.id, False)

    assert feedback.thread(db, fran, north.id, made.id) == []
    with pytest.raises(feedback.NotShared):
        feedback.write(db, fran, north.id, made.id, "Still there?")
    with pytest.raises(feedback.NotShared, match="Share this submission again"):
        feedback.reply(db, lee.id, made.id, "Yes")
    assert [m.body for m in feedback.threads_of_leader(db, lee.id)[made.id]] == ["Thank you for sharing."]

    responses.set_shared(db, lee.id, made.id, True)
    assert [m.body for m in feedback.thread(db, fran, north.id, made.id)] == ["Thank you for sharing."]


def test_no_one_else_may_write_or_read_and_nothing_unshared_takes_feedback(shared):
    db, fran, north, lee, made, kim, kept = shared
    other = facilitator(db, "olu@trust.org.uk")
    with pytest.raises(access.NotYourCohort):
        feedback.write(db, other, north.id, made.id, "Hello")
    with pytest.raises(access.NotYourCohort):
        feedback.thread(db, other, north.id, made.id)
    with pytest.raises(access.NotYourCohort):
        feedback.write(db, lee, north.id, made.id, "Talking to myself")
    with pytest.raises(feedback.NotShared):
        feedback.write(db, fran, north.id, kept.id, "Not shared with me")
    with pytest.raises(feedback.NotShared):
        feedback.reply(db, kim.id, made.id, "Someone else's submission")
    with pytest.raises(access.AccessDenied):
        feedback.write(db, access.SYSTEM, north.id, made.id, "No account")
    # A cohort the facilitator runs that the leader is not in does not reach the leader's submission.
    south = cohort_with_windows(db, fran, "South")
    with pytest.raises(feedback.NotShared):
        feedback.write(db, fran, south.id, made.id, "Wrong cohort")
    assert feedback.thread(db, fran, south.id, made.id) == []
    assert db.execute("SELECT COUNT(*) FROM feedback").fetchone()[0] == 0


def test_a_blank_or_too_long_message_is_refused_with_what_to_fix(shared):
    db, fran, north, lee, made, *_ = shared
    with pytest.raises(InvalidText, match="Write a message"):
        feedback.write(db, fran, north.id, made.id, "  \n ")
    with pytest.raises(InvalidText, match="This message is 2,001 characters long.*Remove 1 characters"):
        feedback.reply(db, lee.id, made.id, "x" * (feedback.MAX_MESSAGE + 1))
    assert db.execute("SELECT COUNT(*) FROM feedback").fetchone()[0] == 0


def test_deleting_a_leaders_account_deletes_the_conversations_on_their_submissions(shared):
    db, fran, north, lee, made, *_ = shared
    feedback.write(db, fran, north.id, made.id, "Thank you.")
    feedback.reply(db, lee.id, made.id, "You're welcome.")
    accounts.delete_leader(db, lee.id, password="correct horse battery staple")
    assert db.execute("SELECT COUNT(*) FROM feedback").fetchone()[0] == 0
