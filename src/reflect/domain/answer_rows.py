"""Each submission's rows of the long export, made once, when it is submitted.

A submission never changes, so the text of its answers' rows in the file for analysis (reflect.reporting.export)
is made as it is stored, not again on every export: at 100,000 leaders, reading 2.9 million answer rows into Python
took that export 28 s on the 2-core machine; one stored text per submission makes the same bytes in 12 s.

What can change after submitting is left as a mark, filled in as the file is written (:func:`rows`): each row's
start (the leader's and the submission's cells), whether it is shared (its cell, and the free text only a shared
submission shows) and, for a file with ratings as labels, the scale's labels. The marks are control characters,
which stored text never holds (reflect.domain.text refuses them); they are dropped from anything else.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from itertools import groupby
from operator import itemgetter

from sqlite_utils import Database

from reflect.domain.text import excel_safe

# The marks: where each answer's row starts (the submission's cells go here); the "shared" cell (1 or 0); and around
# an answer's free text and note, which only a shared submission shows. A rating of 1 to 10 is the one character
# _POINT + rating, so that a label can take its place.
_ROW, _SHARED, _TEXT, _END_TEXT = b"\x1e", b"\x1f", b"\x02", b"\x03"
_POINT = 0x10
_NUMBERS = bytes.maketrans(bytes(range(_POINT + 1, _POINT + 10)), b"123456789")
_HIDDEN_TEXT = re.compile(re.escape(_TEXT) + b"[^" + re.escape(_END_TEXT) + b"]*" + re.escape(_END_TEXT))
_NOT_KEPT = dict.fromkeys(set(range(0x20)) - {ord("\t"), ord("\n")})  # so that no cell holds a mark


def made(answers: Iterable[Sequence]) -> bytes:
    """One submission's rows, from its answers in the order given, each as the answers table holds it: (item_id,
    item_text, rating, text, note, then_rating). Each row is its mark of where it starts, then the item, its
    ratings, the shared cell's mark and the free text between its marks (two empty cells if there is none)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")

    def cells(*values: object) -> bytes:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([excel_safe(value.translate(_NOT_KEPT)) if isinstance(value, str) else value
                         for value in values])
        return buffer.getvalue()[:-2].encode("utf-8")  # written as a row: the csv module quotes a cell holding CR or LF

    rows = []
    for item_id, item_text, rating, text, note, then_rating in answers:
        free_text = b"," if text is None and note is None else _TEXT + cells(text, note) + _END_TEXT
        rows.append(b"%s%s,%s,%s,%s,%s\r\n" % (_ROW, cells(item_id, item_text), _point(rating), _point(then_rating),
                                                _SHARED, free_text))
    return b"".join(rows)


def _point(rating: int | None) -> bytes:
    if rating is None:
        return b""
    return bytes([_POINT + rating]) if 1 <= rating <= 10 else b"%d" % rating


def store(db: Database, answers: Iterable[Sequence]) -> None:
    """Keep the rows of each submission among `answers`, given as the answers table's rows (submission_id first),
    one submission's after another, in the order answered. Call in the transaction that stores the answers."""
    db.conn.executemany(
        "INSERT INTO answer_rows (submission_id, body) VALUES (?, ?)",
        ((submission_id, made(answer[1:] for answer in its))
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
    for point, label in enumerate(labels[:10], start=1):
        body = body.replace(bytes([_POINT + point]), label)
    return body.replace(bytes([_POINT + 10]), b"10").translate(_NUMBERS).replace(_ROW, start)
