"""Checkpoints are stored as the Cohorts page states them: whole days, first and last included, in the cohort's time
zone. Saving them unchanged changes nothing; windows stored to the second by earlier versions become the days the
editor showed for them, once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from reflect.devtools.demo import make_demo
from reflect.domain import checkpoints, cohorts
from reflect.domain.access import SYSTEM
from reflect.domain.questions import load_question_sets
from reflect.reporting import reports
from reflect.storage import tally
from reflect.storage.db import open_db, write_transaction
from reflect.storage.migrations import migrations

from .cohort_data import TINY, assert_same_as_recounted, facilitator, kept, leaders, rate

SETS, _ = load_question_sets(Path(__file__).resolve().parents[1] / "questions")
CHECKLIST = SETS["munby-fullan-skills"]


def as_stored(points: list[checkpoints.Checkpoint]) -> list[tuple]:
    """What the Cohorts page sends back when nothing was edited: the days it was given."""
    return [(point.id, point.name, point.first_day, point.last_day) for point in points]


def figures(db, cohort_id: int, set_id: str) -> dict[str, int]:
    return {point.name: reports.respondents(db, SYSTEM, cohort_id, set_id, point.id)
            for point in checkpoints.of_cohort(db, cohort_id)}


def assert_unchanged_save_writes_nothing(db, cohort_id: int, set_id: str) -> None:
    stored = db.execute("SELECT * FROM checkpoints ORDER BY id").fetchall()
    counted, before, version = kept(db), figures(db, cohort_id, set_id), tally.version(db, cohort_id)
    changes = db.conn.total_changes
    assert checkpoints.replace_all(db, SYSTEM, cohort_id, as_stored(checkpoints.of_cohort(db, cohort_id))) is False
    assert db.conn.total_changes == changes, "a save with nothing edited wrote to the database"
    assert tally.version(db, cohort_id) == version, "a save with nothing edited recounted the cohort"
    assert figures(db, cohort_id, set_id) == before
    assert kept(db) == counted
    assert db.execute("SELECT * FROM checkpoints ORDER BY id").fetchall() == stored


def test_saving_a_demo_cohorts_checkpoints_unchanged_writes_nothing(db):
    made = make_demo(db, SETS, leaders=300, seed=1)
    assert all(count > 0 for count in figures(db, made.cohort.id, CHECKLIST.id).values())
    assert_unchanged_save_writes_nothing(db, made.cohort.id, CHECKLIST.id)
    # Every demo window is whole days: from local midnight to local midnight after its last day.
    for point in checkpoints.of_cohort(db, made.cohort.id):
        assert (point.opens_at, point.closes_at) == checkpoints.window(point.first_day, point.last_day,
                                                                       checkpoints.zone_of(db, made.cohort.id))


def test_saving_unchanged_writes_nothing_for_a_cohort_made_in_another_zone(db):
    owner = facilitator(db)
    cohort = cohorts.create_cohort(db, owner.id, "Sydney", time_zone="Australia/Sydney")
    assert checkpoints.zone_of(db, cohort.id).key == "Australia/Sydney"
    start, mid, end = checkpoints.of_cohort(db, cohort.id)
    # Sydney leaves daylight saving on Sunday 4 April 2027 (UTC+11 -> UTC+10).
    checkpoints.replace_all(db, SYSTEM, cohort.id, [(start.id, "Start", date(2027, 3, 1), date(2027, 3, 31)),
                                            (mid.id, "Across the change", date(2027, 4, 1), date(2027, 4, 10))])
    start, across = checkpoints.of_cohort(db, cohort.id)
    assert (across.opens_at, across.closes_at) == ("2027-03-31T13:00:00.000000+00:00",  # midnight, AEDT
                                                   "2027-04-10T14:00:00.000000+00:00")  # midnight after, AEST
    people = leaders(db, cohort, 4)
    # Just either side of each boundary, in Sydney: 23:59 on the last day and 00:00 on the next.
    for person, moment in zip(people, ("2027-03-31T12:59:00", "2027-03-31T13:00:00", "2027-04-10T13:59:00",
                                       "2027-04-10T14:00:00"), strict=True):
        rate(db, person, [2, 3], datetime.fromisoformat(moment).replace(tzinfo=UTC))
    assert figures(db, cohort.id, TINY.id) == {"Start": 1, "Across the change": 2}
    assert_unchanged_save_writes_nothing(db, cohort.id, TINY.id)


def test_a_new_cohorts_default_checkpoints_start_on_its_local_today(db):
    owner = facilitator(db)
    cohort = cohorts.create_cohort(db, owner.id, "Auckland", time_zone="Pacific/Auckland")
    zone = checkpoints.zone_of(db, cohort.id)
    today = datetime.now(zone).date()
    points = checkpoints.of_cohort(db, cohort.id)
    assert [(p.name, p.first_day, p.last_day) for p in points] == [
        ("Start of module", today, today + timedelta(days=41)),
        ("Mid-point", today + timedelta(days=42), today + timedelta(days=83)),
        ("End of module", today + timedelta(days=84), today + timedelta(days=181)),
    ]
    assert [(p.opens_at, p.closes_at) for p in points] == [checkpoints.window(p.first_day, p.last_day, zone)
                                                            for p in points]
    with pytest.raises(cohorts.CohortError, match="not a time zone"):
        cohorts.create_cohort(db, owner.id, "Nowhere", time_zone="Mars/Olympus_Mons")


def test_a_window_across_the_start_of_british_summer_time_is_whole_local_days(db):
    owner = facilitator(db)
    cohort = cohorts.create_cohort(db, owner.id, "North", time_zone="Europe/London")
    [start, *_] = checkpoints.of_cohort(db, cohort.id)
    # Clocks go forward at 01:00 GMT on Sunday 28 March 2027: this window is one hour short of 17 days.
    checkpoints.replace_all(db, SYSTEM, cohort.id, [(start.id, "Spring", date(2027, 3, 20), date(2027, 4, 5))])
    [spring] = checkpoints.of_cohort(db, cohort.id)
    assert (spring.first_day, spring.last_day) == (date(2027, 3, 20), date(2027, 4, 5))
    assert (spring.opens_at, spring.closes_at) == ("2027-03-20T00:00:00.000000+00:00",  # midnight GMT
                                                   "2027-04-05T23:00:00.000000+00:00")  # midnight BST
    assert checkpoints.at(db, cohort.id, "2027-04-05T22:59:59.999999+00:00") == spring  # 23:59 BST, last day
    assert checkpoints.at(db, cohort.id, "2027-04-05T23:00:00.000000+00:00") is None  # 00:00 BST, the day after
    assert checkpoints.at(db, cohort.id, "2027-03-19T23:59:59.999999+00:00") is None


def test_only_a_real_change_is_written_and_recounted(db):
    owner = facilitator(db)
    cohort = cohorts.create_cohort(db, owner.id, "North")
    [leader] = leaders(db, cohort, 1)
    start, mid, end = checkpoints.of_cohort(db, cohort.id)
    moved = as_stored([start, mid, end])
    moved[0] = (start.id, start.name, start.first_day, start.last_day + timedelta(days=1))
    moved[1] = (mid.id, mid.name, mid.first_day + timedelta(days=1), mid.last_day)
    rate(db, leader, [1, 2], datetime.fromisoformat(mid.opens_at) + timedelta(hours=1))
    version = tally.version(db, cohort.id)
    assert checkpoints.replace_all(db, SYSTEM, cohort.id, moved) is True
    assert tally.version(db, cohort.id) > version
    assert figures(db, cohort.id, TINY.id) == {"Start of module": 1, "Mid-point": 0, "End of module": 0}
    assert_same_as_recounted(db)
    with pytest.raises(TypeError, match="whole days"):
        checkpoints.replace_all(db, SYSTEM, cohort.id, [(start.id, "Start", datetime(2027, 1, 1, tzinfo=UTC),
                                                 datetime(2027, 2, 1, tzinfo=UTC))])


# Windows as earlier versions stored them, to the second, and the days the Cohorts page showed for each (in
# Europe/London: the first day is the day it opened, the last the day before the one it closed on).
OLD_WINDOWS = {
    # name: (opens_at, closes_at, first day, last day, derived opens_at, derived closes_at)
    "Start": ("2027-03-02T10:15:07.000000+00:00", "2027-03-30T09:41:13.000000+00:00",  # across BST
              date(2027, 3, 2), date(2027, 3, 29), "2027-03-02T00:00:00.000000+00:00",
              "2027-03-29T23:00:00.000000+00:00"),
    "Middle": ("2027-03-30T09:41:13.000000+00:00", "2027-06-15T23:30:00.000000+00:00",  # 00:30 BST on 16 June
               date(2027, 3, 30), date(2027, 6, 15), "2027-03-29T23:00:00.000000+00:00",
               "2027-06-15T23:00:00.000000+00:00"),
    "End": ("2027-06-15T23:30:00.000000+00:00", "2027-07-31T23:00:00.000000+00:00",
            date(2027, 6, 16), date(2027, 7, 31), "2027-06-15T23:00:00.000000+00:00",
            "2027-07-31T23:00:00.000000+00:00"),
    "Summer default": ("2027-08-01T00:00:00.000000+00:00", "2027-09-12T00:00:00.000000+00:00",  # midnight UTC
                       date(2027, 8, 1), date(2027, 9, 11), "2027-07-31T23:00:00.000000+00:00",
                       "2027-09-11T23:00:00.000000+00:00"),
    "Winter": ("2027-11-01T00:00:00.000000+00:00", "2027-12-01T00:00:00.000000+00:00",  # saved by the editor
               date(2027, 11, 1), date(2027, 11, 30), "2027-11-01T00:00:00.000000+00:00",
               "2027-12-01T00:00:00.000000+00:00"),
}


def old_database(path: Path) -> None:
    """A database as it stood before checkpoints had days: migrations up to 0005, windows stored to the second,
    and leaders who submitted near their boundaries, with the figures counted as they were then."""
    db = open_db(path, migrate=False)
    migrations.apply(db, stop_before="0007_checkpoint_days")
    with write_transaction(db):
        run = db.execute
        run("INSERT INTO users (id, email, name, role, password_hash, created_at) "
            "VALUES (1, 'fran@trust.org.uk', 'Fran', 'facilitator', 'x', '2027-03-01T09:00:00+00:00')")
        run("INSERT INTO cohorts (id, name, join_code, created_by, created_at) "
            "VALUES (1, 'North', 'ABCD-EFGH', 1, '2027-03-02T10:15:07.000000+00:00')")
        run("INSERT INTO cohort_facilitators (cohort_id, user_id) VALUES (1, 1)")
        for number, (name, (opens_at, closes_at, *_)) in enumerate(OLD_WINDOWS.items(), start=1):
            run("INSERT INTO checkpoints (id, cohort_id, name, opens_at, closes_at) VALUES (?, 1, ?, ?, ?)",
                [number, name, opens_at, closes_at])
        moments = ("2027-03-02T09:00:00.000000+00:00",  # before Start opened at 10:15; on its first day
                   "2027-03-29T23:30:00.000000+00:00",  # in Start until 09:41 on 30 March; 00:30 BST on the 30th
                   "2027-06-15T23:10:00.000000+00:00",  # in Middle until 23:30; 00:10 BST on 16 June
                   "2027-05-01T12:00:00.000000+00:00")  # in Middle, well inside
        for leader, moment in enumerate(moments, start=2):
            run("INSERT INTO users (id, email, name, role, password_hash, created_at) "
                "VALUES (?, ?, ?, 'leader', 'x', '2027-03-01T09:00:00+00:00')", [leader, f"l{leader}@s.org", "L"])
            run("INSERT INTO cohort_leaders (cohort_id, user_id, joined_at) VALUES (1, ?, ?)",
                [leader, "2027-03-01T09:00:00+00:00"])
            run("INSERT INTO submissions (id, user_id, set_id, set_version, submitted_at, token) "
                "VALUES (?, ?, 'tiny', 1, ?, ?)", [leader, leader, moment, f"t{leader}"])
            for item in TINY.items:
                run("INSERT INTO answers (submission_id, item_id, item_text, rating) VALUES (?, ?, ?, 2)",
                    [leader, item.id, item.text])
        tally.rebuild(db)
    assert [reports.respondents(db, SYSTEM, 1, TINY.id, number) for number in (1, 2, 3, 4, 5)] == [1, 2, 0, 0, 0]
    db.close()


def test_the_migration_turns_windows_stored_to_the_second_into_the_days_the_editor_showed(tmp_path):
    path = tmp_path / "reflect.db"
    old_database(path)
    db = open_db(path)
    assert db.execute("SELECT time_zone FROM cohorts").fetchall() == [("Europe/London",)]
    points = {point.name: point for point in checkpoints.of_cohort(db, 1)}
    for name, (_, _, first, last, opens_at, closes_at) in OLD_WINDOWS.items():
        assert (points[name].first_day, points[name].last_day) == (first, last), name
        assert (points[name].opens_at, points[name].closes_at) == (opens_at, closes_at), name
    # The windows moved, so the figures were counted again: each submission is in the checkpoint of its local day.
    assert figures(db, 1, TINY.id) == {"Start": 1, "Middle": 2, "End": 1, "Summer default": 0, "Winter": 0}
    assert_same_as_recounted(db)
    # Once: opening it again changes nothing, and saving the checkpoints unchanged writes nothing.
    version = tally.version(db, 1)
    db.close()
    db = open_db(path)
    assert tally.version(db, 1) == version
    assert_unchanged_save_writes_nothing(db, 1, TINY.id)
    db.close()


def test_a_window_written_without_its_days_reads_as_the_editor_showed_it(db):
    owner = facilitator(db)
    cohort = cohorts.create_cohort(db, owner.id, "North")
    db.execute("INSERT INTO checkpoints (cohort_id, name, opens_at, closes_at) VALUES (?, 'Old', ?, ?)",
               [cohort.id, "2030-06-01T10:00:00.000000+00:00", "2030-07-01T10:00:00.000000+00:00"])
    db.conn.commit()
    old = next(point for point in checkpoints.of_cohort(db, cohort.id) if point.name == "Old")
    assert (old.first_day, old.last_day) == (date(2030, 6, 1), date(2030, 6, 30))
