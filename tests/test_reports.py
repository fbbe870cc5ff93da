"""Cohort figures: checkpoint membership, latest-counts, aggregates, the grid, completion and the 5-respondent rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from reflect.domain import checkpoints, responses
from reflect.domain.access import SYSTEM  # full access: these tests are about the figures, not who sees them
from reflect.domain.checkpoints import CheckpointError
from reflect.reporting import reports

from .cohort_data import FEB, JAN, MAR, TINY, cohort_with_windows, days, facilitator, leaders, rate


@pytest.fixture
def cohort(db):
    return cohort_with_windows(db, facilitator(db))


def point(db, cohort, name):
    return next(p for p in checkpoints.of_cohort(db, cohort.id) if p.name == name)


def test_a_submission_belongs_to_the_window_that_holds_it_opening_edge_included_closing_edge_not(db, cohort):
    early, edge, late = leaders(db, cohort, 3)
    rate(db, early, [1, 1], FEB - timedelta(microseconds=1))  # last moment of Start
    rate(db, edge, [2, 2], FEB)  # first moment of End
    rate(db, late, [3, 3], MAR)  # after every window: in no checkpoint
    start, end = point(db, cohort, "Start"), point(db, cohort, "End")
    assert checkpoints.at(db, cohort.id, "2027-02-01T00:00:00.000000+00:00") == end
    assert reports.respondents(db, SYSTEM, cohort.id, TINY.id, start.id) == 1
    assert reports.respondents(db, SYSTEM, cohort.id, TINY.id, end.id) == 1
    counts = reports.distribution(db, SYSTEM, cohort.id, TINY, start.id)
    assert counts.set_index(["item_id", "rating"])["count"].to_dict() == {
        ("a", 1): 1, ("a", 2): 0, ("a", 3): 0, ("b", 1): 1, ("b", 2): 0, ("b", 3): 0}


def test_moving_a_window_moves_submissions_with_it_and_changes_no_submission(db, cohort):
    [leader] = leaders(db, cohort, 1)
    made = rate(db, leader, [2, 3], FEB + timedelta(days=3))
    start, end = point(db, cohort, "Start"), point(db, cohort, "End")
    checkpoints.replace_all(db, SYSTEM, cohort.id, [(start.id, "Start", *days(JAN, FEB + timedelta(days=7))),
                                            (end.id, "End", *days(FEB + timedelta(days=7), MAR))])
    assert reports.respondents(db, SYSTEM, cohort.id, TINY.id, start.id) == 1
    assert reports.respondents(db, SYSTEM, cohort.id, TINY.id, end.id) == 0
    assert responses.submissions(db, leader.id, TINY.id) == [made]


def test_saving_only_new_checkpoints_replaces_all_the_old_ones(db, cohort):
    checkpoints.replace_all(db, SYSTEM, cohort.id, [(None, "Whole term", *days(JAN, MAR))])
    assert [point.name for point in checkpoints.of_cohort(db, cohort.id)] == ["Whole term"]


@pytest.mark.parametrize(
    ("windows", "message"),
    [
        ([("Start", JAN, FEB), ("End", FEB - timedelta(days=1), MAR)], "overlap"),
        ([("Start", FEB, JAN)], "must close after it opens"),
        ([("  ", JAN, FEB)], "needs a name"),
        ([("Start", JAN, FEB), ("Start", FEB, MAR)], "same name"),
    ],
)
def test_bad_checkpoints_are_refused_and_the_old_ones_kept(db, cohort, windows, message):
    before = checkpoints.of_cohort(db, cohort.id)
    with pytest.raises(CheckpointError, match=message):
        checkpoints.replace_all(db, SYSTEM, cohort.id,
                                [(None, name, *days(opens, closes)) for name, opens, closes in windows])
    assert checkpoints.of_cohort(db, cohort.id) == before


def test_only_the_latest_submission_in_a_checkpoint_counts(db, cohort):
    [leader] = leaders(db, cohort, 1)
    rate(db, leader, [1, 1], JAN + timedelta(days=1))
    rate(db, leader, [3, 2], JAN + timedelta(days=2))
    start = point(db, cohort, "Start")
    counts = reports.distribution(db, SYSTEM, cohort.id, TINY, start.id).set_index(["item_id", "rating"])["count"]
    assert counts[("a", 3)] == 1 and counts[("a", 1)] == 0 and counts.sum() == 2


def test_over_time_gives_mean_and_95_percent_interval_per_checkpoint(db, cohort):
    people = leaders(db, cohort, 4)
    for person, rating in zip(people, [1, 2, 2, 3], strict=True):
        rate(db, person, [rating, 3], JAN + timedelta(days=1))
    rate(db, people[0], [3, 3], FEB + timedelta(days=1))
    table = reports.over_time(db, SYSTEM, cohort.id, TINY)
    assert list(zip(table["checkpoint"], table["item_id"], table["n"], strict=True)) == [
        ("Start", "a", 4), ("Start", "b", 4), ("End", "a", 1), ("End", "b", 1)]
    start_a = table.iloc[0]
    # mean 2, sample sd 0.8165, half width 1.96 * 0.8165 / 2 = 0.8002
    assert start_a["mean"] == 2 and start_a["low"] == pytest.approx(1.1998, abs=1e-4)
    assert start_a["high"] == pytest.approx(2.8002, abs=1e-4)
    assert table.iloc[1]["low"] == 3 and table.iloc[1]["high"] == 3, "no spread: the interval is the mean"


def test_grid_pages_sorts_and_searches_in_sql(db, cohort):
    people = leaders(db, cohort, 7)
    for number, person in enumerate(people, start=1):
        rate(db, person, [number % 3 + 1, 2], JAN + timedelta(hours=number))
    start = point(db, cohort, "Start")
    first = reports.grid_page(db, SYSTEM, cohort.id, TINY, start.id, per_page=3, page=1)
    last = reports.grid_page(db, SYSTEM, cohort.id, TINY, start.id, per_page=3, page=3)
    assert reports.grid_total(db, SYSTEM, cohort.id, TINY.id, start.id) == 7
    assert list(dict.fromkeys(first["leader"])) == ["Leader 1", "Leader 2", "Leader 3"]
    assert list(dict.fromkeys(last["leader"])) == ["Leader 7"] and len(last) == 2
    highest = reports.grid_page(db, SYSTEM, cohort.id, TINY, start.id, sort="Mean rating, highest first", per_page=2)
    assert set(highest["leader"]) == {"Leader 2", "Leader 5"}  # rated a=3: the highest means
    found = reports.grid_page(db, SYSTEM, cohort.id, TINY, start.id, name_contains="der 6")
    matching = reports.grid_total(db, SYSTEM, cohort.id, TINY.id, start.id, name_contains="der 6")
    assert matching == 1 and set(found["leader"]) == {"Leader 6"}


def test_shared_reflections_and_the_grid_tell_leaders_of_the_same_name_apart_by_email(db, cohort):
    from reflect.domain import accounts

    from .cohort_data import PASSWORD

    twins = [accounts.register_leader(db, join_code=cohort.join_code, name="Sam Lee", email=email, password=PASSWORD)
             for email in ("sam.lee@oak.sch.uk", "slee@elm.sch.uk")]
    for twin, rating in zip(twins, (1, 3), strict=True):
        made = rate(db, twin, [rating, 2], JAN + timedelta(days=rating), note=f"note {rating}")
        responses.set_shared(db, twin.id, made.id, True)
    start = point(db, cohort, "Start")
    shared = responses.shared_in_cohort(db, SYSTEM, cohort.id, TINY.id, start.id)
    assert [(item.name, item.email) for item in shared] == [("Sam Lee", "sam.lee@oak.sch.uk"),
                                                              ("Sam Lee", "slee@elm.sch.uk")]
    grid = reports.grid_page(db, SYSTEM, cohort.id, TINY, start.id)
    assert sorted(set(zip(grid["leader"], grid["email"], strict=True))) == [
        ("Sam Lee", "sam.lee@oak.sch.uk"), ("Sam Lee", "slee@elm.sch.uk")]


def test_completion_tells_submitted_draft_only_and_not_started(db, cohort):
    """Drafts are stamped with the time they were saved, so this test's second checkpoint is around today."""
    done, drafting, _idle = leaders(db, cohort, 3)
    today = datetime.now(UTC)  # after they joined: a cohort counts only what its members submitted as members
    points = checkpoints.of_cohort(db, cohort.id)
    local_today = today.astimezone(checkpoints.zone_of(db, cohort.id)).date()
    around_today = (local_today - timedelta(days=1), local_today + timedelta(days=1))
    checkpoints.replace_all(db, SYSTEM, cohort.id, [(points[0].id, "Start", *days(JAN, FEB)),
                                            (points[1].id, "Now", *around_today)])
    rate(db, done, [2, 2], JAN + timedelta(days=1))
    rate(db, done, [3, 3], today)
    responses.save_draft(db, drafting.id, TINY, "a", rating=2)

    at_start = reports.completion(db, SYSTEM, cohort.id, [TINY], point(db, cohort, "Start").id)
    assert at_start.set_index("leader")[TINY.title].to_dict() == {
        "Leader 1": "Submitted", "Leader 2": "Not submitted", "Leader 3": "Not submitted"}
    now = reports.completion(db, SYSTEM, cohort.id, [TINY], point(db, cohort, "Now").id)
    assert now.set_index("leader")[TINY.title].to_dict() == {
        "Leader 1": "Submitted", "Leader 2": "Draft only", "Leader 3": "Not submitted"}

    # Filtered, counted and paged in SQL: what the Completion page shows of a cohort of any size.
    now_id = point(db, cohort, "Now").id
    assert list(reports.completion(db, SYSTEM, cohort.id, [TINY], now_id, which=reports.NOT_EVERYTHING)["leader"]) == [
        "Leader 2", "Leader 3"]
    assert list(reports.completion(db, SYSTEM, cohort.id, [TINY], now_id, page=2, per_page=2)["leader"]) == [
        "Leader 3"]
    assert reports.completion_counts(db, SYSTEM, cohort.id, [TINY], now_id, which=reports.NOTHING) == (
        reports.CompletionCounts(leaders=3, submitted={TINY.title: 1}, draft_only={TINY.title: 1}, listed=2))


def my_positions(db, me, cohort):
    """What My progress shows a leader: the cohort's shares, with the leader's own rating marked."""
    return reports.positions(reports.cohort_shares(db, me, cohort.id, TINY),
                             reports.own_latest(db, me, cohort.id, TINY, me.id))


def test_a_leader_sees_the_cohort_only_once_five_have_submitted(db, cohort):
    people = leaders(db, cohort, 5)
    for person, rating in zip(people[:4], [1, 2, 3, 3], strict=True):
        rate(db, person, [rating, 2], JAN + timedelta(days=1))
    me = people[0]
    assert my_positions(db, me, cohort).empty, "shown with only 4 respondents"
    rate(db, people[4], [3, 2], JAN + timedelta(days=2))
    positions = my_positions(db, me, cohort)
    item_a = positions[positions["item_id"] == "a"].set_index("rating")
    assert item_a["share"].to_dict() == pytest.approx({1: 0.2, 2: 0.2, 3: 0.6})
    assert item_a["mine"].to_dict() == {1: 1, 2: 0, 3: 0}
    assert set(positions["respondents"]) == {5}


def test_another_cohorts_leaders_never_count(db, cohort):
    other = cohort_with_windows(db, facilitator(db, "olu@trust.org.uk"), "South")
    [outsider] = leaders(db, other, 1, prefix="outsider")
    rate(db, outsider, [3, 3], JAN + timedelta(days=1))
    start = point(db, cohort, "Start")
    assert reports.respondents(db, SYSTEM, cohort.id, TINY.id, start.id) == 0
    assert reports.grid_total(db, SYSTEM, cohort.id, TINY.id, start.id) == 0
    assert reports.grid_total(db, SYSTEM, cohort.id, TINY.id, start.id, name_contains="outsider") == 0
    assert reports.grid_page(db, SYSTEM, cohort.id, TINY, start.id).empty
    assert reports.over_time(db, SYSTEM, cohort.id, TINY).empty


def test_days_entered_in_london_become_windows_from_midnight_to_midnight_after_the_last_day(db, cohort):
    from datetime import date
    from zoneinfo import ZoneInfo

    london = ZoneInfo("Europe/London")
    assert checkpoints.zone_of(db, cohort.id) == london  # cohorts made without a browser count days in London
    points = checkpoints.of_cohort(db, cohort.id)
    summer = [(points[0].id, "Start", date(2027, 6, 1), date(2027, 6, 30)),
              (points[1].id, "End", date(2027, 7, 1), date(2027, 7, 31))]
    checkpoints.replace_all(db, SYSTEM, cohort.id, summer)
    start, end = checkpoints.of_cohort(db, cohort.id)
    assert (start.opens_at, start.closes_at) == ("2027-05-31T23:00:00.000000+00:00",
                                                 "2027-06-30T23:00:00.000000+00:00")  # BST is UTC+1
    assert (start.first_day, start.last_day) == (date(2027, 6, 1), date(2027, 6, 30))
    assert checkpoints.at(db, cohort.id, "2027-06-30T22:59:59.999999+00:00") == start  # 23:59 on the last day
    assert checkpoints.at(db, cohort.id, "2027-06-30T23:00:00.000000+00:00") == end
    with pytest.raises(CheckpointError, match="Checkpoint 2 needs a first and a last day"):
        checkpoints.replace_all(db, SYSTEM, cohort.id, [(None, "A", date(2027, 6, 1), date(2027, 6, 2)),
                                                        (None, "B", None, None)])


def test_completion_counts_in_aggregate_equal_those_of_the_leader_by_leader_table(db):
    from reflect.devtools.demo import make_demo
    from reflect.domain.questions import load_question_sets

    from .cohort_data import ROOT

    sets = list(load_question_sets(ROOT / "questions")[0].values())
    made = make_demo(db, {qset.id: qset for qset in sets}, leaders=120, seed=9)
    for point in checkpoints.of_cohort(db, made.cohort.id):
        table = reports.completion(db, SYSTEM, made.cohort.id, sets, point.id)
        statuses = table[[qset.title for qset in sets]]
        for which, listed in ((reports.EVERYONE, len(table)),
                              (reports.NOT_EVERYTHING, int((statuses != reports.SUBMITTED).any(axis=1).sum())),
                              (reports.NOTHING, int((statuses != reports.SUBMITTED).all(axis=1).sum()))):
            counts = reports.completion_counts(db, SYSTEM, made.cohort.id, sets, point.id, which=which)
            assert counts == reports.CompletionCounts(
                len(table), {title: int((table[title] == reports.SUBMITTED).sum()) for title in statuses},
                {title: int((table[title] == reports.DRAFT_ONLY).sum()) for title in statuses}, listed), (point, which)
            assert len(reports.completion(db, SYSTEM, made.cohort.id, sets, point.id, which=which)) == listed
