"""Demo data: a cohort of N leaders who rated themselves at three checkpoints, with plausible growth.

Some leaders miss a checkpoint, some submit twice in one (only the latest counts), some have only a draft, and
some write and share reflections, so every chart and every completion state has something to show. Rows are
written in bulk in one transaction: 10,000 leaders take seconds, not minutes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from sqlite_utils import Database

from reflect.domain import accounts, answer_rows, checkpoints, cohorts
from reflect.domain.questions import QuestionSet
from reflect.storage import tally
from reflect.storage.db import stamp, write_transaction

FACILITATOR_EMAIL = "demo.facilitator@example.org"
PASSWORD = "demo password 2027"
# (checkpoint, weeks from now it opened, weeks it lasts, share of leaders who submit in it)
WINDOWS = (("Start of module", -26, 8, 0.92), ("Mid-point", -18, 10, 0.8), ("End of module", -8, 10, 0.7))
REFLECTIONS = (
    "We share a maths lead with two local primaries; the joint moderation has changed how we talk about data.",
    "Parents' forum meetings now set one priority each term, and governors hear from it directly.",
    "I want to build trust before structures: start with a shared problem, not a memorandum of understanding.",
    "Our peer review with the trust showed we are better at networking than at holding each other to account.",
    "I know this is a strength because colleagues from other schools ask me to broker their first meetings.",
)
# A facilitator's feedback on a shared reflection, and a leader's reply.
FEEDBACK = (
    "Thank you for sharing this. What would your governors say is the first sign it is working?",
    "A strong example. How will you know, a term from now, that parents feel heard?",
    "Worth bringing to the next network meeting: who else is trying the same thing?",
)
REPLIES = (
    "Good question: I will ask the chair at our next meeting and come back to you.",
    "Fewer complaints reaching me, and more parents at the forum. I will count both.",
)


@dataclass(frozen=True)
class DemoCohort:
    cohort: cohorts.Cohort
    facilitator_email: str
    password: str
    leaders: int
    submissions: int


def make_demo(db: Database, sets: dict[str, QuestionSet], *, leaders: int, seed: int = 1,
              now: datetime | None = None) -> DemoCohort:
    """Create a demo cohort with `leaders` leaders (and the demo facilitator, if missing). Deterministic for a seed."""
    if leaders < 1:
        raise ValueError("a demo cohort needs at least one leader")
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    checklist = next(qset for qset in sets.values() if qset.is_rating)
    reflection_sets = [qset for qset in sets.values() if not qset.is_rating]

    facilitator = _demo_facilitator(db)
    cohort = cohorts.create_cohort(db, facilitator.id, f"Demo cohort, {leaders:,} leaders (seed {seed})")
    # Whole days in the cohort's zone, as a facilitator would set them on the Cohorts page.
    today = now.astimezone(checkpoints.zone_of(db, cohort.id)).date()
    existing = checkpoints.of_cohort(db, cohort.id)
    checkpoints.replace_all(db, facilitator, cohort.id, [
        (point.id, name, today + timedelta(weeks=start), today + timedelta(weeks=start + length, days=-1))
        for point, (name, start, length, _) in zip(existing, WINDOWS, strict=True)])
    windows = [(point.name, datetime.fromisoformat(point.opens_at), datetime.fromisoformat(point.closes_at), turnout)
               for point, (*_, turnout) in zip(checkpoints.of_cohort(db, cohort.id), WINDOWS, strict=True)]

    password_hash = PasswordHasher().hash(PASSWORD)  # one hash for all demo leaders: hashing 10,000 takes minutes
    users, members, submissions, drafts, shared, messages = [], [], [], [], [], []
    answers: list[tuple[int, str, str, int | None, str | None, str | None, int | None]] = []  # (submission, item, …)
    # Where a checkpoint asks for ratings looking back: leaders now see their start as weaker than they rated it then
    # (a response shift of about half a point), as studies of retrospective ratings find.
    asks_then = [point.asks_then for point in checkpoints.of_cohort(db, cohort.id)]
    first_user = db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM users").fetchone()[0]
    next_submission = db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM submissions").fetchone()[0]
    joined = stamp(windows[0][1])
    for number in range(leaders):
        user_id = first_user + number
        users.append((user_id, f"demo.{cohort.id}.{number + 1:05d}@example.org", _name(rng), accounts.LEADER,
                      password_hash, joined))
        members.append((cohort.id, user_id, joined))
        skill = {item.id: rng.gauss(2.4, 0.7) for item in checklist.items}
        growth = rng.uniform(0.1, 0.6)
        for step, (_, opens, closes, turnout) in enumerate(windows):
            open_until = min(closes, now)
            if rng.random() > turnout or open_until <= opens:
                if step == len(windows) - 1 and rng.random() < 0.3:  # started but did not submit
                    moment = _between(rng, opens, open_until)
                    drafts += [(user_id, checklist.id, item.id, _rating(skill[item.id] + growth * step), None,
                                moment) for item in checklist.items[: rng.randint(1, len(checklist.items) - 1)]]
                continue
            for _ in range(2 if rng.random() < 0.05 else 1):  # a few submit twice; the later one counts
                moment = _between(rng, opens, open_until)
                submissions.append((next_submission, user_id, checklist.id, checklist.version, moment,
                                    f"demo:{cohort.id}:{next_submission}"))
                answers += [(next_submission, item.id, item.text,
                             _rating(skill[item.id] + growth * step + rng.gauss(0, 0.35)),
                             None, rng.choice(REFLECTIONS) if rng.random() < 0.1 else None,
                             _rating(skill[item.id] - 0.5 + rng.gauss(0, 0.35)) if asks_then[step] else None)
                            for item in checklist.items]
                next_submission += 1
            if reflection_sets and rng.random() < 0.4:
                qset = rng.choice(reflection_sets)
                moment = _between(rng, opens, open_until)
                submissions.append((next_submission, user_id, qset.id, qset.version, moment,
                                    f"demo:{cohort.id}:{next_submission}"))
                answers += [(next_submission, item.id, item.text, None, rng.choice(REFLECTIONS), None, None)
                            for item in qset.items if rng.random() < 0.7] or [
                    (next_submission, qset.items[0].id, qset.items[0].text, None, rng.choice(REFLECTIONS), None, None)]
                if rng.random() < 0.5:
                    shared.append((next_submission, moment))
                    answered_at = stamp(min(datetime.fromisoformat(moment) + timedelta(days=2), now))
                    if rng.random() < 0.6:  # the facilitator answers some, and some leaders reply
                        messages.append((next_submission, facilitator.id, rng.choice(FEEDBACK), answered_at))
                        if rng.random() < 0.5:
                            messages.append((next_submission, user_id, rng.choice(REPLIES), answered_at))
                next_submission += 1

    with write_transaction(db):
        run = db.conn.executemany
        run("INSERT INTO users (id, email, name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)", users)
        run("INSERT INTO cohort_leaders (cohort_id, user_id, joined_at) VALUES (?, ?, ?)", members)
        run("INSERT INTO submissions (id, user_id, set_id, set_version, submitted_at, token) VALUES (?, ?, ?, ?, ?, ?)",
            submissions)
        run("""INSERT INTO answers (submission_id, item_id, item_text, rating, text, note, then_rating)
               VALUES (?, ?, ?, ?, ?, ?, ?)""", answers)
        answer_rows.store(db, answers)
        run("INSERT INTO drafts (user_id, set_id, item_id, rating, note, saved_at) VALUES (?, ?, ?, ?, ?, ?)", drafts)
        run("INSERT INTO shared_submissions (submission_id, shared_at) VALUES (?, ?)", shared)
        run("INSERT INTO feedback (submission_id, author_id, body, written_at) VALUES (?, ?, ?, ?)", messages)
        tally.refresh(db, cohort_id=cohort.id)
    return DemoCohort(cohorts.run_by(db, facilitator, cohort.id), FACILITATOR_EMAIL, PASSWORD, leaders,
                      len(submissions))


def _demo_facilitator(db: Database) -> accounts.User:
    row = db.execute("SELECT id FROM users WHERE email = ?", [FACILITATOR_EMAIL]).fetchone()
    if row:
        return accounts.existing_user(db, row[0])
    if not accounts.has_any_user(db):
        return accounts.create_first_facilitator(db, name="Demo Facilitator", email=FACILITATOR_EMAIL,
                                                 password=PASSWORD)
    return accounts.create_facilitator(db, name="Demo Facilitator", email=FACILITATOR_EMAIL, password=PASSWORD)


_FIRST = ("Aisha", "Ben", "Chloe", "Dev", "Ella", "Femi", "Grace", "Harry", "Imran", "Jess", "Kofi", "Laura",
          "Marek", "Nadia", "Owen", "Priya", "Rhys", "Sian", "Tom", "Uma", "Will", "Yasmin", "Zoe")
_LAST = ("Adams", "Begum", "Clarke", "Davies", "Evans", "Fraser", "Green", "Hussain", "Jones", "Khan", "Lewis",
         "Morgan", "Nowak", "Okafor", "Patel", "Roberts", "Singh", "Taylor", "Walsh", "Williams", "Wright")


def _name(rng: random.Random) -> str:
    return f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"


def _rating(level: float) -> int:
    return min(5, max(1, round(level)))


def _between(rng: random.Random, start: datetime, end: datetime) -> str:
    return stamp(start + (end - start) * rng.random())


