"""Roster import: every bad case named by line before anything is written; a clean file imports in one go; people
already in the cohort are skipped, so a class list can be uploaded again."""

from __future__ import annotations

import pytest

from reflect.domain import accounts, cohort_invitations, cohorts, invitations, roster
from reflect.domain.roster import RosterError
from reflect.reporting import export

from .cohort_data import PASSWORD, cohort_with_windows, facilitator, leaders


@pytest.fixture
def setting(db):
    owner = facilitator(db)
    cohort = cohort_with_windows(db, owner)
    [member] = leaders(db, cohort, 1)  # leader1@school.org.uk
    elsewhere = cohort_with_windows(db, facilitator(db, "olu@trust.org.uk"), "South")
    leaders(db, elsewhere, 2, prefix="south")  # south1@ and south2@school.org.uk, in another cohort
    return db, owner, cohort


def users(db):
    return db.execute("SELECT COUNT(*) FROM users").fetchone()[0]


@pytest.mark.parametrize(
    ("data", "line", "message"),
    [
        (b"name\nAnn\n", 1, "no email column"),
        (b"email,school\nann@x.org,Oak\n", 1, "no name column"),
        (b"name,email\nAnn,ann@x.org\nBob,bob-at-x.org\n", 3, "“bob-at-x.org” is not an email address"),
        (b"name,email\nAnn,ann@x.org\nBob,\n", 3, "The email is missing"),
        (b"name,email\n,ann@x.org\n", 2, "The name is missing"),
        (b"name,email\nAnn\x07 Lee,ann@x.org\n", 2, "Name: Your text contains an invisible control character (U+0007)"),
        (b"name,email\nAnn,ann@x.org\nBob," + b"x" * 200_000 + b"\n", 3, "longer than 131,072 characters"),
        (b'name,email\nAnn,"ann@x.org\n' + b"Bob,bob@x.org\n" * 20_000, 2, "quote mark (\") that is never closed"),
        (b"name,email\nAnn,ann@x.org\n\nAnn B,ANN@x.org\n", 4, "ann@x.org is already on line 2"),
        (b"name,email\nFran,fran@trust.org.uk\n", 2, "belongs to a facilitator"),
        ("name,email\nZoë,zoe@x.org\n".encode("cp1252"), 2, "not UTF-8"),
        (b"", 1, "The file is empty"),
        (b"  \r\n", 1, "The file is empty"),
        (b"name,email\n", 1, "no leaders in it"),
        (b"name,email\n" + b"x" * roster.MAX_BYTES, 1, "the limit is 1,000,000"),
        (b"name,email\n" + b"".join(b"L%d,l%d@x.org\n" % (n, n) for n in range(roster.MAX_ROWS + 1)), 1,
         "the limit is 5,000"),
    ],
)
def test_each_problem_is_named_by_line_and_nothing_is_imported(setting, data, line, message):
    db, owner, cohort = setting
    before = users(db)
    check = roster.check_roster(db, owner, cohort.id, data)
    assert any(p.line == line and message in p.message for p in check.problems), check.problems
    with pytest.raises(RosterError, match="Fix the problems"):
        roster.import_roster(db, owner, cohort.id, check)
    assert users(db) == before


def test_a_clean_file_imports_new_leaders_with_codes_and_invites_existing_ones(setting):
    db, owner, cohort = setting
    data = "\ufeffName , EMAIL,School\r\nAisha Khan,Aisha@X.org,Oak\r\nSouth One,south1@school.org.uk,Elm\r\n"
    check = roster.check_roster(db, owner, cohort.id, data.encode("utf-8"))
    assert check.ok and [r.email for r in check.to_add] == ["aisha@x.org"]
    assert [r.email for r in check.to_join] == ["south1@school.org.uk"]
    [invited] = roster.import_roster(db, owner, cohort.id, check)
    assert (invited.name, invited.email) == ("Aisha Khan", "aisha@x.org")
    with pytest.raises(accounts.AccountError, match="Use an invitation"):
        accounts.sign_in(db, "aisha@x.org", PASSWORD)
    user = invitations.accept(db, email="aisha@x.org", code=invited.code.lower(), password=PASSWORD)
    assert accounts.sign_in(db, "aisha@x.org", PASSWORD) == user
    assert cohorts.cohort_of_leader(db, user.id).id == cohort.id
    assert export.invitations_csv([invited]) == (
        f"name,email,invitation_code\r\nAisha Khan,aisha@x.org,{invited.code}\r\n").encode()
    actions = [row[0] for row in db.execute("SELECT action FROM audit_log WHERE cohort_id = ?", [cohort.id])]
    assert actions[-1] == "imported a roster"
    # The leader who already had an account joins when they accept the invitation they see on signing in.
    south1 = db.execute("SELECT id FROM users WHERE email = 'south1@school.org.uk'").fetchone()[0]
    [asked] = cohort_invitations.pending_for(db, south1)
    cohort_invitations.answer(db, south1, asked.id, accept=True)
    members = {row[0] for row in db.execute(
        "SELECT u.email FROM users u JOIN cohort_leaders l ON l.user_id = u.id WHERE l.cohort_id = ?", [cohort.id])}
    assert members == {"leader1@school.org.uk", "aisha@x.org", "south1@school.org.uk"}


def test_an_import_refuses_another_facilitators_cohort(setting):
    db, owner, cohort = setting
    stranger = facilitator(db, "cam@trust.org.uk")
    check = roster.check_roster(db, owner, cohort.id, b"name,email\nAnn,ann@x.org\n")
    with pytest.raises(cohorts.CohortError, match="not one of yours"):
        roster.import_roster(db, stranger, cohort.id, check)
    assert not db.execute("SELECT 1 FROM users WHERE email = 'ann@x.org'").fetchone()


def test_someone_who_registers_between_check_and_import_stops_the_whole_import(setting):
    db, owner, cohort = setting
    check = roster.check_roster(db, owner, cohort.id, b"name,email\nAnn,ann@x.org\nBen,ben@x.org\n")
    accounts.register_leader(db, join_code=cohort.join_code, name="Ben", email="ben@x.org", password=PASSWORD)
    with pytest.raises(RosterError, match="Line 3: an account with that email was made since"):
        roster.import_roster(db, owner, cohort.id, check)
    assert not db.execute("SELECT 1 FROM users WHERE email = 'ann@x.org'").fetchone(), "half an import was kept"


def invitations_to(db, cohort):
    return db.execute("SELECT COUNT(*) FROM cohort_invitations WHERE cohort_id = ?", [cohort.id]).fetchone()[0]


def invite_south1(db, owner, cohort):
    """south1 (a leader of South) gets an invitation to North, not yet answered."""
    roster.import_roster(db, owner, cohort.id,
                         roster.check_roster(db, owner, cohort.id, b"name,email\nSouth One,south1@school.org.uk\n"))


def test_a_re_upload_imports_the_new_people_and_skips_those_already_in_the_cohort(setting):
    db, owner, cohort = setting
    invite_south1(db, owner, cohort)
    data = (b"name,email\nLeader 1,leader1@school.org.uk\nAisha Khan,aisha@x.org\nSouth One,south1@school.org.uk\n"
            b"South Two,south2@school.org.uk\n")
    check = roster.check_roster(db, owner, cohort.id, data)
    assert check.ok and not check.problems
    # A member and someone with an unanswered invitation are skipped alike; the other two are invited.
    assert [(r.line, r.email) for r in check.skipped] == [(2, "leader1@school.org.uk"), (4, "south1@school.org.uk")]
    assert [r.email for r in check.to_add] == ["aisha@x.org"] and [r.email for r in check.to_join] == [
        "south2@school.org.uk"]
    assert [(row["Line"], row["What will happen"]) for row in roster.preview(check)] == [
        (2, "Already in this cohort — skipped"), (3, roster.WILL_HAPPEN), (4, "Already in this cohort — skipped"),
        (5, roster.WILL_HAPPEN)]

    [invited] = roster.import_roster(db, owner, cohort.id, check)
    assert invited.email == "aisha@x.org"
    south1, south2 = (db.execute("SELECT id FROM users WHERE email = ?", [f"south{n}@school.org.uk"]).fetchone()[0]
                      for n in (1, 2))
    assert [i.cohort_id for i in cohort_invitations.pending_for(db, south2)] == [cohort.id]
    assert len(cohort_invitations.pending_for(db, south1)) == 1
    assert invitations_to(db, cohort) == 2
    detail = db.execute("SELECT detail FROM audit_log WHERE action = 'imported a roster' ORDER BY id DESC").fetchone()
    assert detail[0] == "2 leaders invited"


def test_a_file_of_people_all_in_the_cohort_imports_nothing_and_says_so(setting):
    db, owner, cohort = setting
    invite_south1(db, owner, cohort)
    before = users(db), invitations_to(db, cohort)
    data = b"name,email\nLeader 1,leader1@school.org.uk\nSouth One,south1@school.org.uk\n"
    check = roster.check_roster(db, owner, cohort.id, data)
    assert not check.ok and not check.problems
    assert [r.email for r in check.skipped] == ["leader1@school.org.uk", "south1@school.org.uk"]
    assert {row["What will happen"] for row in roster.preview(check)} == {"Already in this cohort — skipped"}
    with pytest.raises(RosterError, match="Nothing to import: everyone in the file is already in this cohort"):
        roster.import_roster(db, owner, cohort.id, check)
    assert (users(db), invitations_to(db, cohort)) == before
    assert db.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'imported a roster'").fetchone()[0] == 1


@pytest.mark.parametrize(
    ("problem", "message"),
    [(b"Bob Evans,bob-at-x.org\n", "“bob-at-x.org” is not an email address."),
     (b"Lee again,Leader1@school.org.uk\n", "leader1@school.org.uk is already on line 2.")],
    ids=["bad email", "a skipped email twice"],
)
def test_a_real_problem_beside_skipped_rows_still_stops_the_whole_import(setting, problem, message):
    db, owner, cohort = setting
    data = b"name,email\nLeader 1,leader1@school.org.uk\nAisha Khan,aisha@x.org\n" + problem
    check = roster.check_roster(db, owner, cohort.id, data)
    assert [(p.line, p.message) for p in check.problems] == [(4, message)]
    assert [r.email for r in check.skipped] == ["leader1@school.org.uk"] and not check.ok
    with pytest.raises(RosterError, match="Fix the problems"):
        roster.import_roster(db, owner, cohort.id, check)
    assert not db.execute("SELECT 1 FROM users WHERE email = 'aisha@x.org'").fetchone()
