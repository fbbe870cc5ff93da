"""Bad input, case by case: each is turned away with a message that says what to fix, and nothing already saved
changes (the whole database is compared before and after)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from reflect.domain import accounts, checkpoints, cohorts, invitations, responses
from reflect.domain.accounts import AccountError
from reflect.domain.checkpoints import CheckpointError
from reflect.domain.cohorts import CohortError
from reflect.domain.questions import Item, QuestionSet
from reflect.domain.responses import IncompleteSubmission
from reflect.domain.text import InvalidText

from .cohort_data import FEB, JAN, PASSWORD, TINY, cohort_with_windows, days, facilitator, leaders, rate

WRITTEN = QuestionSet(id="written", title="Written", version=1, source="s", intro="i", max_chars=50,
                      items=(Item("q1", "text", "First question?"), Item("q2", "text", "Second question?")))


class World:
    """A cohort with a leader who has saved and submitted work, an archived cohort and used/expired invitations."""

    def __init__(self, db):
        self.db = db
        self.owner = facilitator(db)
        self.stranger = facilitator(db, "olu@trust.org.uk")  # runs no cohort of theirs here
        self.cohort = cohort_with_windows(db, self.owner)
        self.leader, self.other = leaders(db, self.cohort, 2)
        responses.save_draft(db, self.leader.id, WRITTEN, "q1", text="My saved answer")
        self.submitted = rate(db, self.leader, [2, 3], JAN + timedelta(days=1), note="My note", token="mine")
        self.theirs = rate(db, self.other, [1, 1], JAN + timedelta(days=1), token="theirs")
        self.archived = cohorts.create_cohort(db, self.owner.id, "Old cohort")
        cohorts.set_archived(db, self.owner, self.archived.id, True)
        self.used_code, self.expired_code = self._invite("used@school.org.uk"), self._invite("late@school.org.uk")
        invitations.accept(db, email="used@school.org.uk", code=self.used_code, password=PASSWORD)

    def _invite(self, email):
        from reflect.storage.db import write_transaction

        with write_transaction(self.db):
            user = accounts.insert_user(self.db, "Invited", email, accounts.LEADER, accounts.INVITED)
            cohorts.add_leader(self.db, self.cohort.id, user.id)
            return invitations.invite(self.db, self.owner.id, user.id, now=datetime.now(UTC) - timedelta(days=15)
                                      if email.startswith("late") else None)

    def snapshot(self) -> dict[str, list]:
        tables = [row[0] for row in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {table: sorted(self.db.execute(f"SELECT * FROM [{table}]").fetchall(), key=repr) for table in tables}


CASES = {
    "empty answers submitted": (lambda w: responses.submit(w.db, w.other.id, WRITTEN, "t1"),
                                IncompleteSubmission, "at least one question"),
    "whitespace-only answer submitted": (lambda w: responses.submit(w.db, w.other.id, WRITTEN, "t2"),
                                         IncompleteSubmission, "at least one question"),
    "answer over the limit": (lambda w: responses.save_draft(w.db, w.leader.id, WRITTEN, "q1", text="x" * 57),
                              InvalidText, "Remove 7 characters"),
    "NUL character": (lambda w: responses.save_draft(w.db, w.leader.id, WRITTEN, "q1", text="a\x00b"),
                      InvalidText, "U+0000"),
    "bell control character": (lambda w: responses.save_draft(w.db, w.leader.id, WRITTEN, "q1", text="a\x07"),
                               InvalidText, "U+0007"),
    "escape sequence": (lambda w: responses.save_draft(w.db, w.leader.id, WRITTEN, "q1", text="\x1b[31mred"),
                        InvalidText, "U+001B"),
    "note over the limit": (lambda w: responses.save_draft(w.db, w.leader.id, TINY, "a", note="n" * 2001),
                            InvalidText, "the limit is 2,000"),
    "rating above the scale (tampered request)": (
        lambda w: responses.save_draft(w.db, w.leader.id, TINY, "a", rating=4), InvalidText, "from 1 to 3"),
    "rating of zero": (lambda w: responses.save_draft(w.db, w.leader.id, TINY, "a", rating=0),
                       InvalidText, "from 1 to 3"),
    "rating sent as text": (lambda w: responses.save_draft(w.db, w.leader.id, TINY, "a", rating="2"),
                            InvalidText, "from 1 to 3"),
    "rating sent as a fraction": (lambda w: responses.save_draft(w.db, w.leader.id, TINY, "a", rating=2.5),
                                  InvalidText, "from 1 to 3"),
    "rating on a written question": (lambda w: responses.save_draft(w.db, w.leader.id, WRITTEN, "q1", rating=2),
                                     InvalidText, "written answer"),
    "checklist with a rating missing": (lambda w: responses.submit(w.db, w.other.id, TINY, "t3"),
                                        IncompleteSubmission, "Skill A"),
    "another leader's submission token": (lambda w: responses.submit(w.db, w.leader.id, TINY, "theirs"),
                                          InvalidText, "Reload the page"),
    "sharing another leader's submission": (lambda w: responses.set_shared(w.db, w.leader.id, w.theirs.id, True),
                                            LookupError, "not this leader's"),
    "wrong password": (lambda w: accounts.sign_in(w.db, "leader1@school.org.uk", "not my password"),
                       AccountError, "do not match an account"),
    "unknown email": (lambda w: accounts.sign_in(w.db, "nobody@school.org.uk", PASSWORD),
                      AccountError, "do not match an account"),
    "join code of an archived cohort": (
        lambda w: accounts.register_leader(w.db, join_code=w.archived.join_code, name="New", email="n@s.org",
                                           password=PASSWORD), AccountError, "has closed"),
    "unknown join code": (lambda w: accounts.register_leader(w.db, join_code="ZZZZ-ZZZZ", name="New",
                                                             email="n@s.org", password=PASSWORD),
                          AccountError, "not one we know"),
    "email already registered (other case)": (
        lambda w: accounts.register_leader(w.db, join_code=w.cohort.join_code, name="Copy",
                                           email="LEADER1@School.org.uk", password=PASSWORD),
        AccountError, "already an account"),
    "password too short": (lambda w: accounts.register_leader(w.db, join_code=w.cohort.join_code, name="New",
                                                              email="n@s.org", password="short"),
                           AccountError, "at least 10 characters"),
    "malformed email": (lambda w: accounts.register_leader(w.db, join_code=w.cohort.join_code, name="New",
                                                           email="not-an-email", password=PASSWORD),
                        AccountError, "email address like"),
    "blank name": (lambda w: accounts.register_leader(w.db, join_code=w.cohort.join_code, name="   ",
                                                      email="n@s.org", password=PASSWORD),
                   AccountError, "Enter a name"),
    "name with a control character": (
        lambda w: accounts.register_leader(w.db, join_code=w.cohort.join_code, name="Ann\x00", email="n@s.org",
                                           password=PASSWORD), AccountError, "U+0000"),
    "reused invitation code": (lambda w: invitations.accept(w.db, email="used@school.org.uk", code=w.used_code,
                                                            password=PASSWORD), AccountError, "already been used"),
    "expired invitation code": (lambda w: invitations.accept(w.db, email="late@school.org.uk", code=w.expired_code,
                                                             password=PASSWORD), AccountError, "expired"),
    "invitation code with the wrong email": (
        lambda w: invitations.accept(w.db, email="leader1@school.org.uk", code=w.expired_code, password=PASSWORD),
        AccountError, "does not match"),
    "blank cohort name": (lambda w: cohorts.create_cohort(w.db, w.owner.id, "  "), CohortError, "Give the cohort"),
    "overlapping checkpoints": (
        lambda w: checkpoints.replace_all(w.db, w.owner, w.cohort.id, [
            (None, "A", *days(JAN, JAN + timedelta(days=10))), (None, "B", *days(JAN + timedelta(days=5), FEB))]),
        CheckpointError, "overlap"),
    "renaming another facilitator's cohort": (
        lambda w: cohorts.rename(w.db, w.stranger, w.cohort.id, "Mine now"),
        CohortError, "not one of yours"),
}
# Every other field a person types into: names, emails, codes and passwords on every form.
CASES |= {
    "set-up once already set up": (
        lambda w: accounts.create_first_facilitator(w.db, name="Eve", email="eve@s.org", password=PASSWORD),
        AccountError, "already set up"),
    "name over the limit": (lambda w: accounts.register_leader(w.db, join_code=w.cohort.join_code, name="N" * 101,
                                                               email="n@s.org", password=PASSWORD),
                            AccountError, "the limit is 100"),
    "name on two lines": (lambda w: accounts.register_leader(w.db, join_code=w.cohort.join_code, name="Ann\nLee",
                                                             email="n@s.org", password=PASSWORD),
                          AccountError, "on one line"),
    "password over the limit": (lambda w: accounts.register_leader(w.db, join_code=w.cohort.join_code, name="New",
                                                                   email="n@s.org", password="p" * 1025),
                                AccountError, "at most 1024 characters"),
    "email over the limit": (lambda w: accounts.register_leader(w.db, join_code=w.cohort.join_code, name="New",
                                                                email="a" * 250 + "@s.org", password=PASSWORD),
                             AccountError, "email address like"),
    "invitation code that was never issued": (
        lambda w: invitations.accept(w.db, email="late@school.org.uk", code="AAAA-BBBB-CCCC", password=PASSWORD),
        AccountError, "does not match"),
    "cohort name over the limit": (lambda w: cohorts.create_cohort(w.db, w.owner.id, "C" * 101),
                                   CohortError, "the limit is 100"),
    "cohort name on two lines": (lambda w: cohorts.create_cohort(w.db, w.owner.id, "North\nSouth"),
                                 CohortError, "on one line"),
    "cohort renamed to blank": (lambda w: cohorts.rename(w.db, w.owner, w.cohort.id, " "),
                                CohortError, "Give the cohort"),
    "cohort name with a control character": (lambda w: cohorts.rename(w.db, w.owner, w.cohort.id, "A\x1bB"),
                                             CohortError, "U+001B"),
    "co-facilitator with a malformed email": (
        lambda w: invitations.add_co_facilitator(w.db, w.owner, w.cohort.id, name="Co", email="co@"),
        AccountError, "email address like"),
    "co-facilitator with a leader's email": (
        lambda w: invitations.add_co_facilitator(w.db, w.owner, w.cohort.id, name="Co",
                                                 email="leader1@school.org.uk"),
        AccountError, "belongs to a leader"),
    "co-facilitator with a blank name": (
        lambda w: invitations.add_co_facilitator(w.db, w.owner, w.cohort.id, name=" ", email="co@s.org"),
        AccountError, "Enter a name"),
    "wrong password to delete an account": (
        lambda w: accounts.delete_leader(w.db, w.leader.id, password="not my password"),
        AccountError, "nothing was deleted"),
}
COUNTS_A_FAILURE = {"wrong password", "wrong password to delete an account"}
PREPARE = {
    "whitespace-only answer submitted": lambda w: responses.save_draft(w.db, w.other.id, WRITTEN, "q1",
                                                                       text="  \n\t "),
    "checklist with a rating missing": lambda w: responses.save_draft(w.db, w.other.id, TINY, "a", rating=None),
}


def test_the_table_has_at_least_25_cases():
    assert len(CASES) >= 25


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_refused_with_a_message_and_changes_nothing(db, case):
    world = World(db)
    PREPARE.get(case, lambda w: None)(world)
    action, error, message = CASES[case]
    before = world.snapshot()
    with pytest.raises(error, match=re.escape(message)):
        action(world)
    after = world.snapshot()
    if case in COUNTS_A_FAILURE:  # the one intended change: the failure is counted
        before["users"] = [row[:5] + row[6:] for row in before["users"]]
        after["users"] = [row[:5] + row[6:] for row in after["users"]]
    assert after == before


def test_accepted_input_is_kept_exactly_or_cleaned_as_promised(db):
    world = World(db)
    kept = "👩🏽‍🏫 naïve café\tcombining: e\u0301 → é\n**bold** <b>html</b> [x](javascript:alert(1)) =SUM(A1)"
    responses.save_draft(db, world.leader.id, WRITTEN, "q2", text=kept[:50])
    assert responses.drafts(db, world.leader.id, WRITTEN.id)["q2"].text == kept[:50].replace("e\u0301", "é")
    responses.save_draft(db, world.leader.id, WRITTEN, "q2", text="abc\u202edef\u2066ghi")
    assert responses.drafts(db, world.leader.id, WRITTEN.id)["q2"].text == "abcdefghi", "bidi controls kept"


def test_lockout_after_repeated_wrong_passwords_survives_a_new_connection(db, tmp_path):
    world = World(db)
    for _ in range(accounts.FAILURES_BEFORE_LOCK):
        with pytest.raises(AccountError):
            accounts.sign_in(db, "leader1@school.org.uk", "guess guess guess")
    from reflect.storage.db import open_db

    fresh = open_db(tmp_path / "reflect.db")  # as after a browser refresh: nothing carried in memory
    with pytest.raises(AccountError, match="locked until"):
        accounts.sign_in(fresh, "leader1@school.org.uk", PASSWORD)
    assert accounts.sign_in(fresh, "leader1@school.org.uk", PASSWORD,
                            now=datetime.now(UTC) + accounts.LOCK_FOR + timedelta(seconds=1)) == world.leader
