"""The cohort figures kept at write time (reflect.storage.tally) always equal the figures recomputed from the
submissions."""

from __future__ import annotations

import random
from datetime import timedelta

from reflect.domain import accounts, checkpoints, cohort_invitations, cohorts, roster
from reflect.domain.access import SYSTEM  # full access: these tests are about the figures, not who sees them
from reflect.reporting import reports
from reflect.storage import tally
from reflect.storage.db import open_db, write_transaction

from .cohort_data import (
    FEB,
    JAN,
    MAR,
    PASSWORD,
    TINY,
    assert_same_as_recounted,
    cohort_with_windows,
    days,
    facilitator,
    kept,
    leaders,
    rate,
)


def accept_invitation(db, user_id, when) -> None:
    [invitation] = cohort_invitations.pending_for(db, user_id)
    cohort_invitations.answer(db, user_id, invitation.id, accept=True, now=when)


def counts(db, cohort, checkpoint_name) -> dict:
    point = next(p for p in checkpoints.of_cohort(db, cohort.id) if p.name == checkpoint_name)
    frame = reports.distribution(db, SYSTEM, cohort.id, TINY, point.id)
    return {key: count for key, count in frame.set_index(["item_id", "rating"])["count"].items() if count}


def test_every_kind_of_change_keeps_the_figures_equal_to_a_recount(db):
    rng = random.Random(7)
    owner = facilitator(db)
    north, south = cohort_with_windows(db, owner, "North"), cohort_with_windows(db, owner, "South")
    people = leaders(db, north, 6) + leaders(db, south, 4, prefix="south")
    moments = [JAN + timedelta(days=rng.uniform(-5, 62)) for _ in range(40)]  # some before and after every window
    for number, moment in enumerate(moments):
        rate(db, rng.choice(people), [rng.randint(1, 3), rng.randint(1, 3)], moment, token=f"t{number}")
        assert_same_as_recounted(db)

    # An existing North leader is invited to South and accepts: what they submit from then on counts there too.
    check = roster.check_roster(db, owner, south.id, b"name,email\nLeader 1,leader1@school.org.uk\n")
    roster.import_roster(db, owner, south.id, check)
    assert_same_as_recounted(db)
    accept_invitation(db, people[0].id, JAN + timedelta(days=20))
    assert_same_as_recounted(db)

    start, end = checkpoints.of_cohort(db, north.id)
    checkpoints.replace_all(db, owner, north.id, [(start.id, "Start", *days(JAN, FEB + timedelta(days=10))),
                                           (None, "Late", *days(FEB + timedelta(days=10), MAR))])  # End removed
    assert_same_as_recounted(db)

    accounts.delete_leader(db, people[0].id, password=PASSWORD)
    assert_same_as_recounted(db)
    assert db.execute("SELECT COUNT(*) FROM counted_submissions WHERE user_id = ?", [people[0].id]).fetchone()[0] == 0


def test_a_second_submission_in_a_checkpoint_replaces_the_first_in_the_counts(db):
    north = cohort_with_windows(db, facilitator(db))
    [leader] = leaders(db, north, 1)
    rate(db, leader, [1, 1], JAN + timedelta(days=1))
    rate(db, leader, [3, 2], JAN + timedelta(days=2))
    rate(db, leader, [2, 2], JAN + timedelta(hours=12))  # made now, dated earlier: does not count
    assert counts(db, north, "Start") == {("a", 3): 1, ("b", 2): 1}


def test_a_deleted_leaders_ratings_leave_the_cohort_figures(db):
    north = cohort_with_windows(db, facilitator(db))
    stay, leave = leaders(db, north, 2)
    rate(db, stay, [1, 2], JAN + timedelta(days=1))
    rate(db, leave, [3, 3], JAN + timedelta(days=1))
    accounts.delete_leader(db, leave.id, password=PASSWORD)
    assert counts(db, north, "Start") == {("a", 1): 1, ("b", 2): 1}
    assert reports.respondents(db, SYSTEM, north.id, TINY.id, checkpoints.of_cohort(db, north.id)[0].id) == 1


def test_a_leader_added_to_another_cohort_brings_their_ratings_to_it(db):
    owner = facilitator(db)
    north, south = cohort_with_windows(db, owner, "North"), cohort_with_windows(db, owner, "South")
    [leader] = leaders(db, north, 1)
    rate(db, leader, [2, 3], JAN + timedelta(days=1))
    assert counts(db, south, "Start") == {}
    with write_transaction(db):
        cohorts.add_leader(db, south.id, leader.id)
    assert counts(db, south, "Start") == {("a", 2): 1, ("b", 3): 1}


def test_a_database_made_before_the_tally_gets_it_when_opened(tmp_path):
    path = tmp_path / "reflect.db"
    db = open_db(path)
    north = cohort_with_windows(db, facilitator(db))
    for number, leader in enumerate(leaders(db, north, 3)):
        rate(db, leader, [number % 3 + 1, 2], JAN + timedelta(days=number))
    expected = kept(db)
    # Back to how a database stood before migration 0005.
    db.execute("DROP TABLE counted_submissions")
    db.execute("DROP TABLE rating_counts")
    db.execute("DROP TABLE tally_version")
    db.execute("DELETE FROM _sqlite_migrations WHERE name = '0005_tally'")
    db.conn.commit()
    db.close()
    reopened = open_db(path)
    assert kept(reopened) == expected
    assert counts(reopened, north, "Start") == {("a", 1): 1, ("a", 2): 1, ("a", 3): 1, ("b", 2): 3}
    reopened.close()


def test_the_cache_key_of_cohort_figures_moves_with_every_change_that_moves_them(db):
    owner = facilitator(db)
    north, south = cohort_with_windows(db, owner, "North"), cohort_with_windows(db, owner, "South")
    first, second, third = leaders(db, north, 3)
    [elsewhere] = leaders(db, south, 1, prefix="south")
    rate(db, elsewhere, [3, 3], JAN + timedelta(days=1))
    seen = [tally.version(db, north.id)]

    def changed(action) -> None:
        action()
        assert tally.version(db, north.id) not in seen
        seen.append(tally.version(db, north.id))

    # A change in another cohort leaves North's cached figures as they are.
    [south_again] = leaders(db, south, 1, prefix="again")
    rate(db, south_again, [1, 1], JAN + timedelta(days=2))
    checkpoints.ask_then_at(db, owner, south.id, None)
    assert tally.version(db, north.id) == seen[-1]

    changed(lambda: rate(db, first, [2, 3], JAN + timedelta(days=1)))
    changed(lambda: rate(db, second, [1, 1], JAN + timedelta(days=2)))
    # The newest submission goes with its leader, and the next one made takes its id again.
    changed(lambda: accounts.delete_leader(db, second.id, password=PASSWORD))
    changed(lambda: rate(db, third, [3, 1], JAN + timedelta(days=3)))
    # The newest member leaves, and a leader with ratings from another cohort joins in their place.
    changed(lambda: accounts.delete_leader(db, third.id, password=PASSWORD))
    roster.import_roster(db, owner, north.id,
                         roster.check_roster(db, owner, north.id, b"name,email\nS,south1@school.org.uk\n"))
    changed(lambda: accept_invitation(db, elsewhere.id, JAN))
    start, end = checkpoints.of_cohort(db, north.id)
    changed(lambda: checkpoints.replace_all(db, owner, north.id, [
        (start.id, "Start", *days(JAN, FEB + timedelta(days=1))),
        (end.id, "End", *days(FEB + timedelta(days=1), MAR))]))
    changed(lambda: checkpoints.replace_all(db, owner, north.id, [
        (start.id, "Beginning", *days(JAN, FEB + timedelta(days=1))),
        (end.id, "End", *days(FEB + timedelta(days=1), MAR))]))
    changed(lambda: checkpoints.ask_then_at(db, owner, north.id, end.id))
    # A leader who never submitted joins, then leaves: the count of the cohort's leaders moves both times.
    newcomer: list = []
    changed(lambda: newcomer.extend(leaders(db, north, 1, prefix="newcomer")))
    changed(lambda: accounts.delete_leader(db, newcomer[0].id, password=PASSWORD))


def test_checkpoint_edits_recount_where_windows_moved_and_keep_the_figures_equal_to_a_recount(db):
    """Windows moved at either end, checkpoints added and removed, among submissions made before, in and after
    them: after each edit (which recounts only where a window moved) the figures equal a recount from scratch."""
    rng = random.Random(11)
    owner = facilitator(db)
    north, south = cohort_with_windows(db, owner, "North"), cohort_with_windows(db, owner, "South")
    start, end = checkpoints.of_cohort(db, north.id)
    checkpoints.replace_all(db, owner, north.id, [(start.id, "Start", *days(JAN, FEB)),
                                                  (end.id, "Mid", *days(FEB, MAR)),
                                                  (None, "End", *days(MAR, MAR + timedelta(days=31)))])
    people = leaders(db, north, 8) + leaders(db, south, 3, prefix="south")
    for number in range(150):
        rate(db, rng.choice(people), [rng.randint(1, 3), rng.randint(1, 3)],
             JAN + timedelta(days=rng.uniform(-10, 100)), token=f"t{number}")
    south_counted = "SELECT * FROM counted_submissions WHERE cohort_id = ? ORDER BY 1, 2, 3"
    south_before = db.execute(south_counted, [south.id]).fetchall()
    moved_the_figures = set()
    for _ in range(60):
        rows = [(point.id, point.name, point.first_day, point.last_day)
                for point in checkpoints.of_cohort(db, north.id)]
        which = rng.randrange(len(rows))
        point_id, name, first, last = rows[which]
        change = rng.choice(["earlier start", "later start", "earlier end", "later end", "remove", "add"])
        if change == "remove" and len(rows) == 1:
            change = "add"
        if change == "remove":
            del rows[which]
        elif change == "add":
            after = max(row[3] for row in rows) + timedelta(days=1)
            rows.append((None, f"Added {len(rows)}", after, after + timedelta(days=rng.randint(0, 12))))
        else:
            shift = timedelta(days=rng.randint(1, 9))
            first += -shift if change == "earlier start" else shift if change == "later start" else timedelta(0)
            last += -shift if change == "earlier end" else shift if change == "later end" else timedelta(0)
            rows[which] = (point_id, name, first, max(first, last))
        before = kept(db)
        try:
            checkpoints.replace_all(db, owner, north.id, rows)
        except checkpoints.CheckpointError:  # two overlap now: nothing is saved
            continue
        if kept(db) != before:
            moved_the_figures.add(change)
        assert_same_as_recounted(db)
    assert moved_the_figures == {"earlier start", "later start", "earlier end", "later end", "remove", "add"}
    assert db.execute(south_counted, [south.id]).fetchall() == south_before  # the other cohort's: untouched


def test_a_leaders_new_email_shows_in_their_cohorts_cached_figures(db, monkeypatch):
    from reflect.web import figures

    owner = facilitator(db)
    north = cohort_with_windows(db, owner)
    [lee] = leaders(db, north, 1)
    rate(db, lee, [2, 3], JAN + timedelta(days=1))
    start = checkpoints.of_cohort(db, north.id)[0]
    monkeypatch.setenv("REFLECT_DB", db.conn.execute("PRAGMA database_list").fetchone()[2])
    figures.forget_all()
    assert set(figures.grid_page(db, owner, north.id, TINY, start.id)["email"]) == {"leader1@school.org.uk"}
    accounts.change_email(db, lee.id, password=PASSWORD, new_email="lee@elm.sch.uk")
    assert set(figures.grid_page(db, owner, north.id, TINY, start.id)["email"]) == {"lee@elm.sch.uk"}
    figures.forget_all()
