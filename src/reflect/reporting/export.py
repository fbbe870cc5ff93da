"""CSV exports that are safe to open in Excel.

Text cells that Excel would read as a formula (starting ``= + - @``, tab, CR or LF) get a leading apostrophe
(OWASP "CSV injection"); numbers stay numbers; rows end in CRLF and cells holding line breaks are quoted.

A cohort file is written as a stream of chunks (``cohort_long_chunks`` and the like), so that the server can send
one of any size at constant memory (reflect.web.routes); the ``…_csv`` functions are those chunks joined.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from itertools import groupby
from operator import itemgetter
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from reflect.domain import access, answer_rows, audit, responses, roster
from reflect.domain.access import Actor
from reflect.domain.questions import QuestionSet
from reflect.domain.text import CsvCells, excel_safe
from reflect.storage.db import read_snapshot, write_transaction

BOM = "\ufeff"
# A cohort export made for someone: the cohort files below, with their other arguments bound; as bytes, or as chunks.
CohortFile = Callable[[Database, Actor, int], bytes]
Chunks = Generator[bytes, None, None]  # a file's bytes as they are written; close() stops reading it
CohortStream = Callable[[Database, Actor, int], Chunks]
# Rows of a streamed file per chunk: about 1.5 MB of the long file. Each chunk passes between the server's threads a
# few times, each time waiting for the thread making the file to let go of Python's lock (up to 5 ms): at 1,000 rows
# the long file at 100,000 leaders took 12–15 s from the server, 15–17 s with gzip; at 5,000, 10–12 s either way.
CHUNK_ROWS = 5_000

LEADER_COLUMNS = (
    "set_id", "set_title", "item_id", "item_text", "set_version", "status", "rating", "then_rating", "text", "note",
    "submitted_at", "draft_saved_at",
)


def to_csv(rows: Iterable[Mapping[str, object]], columns: Iterable[str], *, bom: bool = False) -> bytes:
    """Write `rows` as UTF-8 CSV bytes with a header row; with `bom`, prefixed by a BOM so Excel reads UTF-8."""
    return b"".join(_csv_chunks(rows, columns, bom=bom))


def _csv_chunks(rows: Iterable[Mapping[str, object]], columns: Iterable[str], *, bom: bool,
                header: Sequence[str] | None = None) -> Chunks:
    """:func:`to_csv`, :data:`CHUNK_ROWS` rows at a time: `rows` are read only as the chunks are. The header row
    is `header` if given, else the column names."""
    columns = list(columns)
    buffer = io.StringIO(newline="")
    buffer.write(BOM if bom else "")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header or columns)
    for number, row in enumerate(rows, start=1):
        writer.writerow(["" if row.get(column) is None else excel_safe(row.get(column)) for column in columns])
        if number % CHUNK_ROWS == 0:
            yield _taken(buffer)
    if rest := _taken(buffer):
        yield rest


def _taken(buffer: io.StringIO) -> bytes:
    """What was written to `buffer`, as UTF-8; the buffer is emptied for the next chunk."""
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return data


def leader_csv(db: Database, user_id: int, sets: Mapping[str, QuestionSet], *, bom: bool = False) -> bytes:
    """Everything one leader has written: one row per submitted answer, then one per draft that holds anything."""
    rows = []
    for row in responses.everything_written_by(db, user_id):
        qset = sets.get(row["set_id"])
        row["set_title"] = qset.title if qset else ""
        if row["status"] == "draft":
            if row["rating"] is None and row["then_rating"] is None and not row["text"] and not row["note"]:
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
# The ``…_chunks`` functions check at once, when called, so a refusal comes before the first byte; each file is then
# read in one snapshot (db.read_snapshot) as its chunks are taken, so a submission made meanwhile cannot split it.

LONG_COLUMNS = (
    "cohort", "leader_id", "leader_name", "leader_email", "checkpoint", "counts_for_checkpoint", "submission_id",
    "submitted_at", "set_id", "set_version", "item_id", "item_text", "rating", "then_rating", "shared", "text", "note",
)
_WIDE_FIXED = (
    "cohort", "leader_id", "leader_name", "leader_email", "checkpoint", "counts_for_checkpoint", "submission_id",
    "submitted_at", "set_id", "set_version", "shared",
)
# Each column's header, as a person reads it; ids are only in columns named as ids. "Submitted" and "Written" are
# local times in the cohort's time zone, which the header names (:func:`_headers`).
HEADERS = {
    "cohort": "Cohort", "leader_id": "Leader id", "leader_name": "Leader", "leader_email": "Email",
    "checkpoint": "Checkpoint", "counts_for_checkpoint": "Counts for the checkpoint (1 = yes)",
    "submission_id": "Submission id", "submitted_at": "Submitted", "set_id": "Question set id",
    "set_version": "Question set version", "item_id": "Question id", "item_text": "Question", "rating": "Rating",
    "then_rating": "Rating looking back",
    "shared": "Shared with facilitators (1 = yes)", "text": "Answer", "note": "Note",
    "from": "From", "author_name": "Written by", "written_at": "Written", "message": "Message",
}
_LOCAL_TIMES = ("submitted_at", "written_at")
_FIXED_MEANINGS = {
    "cohort": "Cohort name",
    "leader_id": "Reflect's id for the leader (stable)",
    "leader_name": "Leader's name",
    "leader_email": "Leader's email",
    "checkpoint": "Checkpoint whose window holds the submission time",
    "counts_for_checkpoint":
        "1: the leader's latest submission in that checkpoint, the one cohort charts use (the file for Excel has "
        "only these; the file for analysis also has earlier ones, marked 0)",
    "submission_id": "Reflect's id for the submission",
    "submitted_at": "When it was submitted, in the cohort's time zone (named in the header)",
    "set_id": "Question set id",
    "set_version": "Question set version the answers were given under",
    "shared": "1 if the leader shared this submission's free text with facilitators",
}


def _headers(columns: Iterable[str], zone: ZoneInfo) -> list[str]:
    """The header row for `columns`: readable names, local times with their zone; an item's column keeps its id."""
    return [f"{HEADERS[column]} ({zone.key})" if column in _LOCAL_TIMES else HEADERS.get(column, column)
            for column in columns]


def _local(stored: str | None, zone: ZoneInfo) -> str | None:
    """A stored UTC time as the cohort reads it, to the second: "2027-01-03 09:30:00" (Excel reads it as a date)."""
    return datetime.fromisoformat(stored).astimezone(zone).isoformat(" ", "seconds")[:19] if stored else stored


class _LocalTimes:
    """Stored UTC times as the cohort reads them (:func:`_local`), the local date and hour of each UTC hour worked
    out once: in a zone whose offset is whole hours all through that hour, minutes and seconds are the same."""

    def __init__(self, zone: ZoneInfo) -> None:
        self._zone = zone
        self._hours: dict[str, str] = {}

    def __call__(self, stored: str) -> str | None:
        if not (stored.endswith("+00:00") and stored[13:14] == stored[16:17] == ":"):  # not as stamp() writes it
            return _local(stored, self._zone)
        if (hour := self._hours.get(stored[:13])) is None:
            hour = self._hours[stored[:13]] = self._local_hour(stored[:13])
        return hour + stored[13:19] if hour else _local(stored, self._zone)

    def _local_hour(self, utc_hour: str) -> str:
        """The local "2027-01-03 09" of `utc_hour` ("2027-01-03T08"), or "" where minutes differ or the offset moves."""
        start = datetime.fromisoformat(f"{utc_hour}:00:00+00:00")
        offsets = {moment.astimezone(self._zone).utcoffset() or timedelta()
                   for moment in (start, start + timedelta(seconds=3599))}
        if len(offsets) > 1 or offsets.pop() % timedelta(hours=1):
            return ""
        return start.astimezone(self._zone).isoformat(" ")[:13]


def _zone_of(db: Database, cohort_id: int) -> ZoneInfo:
    return ZoneInfo(db.execute("SELECT time_zone FROM cohorts WHERE id = ?", [cohort_id]).fetchone()[0])


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


def _placed(db: Database, cohort_id: int, set_id: str | None, checkpoint_id: int | None, *,
            counted_only: bool = False) -> Iterator[list[tuple]]:
    """The cohort's submissions, leader by leader, oldest first, in batches of :data:`ANSWER_BATCH`; with
    `counted_only`, only those that count for their checkpoint. A submission comes as its cells in
    :data:`_WIDE_FIXED` order, as stored (not yet Excel-safe).

    Only the submissions are put in order; what is read of their answers is read a batch at a time by key. Ordering
    every answer of the cohort instead made SQLite sort millions of rows before the first could be written (3–4 s
    at 100,000 leaders). Call inside :func:`read_snapshot`, so that the reads agree.
    """
    cohort_name = db.execute("SELECT name FROM cohorts WHERE id = ?", [cohort_id]).fetchone()[0]
    submissions = db.execute(
        f"""WITH {_PLACED}
            SELECT :cohort, user_id, name, email, checkpoint, latest, id, submitted_at, set_id, set_version, shared
            FROM placed WHERE latest OR NOT :counted_only
            ORDER BY user_id, submitted_at, id, checkpoint_id""",
        {"cohort_id": cohort_id, "set_id": set_id, "checkpoint_id": checkpoint_id, "cohort": cohort_name,
         "counted_only": counted_only},
    )
    while batch := submissions.fetchmany(ANSWER_BATCH):
        yield batch


ANSWER_BATCH = 500  # submissions whose kept rows are read by one query


def _placed_rows(db: Database, cohort_id: int, set_id: str | None, checkpoint_id: int | None, *,
                 counted_only: bool = False) -> Iterator[tuple[tuple, bytes, bytes | None]]:
    """:func:`_placed`, each submission with its rows of the long file and its cells of the wide file (if any), as
    they were made when it was submitted (reflect.domain.answer_rows), or are made now from its answers if they
    were not kept (a submission made by a version of Reflect from before they were). A submission without answers
    is passed over."""
    for batch in _placed(db, cohort_id, set_id, checkpoint_id, counted_only=counted_only):
        ids = [cells[6] for cells in batch]
        kept = {submission_id: (body, wide) for submission_id, body, wide in db.execute(
            f"SELECT submission_id, body, wide FROM answer_rows WHERE submission_id IN ({', '.join('?' * len(ids))})",
            ids)}
        if missing := [submission_id for submission_id in ids if submission_id not in kept]:
            answers = db.execute(
                f"""SELECT submission_id, item_id, item_text, rating, text, note, then_rating FROM answers
                    WHERE submission_id IN ({", ".join("?" * len(missing))}) ORDER BY submission_id, rowid""", missing)
            kept |= {submission_id: answer_rows.made([answer[1:] for answer in its])
                     for submission_id, its in groupby(answers, key=itemgetter(0))}
        for cells in batch:
            body, wide = kept.get(cells[6], (b"", None))
            if body:
                yield cells, body, wide


def cohort_long_csv(db: Database, actor: Actor, cohort_id: int, *, checkpoint_id: int | None = None,
                    bom: bool = False, scales: Mapping[str, Sequence[str]] | None = None) -> bytes:
    """Every submitted answer of the cohort's leaders, one row per answer (see :func:`cohort_long_chunks`)."""
    return b"".join(cohort_long_chunks(db, actor, cohort_id, checkpoint_id=checkpoint_id, bom=bom, scales=scales))


def cohort_long_chunks(db: Database, actor: Actor, cohort_id: int, *, checkpoint_id: int | None = None,
                       bom: bool = False, scales: Mapping[str, Sequence[str]] | None = None) -> Chunks:
    """The file for analysis ("long"): one row per answer. With `scales` (each set's scale labels, by set id), a
    rating is written as its label, not its number. In chunks of about :data:`CHUNK_ROWS` rows, written as SQLite
    reads it: never the whole file.

    A row is its submission's cells, then its answer's. Each submission's answers were made into their rows as it
    was submitted (reflect.domain.answer_rows); what can change since is filled in here, each submission's cells
    made once for all its rows.
    """
    access.cohort_for(db, actor, cohort_id)
    return _long_chunks(db, cohort_id, checkpoint_id, bom, scales or {})


def _long_chunks(db: Database, cohort_id: int, checkpoint_id: int | None, bom: bool,
                 scales: Mapping[str, Sequence[str]]) -> Chunks:
    zone = _zone_of(db, cohort_id)
    row_starts = _RowStarts(zone)
    labels = {set_id: answer_rows.label_cells(scale) for set_id, scale in scales.items()}
    header = io.StringIO(newline="")
    csv.writer(header, lineterminator="\r\n").writerow(_headers(LONG_COLUMNS, zone))
    parts, rows = [(BOM + header.getvalue() if bom else header.getvalue()).encode("utf-8")], 0
    with read_snapshot(db):
        for cells, body, _ in _placed_rows(db, cohort_id, None, checkpoint_id):
            parts.append(answer_rows.rows(body, row_starts(cells).encode("utf-8"), shared=cells[10],
                                          labels=labels.get(cells[8], ())))
            rows += answer_rows.count(body)
            if rows >= CHUNK_ROWS:
                yield b"".join(parts)
                parts, rows = [], 0
    if rest := b"".join(parts):
        yield rest


class _RowStarts:
    """The start of the long file's rows for each submission: its cells, ending in a comma. What repeats is made
    once: a leader's cells (cohort, id, name, email) for their submissions, which come one after another, and each
    checkpoint's and set's. The rest are whole numbers and a local time ("2027-01-03 09:30:00"), which CSV writes as
    they are and Excel reads as no formula, so they are joined in as they are."""

    def __init__(self, zone: ZoneInfo) -> None:
        self._local = _LocalTimes(zone)
        self._text = CsvCells(",")
        self._leader: tuple = ()
        self._leader_text = ""
        self._made: dict[tuple, str] = {}

    def __call__(self, cells: tuple) -> str:
        if cells[:4] != self._leader:
            self._leader, self._leader_text = cells[:4], self._text(*cells[:4])
        latest, submission_id, submitted_at, set_id, version = cells[5:10]
        return (f"{self._leader_text}{self._once((cells[4],))}{latest:d},{submission_id:d},"
                f"{self._local(submitted_at)},{self._once((set_id,))}{version:d},")

    def _once(self, cells: tuple) -> str:
        if (text := self._made.get(cells)) is None:
            text = self._made[cells] = self._text(*cells)
        return text


def wide_columns(db: Database, cohort_id: int, qset: QuestionSet) -> list[str]:
    """The wide file's columns: fixed ones, then one per item id (with ``<item id>_then``, its rating looking back,
    where the cohort has any, and ``<item id>_note`` where the set has notes)."""
    item_ids = [item.id for item in qset.items]
    answered = db.execute(
        """SELECT a.item_id, MAX(a.then_rating IS NOT NULL) FROM cohort_leaders cl
           JOIN submissions s ON s.user_id = cl.user_id AND s.submitted_at >= cl.joined_at
           JOIN answers a ON a.submission_id = s.id WHERE cl.cohort_id = ? AND s.set_id = ? GROUP BY a.item_id""",
        [cohort_id, qset.id],
    ).fetchall()
    item_ids += sorted({item_id for item_id, _ in answered} - set(item_ids))  # items later versions dropped
    looked_back = any(then for _, then in answered)
    columns = list(_WIDE_FIXED)
    for item_id in item_ids:
        columns.append(item_id)
        if looked_back:
            columns.append(f"{item_id}_then")
        if qset.note_prompt:
            columns.append(f"{item_id}_note")
    return columns


def cohort_wide_csv(db: Database, actor: Actor, cohort_id: int, qset: QuestionSet, *,
                    checkpoint_id: int | None = None, bom: bool = False, labels: bool = False) -> bytes:
    """One row per leader per checkpoint for `qset` (see :func:`cohort_wide_chunks`)."""
    return b"".join(cohort_wide_chunks(db, actor, cohort_id, qset, checkpoint_id=checkpoint_id, bom=bom,
                                       labels=labels))


def cohort_wide_chunks(db: Database, actor: Actor, cohort_id: int, qset: QuestionSet, *,
                       checkpoint_id: int | None = None, bom: bool = False, labels: bool = False) -> Chunks:
    """The file for Excel ("wide"), with ratings as their labels if `labels`: one row per leader per checkpoint
    for `qset`: the submission that counts there (the one cohort charts use),
    one column per item (its rating, or its text if shared). Earlier submissions in a checkpoint, and any outside
    every checkpoint, are in the long file only. In chunks, as :func:`cohort_long_chunks`."""
    access.cohort_for(db, actor, cohort_id)
    return _wide_chunks(db, cohort_id, qset, checkpoint_id, bom, qset.scale if labels else None)


def _wide_chunks(db: Database, cohort_id: int, qset: QuestionSet, checkpoint_id: int | None,
                 bom: bool, scale: Sequence[str] | None) -> Chunks:
    zone = _zone_of(db, cohort_id)
    with read_snapshot(db):
        columns = wide_columns(db, cohort_id, qset)
        wide_row = _WideRow(columns, qset, zone, scale)
        header = io.StringIO(newline="")
        csv.writer(header, lineterminator="\r\n").writerow(_headers(columns, zone))
        parts, rows = [(BOM + header.getvalue() if bom else header.getvalue()).encode("utf-8")], 0
        for cells, body, wide in _placed_rows(db, cohort_id, qset.id, checkpoint_id, counted_only=True):
            parts.append(wide_row(cells, body, wide))
            rows += 1
            if rows == CHUNK_ROWS:
                yield b"".join(parts)
                parts, rows = [], 0
    if rest := b"".join(parts):
        yield rest


class _WideRow:
    """A submission's row of the wide file for `qset`, in the file's `columns`, with ratings as their labels on
    `scale` if one is given.

    Its answers were made into cells, Excel-safe, when it was submitted (reflect.domain.answer_rows). A checklist
    submission answering the set's items in the columns' order has its wide cells kept, and what the file has of
    them is taken with bytes operations. Any other's answers are read back from its rows of the long file by csv
    and put in their columns one by one. At 100,000 leaders the file takes 10–11 s this way; by csv alone it took
    13–18.5 s, and reading the 2.4 million answer rows themselves 17.5–18 s (SQLite pivoting them, 18–20 s).
    """

    _SHARED = _WIDE_FIXED.index("shared")

    def __init__(self, columns: Sequence[str], qset: QuestionSet, zone: ZoneInfo, scale: Sequence[str] | None
                 ) -> None:
        self._starts, self._cells = _RowStarts(zone), CsvCells("\r\n")
        items = columns[len(_WIDE_FIXED):]
        at = {column: index for index, column in enumerate(items)}
        self._places = {  # by the item id's cell in the long file: where its answer, then rating and note go
            excel_safe(column): (index, at.get(f"{column}_then"), at.get(f"{column}_note"))
            for index, column in enumerate(items) if not column.endswith(("_then", "_note"))}
        self._width = len(items)
        self._then, self._notes = f"{items[0]}_then" in at, f"{items[0]}_note" in at
        self._item_ids = answer_rows.item_ids([item.id for item in qset.items])
        self._after_items = b"," * (self._width - len(qset.items) * (1 + self._then + self._notes))  # dropped items
        self._labels = answer_rows.label_cells(scale or ())

    def __call__(self, cells: tuple, body: bytes, wide: bytes | None) -> bytes:
        shared = cells[self._SHARED]
        start = f"{self._starts(cells)}{shared:d},".encode()
        if wide is not None and (kept := answer_rows.wide_cells(
                wide, self._item_ids, then=self._then, notes=self._notes, shared=shared, labels=self._labels)):
            return start + (kept + self._after_items)[:-1] + b"\r\n"  # each cell ends in a comma
        row: list[object] = [None] * self._width
        answers = answer_rows.rows(body, b"", shared=shared, labels=self._labels).decode()
        for item_id, _, rating, then, _, text, note in csv.reader(io.StringIO(answers, newline="")):
            if (places := self._places.get(item_id)) is None:  # not an item of the file's set
                continue
            answer_at, then_at, note_at = places
            row[answer_at] = rating or text
            if then_at is not None:
                row[then_at] = then
            if note_at is not None:
                row[note_at] = note
        return start + self._cells(*row).encode()


def codebook_csv(db: Database, actor: Actor, cohort_id: int, qset: QuestionSet, *, bom: bool = False) -> bytes:
    """What each column of the wide file means (see :func:`codebook_chunks`)."""
    return b"".join(codebook_chunks(db, actor, cohort_id, qset, bom=bom))


def codebook_chunks(db: Database, actor: Actor, cohort_id: int, qset: QuestionSet, *,
                    bom: bool = False) -> Chunks:
    """What each column of the wide file means: question text per set version, and the scale's labels. It has a
    row per column and wording, whatever the cohort's size; chunks only so that every cohort file streams alike."""
    access.cohort_for(db, actor, cohort_id)
    return _codebook_chunks(db, cohort_id, qset, bom)


def _codebook_chunks(db: Database, cohort_id: int, qset: QuestionSet, bom: bool) -> Chunks:
    scale = "; ".join(f"{point} = {label}" for point, label in enumerate(qset.scale, start=1))
    wording = {(qset.version, item.id): item.text for item in qset.items}
    rows: list[dict[str, object]] = []
    with read_snapshot(db):
        for version, item_id, item_text in db.execute(
            """SELECT DISTINCT s.set_version, a.item_id, a.item_text FROM cohort_leaders cl
               JOIN submissions s ON s.user_id = cl.user_id AND s.submitted_at >= cl.joined_at
               JOIN answers a ON a.submission_id = s.id
               WHERE cl.cohort_id = ? AND s.set_id = ?""",
            [cohort_id, qset.id],
        ):
            wording.setdefault((version, item_id), item_text)
        columns = wide_columns(db, cohort_id, qset)
        zone = _zone_of(db, cohort_id)
    for column, header in zip(columns, _headers(columns, zone), strict=True):
        if column in _FIXED_MEANINGS:
            rows.append({"column": header, "question_text": _FIXED_MEANINGS[column], "set_id": "", "set_title": "",
                         "set_version": "", "kind": "", "scale_labels": ""})
            continue
        part = next((end for end in ("_note", "_then") if column.endswith(end)), "")
        item_id = column[: len(column) - len(part)]
        for (version, wording_item), text in sorted(wording.items()):
            if wording_item != item_id:
                continue
            rows.append({
                "column": column,
                "question_text": {"_note": f"{qset.note_prompt} (note on: {text})",
                                  "_then": f"Looking back, at the start of the module: {text}"}.get(part, text),
                "set_id": qset.id, "set_title": qset.title, "set_version": version,
                "kind": ("text" if part == "_note" or not qset.is_rating
                         else "rating looking back" if part == "_then" else "rating"),
                "scale_labels": scale if qset.is_rating and part != "_note" else "",
            })
    yield from _csv_chunks(rows, ("column", "question_text", "set_id", "set_title", "set_version", "kind",
                                  "scale_labels"), bom=bom, header=CODEBOOK_HEADER)


FEEDBACK_COLUMNS = ("cohort", "leader_id", "leader_name", "leader_email", "checkpoint", "submission_id",
                    "submitted_at", "set_id", "from", "author_name", "written_at", "message")


def feedback_csv(db: Database, actor: Actor, cohort_id: int, *, checkpoint_id: int | None = None,
                 bom: bool = False) -> bytes:
    """The conversations on the cohort's shared submissions (see :func:`feedback_chunks`)."""
    return b"".join(feedback_chunks(db, actor, cohort_id, checkpoint_id=checkpoint_id, bom=bom))


def feedback_chunks(db: Database, actor: Actor, cohort_id: int, *, checkpoint_id: int | None = None,
                    bom: bool = False) -> Chunks:
    """One row per message on a submission the cohort's leaders share now (as its facilitators see them), in the
    order written: "from" is facilitator or leader."""
    access.cohort_for(db, actor, cohort_id)
    return _feedback_chunks(db, cohort_id, checkpoint_id, bom)


def _feedback_chunks(db: Database, cohort_id: int, checkpoint_id: int | None, bom: bool) -> Chunks:
    zone = _zone_of(db, cohort_id)
    with read_snapshot(db):
        rows = db.execute(
            f"""WITH {_PLACED}
                SELECT c.name AS cohort, placed.user_id AS leader_id, placed.name AS leader_name,
                       placed.email AS leader_email, placed.checkpoint, placed.id AS submission_id,
                       placed.submitted_at, placed.set_id,
                       CASE WHEN f.author_id = placed.user_id THEN 'leader' ELSE 'facilitator' END AS "from",
                       COALESCE(u.name, 'a deleted account') AS author_name, f.written_at, f.body AS message
                FROM placed JOIN cohorts c ON c.id = :cohort_id
                JOIN feedback f ON f.submission_id = placed.id LEFT JOIN users u ON u.id = f.author_id
                WHERE placed.shared ORDER BY placed.name COLLATE NOCASE, placed.email, placed.submitted_at,
                      f.written_at, f.id""",
            {"cohort_id": cohort_id, "set_id": None, "checkpoint_id": checkpoint_id})
        columns = [column[0] for column in rows.description]
        yield from _csv_chunks((_with_local_times(dict(zip(columns, row, strict=True)), zone) for row in rows),
                               FEEDBACK_COLUMNS, bom=bom, header=_headers(FEEDBACK_COLUMNS, zone))


def _with_local_times(row: dict[str, object], zone: ZoneInfo) -> dict[str, object]:
    for column in _LOCAL_TIMES:
        if column in row:
            row[column] = _local(row[column], zone)  # type: ignore[arg-type]
    return row


CODEBOOK_HEADER = ("Column", "Meaning", "Question set id", "Question set", "Question set version", "Kind",
                   "Scale labels")


def logged(db: Database, actor: Actor, cohort_id: int, description: str, make: CohortFile) -> bytes:
    """Make a cohort export with ``make(db, actor, cohort_id)`` and record in the audit log who took it (no account
    for the command line). Bind a file's other arguments first: ``functools.partial(cohort_wide_csv, qset=…)``."""
    access.cohort_for(db, actor, cohort_id)
    data = make(db, actor, cohort_id)
    _record_export(db, actor, cohort_id, f"{description}, {len(data):,} bytes")
    return data


def logged_stream(db: Database, actor: Actor, cohort_id: int, description: str,
                  make: CohortStream) -> Chunks:
    """Start a cohort export with ``make(db, actor, cohort_id)`` (a ``…_chunks`` function, which checks access
    first) and record who took it before the first byte: a download cut short has still taken data, so it is
    logged whatever happens next (its size is not known yet). Return the chunks, read as they are taken."""
    chunks = make(db, actor, cohort_id)
    _record_export(db, actor, cohort_id, description)
    return chunks


def _record_export(db: Database, actor: Actor, cohort_id: int, detail: str) -> None:
    with write_transaction(db):
        audit.record(db, actor_id=actor.id, action=audit.EXPORTED, cohort_id=cohort_id, detail=detail)


def invitations_csv(invited: list[roster.Invited], *, bom: bool = False) -> bytes:
    """The codes for a mail merge: name, email, invitation_code."""
    return to_csv(({"name": i.name, "email": i.email, "invitation_code": i.code} for i in invited),
                  ("name", "email", "invitation_code"), bom=bom)


ABOUT_ME_COLUMNS = ("kind", "when", "what", "detail")


def about_me_csv(db: Database, user_id: int, *, bom: bool = False) -> bytes:
    """Everything else Reflect holds about a person, beside their answers: their account, their cohort, the feedback
    on their submissions (and their replies) and the audit log's entries of what they did. (Answers are in
    :func:`leader_csv`; the password hash is not given out.)"""
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
    rows += [{"kind": "feedback", "when": written_at,
              "what": f"from {author} on your submission of {_local(submitted_at, ZoneInfo('UTC'))} UTC",
              "detail": body}
             for written_at, author, submitted_at, body in db.execute(
                 """SELECT f.written_at, COALESCE(u.name, 'a deleted account'), s.submitted_at, f.body
                    FROM feedback f JOIN submissions s ON s.id = f.submission_id LEFT JOIN users u ON u.id = f.author_id
                    WHERE s.user_id = ? ORDER BY f.written_at, f.id""", [user_id])]
    rows += [{"kind": "activity", "when": at, "what": action, "detail": detail}
             for at, action, detail in db.execute(
                 "SELECT at, action, detail FROM audit_log WHERE actor_id = ? ORDER BY at, id", [user_id])]
    return to_csv(rows, ABOUT_ME_COLUMNS, bom=bom)
