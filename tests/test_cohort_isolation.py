"""A cohort's facilitators see only what a leader submitted while a member, and an existing account joins another
cohort only if its owner accepts (issue 9: a facilitator could pull another cohort's leader in by roster)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from reflect.domain import accounts, checkpoints, cohort_invitations, responses, roster
from reflect.domain.access import SYSTEM
from reflect.domain.cohort_invitations import InvitationError
from reflect.reporting import export, reports
from reflect.storage import tally
from reflect.storage.db import stamp, write_transaction

from .cohort_data import (
    JAN,
    PASSWORD,
    TINY,
    assert_same_as_recounted,
    cohort_with_windows,
    facilitator,
    leaders,
    rate,
)

EARLIER_NOTE = "North only: I struggled with governors"
LATER_NOTE = "Written for South"


@pytest.fixture
def two_cohorts(db):
    """Leader 1 of North (Fran's) rated and shared a note in January; Olu runs South, with the same windows."""
    fran = facilitator(db)
    north = cohort_with_windows(db, fran, "North")
    [lee] = leaders(db, north, 1)  # leader1@school.org.uk
    earlier = rate(db, lee, [1, 2], JAN + timedelta(days=1), note=EARLIER_NOTE)
    responses.set_shared(db, lee.id, earlier.id, True)
    olu = facilitator(db, "olu@trust.org.uk")
    south = cohort_with_windows(db, olu, "South")
    return db, olu, south, lee


def import_lee(db, olu, south):
    check = roster.check_roster(db, SYSTEM, south.id, b"name,email\nLee,leader1@school.org.uk\n")
    return roster.import_roster(db, olu, south.id, check)


def start_of(db, cohort):
    return start_of_cohort(db, cohort.id)


def start_of_cohort(db, cohort_id):
    return next(p for p in checkpoints.of_cohort(db, cohort_id) if p.name == "Start")


def everything_south_sees(db, south) -> str:
    """Every figure, table and file South's facilitators get, as one text to search."""
    start = start_of(db, south)
    parts = [
        reports.completion(db, SYSTEM, south.id, [TINY], start.id).to_csv(),
        str(reports.respondents(db, SYSTEM, south.id, TINY.id, start.id)),
        reports.distribution(db, SYSTEM, south.id, TINY, start.id).to_csv(),
        reports.over_time(db, SYSTEM, south.id, TINY).to_csv(),
        reports.grid_page(db, SYSTEM, south.id, TINY, start.id).to_csv(),
        str(reports.grid_total(db, SYSTEM, south.id, TINY.id, start.id, name_contains="e")),
        repr(responses.shared_in_cohort(db, SYSTEM, south.id, TINY.id, start.id)),
        *(repr(responses.shared_by(db, SYSTEM, south.id, user_id))  # each leader's record
          for user_id in reports.leaders(db, SYSTEM, south.id)["user_id"]),
        export.cohort_long_csv(db, SYSTEM, south.id).decode(),
        export.cohort_wide_csv(db, SYSTEM, south.id, TINY).decode(),
    ]
    return "\n".join(parts)


def test_a_roster_invites_an_existing_leader_instead_of_adding_them(two_cohorts):
    db, olu, south, lee = two_cohorts
    codes = import_lee(db, olu, south)
    assert codes == [], "an existing account must not get a code that sets its password"
    assert not db.execute("SELECT 1 FROM cohort_leaders WHERE cohort_id = ? AND user_id = ?",
                          [south.id, lee.id]).fetchone()
    [invitation] = cohort_invitations.pending_for(db, lee.id)
    assert (invitation.cohort_name, invitation.invited_by) == ("South", "Fran")
    assert accounts.sign_in(db, "leader1@school.org.uk", PASSWORD) == lee, "the account was changed"


def test_before_accepting_nothing_of_the_leader_reaches_the_other_cohort(two_cohorts):
    db, olu, south, lee = two_cohorts
    import_lee(db, olu, south)
    seen = everything_south_sees(db, south)
    assert "leader1@school.org.uk" not in seen and EARLIER_NOTE not in seen
    start = start_of(db, south)
    assert reports.respondents(db, SYSTEM, south.id, TINY.id, start.id) == 0
    assert reports.completion(db, SYSTEM, south.id, [TINY], start.id).empty


def test_after_accepting_only_what_was_submitted_since_joining_counts(two_cohorts):
    db, olu, south, lee = two_cohorts
    import_lee(db, olu, south)
    [invitation] = cohort_invitations.pending_for(db, lee.id)
    cohort_invitations.answer(db, lee.id, invitation.id, accept=True, now=JAN + timedelta(days=10))
    start = start_of(db, south)
    # A member now, but the January submission predates joining: South sees the leader, not that work.
    completion = reports.completion(db, SYSTEM, south.id, [TINY], start.id)
    assert list(completion["email"]) == ["leader1@school.org.uk"]
    assert list(completion[TINY.title]) == ["Not submitted"]
    assert EARLIER_NOTE not in everything_south_sees(db, south)
    assert reports.respondents(db, SYSTEM, south.id, TINY.id, start.id) == 0

    later = rate(db, lee, [3, 3], JAN + timedelta(days=15), note=LATER_NOTE)
    responses.set_shared(db, lee.id, later.id, True)
    seen = everything_south_sees(db, south)
    assert LATER_NOTE in seen and EARLIER_NOTE not in seen
    assert list(reports.completion(db, SYSTEM, south.id, [TINY], start.id)[TINY.title]) == ["Submitted"]
    assert reports.respondents(db, SYSTEM, south.id, TINY.id, start.id) == 1
    [shared] = responses.shared_in_cohort(db, SYSTEM, south.id, TINY.id, start.id)
    assert shared.submission.id == later.id
    # Lee's record in South: only what was submitted since joining it.
    assert set(responses.ratings_in_cohort(db, SYSTEM, south.id, lee.id, TINY.id)["submission_id"]) == {later.id}
    assert [mine.submission.id for mine in responses.shared_by(db, SYSTEM, south.id, lee.id)] == [later.id]
    long_ids = {line.split(",")[6] for line in export.cohort_long_csv(db, SYSTEM, south.id).decode().splitlines()[1:]}
    assert long_ids == {str(later.id)}
    # North keeps everything, as before.
    north = db.execute("SELECT id FROM cohorts WHERE name = 'North'").fetchone()[0]
    assert reports.respondents(db, SYSTEM, north, TINY.id, start_of_cohort(db, north).id) == 1
    assert EARLIER_NOTE in repr(responses.shared_in_cohort(db, SYSTEM, north, TINY.id, start_of_cohort(db, north).id))
    assert_same_as_recounted(db)


def test_declining_leaves_nothing(two_cohorts):
    db, olu, south, lee = two_cohorts
    import_lee(db, olu, south)
    logged = db.execute("SELECT COUNT(*) FROM audit_log WHERE cohort_id = ?", [south.id]).fetchone()[0]
    version = tally.version(db, south.id)
    [invitation] = cohort_invitations.pending_for(db, lee.id)
    cohort_invitations.answer(db, lee.id, invitation.id, accept=False)
    assert cohort_invitations.pending_for(db, lee.id) == []
    assert not db.execute("SELECT 1 FROM cohort_leaders WHERE cohort_id = ?", [south.id]).fetchone()
    assert not db.execute("SELECT 1 FROM counted_submissions WHERE cohort_id = ?", [south.id]).fetchone()
    assert db.execute("SELECT COUNT(*) FROM audit_log WHERE cohort_id = ?", [south.id]).fetchone()[0] == logged
    assert tally.version(db, south.id) == version
    assert "leader1@school.org.uk" not in everything_south_sees(db, south)
    with pytest.raises(InvitationError, match="already been answered"):
        cohort_invitations.answer(db, lee.id, invitation.id, accept=True)


def test_only_the_invited_leader_can_answer(two_cohorts):
    db, olu, south, lee = two_cohorts
    import_lee(db, olu, south)
    [invitation] = cohort_invitations.pending_for(db, lee.id)
    [other] = leaders(db, south, 1, prefix="south")
    with pytest.raises(InvitationError):
        cohort_invitations.answer(db, other.id, invitation.id, accept=True)
    assert not db.execute("SELECT 1 FROM cohort_leaders WHERE cohort_id = ? AND user_id = ?",
                          [south.id, lee.id]).fetchone()


def test_the_preview_shows_new_and_existing_emails_alike(two_cohorts):
    db, olu, south, lee = two_cohorts
    data = b"name,email\nNew Person,new@x.org\nLee,leader1@school.org.uk\n"
    rows = roster.preview(roster.check_roster(db, SYSTEM, south.id, data))
    assert [row["Email"] for row in rows] == ["new@x.org", "leader1@school.org.uk"]
    shown = [{key: value for key, value in row.items() if key not in ("Line", "Name", "Email")} for row in rows]
    assert shown[0] == shown[1]
    assert not any("account" in str(value) for row in rows for value in row.values())

    roster.import_roster(db, olu, south.id, roster.check_roster(db, SYSTEM, south.id, data))
    again = roster.check_roster(db, SYSTEM, south.id, data)  # one a member now, the other invited: skipped alike
    assert not again.ok and not again.problems
    assert [row["What will happen"] for row in roster.preview(again)] == [roster.SKIPPED] * 2
    detail = db.execute("SELECT detail FROM audit_log WHERE action = 'imported a roster'").fetchone()[0]
    assert detail == "2 leaders invited"


def test_registering_with_an_existing_email_asks_its_owner_instead_of_saying_so(two_cohorts):
    db, olu, south, lee = two_cohorts
    with pytest.raises(accounts.AccountError) as raised:
        accounts.register_leader(db, join_code=south.join_code, name="Someone", email="Leader1@school.org.uk",
                                 password="a different password")
    assert "There is already an account with that email" not in str(raised.value)
    assert str(raised.value) == accounts.NOT_REGISTERED
    [invitation] = cohort_invitations.pending_for(db, lee.id)
    assert (invitation.cohort_name, invitation.invited_by) == ("South", None)
    assert not db.execute("SELECT 1 FROM cohort_leaders WHERE cohort_id = ?", [south.id]).fetchone()
    assert accounts.sign_in(db, "leader1@school.org.uk", PASSWORD) == lee
    # Again: still one invitation. A facilitator's email: the same message, and no invitation.
    with pytest.raises(accounts.AccountError, match="could not create an account"):
        accounts.register_leader(db, join_code=south.join_code, name="Someone", email="leader1@school.org.uk",
                                 password="a different password")
    assert len(cohort_invitations.pending_for(db, lee.id)) == 1
    with pytest.raises(accounts.AccountError) as facilitator_email:
        accounts.register_leader(db, join_code=south.join_code, name="Someone", email="olu@trust.org.uk",
                                 password="a different password")
    assert str(facilitator_email.value) == accounts.NOT_REGISTERED
    assert db.execute("SELECT COUNT(*) FROM cohort_invitations").fetchone()[0] == 1


def test_leaders_who_join_with_the_code_or_an_invitation_code_lose_nothing(db):
    """joined_at is when their account was made, so everything they ever submit counts (real clock, no `now=`)."""
    owner = facilitator(db)
    cohort = cohort_with_windows(db, owner)
    start = start_of(db, cohort)
    today = datetime.now(UTC)
    local_today = today.astimezone(checkpoints.zone_of(db, cohort.id)).date()
    checkpoints.replace_all(db, SYSTEM, cohort.id,
                            [(start.id, "Start", local_today - timedelta(days=1), local_today + timedelta(days=1))])
    [coded] = leaders(db, cohort, 1)
    [invited] = roster.import_roster(db, owner, cohort.id,
                                     roster.check_roster(db, SYSTEM, cohort.id, b"name,email\nIvy,ivy@x.org\n"))
    from reflect.domain import invitations

    ivy = invitations.accept(db, email="ivy@x.org", code=invited.code, password=PASSWORD)
    for person in (coded, ivy):
        for item in TINY.items:
            responses.save_draft(db, person.id, TINY, item.id, rating=2, note=f"note of {person.email}")
        made = responses.submit(db, person.id, TINY, f"token-{person.id}")
        responses.set_shared(db, person.id, made.id, True)
    assert reports.respondents(db, SYSTEM, cohort.id, TINY.id, start.id) == 2
    assert list(reports.completion(db, SYSTEM, cohort.id, [TINY], start.id)[TINY.title]) == ["Submitted"] * 2
    assert len(responses.shared_in_cohort(db, SYSTEM, cohort.id, TINY.id, start.id)) == 2
    assert len(export.cohort_wide_csv(db, SYSTEM, cohort.id, TINY).splitlines()) == 3


def test_a_leader_with_an_open_invitation_can_still_delete_their_account(two_cohorts):
    db, olu, south, lee = two_cohorts
    import_lee(db, olu, south)
    accounts.delete_leader(db, lee.id, password=PASSWORD)
    assert db.execute("SELECT COUNT(*) FROM cohort_invitations").fetchone()[0] == 0


def test_migration_0008_drops_work_from_before_joining_out_of_the_kept_figures(two_cohorts):
    """A database from before this rule: a leader added by roster had their earlier work counted."""
    db, olu, south, lee = two_cohorts
    with write_transaction(db):  # as the old import did: a member of South, counted from before
        db.execute("INSERT INTO cohort_leaders (cohort_id, user_id, joined_at) VALUES (?, ?, '2000-01-01')",
                   [south.id, lee.id])
        tally.refresh(db, user_id=lee.id)
        db.execute("UPDATE cohort_leaders SET joined_at = ? WHERE cohort_id = ? AND user_id = ?",
                   [stamp(JAN + timedelta(days=10)), south.id, lee.id])
    assert reports.respondents(db, SYSTEM, south.id, TINY.id, start_of(db, south).id) == 1
    with write_transaction(db):
        db.execute("DROP TABLE cohort_invitations")
        db.execute("DELETE FROM _sqlite_migrations WHERE name = '0008_cohort_invitations'")
    from reflect.storage.migrations import migrations

    with write_transaction(db):
        migrations.apply(db)
    assert reports.respondents(db, SYSTEM, south.id, TINY.id, start_of(db, south).id) == 0
    assert reports.distribution(db, SYSTEM, south.id, TINY, start_of(db, south).id)["count"].sum() == 0
    assert_same_as_recounted(db)
