"""Each submission's rows of the exports, made once, when it is submitted.

A submission never changes, so the text of its answers' rows in the file for analysis (reflect.reporting.export)
is made as it is stored, not again on every export, and so are a checklist submission's cells of the file for
Excel. At 100,000 leaders on the 2-core machine, reading every answer row into Python took the first 28 s and the
second 22–27 s; one stored text per submission makes the same bytes in 10–12 s.

What can change after submitting is left as a mark, filled in as a file is written (:func:`rows`, :func:`wide_cells`):
each row's start (the leader's and the submission's cells), whether it is shared (its cell, and the free text only
a shared submission shows), the scale's labels for a file with ratings as labels, and which of a checklist's
columns the file has. The marks are control characters, which stored text never holds (reflect.domain.text refuses
them); they are dropped from anything else (question wording, labels).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from itertools import groupby
from operator import itemgetter

from sqlite_utils import Database

from reflect.domain.text import CsvCells

# The marks: where each answer's row starts (the submission's cells go here); the "shared" cell (1 or 0); and around
# an answer's free text and note, which only a shared submission shows. A rating of 1 to 10 is the one character
# _POINT + rating, so that a label can take its place. In the wide cells: the end of the item ids, and the rating
# looking back and the note, each of which the file may have no column for.
_ROW, _SHARED, _TEXT, _END_TEXT = b"\x1e", b"\x1f", b"\x02", b"\x03"
_IDS_END, _THEN, _NOTE = b"\x04", b"\x05", b"\x06"
_POINT = 0x10
_NUMBERS = bytes.maketrans(bytes(range(_POINT + 1, _POINT + 10)), b"123456789")
_HIDDEN_TEXT = re.compile(re.escape(_TEXT) + b"[^" + re.escape(_END_TEXT) + b"]*" + re.escape(_END_TEXT))


def made(answers: Sequence[Sequence]) -> tuple[bytes, bytes | None]:
    """One submission's rows of the long file and, if every answer is rated (a checklist's), its cells of the wide
    file; from its answers in the order given, each as the answers table holds it: (item_id, item_text, rating,
    text, note, then_rating).

    Each row is its mark of where it starts, then the item, its ratings, the shared cell's mark and the free text
    between its marks (two empty cells if there is none). The wide cells are the item ids, then for each answer its
    rating, its rating looking back after its mark and its note after its mark (between the free text's marks),
    each followed by a comma."""
    cell_text = CsvCells()

    def cells(*values: object) -> bytes:
        return cell_text(*values).encode("utf-8")

    rows, wide = [], []
    for item_id, item_text, rating, text, note, then_rating in answers:
        free_text = b"," if text is None and note is None else _TEXT + cells(text, note) + _END_TEXT
        rows.append(b"%s%s,%s,%s,%s,%s\r\n" % (_ROW, cells(item_id, item_text), _point(rating), _point(then_rating),
                                                _SHARED, free_text))
        wide.append(b"%s,%s%s,%s%s," % (_point(rating), _THEN, _point(then_rating), _NOTE,
                                        _TEXT + cells(note) + _END_TEXT if note else b""))
    if any(answer[2] is None for answer in answers):
        return b"".join(rows), None
    return b"".join(rows), cells(*(answer[0] for answer in answers)) + _IDS_END + b"".join(wide)


def item_ids(ids: Sequence[str]) -> bytes:
    """Item ids as :func:`made` keeps them in a submission's wide cells, for :func:`wide_cells` to compare."""
    return CsvCells()(*ids).encode("utf-8")


def label_cells(scale: Sequence[str]) -> list[bytes]:
    """Each label of `scale` as a cell, point 1 first, for :func:`rows` and :func:`wide_cells` to put in place of a
    rating: made as every other cell is, so that no label holds a mark."""
    cell = CsvCells()
    return [cell(label).encode("utf-8") for label in scale]


def _point(rating: int | None) -> bytes:
    if rating is None:
        return b""
    return bytes([_POINT + rating]) if 1 <= rating <= 10 else b"%d" % rating


def store(db: Database, answers: Iterable[Sequence]) -> None:
    """Keep what :func:`made` makes of each submission among `answers`, given as the answers table's rows
    (submission_id first), one submission's after another, in the order answered. Call in the transaction that
    stores the answers."""
    db.conn.executemany(
        "INSERT INTO answer_rows (submission_id, body, wide) VALUES (?, ?, ?)",
        ((submission_id, *made([answer[1:] for answer in its]))
         for submission_id, its in groupby(answers, key=itemgetter(0))),
    )


def count(body: bytes) -> int:
    """How many rows `body` (a submission's, as :func:`made` makes them) holds."""
    return body.count(_ROW)


def rows(body: bytes, start: bytes, *, shared: bool, labels: Sequence[bytes] = ()) -> bytes:
    """A submission's rows as the file holds them: each starting with `start` (its cells, ending in a comma), its
    free text only if `shared`, and each rating as its cell in `labels` (point 1 first) where there is one."""
    body = body.replace(_SHARED, b"1" if shared else b"0")
    if _TEXT in body:
        body = body.replace(_TEXT, b"").replace(_END_TEXT, b"") if shared else _HIDDEN_TEXT.sub(b",", body)
    return _ratings(body, labels).replace(_ROW, start)


def wide_cells(wide: bytes, item_ids: bytes, *, then: bool, notes: bool, shared: bool,
               labels: Sequence[bytes] = ()) -> bytes | None:
    """A checklist submission's cells in the wide file (`wide`, as :func:`made` makes them), each followed by a comma:
    for each answer, its rating, then its rating looking back if `then` and its note if `notes` (empty unless
    `shared`); ratings as in :func:`rows`. None unless its items are `item_ids` (as :func:`item_ids` makes them)
    and the file has a column for everything it holds."""
    ids, _, wide = wide.partition(_IDS_END)
    if ids != item_ids:
        return None
    if not shared and _TEXT in wide:
        wide = _HIDDEN_TEXT.sub(b"", wide)
    if not then:
        wide = wide.replace(_THEN + b",", b"")
    if not notes:
        wide = wide.replace(_NOTE + b",", b"")
    if (not then and _THEN in wide) or (not notes and _NOTE in wide):
        return None
    return _ratings(wide.replace(_THEN, b"").replace(_NOTE, b"").replace(_TEXT, b"").replace(_END_TEXT, b""), labels)


def _ratings(body: bytes, labels: Sequence[bytes]) -> bytes:
    """`body` with each rating's mark as its cell in `labels` (point 1 first) where there is one, else its number."""
    for point, label in enumerate(labels[:10], start=1):
        body = body.replace(bytes([_POINT + point]), label)
    return body.replace(bytes([_POINT + 10]), b"10").translate(_NUMBERS)
