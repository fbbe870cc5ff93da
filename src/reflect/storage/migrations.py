"""The schema's history: each migration as it was written, applied once, in order, by
:func:`reflect.storage.db.open_db`.

Each migration's SQL and rules are frozen in it, as Django's historical models are: nothing here imports today's
code, so a later change elsewhere cannot change what an old migration does to a database it has not yet reached.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, time, timedelta
from itertools import groupby
from operator import itemgetter
from zoneinfo import ZoneInfo

from sqlite_utils import Database, Migrations

migrations = Migrations("reflect")


def _run(db: Database, *statements: str) -> None:
    """Run `statements` in order inside the migration's transaction (``executescript`` would commit it)."""
    for statement in statements:
        db.execute(statement)


def _stamp(moment: datetime) -> str:
    """A time as stored when these migrations were written: ISO 8601 in UTC, to the microsecond."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


@migrations(name="0001_initial")
def m0001_initial(db: Database) -> None:
    _run(
        db,
        """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            email TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('leader', 'facilitator')),
            password_hash TEXT NOT NULL,
            failed_sign_ins INTEGER NOT NULL DEFAULT 0,
            locked_until TEXT,
            created_at TEXT NOT NULL
        )
        """,
        """
        CREATE TABLE cohorts (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            join_code TEXT NOT NULL UNIQUE,
            created_by INTEGER NOT NULL REFERENCES users(id),
            created_at TEXT NOT NULL,
            archived_at TEXT
        )
        """,
        """
        CREATE TABLE cohort_facilitators (
            cohort_id INTEGER NOT NULL REFERENCES cohorts(id),
            user_id INTEGER NOT NULL REFERENCES users(id),
            PRIMARY KEY (cohort_id, user_id)
        )
        """,
        """
        CREATE TABLE cohort_leaders (
            cohort_id INTEGER NOT NULL REFERENCES cohorts(id),
            user_id INTEGER NOT NULL REFERENCES users(id),
            joined_at TEXT NOT NULL,
            PRIMARY KEY (cohort_id, user_id)
        )
        """,
        """
        CREATE INDEX cohort_leaders_by_user ON cohort_leaders(user_id)
        """,
        """
        -- Work in progress: one row per person, set and item, overwritten as they type.
        CREATE TABLE drafts (
            user_id INTEGER NOT NULL REFERENCES users(id),
            set_id TEXT NOT NULL,
            item_id TEXT NOT NULL,
            text TEXT,
            rating INTEGER CHECK (rating BETWEEN 1 AND 10),
            note TEXT,
            saved_at TEXT NOT NULL,
            PRIMARY KEY (user_id, set_id, item_id)
        )
        """,
        """
        -- Submitted work is append-only. Each submission keeps the set version and each answer the item wording
        -- it was given under, so a later wording change neither orphans nor relabels it.
        CREATE TABLE submissions (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id),
            set_id TEXT NOT NULL,
            set_version INTEGER NOT NULL,
            submitted_at TEXT NOT NULL,
            token TEXT NOT NULL UNIQUE
        )
        """,
        """
        CREATE INDEX submissions_by_user ON submissions(user_id, set_id, submitted_at)
        """,
        """
        CREATE TABLE answers (
            submission_id INTEGER NOT NULL REFERENCES submissions(id),
            item_id TEXT NOT NULL,
            item_text TEXT NOT NULL,
            rating INTEGER CHECK (rating BETWEEN 1 AND 10),
            text TEXT,
            note TEXT,
            PRIMARY KEY (submission_id, item_id)
        )
        """,
        """
        CREATE TRIGGER submissions_are_append_only BEFORE UPDATE ON submissions
            BEGIN SELECT RAISE(ABORT, 'submissions are never changed once made'); END
        """,
        """
        CREATE TRIGGER answers_are_append_only BEFORE UPDATE ON answers
            BEGIN SELECT RAISE(ABORT, 'submitted answers are never changed'); END
        """,
    )


@migrations(name="0002_checkpoints_sharing_invitations")
def m0002_checkpoints_sharing_invitations(db: Database) -> None:
    _run(
        db,
        """
        -- Named date windows per cohort. A submission belongs to the checkpoint whose window holds its time
        -- (opens_at inclusive, closes_at exclusive); windows of one cohort never overlap.
        CREATE TABLE checkpoints (
            id INTEGER PRIMARY KEY,
            cohort_id INTEGER NOT NULL REFERENCES cohorts(id),
            name TEXT NOT NULL,
            opens_at TEXT NOT NULL,
            closes_at TEXT NOT NULL,
            CHECK (opens_at < closes_at)
        )
        """,
        """
        CREATE INDEX checkpoints_by_cohort ON checkpoints(cohort_id, opens_at)
        """,
        """
        -- Submissions a leader chose to share with their facilitators (free text is private otherwise).
        CREATE TABLE shared_submissions (
            submission_id INTEGER PRIMARY KEY REFERENCES submissions(id),
            shared_at TEXT NOT NULL
        )
        """,
        """
        -- One-time codes for people added by a facilitator to set their own password. Only a hash is kept.
        CREATE TABLE invitations (
            code_hash TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id),
            created_by INTEGER NOT NULL REFERENCES users(id),
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            used_at TEXT
        )
        """,
        """
        CREATE INDEX invitations_by_user ON invitations(user_id)
        """,
        """
        CREATE INDEX drafts_by_set ON drafts(set_id, user_id, saved_at)
        """,
    )
    # Cohorts made before checkpoints existed get the default three (6, 6 and 14 weeks), from midnight UTC of the
    # day they were made. The rule is written out here, as it stood, so later changes to the defaults cannot change
    # what this migration does (a later migration turns these windows into days).
    for cohort_id, created_at in db.execute("SELECT id, created_at FROM cohorts").fetchall():
        opens = datetime.combine(datetime.fromisoformat(created_at).astimezone(UTC).date(), time(), UTC)
        for name, weeks in (("Start of module", 6), ("Mid-point", 6), ("End of module", 14)):
            closes = opens + timedelta(weeks=weeks)
            db.execute(
                "INSERT INTO checkpoints (cohort_id, name, opens_at, closes_at) VALUES (?, ?, ?, ?)",
                [cohort_id, name, _stamp(opens), _stamp(closes)],
            )
            opens = closes


@migrations(name="0003_audit_log")
def m0003_audit_log(db: Database) -> None:
    _run(
        db,
        """
        -- Who did what, when: submissions, sharing changes, role changes, imports, exports, deletions.
        -- Append-only. actor_id is kept as a plain number so the log outlives a deleted account.
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor_id INTEGER,
            action TEXT NOT NULL,
            cohort_id INTEGER,
            detail TEXT NOT NULL DEFAULT ''
        )
        """,
        """
        CREATE INDEX audit_log_by_cohort ON audit_log(cohort_id, at)
        """,
        """
        CREATE TRIGGER audit_log_is_append_only_update BEFORE UPDATE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END
        """,
        """
        CREATE TRIGGER audit_log_is_append_only_delete BEFORE DELETE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END
        """,
    )


@migrations(name="0004_answers_ratings_index")
def m0004_answers_ratings_index(db: Database) -> None:
    # Cohort figures read (submission, item, rating) for every latest submission; covering them in an index spares
    # a table lookup per answer (at 10,000 leaders, distribution 0.18 s -> 0.09 s, change over time 0.41 -> 0.29 s).
    db.execute("CREATE INDEX answers_ratings ON answers(submission_id, item_id, rating)")


# The figures kept at write time (0005), counted from scratch as reflect.storage.tally.rebuild counted them when
# 0005 was written: each leader's latest submission per set and checkpoint, and how many gave each rating. Frozen
# here, so later changes to the tally cannot change what these migrations did (0008 then applies the membership
# rule).
_RECOUNT_TALLY = (
    "DELETE FROM counted_submissions",
    """
    INSERT INTO counted_submissions (checkpoint_id, set_id, user_id, cohort_id, submission_id)
    SELECT checkpoint_id, set_id, user_id, cohort_id, submission_id FROM (
        SELECT cp.id AS checkpoint_id, s.set_id, s.user_id, cl.cohort_id, s.id AS submission_id,
               ROW_NUMBER() OVER (PARTITION BY s.user_id, s.set_id, cp.id
                                  ORDER BY s.submitted_at DESC, s.id DESC) AS newest
        FROM cohort_leaders cl
        JOIN submissions s ON s.user_id = cl.user_id
        JOIN checkpoints cp ON cp.cohort_id = cl.cohort_id
             AND s.submitted_at >= cp.opens_at AND s.submitted_at < cp.closes_at
    ) WHERE newest = 1
    """,
    "DELETE FROM rating_counts",
    """
    INSERT INTO rating_counts (checkpoint_id, set_id, item_id, rating, leaders)
    SELECT cs.checkpoint_id, cs.set_id, a.item_id, a.rating, COUNT(*)
    FROM counted_submissions cs JOIN answers a ON a.submission_id = cs.submission_id
    WHERE a.rating IS NOT NULL
    GROUP BY cs.checkpoint_id, cs.set_id, a.item_id, a.rating
    """,
    "UPDATE tally_version SET version = version + 1",
)


@migrations(name="0005_tally")
def m0005_tally(db: Database) -> None:
    # Cohort figures kept current at write time (see reflect.storage.tally), so reading them does not grow with the
    # cohort: at 10,000 leaders, recomputing them took 0.25-0.4 s on every first view after a submission.
    _run(
        db,
        """
        -- Which submission counts for each leader, set and checkpoint: the leader's latest in the window.
        CREATE TABLE counted_submissions (
            checkpoint_id INTEGER NOT NULL,
            set_id TEXT NOT NULL,
            user_id INTEGER NOT NULL,
            cohort_id INTEGER NOT NULL,
            submission_id INTEGER NOT NULL,
            PRIMARY KEY (checkpoint_id, set_id, user_id)
        ) WITHOUT ROWID
        """,
        """
        CREATE INDEX counted_submissions_by_user ON counted_submissions(user_id)
        """,
        """
        CREATE INDEX counted_submissions_by_cohort ON counted_submissions(cohort_id)
        """,
        """
        CREATE INDEX counted_submissions_by_submission ON counted_submissions(submission_id)
        """,
        """
        -- How many counted submissions gave each rating of each item.
        CREATE TABLE rating_counts (
            checkpoint_id INTEGER NOT NULL,
            set_id TEXT NOT NULL,
            item_id TEXT NOT NULL,
            rating INTEGER NOT NULL,
            leaders INTEGER NOT NULL CHECK (leaders >= 0),
            PRIMARY KEY (checkpoint_id, set_id, item_id, rating)
        ) WITHOUT ROWID
        """,
        """
        -- Counts up on every recount, so caches of cohort figures can be keyed on it (ids and row counts can
        -- repeat after a deletion; this cannot).
        CREATE TABLE tally_version (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            version INTEGER NOT NULL
        )
        """,
        """
        INSERT INTO tally_version (id, version) VALUES (1, 0)
        """,
    )
    _run(db, *_RECOUNT_TALLY)


@migrations(name="0006_administrators")
def m0006_administrators(db: Database) -> None:
    # An administrator is a facilitator with a flag, not a third role: users.role's CHECK cannot be altered in place,
    # and rebuilding users (referenced by eight tables) inside this transaction, where foreign keys cannot be turned
    # off, is a risk a flag column does not need. Every check that asks for a facilitator then accepts an
    # administrator as it is. The flag is allowed on facilitators only.
    db.execute("ALTER TABLE users ADD COLUMN is_admin INTEGER NOT NULL DEFAULT 0 "
               "CHECK (is_admin IN (0, 1) AND (is_admin = 0 OR role = 'facilitator'))")
    # The account made at set-up (the earliest facilitator) becomes the first administrator.
    db.execute("""UPDATE users SET is_admin = 1 WHERE id = (
                      SELECT id FROM users WHERE role = 'facilitator' ORDER BY created_at, id LIMIT 1)""")


@migrations(name="0007_checkpoint_days")
def m0007_checkpoint_days(db: Database) -> None:
    # Checkpoints become what the Cohorts page edits: whole days, first and last included, in the cohort's time
    # zone. Windows stored to the microsecond made saving the editor unchanged move every boundary. Each window
    # becomes the days the editor showed for it (in Europe/London, where the course runs and the default windows'
    # midnight UTC falls on the same day) and its stored times are derived again from those days. Written out in
    # full, not through reflect.domain.checkpoints or reflect.storage.tally, so later changes to them cannot change
    # this migration.
    _run(
        db,
        """
        -- The IANA zone a cohort's checkpoint days are counted in; a new cohort takes its creator's browser zone.
        ALTER TABLE cohorts ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'Europe/London'
        """,
        """
        -- ISO dates, both included; opens_at/closes_at are derived from them (midnight to midnight, local).
        ALTER TABLE checkpoints ADD COLUMN first_day TEXT
        """,
        """
        ALTER TABLE checkpoints ADD COLUMN last_day TEXT
        """,
    )
    moved = False
    rows = db.execute(
        "SELECT cp.id, cp.opens_at, cp.closes_at, c.time_zone FROM checkpoints cp JOIN cohorts c ON c.id = cp.cohort_id"
    ).fetchall()
    for checkpoint_id, opens_at, closes_at, zone_name in rows:
        zone = ZoneInfo(zone_name)
        first = datetime.fromisoformat(opens_at).astimezone(zone).date()
        # The editor's last day: the local day before the one the window closes on (at least the first day).
        last = max(first, (datetime.fromisoformat(closes_at).astimezone(zone) - timedelta(days=1)).date())
        days_opens_at = _stamp(datetime.combine(first, time(), zone))
        days_closes_at = _stamp(datetime.combine(last + timedelta(days=1), time(), zone))
        moved = moved or (days_opens_at, days_closes_at) != (opens_at, closes_at)
        db.execute(
            "UPDATE checkpoints SET first_day = ?, last_day = ?, opens_at = ?, closes_at = ? WHERE id = ?",
            [first.isoformat(), last.isoformat(), days_opens_at, days_closes_at, checkpoint_id],
        )
    if moved:
        _run(db, *_RECOUNT_TALLY)


@migrations(name="0008_cohort_invitations")
def m0008_cohort_invitations(db: Database) -> None:
    # An account that already exists joins another cohort only when its owner accepts: a facilitator's roster, or
    # someone typing the cohort's join code with that email, makes one of these, shown on the leader's Home page.
    _run(
        db,
        """
        CREATE TABLE cohort_invitations (
            id INTEGER PRIMARY KEY,
            cohort_id INTEGER NOT NULL REFERENCES cohorts(id),
            user_id INTEGER NOT NULL REFERENCES users(id),
            invited_by INTEGER,  -- the facilitator; NULL when asked for with the join code. A plain number, as in
                                 -- the audit log, so it outlives the account.
            created_at TEXT NOT NULL,
            answered_at TEXT,
            accepted INTEGER CHECK (accepted IN (0, 1)),
            CHECK ((answered_at IS NULL) = (accepted IS NULL))
        )
        """,
        """
        -- At most one unanswered invitation per person and cohort.
        CREATE UNIQUE INDEX cohort_invitations_open ON cohort_invitations(cohort_id, user_id)
            WHERE answered_at IS NULL
        """,
        """
        CREATE INDEX cohort_invitations_by_user ON cohort_invitations(user_id)
        """,
        """
        -- From now on a cohort counts only what a leader submitted once a member (s.submitted_at >= joined_at).
        -- Bring the kept figures (migration 0005) to that rule: a counted submission made before joining goes, with
        -- its ratings. Nothing takes its place: every other submission of that window is older still.
        UPDATE rating_counts SET leaders = leaders - (
            SELECT COUNT(*) FROM counted_submissions c
            JOIN cohort_leaders cl ON cl.cohort_id = c.cohort_id AND cl.user_id = c.user_id
            JOIN submissions s ON s.id = c.submission_id
            JOIN answers a ON a.submission_id = c.submission_id
            WHERE s.submitted_at < cl.joined_at AND c.checkpoint_id = rating_counts.checkpoint_id
                  AND c.set_id = rating_counts.set_id AND a.item_id = rating_counts.item_id
                  AND a.rating = rating_counts.rating
        )
        """,
        """
        DELETE FROM rating_counts WHERE leaders = 0
        """,
        """
        DELETE FROM counted_submissions WHERE EXISTS (
            SELECT 1 FROM cohort_leaders cl JOIN submissions s ON s.id = counted_submissions.submission_id
            WHERE cl.cohort_id = counted_submissions.cohort_id AND cl.user_id = counted_submissions.user_id
                  AND s.submitted_at < cl.joined_at
        )
        """,
        """
        UPDATE tally_version SET version = version + 1
        """,
    )


@migrations(name="0009_sessions")
def m0009_sessions(db: Database) -> None:
    # Signed-in sessions that outlive a page: the browser keeps a random token in an HttpOnly cookie, and only its
    # hash is stored. A new session has no token yet, only a one-time ticket its page hands to the cookie route.
    _run(
        db,
        """
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            token_hash TEXT UNIQUE,
            ticket_hash TEXT UNIQUE,
            created_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            ended_at TEXT
        )
        """,
        """
        CREATE INDEX sessions_by_user ON sessions(user_id)
        """,
    )


@migrations(name="0010_feedback")
def m0010_feedback(db: Database) -> None:
    # A short conversation on a shared submission: a facilitator's feedback and the leader's replies, in order.
    _run(
        db,
        """
        CREATE TABLE feedback (
            id INTEGER PRIMARY KEY,
            submission_id INTEGER NOT NULL REFERENCES submissions(id),
            author_id INTEGER NOT NULL,  -- a plain number, as in the audit log, so a message outlives its author's
                                         -- account; the submission's leader when it is a reply
            body TEXT NOT NULL,
            written_at TEXT NOT NULL,
            seen_by_leader_at TEXT  -- when the leader's page first showed a facilitator's message (NULL: new)
        )
        """,
        """
        CREATE INDEX feedback_by_submission ON feedback(submission_id, written_at)
        """,
    )


@migrations(name="0011_looking_back")
def m0011_looking_back(db: Database) -> None:
    # The retrospective ("then") rating: at a checkpoint that asks for it, the checklist asks for each skill both a
    # rating now and one looking back, at the start of the module. Kept beside the rating, in the same draft and answer.
    _run(
        db,
        """
        ALTER TABLE checkpoints ADD COLUMN asks_then INTEGER NOT NULL DEFAULT 0 CHECK (asks_then IN (0, 1))
        """,
        """
        ALTER TABLE drafts ADD COLUMN then_rating INTEGER
        """,
        """
        ALTER TABLE answers ADD COLUMN then_rating INTEGER
        """,
    )


@migrations(name="0012_cohort_versions")
def m0012_cohort_versions(db: Database) -> None:
    # A version of each cohort's figures, so that a change in one cohort leaves the cached figures of every other.
    _run(
        db,
        """
        CREATE TABLE cohort_versions (
            cohort_id INTEGER PRIMARY KEY,
            version INTEGER NOT NULL
        )
        """,
    )


@migrations(name="0013_answer_rows")
def m0013_answer_rows(db: Database) -> None:
    # Each submission's rows of the long export and, for a checklist's, its cells of the wide one, made once (see
    # reflect.domain.answer_rows, whose format of this day is written out in _answer_rows below): the exports read
    # every answer row into Python (28 s and 22 s at 100,000 leaders).
    _run(
        db,
        """
        CREATE TABLE answer_rows (
            submission_id INTEGER PRIMARY KEY REFERENCES submissions(id),
            body BLOB NOT NULL,
            wide BLOB
        )
        """,
    )
    answers = db.execute("""SELECT submission_id, item_id, item_text, rating, text, note, then_rating
                            FROM answers ORDER BY submission_id, rowid""")
    db.conn.executemany("INSERT INTO answer_rows (submission_id, body, wide) VALUES (?, ?, ?)",
                        ((submission_id, *_answer_rows([answer[1:] for answer in its]))
                         for submission_id, its in groupby(answers, key=itemgetter(0))))


def _answer_rows(answers: list[tuple]) -> tuple[bytes, bytes | None]:
    """A submission's rows of the long file and wide cells, as reflect.domain.answer_rows made them when this
    migration was written."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    not_kept = dict.fromkeys(set(range(0x20)) - {ord("\t"), ord("\n")})

    def cell(value: object) -> object:  # no control character but tab and LF; Excel's formulas neutralised
        if not isinstance(value, str):
            return value
        value = value.translate(not_kept)
        return "'" + value if value.startswith(("=", "+", "-", "@", "\t", "\r", "\n")) else value

    def cells(*values: object) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([cell(value) for value in values])
        return buffer.getvalue()[:-2]

    def point(rating: int | None) -> str:
        return "" if rating is None else chr(0x10 + rating) if 1 <= rating <= 10 else str(rating)

    rows, wide = [], []
    for item_id, item_text, rating, text, note, then in answers:
        free_text = "," if text is None and note is None else f"\x02{cells(text, note)}\x03"
        rows.append(f"\x1e{cells(item_id, item_text)},{point(rating)},{point(then)},\x1f,{free_text}\r\n")
        wide.append(f"{point(rating)},\x05{point(then)},\x06{f'{chr(2)}{cells(note)}{chr(3)}' if note else ''},")
    body = "".join(rows).encode("utf-8")
    if any(answer[2] is None for answer in answers):
        return body, None
    return body, (cells(*(answer[0] for answer in answers)) + "\x04" + "".join(wide)).encode("utf-8")
