"""The audit log records who did what, only facilitators of a cohort read it, and it cannot be changed.
Deleting an account removes everything its leader wrote, down to the bytes of the database file."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from reflect.domain import accounts, audit, feedback, invitations, responses
from reflect.domain.accounts import AccountError
from reflect.reporting import export

from .cohort_data import JAN, PASSWORD, TINY, cohort_with_windows, facilitator, leaders, rate


@pytest.fixture
def north(db):
    owner = facilitator(db)
    cohort = cohort_with_windows(db, owner)
    return owner, cohort


def test_actions_are_logged_with_who_and_which_cohort(db, north):
    owner, cohort = north
    [leader] = leaders(db, cohort, 1)
    made = rate(db, leader, [1, 2], JAN + timedelta(days=1))
    responses.set_shared(db, leader.id, made.id, True)
    responses.set_shared(db, leader.id, made.id, False)
    invitations.add_co_facilitator(db, owner, cohort.id, name="Cam", email="cam@trust.org.uk")
    export.logged(db, owner, cohort.id, "long CSV", export.cohort_long_csv)
    log = audit.for_facilitator(db, owner)
    assert list(reversed(list(zip(log["Who"], log["What"], strict=True)))) == [
        ("Fran", audit.COHORT_CREATED), ("Leader 1", audit.JOINED), ("Leader 1", audit.SUBMITTED),
        ("Leader 1", audit.SHARED), ("Leader 1", audit.UNSHARED), ("Fran", audit.FACILITATOR_ADDED),
        ("Fran", audit.EXPORTED)]
    assert set(log["Cohort"]) == {"North"}


def test_a_facilitator_reads_only_their_cohorts_entries(db, north):
    owner, cohort = north
    other = facilitator(db, "olu@trust.org.uk")
    south = cohort_with_windows(db, other, "South")
    [leader] = leaders(db, south, 1, prefix="south")
    rate(db, leader, [3, 3], JAN + timedelta(days=1))
    assert "South" not in set(audit.for_facilitator(db, owner)["Cohort"])
    assert set(audit.for_facilitator(db, other)["Cohort"]) == {"South"}


def test_the_log_cannot_be_changed_or_emptied(db, north):
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE audit_log SET action = 'nothing'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM audit_log")


def test_deleting_an_account_needs_the_password_and_removes_every_trace(db, north, tmp_path):
    _, cohort = north
    leaver, stayer = leaders(db, cohort, 2)
    secret = "Zanzibar-quartz-7781 is what I really think"
    rate(db, leaver, [1, 2], JAN + timedelta(days=1), note=secret)
    rate(db, stayer, [3, 3], JAN + timedelta(days=1), note="staying")
    with pytest.raises(AccountError, match="nothing was deleted"):
        accounts.delete_leader(db, leaver.id, password="wrong password!")
    assert accounts.get_user(db, leaver.id) is not None

    accounts.delete_leader(db, leaver.id, password=PASSWORD)
    assert accounts.get_user(db, leaver.id) is None
    for table in ("submissions", "drafts", "cohort_leaders"):
        assert db.execute(f"SELECT COUNT(*) FROM {table} WHERE user_id = ?", [leaver.id]).fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM answers WHERE note = ?", [secret]).fetchone()[0] == 0
    assert responses.drafts(db, stayer.id, TINY.id)["a"].note == "staying", "another leader's answers changed"
    path = Path(db.conn.execute("PRAGMA database_list").fetchone()[2])
    on_disk = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    assert secret.encode() not in on_disk and b"leader1@school" not in on_disk
    assert audit.ACCOUNT_DELETED in set(audit.for_facilitator(db, north[0])["What"])


def test_a_facilitator_account_cannot_be_deleted_as_a_leaders(db, north):
    owner, _ = north
    with pytest.raises(AccountError, match="Only a leader"):
        accounts.delete_leader(db, owner.id, password=PASSWORD)


def test_a_leader_can_download_everything_held_about_them(db, north):
    owner, cohort = north
    me, other = leaders(db, cohort, 2)
    made = rate(db, me, [1, 2], JAN + timedelta(days=1))
    responses.set_shared(db, me.id, made.id, True)
    rate(db, other, [3, 3], JAN + timedelta(days=1))
    feedback.write(db, owner, cohort.id, made.id, "Thank you for sharing.")
    about = export.about_me_csv(db, me.id).decode("utf-8")
    lines = about.split("\r\n")
    assert lines[0] == "kind,when,what,detail"
    assert any(line.endswith(",name,Leader 1") for line in lines)
    assert any(line.endswith(",email,leader1@school.org.uk") for line in lines)
    assert any(line.startswith("cohort,") and line.endswith(",member of,North") for line in lines)
    assert any(line.startswith("feedback,") and line.endswith(",Thank you for sharing.") and ",from Fran on " in line
               for line in lines)
    assert [line.split(",")[2] for line in lines if line.startswith("activity,")] == [
        audit.JOINED, audit.SUBMITTED, audit.SHARED]
    assert "Leader 2" not in about and "leader2@" not in about and "argon2" not in about
