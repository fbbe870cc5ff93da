"""CSV exports that are safe to open in Excel.

Text cells that Excel would read as a formula (starting ``= + - @``, tab, CR or LF) get a leading apostrophe
(OWASP "CSV injection"); numbers stay numbers; rows end in CRLF and cells holding line breaks are quoted.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping

from sqlite_utils import Database

from reflect import responses
from reflect.questions import QuestionSet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
BOM = "\ufeff"

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
