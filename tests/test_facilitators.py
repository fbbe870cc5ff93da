"""Administrators: the set-up account is the first; they invite facilitators, see every cohort, hand a cohort over
(which always keeps a facilitator) and make other administrators. Facilitators can do none of that."""

from __future__ import annotations

import subprocess
import sys

import pytest

from reflect.domain import access, accounts, audit, cohorts, facilitators, invitations
from reflect.domain.access import NotAdministrator, NotYourCohort
from reflect.domain.accounts import AccountError
from reflect.domain.cohorts import CohortError
from reflect.storage.db import open_db

from .cohort_data import PASSWORD, ROOT, administrator, cohort_with_windows, facilitator, leaders


@pytest.fixture
def world(db):
    admin = administrator(db)
    fran, olu = facilitator(db), facilitator(db, "olu@trust.org.uk")
    north, south = cohort_with_windows(db, fran, "North"), cohort_with_windows(db, olu, "South")
    [lee] = leaders(db, north, 1)
    return db, admin, fran, olu, north, south, lee


def snapshot(db) -> dict[str, list]:
    tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {table: sorted(db.execute(f"SELECT * FROM [{table}]").fetchall(), key=repr) for table in tables}


def running(db, cohort) -> set[str]:
    return {email for _, email in cohorts.facilitators_of(db, access.SYSTEM, cohort.id)}


def test_the_set_up_account_is_the_first_administrator_and_later_facilitators_are_not(db):
    first = accounts.create_first_facilitator(db, name="Ada", email="ada@trust.org.uk", password=PASSWORD)
    later = accounts.create_facilitator(db, name="Fran", email="fran@trust.org.uk", password=PASSWORD)
    assert first.admin and accounts.get_user(db, first.id).admin
    assert first.role == accounts.FACILITATOR and first.is_a(accounts.FACILITATOR)
    assert first.is_a(accounts.ADMINISTRATOR)
    assert not later.admin and not accounts.get_user(db, later.id).is_a(accounts.ADMINISTRATOR)


def test_an_administrator_sees_every_cohort_a_facilitator_only_theirs_a_leader_none(world):
    db, admin, fran, olu, north, south, lee = world
    assert [c.name for c in access.cohorts_for(db, admin)] == ["South", "North"]
    assert [c.name for c in access.cohorts_for(db, fran)] == ["North"]
    assert access.cohorts_for(db, lee) == []
    assert access.cohort_for(db, admin, south.id).name == "South"
    with pytest.raises(NotYourCohort):
        access.cohort_for(db, fran, south.id)


def test_an_administrator_invites_a_facilitator_who_sets_a_password_with_the_code(world):
    db, admin, *_ = world
    code = facilitators.invite(db, admin, name="Nia", email=" Nia@Trust.org.uk ")
    nia = invitations.accept(db, email="nia@trust.org.uk", code=code, password=PASSWORD)
    assert (nia.role, nia.admin) == (accounts.FACILITATOR, False)
    assert access.cohorts_for(db, nia) == []
    assert accounts.sign_in(db, "nia@trust.org.uk", PASSWORD).id == nia.id
    log = audit.for_facilitator(db, admin)
    assert (log["What"].iloc[0], log["Detail"].iloc[0]) == (audit.FACILITATOR_INVITED, "nia@trust.org.uk")
    with pytest.raises(AccountError, match="already an account"):
        facilitators.invite(db, admin, name="Nia again", email="nia@trust.org.uk")


@pytest.mark.parametrize("action", ["invite", "hand over", "make administrator", "list facilitators"])
@pytest.mark.parametrize("who", ["facilitator", "leader"])
def test_only_an_administrator_invites_hands_over_or_makes_administrators(world, action, who):
    db, admin, fran, olu, north, south, lee = world
    actor = fran if who == "facilitator" else lee
    before = snapshot(db)
    with pytest.raises(NotAdministrator, match="Only an administrator"):
        {
            "invite": lambda: facilitators.invite(db, actor, name="Nia", email="nia@trust.org.uk"),
            "hand over": lambda: facilitators.hand_over(db, actor, north.id, add=olu.id, remove=fran.id),
            "make administrator": lambda: facilitators.make_administrator(db, actor, fran.id),
            "list facilitators": lambda: facilitators.everyone(db, actor),
        }[action]()
    assert snapshot(db) == before


def test_handing_a_cohort_over_adds_and_removes_facilitators_and_logs_both(world):
    db, admin, fran, olu, north, south, lee = world
    facilitators.hand_over(db, admin, north.id, add=olu.id, remove=fran.id)
    assert running(db, north) == {"olu@trust.org.uk"}
    assert [c.name for c in access.cohorts_for(db, olu)] == ["South", "North"]
    with pytest.raises(NotYourCohort):
        access.cohort_for(db, fran, north.id)  # Fran no longer runs North
    entries = db.execute("SELECT actor_id, action, detail FROM audit_log WHERE cohort_id = ? ORDER BY id DESC LIMIT 2",
                         [north.id]).fetchall()
    assert entries == [(admin.id, audit.FACILITATOR_REMOVED, "fran@trust.org.uk"),
                       (admin.id, audit.FACILITATOR_ADDED, "olu@trust.org.uk (handed over by an administrator)")]


def test_a_cohort_always_keeps_at_least_one_facilitator(world):
    db, admin, fran, olu, north, south, lee = world
    before = snapshot(db)
    with pytest.raises(CohortError, match="at least one facilitator"):
        facilitators.hand_over(db, admin, north.id, remove=fran.id)
    assert snapshot(db) == before and running(db, north) == {"fran@trust.org.uk"}
    facilitators.hand_over(db, admin, north.id, add=olu.id)
    facilitators.hand_over(db, admin, north.id, remove=fran.id)
    with pytest.raises(CohortError, match="at least one facilitator"):
        facilitators.hand_over(db, admin, north.id, remove=olu.id)
    assert running(db, north) == {"olu@trust.org.uk"}


def test_a_cohort_is_handed_only_to_a_facilitator(world):
    db, admin, fran, olu, north, south, lee = world
    with pytest.raises(AccountError, match="not a facilitator"):
        facilitators.hand_over(db, admin, north.id, add=lee.id)
    with pytest.raises(CohortError, match="does not facilitate") as refused:
        facilitators.hand_over(db, admin, north.id, add=fran.id, remove=olu.id)
    assert running(db, north) == {"fran@trust.org.uk"}
    # Shown with st.error, which renders Markdown: no name or email a person typed goes into it.
    assert north.name not in str(refused.value) and "@" not in str(refused.value)


def test_an_administrator_makes_another_facilitator_an_administrator(world):
    db, admin, fran, olu, north, south, lee = world
    facilitators.make_administrator(db, admin, olu.id)
    olu = accounts.get_user(db, olu.id)
    assert olu.admin and [c.name for c in access.cohorts_for(db, olu)] == ["South", "North"]
    facilitators.hand_over(db, olu, north.id, add=olu.id)  # olu may now do what administrators do
    with pytest.raises(AccountError, match="not a facilitator"):
        facilitators.make_administrator(db, admin, lee.id)
    assert db.execute("SELECT actor_id, detail FROM audit_log WHERE action = ?", [audit.ADMINISTRATOR_MADE]
                      ).fetchall() == [(admin.id, "olu@trust.org.uk")]
    assert [(p.email, p.admin) for p in facilitators.everyone(db, admin)] == [
        ("ada@trust.org.uk", True), ("fran@trust.org.uk", False), ("olu@trust.org.uk", True)]


def test_an_existing_database_is_upgraded_and_its_set_up_account_becomes_administrator(tmp_path):
    path = tmp_path / "reflect.db"
    db = open_db(path)
    # Back to how a database stood before migration 0006, with the accounts it could hold then.
    db.execute("ALTER TABLE users DROP COLUMN is_admin")
    db.execute("DELETE FROM _sqlite_migrations WHERE name = '0006_administrators'")
    db.conn.executemany(
        "INSERT INTO users (email, name, role, password_hash, created_at) VALUES (?, ?, ?, 'x', ?)",
        [("lee@school.org.uk", "Lee", "leader", "2026-01-01T00:00:00.000000+00:00"),
         ("fran@trust.org.uk", "Fran", "facilitator", "2026-01-02T00:00:00.000000+00:00"),
         ("olu@trust.org.uk", "Olu", "facilitator", "2026-01-03T00:00:00.000000+00:00")])
    db.conn.commit()
    db.close()
    upgraded = open_db(path)
    assert upgraded.execute("SELECT email, is_admin FROM users ORDER BY id").fetchall() == [
        ("lee@school.org.uk", 0), ("fran@trust.org.uk", 1), ("olu@trust.org.uk", 0)]
    with pytest.raises(Exception, match="CHECK constraint"):
        upgraded.execute("UPDATE users SET is_admin = 1 WHERE email = 'lee@school.org.uk'")  # leaders never
    upgraded.close()


def reflect(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reflect", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)


def test_the_command_line_invites_a_facilitator_or_an_administrator(tmp_path):
    path = tmp_path / "reflect.db"
    result = reflect("add-facilitator", "--name", "Nia", "--email", "nia@trust.org.uk", "--db", str(path))
    assert result.returncode == 0, result.stderr
    code = result.stdout.splitlines()[1]
    admin = reflect("add-facilitator", "--name", "Ada", "--email", "ada@trust.org.uk", "--admin", "--db", str(path))
    assert admin.returncode == 0 and "as an administrator" in admin.stdout
    again = reflect("add-facilitator", "--name", "Nia", "--email", "NIA@trust.org.uk", "--db", str(path))
    assert again.returncode == 1 and "already an account" in again.stderr
    db = open_db(path)
    nia = invitations.accept(db, email="nia@trust.org.uk", code=code, password=PASSWORD)
    assert (nia.role, nia.admin) == (accounts.FACILITATOR, False)
    ada_id = db.execute("SELECT id FROM users WHERE email = 'ada@trust.org.uk'").fetchone()[0]
    assert accounts.get_user(db, ada_id).admin
    assert db.execute("SELECT actor_id, action, detail FROM audit_log ORDER BY id").fetchall() == [
        (None, audit.FACILITATOR_INVITED, "nia@trust.org.uk from the command line"),
        (None, audit.FACILITATOR_INVITED, "ada@trust.org.uk as an administrator from the command line")]
    db.close()
