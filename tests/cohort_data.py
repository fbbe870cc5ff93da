"""Building blocks for every test, in one place: the checkout, the password every test account uses, a tiny rated
set, people made through the library, exact checkpoint windows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from reflect.domain import accounts, checkpoints, cohorts, responses
from reflect.domain.questions import Item, QuestionSet
from reflect.storage import tally
from reflect.storage.db import write_transaction

ROOT = Path(__file__).resolve().parents[1]  # the checkout: app.py, pages/, questions/
PASSWORD = "correct horse battery staple"
TINY = QuestionSet(
    id="tiny", title="Tiny checklist", version=1, source="A test.", intro="Rate yourself.",
    items=(Item("a", "rating", "Skill A"), Item("b", "rating", "Skill B")),
    scale=("No", "Some", "Yes"), note_prompt="How do you know?",
)
JAN = datetime(2027, 1, 1, tzinfo=UTC)
FEB = datetime(2027, 2, 1, tzinfo=UTC)
MAR = datetime(2027, 3, 1, tzinfo=UTC)


def days(opens: datetime, closes: datetime) -> tuple[date, date]:
    """The first and last whole day of the window from `opens` to `closes` (midnights in UTC, which is London's
    winter time, the zone of cohorts made here), as checkpoints are saved."""
    return opens.date(), (closes - timedelta(days=1)).date()


def facilitator(db, email="fran@trust.org.uk"):
    """A facilitator who is not an administrator (the set-up account is one: see :func:`administrator`)."""
    return accounts.create_facilitator(db, name="Fran", email=email, password=PASSWORD)


def administrator(db, email="ada@trust.org.uk"):
    """The set-up account on an empty database (the first administrator), else a facilitator made one."""
    if not accounts.has_any_user(db):
        return accounts.create_first_facilitator(db, name="Ada", email=email, password=PASSWORD)
    user = accounts.create_facilitator(db, name="Ada", email=email, password=PASSWORD)
    db.execute("UPDATE users SET is_admin = 1 WHERE id = ?", [user.id])
    db.conn.commit()
    return accounts.get_user(db, user.id)


def cohort_with_windows(db, owner, name="North"):
    """A cohort whose checkpoints are January ("Start") and February ("End") 2027."""
    cohort = cohorts.create_cohort(db, owner.id, name)
    points = checkpoints.of_cohort(db, cohort.id)
    checkpoints.replace_all(db, owner, cohort.id, [(points[0].id, "Start", *days(JAN, FEB)),
                                                   (points[1].id, "End", *days(FEB, MAR))])
    return cohort


def leaders(db, cohort, count, prefix="leader"):
    return [
        accounts.register_leader(db, join_code=cohort.join_code, name=f"{prefix.title()} {n}",
                                 email=f"{prefix}{n}@school.org.uk", password=PASSWORD)
        for n in range(1, count + 1)
    ]


def rate(db, leader, ratings, when, qset=TINY, note=None, token=None):
    """Save ratings (one per item) as drafts and submit them at `when`."""
    for item, rating in zip(qset.items, ratings, strict=True):
        responses.save_draft(db, leader.id, qset, item.id, rating=rating, note=note, now=when)
    return responses.submit(db, leader.id, qset, token or f"{leader.id}-{when.isoformat()}", now=when)


def kept(db) -> dict[str, list]:
    """The cohort figures kept at write time (reflect.storage.tally), as rows."""
    return {table: sorted(db.execute(f"SELECT * FROM {table}").fetchall())
            for table in ("counted_submissions", "rating_counts")}


def assert_same_as_recounted(db) -> None:
    """The kept figures equal a recount from scratch of every submission."""
    before = kept(db)
    with write_transaction(db):
        tally.rebuild(db)
    assert kept(db) == before
