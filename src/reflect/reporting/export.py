"""CSV exports that are safe to open in Excel.

Text cells that Excel would read as a formula (starting ``= + - @``, tab, CR or LF) get a leading apostrophe
(OWASP "CSV injection"); numbers stay numbers; rows end in CRLF and cells holding line breaks are quoted.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Callable, Iterable, Mapping

from sqlite_utils import Database

from reflect.domain import access, audit, responses, roster
from reflect.domain.access import Actor
from reflect.domain.questions import QuestionSet
from reflect.storage.db import read_snapshot, write_transaction

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
BOM = "\ufeff"
# A cohort export made for someone: the cohort files below, with their other arguments bound.
CohortFile = Callable[[Database, Actor, int], bytes]

LEADER_COLUMNS = (
    "set_id", "set_title", "item_id", "item_text", "set_version", "status", "rating", "text", "note",
    "submitted_at", "draft_saved_at",
)


def excel_safe(value: object) -> object:
    """Neutralise a text cell Excel would run as a formula; leave everything else as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def to_csv(rows: Iterable[Mapping[str, object]], columns: Iterable[str], *, bom: bool = False) -> bytes:
    """Write `rows` as UTF-8 CSV bytes with a header row; with `bom`, prefixed by a BOM so Excel reads UTF-8."""
    columns = list(columns)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(column) is None else excel_safe(row.get(column)) for column in columns])
    return ((BOM if bom else "") + buffer.getvalue()).encode("utf-8")


def leader_csv(db: Database, user_id: int, sets: Mapping[str, QuestionSet], *, bom: bool = False) -> bytes:
    """Everything one leader has written: one row per submitted answer, then one per draft that holds anything."""
    rows = []
    for row in responses.everything_written_by(db, user_id):
        qset = sets.get(row["set_id"])
        row["set_title"] = qset.title if qset else ""
        if row["status"] == "draft":
            if row["rating"] is None and not row["text"] and not row["note"]:
                continue
            row["draft_saved_at"] = row.pop("saved_at")
            if qset:
                row["set_version"] = qset.version
                row["item_text"] = next((item.text for item in qset.items if item.id == row["item_id"]), "")
        else:
            row["submitted_at"] = row.pop("saved_at")
        rows.append(row)
    return to_csv(rows, LEADER_COLUMNS, bom=bom)


# Cohort exports for facilitators. Ratings are always included; free text (answers and notes) only from
# submissions the leader chose to share. Column names in the wide file are item ids, stable across wording changes.
# Each takes the acting person and opens with reflect.domain.access.cohort_for: only those who run the cohort export it.

LONG_COLUMNS = (
    "cohort", "leader_id", "leader_name", "leader_email", "checkpoint", "counts_for_checkpoint", "submission_id",
    "submitted_at", "set_id", "set_version", "item_id", "item_text", "rating", "shared", "text", "note",
)
_WIDE_FIXED = (
    "cohort", "leader_id", "leader_name", "leader_email", "checkpoint", "counts_for_checkpoint", "submission_id",
    "submitted_at", "set_id", "set_version", "shared",
)
_FIXED_MEANINGS = {
    "cohort": "Cohort name",
    "leader_id": "Reflect's id for the leader (stable)",
    "leader_name": "Leader's name",
    "leader_email": "Leader's email",
    "checkpoint": "Checkpoint whose window holds the submission time",
    "counts_for_checkpoint":
        "1: the leader's latest submission in that checkpoint, the one cohort charts use (the wide file has only "
        "these; the long file also has earlier ones, marked 0)",
    "submission_id": "Reflect's id for the submission",
    "submitted_at": "When it was submitted (ISO 8601, UTC)",
    "set_id": "Question set id",
    "set_version": "Question set version the answers were given under",
    "shared": "1 if the leader shared this submission's free text with facilitators",
}


# The cohort's submissions (made while each leader belonged to it) with where each sits. Which one counts for a
# checkpoint is read from reflect.storage.tally.
_PLACED = """
    placed AS (
        SELECT s.id, s.user_id, u.name, u.email, cp.id AS checkpoint_id, cp.name AS checkpoint,
               counted.submission_id IS NOT NULL AS latest, s.submitted_at, s.set_id, s.set_version,
               sh.submission_id IS NOT NULL AS shared
        FROM cohort_leaders cl
        JOIN users u ON u.id = cl.user_id
        JOIN submissions s ON s.user_id = cl.user_id AND s.submitted_at >= cl.joined_at
        LEFT JOIN checkpoints cp ON cp.cohort_id = cl.cohort_id
             AND s.submitted_at >= cp.opens_at AND s.submitted_at < cp.closes_at
        LEFT JOIN counted_submissions counted ON counted.submission_id = s.id AND counted.checkpoint_id = cp.id
        LEFT JOIN shared_submissions sh ON sh.submission_id = s.id
        WHERE cl.cohort_id = :cohort_id AND (:set_id IS NULL OR s.set_id = :set_id)
              AND (:checkpoint_id IS NULL OR cp.id = :checkpoint_id)
    )
"""


def _cohort_submissions(db: Database, cohort_id: int, set_id: str | None, checkpoint_id: int | None, *,
                        counted_only: bool = False) -> dict[tuple[int, int | None], tuple]:
    """The cohort's submissions by (id, checkpoint id), each as its cells in :data:`_WIDE_FIXED` order, as stored
    (not yet Excel-safe); with `counted_only`, only those that count for their checkpoint. Read it and
    :func:`_cohort_answers` in one :func:`read_snapshot`, so they agree."""
    cohort_name = db.execute("SELECT name FROM cohorts WHERE id = ?", [cohort_id]).fetchone()[0]
    rows = db.execute(
        f"""WITH {_PLACED}
            SELECT id, checkpoint_id,
                   :cohort, user_id, name, email, checkpoint, latest, id, submitted_at, set_id, set_version, shared
            FROM placed WHERE latest OR NOT :counted_only""",
        {"cohort_id": cohort_id, "set_id": set_id, "checkpoint_id": checkpoint_id, "cohort": cohort_name,
         "counted_only": counted_only},
    )
    return {(submission_id, placed_in): cells for submission_id, placed_in, *cells in rows}


def _cohort_answers(db: Database, cohort_id: int, set_id: str | None, checkpoint_id: int | None, *,
                    counted_only: bool = False):
    """The answers of :func:`_cohort_submissions`, leader by leader, oldest first: (submission id, checkpoint id,
    item_id, item_text, rating, text, note), with free text only from shared submissions."""
    return db.execute(
        f"""WITH {_PLACED}
            SELECT a.submission_id, placed.checkpoint_id, a.item_id, a.item_text, a.rating,
                   CASE WHEN placed.shared THEN a.text END, CASE WHEN placed.shared THEN a.note END
            FROM placed JOIN answers a ON a.submission_id = placed.id
            WHERE placed.latest OR NOT :counted_only
            ORDER BY placed.user_id, placed.submitted_at, placed.id, placed.checkpoint_id, a.rowid""",
        {"cohort_id": cohort_id, "set_id": set_id, "checkpoint_id": checkpoint_id, "counted_only": counted_only},
    )


class _CellsText:
    """The CSV text of a run of cells, Excel-safe, ending in `end`: "," to go on with the row, or the row's end."""

    def __init__(self, end: str) -> None:
        self._end = end
        self._buffer = io.StringIO(newline="")
        # Written as a whole row would be: the csv module quotes cells holding a character of its line terminator,
        # so the terminator must be CRLF even when the run ends in a comma.
        self._writer = csv.writer(self._buffer, lineterminator="\r\n")

    def __call__(self, cells: tuple) -> str:
        self._buffer.seek(0)
        self._buffer.truncate()
        self._writer.writerow([excel_safe(cell) for cell in cells])
        return self._buffer.getvalue()[:-2] + self._end


def cohort_long_csv(db: Database, actor: Actor, cohort_id: int, *, checkpoint_id: int | None = None,
                    bom: bool = False) -> bytes:
    """Every submitted answer of the cohort's leaders, one row per answer, streamed from SQLite to the CSV writer.

    A row is its submission's cells, then its answer's. Each submission's cells are made once, not once per answer,
    and an answer without free text (an item's wording and a rating) repeats across leaders, so it is made once per
    distinct answer: at 10,000 leaders, 290,000 rows come from 35,000 submissions and a few hundred distinct answers.
    """
    access.cohort_for(db, actor, cohort_id)
    submission_text, answer_text = _CellsText(","), _CellsText("\r\n")
    repeated_answer_text = functools.cache(answer_text)
    buffer = io.StringIO(newline="")
    buffer.write(BOM if bom else "")
    csv.writer(buffer, lineterminator="\r\n").writerow(LONG_COLUMNS)
    write = buffer.write
    with read_snapshot(db):
        submissions = {key: (submission_text(cells[:10]), cells[10])
                       for key, cells in _cohort_submissions(db, cohort_id, None, checkpoint_id).items()}
        answers = _cohort_answers(db, cohort_id, None, checkpoint_id)
        for submission_id, placed_in, item_id, item_text, rating, text, note in answers:
            row_start, shared = submissions[submission_id, placed_in]
            write(row_start)
            if text is None and note is None:
                write(repeated_answer_text((item_id, item_text, rating, shared, None, None)))
            else:
                write(answer_text((item_id, item_text, rating, shared, text, note)))
    return buffer.getvalue().encode("utf-8")


def wide_columns(db: Database, cohort_id: int, qset: QuestionSet) -> list[str]:
    """The wide file's columns: fixed ones, then one per item id (and ``<item id>_note`` where the set has notes)."""
    item_ids = [item.id for item in qset.items]
    retired = db.execute(
        """SELECT DISTINCT a.item_id FROM cohort_leaders cl
           JOIN submissions s ON s.user_id = cl.user_id AND s.submitted_at >= cl.joined_at
           JOIN answers a ON a.submission_id = s.id WHERE cl.cohort_id = ? AND s.set_id = ?""",
        [cohort_id, qset.id],
    ).fetchall()
    item_ids += sorted({item_id for (item_id,) in retired} - set(item_ids))  # items later versions dropped
    columns = list(_WIDE_FIXED)
    for item_id in item_ids:
        columns.append(item_id)
        if qset.note_prompt:
            columns.append(f"{item_id}_note")
    return columns


def cohort_wide_csv(db: Database, actor: Actor, cohort_id: int, qset: QuestionSet, *,
                    checkpoint_id: int | None = None, bom: bool = False) -> bytes:
    """One row per leader per checkpoint for `qset`: the submission that counts there (the one cohort charts use),
    one column per item (its rating, or its text if shared). Earlier submissions in a checkpoint, and any outside
    every checkpoint, are in the long file only."""
    access.cohort_for(db, actor, cohort_id)
    rows: dict[tuple, dict] = {}
    with read_snapshot(db):
        submissions = _cohort_submissions(db, cohort_id, qset.id, checkpoint_id, counted_only=True)
        answers = _cohort_answers(db, cohort_id, qset.id, checkpoint_id, counted_only=True)
        for submission_id, placed_in, item_id, _, rating, text, note in answers:
            key = submission_id, placed_in
            if key not in rows:
                rows[key] = dict(zip(_WIDE_FIXED, submissions[key], strict=True))
            row = rows[key]
            row[item_id] = rating if rating is not None else text
            row[f"{item_id}_note"] = note
    return to_csv(rows.values(), wide_columns(db, cohort_id, qset), bom=bom)


def codebook_csv(db: Database, actor: Actor, cohort_id: int, qset: QuestionSet, *, bom: bool = False) -> bytes:
    """What each column of the wide file means: question text per set version, and the scale's labels."""
    access.cohort_for(db, actor, cohort_id)
    scale = "; ".join(f"{point} = {label}" for point, label in enumerate(qset.scale, start=1))
    wording = {(qset.version, item.id): item.text for item in qset.items}
    for version, item_id, item_text in db.execute(
        """SELECT DISTINCT s.set_version, a.item_id, a.item_text FROM cohort_leaders cl
           JOIN submissions s ON s.user_id = cl.user_id AND s.submitted_at >= cl.joined_at
           JOIN answers a ON a.submission_id = s.id
           WHERE cl.cohort_id = ? AND s.set_id = ?""",
        [cohort_id, qset.id],
    ):
        wording.setdefault((version, item_id), item_text)
    rows: list[dict[str, object]] = []
    for column in wide_columns(db, cohort_id, qset):
        if column in _FIXED_MEANINGS:
            rows.append({"column": column, "question_text": _FIXED_MEANINGS[column], "set_id": "", "set_title": "",
                         "set_version": "", "kind": "", "scale_labels": ""})
            continue
        item_id, is_note = (column[: -len("_note")], True) if column.endswith("_note") else (column, False)
        for (version, wording_item), text in sorted(wording.items()):
            if wording_item != item_id:
                continue
            rows.append({
                "column": column,
                "question_text": f"{qset.note_prompt} (note on: {text})" if is_note else text,
                "set_id": qset.id, "set_title": qset.title, "set_version": version,
                "kind": "text" if is_note or not qset.is_rating else "rating",
                "scale_labels": scale if qset.is_rating and not is_note else "",
            })
    return to_csv(rows, ("column", "question_text", "set_id", "set_title", "set_version", "kind", "scale_labels"),
                  bom=bom)


def logged(db: Database, actor: Actor, cohort_id: int, description: str, make: CohortFile) -> bytes:
    """Make a cohort export with ``make(db, actor, cohort_id)`` and record in the audit log who took it (no account
    for the command line). Bind a file's other arguments first: ``functools.partial(cohort_wide_csv, qset=…)``."""
    access.cohort_for(db, actor, cohort_id)
    data = make(db, actor, cohort_id)
    with write_transaction(db):
        audit.record(db, actor_id=actor.id, action=audit.EXPORTED, cohort_id=cohort_id,
                     detail=f"{description}, {len(data):,} bytes")
    return data


def invitations_csv(invited: list[roster.Invited], *, bom: bool = False) -> bytes:
    """The codes for a mail merge: name, email, invitation_code."""
    return to_csv(({"name": i.name, "email": i.email, "invitation_code": i.code} for i in invited),
                  ("name", "email", "invitation_code"), bom=bom)


ABOUT_ME_COLUMNS = ("kind", "when", "what", "detail")


def about_me_csv(db: Database, user_id: int, *, bom: bool = False) -> bytes:
    """Everything else Reflect holds about a person, beside their answers: their account, their cohort and the
    audit log's entries of what they did. (Answers are in :func:`leader_csv`; the password hash is not given out.)"""
    user = db.execute("SELECT name, email, role, created_at, failed_sign_ins, locked_until FROM users WHERE id = ?",
                      [user_id]).fetchone()
    if user is None:
        return to_csv([], ABOUT_ME_COLUMNS, bom=bom)
    name, email, role, created_at, failures, locked_until = user
    rows = [
        {"kind": "account", "when": created_at, "what": "name", "detail": name},
        {"kind": "account", "when": created_at, "what": "email", "detail": email},
        {"kind": "account", "when": created_at, "what": "role", "detail": role},
        {"kind": "account", "when": "", "what": "failed sign-ins since the last success", "detail": failures},
        {"kind": "account", "when": locked_until or "", "what": "locked until", "detail": locked_until or "not locked"},
    ]
    rows += [{"kind": "cohort", "when": joined_at, "what": "member of", "detail": cohort}
             for cohort, joined_at in db.execute(
                 "SELECT c.name, l.joined_at FROM cohort_leaders l JOIN cohorts c ON c.id = l.cohort_id "
                 "WHERE l.user_id = ? ORDER BY l.joined_at", [user_id])]
    rows += [{"kind": "activity", "when": at, "what": action, "detail": detail}
             for at, action, detail in db.execute(
                 "SELECT at, action, detail FROM audit_log WHERE actor_id = ? ORDER BY at, id", [user_id])]
    return to_csv(rows, ABOUT_ME_COLUMNS, bom=bom)
