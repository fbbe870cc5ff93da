"""One access check for every cohort-scoped library function (reflect.domain.access), called directly, not through
a page.

Each function is called as a facilitator of another cohort and as a leader: both are refused, and nothing changes.
The cohort's facilitator, an administrator and the command line are let through. A leader reads only their own
cohort's aggregate figures and their own ratings.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, timedelta

import pytest

from reflect.domain import access, audit, checkpoints, cohorts, facilitators, feedback, invitations, responses, roster
from reflect.domain.access import SYSTEM, AccessDenied, NotYourCohort
from reflect.reporting import cohort_report, export, impact, reports

from .cohort_data import JAN, MAR, TINY, administrator, cohort_with_windows, days, facilitator, leaders, rate


class World:
    """Ada administers; Fran runs North (leaders Lee and Bea, who submitted); Olu runs South (leader Oz)."""

    def __init__(self, db):
        self.db = db
        self.admin = administrator(db)
        self.fran = facilitator(db)
        self.olu = facilitator(db, "olu@trust.org.uk")
        self.north = cohort_with_windows(db, self.fran, "North")
        self.south = cohort_with_windows(db, self.olu, "South")
        self.lee, self.bea = leaders(db, self.north, 2)
        [self.oz] = leaders(db, self.south, 1, prefix="south")
        self.shared = rate(db, self.lee, [1, 2], JAN + timedelta(days=1), note="Lee's note")
        responses.set_shared(db, self.lee.id, self.shared.id, True)
        rate(db, self.bea, [3, 3], JAN + timedelta(days=2))
        self.start = checkpoints.of_cohort(db, self.north.id)[0]

    def snapshot(self) -> dict[str, list]:
        tables = [row[0] for row in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {table: sorted(self.db.execute(f"SELECT * FROM [{table}]").fetchall(), key=repr) for table in tables}


# Every cohort-scoped function, called on North by `actor`.
CALLS = {
    "reports.distribution": lambda w, actor: reports.distribution(w.db, actor, w.north.id, TINY, w.start.id),
    "reports.respondents": lambda w, actor: reports.respondents(w.db, actor, w.north.id, TINY.id, w.start.id),
    "reports.leaders": lambda w, actor: reports.leaders(w.db, actor, w.north.id),
    "reports.leaders_in": lambda w, actor: reports.leaders_in(w.db, actor, w.north.id),
    "reports.over_time": lambda w, actor: reports.over_time(w.db, actor, w.north.id, TINY),
    "reports.grid_page": lambda w, actor: reports.grid_page(w.db, actor, w.north.id, TINY, w.start.id),
    "reports.grid_total": lambda w, actor: reports.grid_total(w.db, actor, w.north.id, TINY.id, w.start.id),
    "reports.grid_total (a name)": lambda w, actor: reports.grid_total(w.db, actor, w.north.id, TINY.id, w.start.id,
                                                                       name_contains="Lee"),
    "reports.completion": lambda w, actor: reports.completion(w.db, actor, w.north.id, [TINY], w.start.id),
    "reports.cohort_shares": lambda w, actor: reports.cohort_shares(w.db, actor, w.north.id, TINY),
    "reports.own_latest (Lee's)": lambda w, actor: reports.own_latest(w.db, actor, w.north.id, TINY, w.lee.id),
    "cohort_report.cohort_report_html": lambda w, actor: cohort_report.cohort_report_html(
        w.db, actor, w.north.id, [TINY], UTC),
    "impact.impact": lambda w, actor: impact.impact(w.db, actor, w.north.id, TINY),
    "impact.paired_ratings": lambda w, actor: impact.paired_ratings(w.db, actor, w.north.id, TINY),
    "export.cohort_long_csv": lambda w, actor: export.cohort_long_csv(w.db, actor, w.north.id),
    "export.cohort_wide_csv": lambda w, actor: export.cohort_wide_csv(w.db, actor, w.north.id, TINY),
    "export.codebook_csv": lambda w, actor: export.codebook_csv(w.db, actor, w.north.id, TINY),
    "export.feedback_csv": lambda w, actor: export.feedback_csv(w.db, actor, w.north.id),
    "export.logged": lambda w, actor: export.logged(w.db, actor, w.north.id, "long CSV", export.cohort_long_csv),
    "responses.ratings_in_cohort (Lee's)": (
        lambda w, actor: responses.ratings_in_cohort(w.db, actor, w.north.id, w.lee.id, TINY.id)),
    "responses.shared_by (Lee's)": lambda w, actor: responses.shared_by(w.db, actor, w.north.id, w.lee.id),
    "responses.shared_in_cohort": (
        lambda w, actor: responses.shared_in_cohort(w.db, actor, w.north.id, TINY.id, w.start.id)),
    "feedback.write (on Lee's)": lambda w, actor: feedback.write(w.db, actor, w.north.id, w.shared.id, "Thanks"),
    "feedback.thread (on Lee's)": lambda w, actor: feedback.thread(w.db, actor, w.north.id, w.shared.id),
    "checkpoints.ask_then_at": lambda w, actor: checkpoints.ask_then_at(w.db, actor, w.north.id, w.start.id),
    "checkpoints.replace_all": lambda w, actor: checkpoints.replace_all(w.db, actor, w.north.id,
                                                                        [(w.start.id, "Mine now", *days(JAN, MAR))]),
    "cohorts.run_by": lambda w, actor: cohorts.run_by(w.db, actor, w.north.id),
    "cohorts.rename": lambda w, actor: cohorts.rename(w.db, actor, w.north.id, "Mine now"),
    "cohorts.set_archived": lambda w, actor: cohorts.set_archived(w.db, actor, w.north.id, True),
    "cohorts.facilitators_of": lambda w, actor: cohorts.facilitators_of(w.db, actor, w.north.id),
    "roster.check_roster": lambda w, actor: roster.check_roster(w.db, actor, w.north.id,
                                                                b"name,email\nNew,new@school.org.uk\n"),
    "roster.import_roster": lambda w, actor: roster.import_roster(
        w.db, actor, w.north.id, roster.check_roster(w.db, SYSTEM, w.north.id, b"name,email\nNew,new@school.org.uk\n")),
    "invitations.add_co_facilitator": lambda w, actor: invitations.add_co_facilitator(
        w.db, actor, w.north.id, name="Cam", email="cam@trust.org.uk"),
    "facilitators.hand_over": lambda w, actor: facilitators.hand_over(w.db, actor, w.north.id, add=w.olu.id),
}
# Feedback is written by a person: the command line, which has no account, may read a thread but not write one.
PEOPLE_ONLY = {"feedback.write (on Lee's)"}
# What a cohort's leader may read of another leader's cohort data: only its aggregate shares (My progress).
LEADERS_MAY = {"reports.cohort_shares"}


@pytest.fixture
def world(db):
    return World(db)


@pytest.mark.parametrize(("who", "call"), [
    (who, call) for who in ("another cohort's facilitator", "another cohort's leader", "the cohort's leader")
    for call in CALLS if not (who == "the cohort's leader" and call in LEADERS_MAY)])  # their shares: see below
def test_every_cohort_function_refuses_who_does_not_run_the_cohort(world, call, who):
    actor = {"another cohort's facilitator": world.olu, "another cohort's leader": world.oz,
             "the cohort's leader": world.bea}[who]
    before = world.snapshot()
    with pytest.raises(AccessDenied, match="not one of yours|Only an administrator"):
        CALLS[call](world, actor)
    assert world.snapshot() == before, "a refused call changed the database"


@pytest.mark.parametrize(("who", "call"), [
    (who, call) for who in ("the cohort's facilitator", "an administrator", "the command line")
    for call in CALLS if not (who == "the cohort's facilitator" and call == "facilitators.hand_over")  # admins only
    and not (who == "the command line" and call in PEOPLE_ONLY)])
def test_every_cohort_function_lets_those_who_run_the_cohort_through(world, call, who):
    actor = {"the cohort's facilitator": world.fran, "an administrator": world.admin, "the command line": SYSTEM}[who]
    CALLS[call](world, actor)


def test_a_leader_reads_only_their_own_cohorts_shares_and_their_own_ratings(world):
    db = world.db
    assert not reports.own_latest(db, world.lee, world.north.id, TINY, world.lee.id).empty
    reports.cohort_shares(db, world.lee, world.north.id, TINY)
    with pytest.raises(NotYourCohort):
        reports.own_latest(db, world.bea, world.north.id, TINY, world.lee.id)  # another leader's ratings
    with pytest.raises(NotYourCohort):
        reports.cohort_shares(db, world.oz, world.north.id, TINY)  # another cohort's figures
    with pytest.raises(NotYourCohort):
        reports.own_latest(db, world.oz, world.north.id, TINY, world.oz.id)  # their own, but not their cohort


def test_the_role_is_read_from_the_database_not_from_the_object_passed_in(world):
    pretending = replace(world.olu, admin=True)  # a stale or forged object: Olu is no administrator
    with pytest.raises(NotYourCohort):
        reports.distribution(world.db, pretending, world.north.id, TINY, world.start.id)
    with pytest.raises(access.NotAdministrator):
        facilitators.hand_over(world.db, pretending, world.north.id, add=world.olu.id)
    with pytest.raises(TypeError, match="accounts.User"):
        reports.distribution(world.db, world.fran.id, world.north.id, TINY, world.start.id)  # a bare id


def test_a_cohort_that_does_not_exist_is_refused_as_if_it_were_someone_elses(world):
    with pytest.raises(NotYourCohort, match="not one of yours"):
        access.cohort_for(world.db, world.fran, 999)
    with pytest.raises(NotYourCohort, match="not one of yours"):
        access.cohort_for(world.db, SYSTEM, 999)


def test_the_cached_cohort_figure_is_checked_before_it_is_served(world, monkeypatch, tmp_path):
    from reflect.web import figures

    path = world.db.conn.execute("PRAGMA database_list").fetchone()[2]
    monkeypatch.setenv("REFLECT_DB", path)
    figures.forget_all()
    made = figures.distribution(world.db, world.fran, world.north.id, TINY, world.start.id)
    assert int(made["count"].sum()) == 4  # two leaders, two items: now cached
    with pytest.raises(NotYourCohort):
        figures.distribution(world.db, world.olu, world.north.id, TINY, world.start.id)
    with pytest.raises(NotYourCohort):
        figures.distribution(world.db, world.lee, world.north.id, TINY, world.start.id)
    shares = figures.cohort_shares(world.db, world.lee, world.north.id, TINY)  # a leader's own cohort
    with pytest.raises(NotYourCohort):
        figures.cohort_shares(world.db, world.oz, world.north.id, TINY)
    assert shares.empty  # fewer than five respondents: nothing to show leaders yet
    figures.forget_all()


def test_an_administrators_activity_log_holds_every_cohort_and_a_facilitators_only_theirs(world):
    assert set(audit.for_facilitator(world.db, world.admin)["Cohort"]) == {"North", "South"}
    assert set(audit.for_facilitator(world.db, world.olu)["Cohort"]) == {"South"}
    assert audit.for_facilitator(world.db, world.lee).empty
