"""Roster import: a facilitator adds leaders from a CSV of names and emails.

Every row is checked before anything is written (:func:`check_roster`); problems are reported by the line number a
spreadsheet shows. Only a clean check can be imported (:func:`import_roster`), in one transaction; each new leader
gets a one-time invitation code to set their password.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlite_utils import Database

from reflect import access, accounts, audit, cohorts, invitations
from reflect.accounts import AccountError, User
from reflect.db import write_transaction
from reflect.export import to_csv

MAX_BYTES = 1_000_000
MAX_ROWS = 5000
REQUIRED = ("name", "email")
EXAMPLE = b"name,email\r\nAisha Khan,aisha.khan@school.org.uk\r\nTom Evans,t.evans@school.org.uk\r\n"


class RosterError(Exception):
    """A roster that cannot be imported as it stands; the message says why."""


@dataclass(frozen=True)
class RosterRow:
    line: int
    name: str
    email: str


@dataclass(frozen=True)
class RosterProblem:
    line: int
    message: str


@dataclass(frozen=True)
class RosterCheck:
    to_add: list[RosterRow] = field(default_factory=list)  # new accounts, each with an invitation code
    to_join: list[RosterRow] = field(default_factory=list)  # leaders with an account, joining this cohort
    problems: list[RosterProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.to_add or self.to_join)


@dataclass(frozen=True)
class Invited:
    name: str
    email: str
    code: str


def check_roster(db: Database, actor: User, cohort_id: int, data: bytes) -> RosterCheck:
    """Check a roster CSV against the cohort and the accounts that exist, for someone who runs it; write nothing."""
    access.cohort_for(db, actor, cohort_id)
    if len(data) > MAX_BYTES:
        return _problem(1, f"The file is {len(data):,} bytes; the limit is {MAX_BYTES:,}. Split it into smaller files.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return _problem(line, "The file is not UTF-8 text. In Excel, save it as “CSV UTF-8 (Comma delimited)”.")
    if not text.strip():
        return _problem(1, "The file is empty. It needs a header row with name and email, then one row per leader.")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [column.strip().lower() for column in next(reader)]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        return _problem(1, f"The header row has no {' or '.join(missing)} column. The first row must name the "
                           "columns, for example: name,email")
    name_at, email_at = header.index("name"), header.index("email")
    rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    if not rows:
        return _problem(1, "The file has a header row but no leaders in it.")
    if len(rows) > MAX_ROWS:
        return _problem(1, f"The file has {len(rows):,} leaders; the limit is {MAX_ROWS:,}. Split it into parts.")

    in_cohort = {email for (email,) in db.execute(
        "SELECT u.email FROM users u JOIN cohort_leaders l ON l.user_id = u.id WHERE l.cohort_id = ?", [cohort_id])}
    roles = dict(db.execute("SELECT email, role FROM users").fetchall())
    first_seen: dict[str, int] = {}
    check = RosterCheck()
    for line, row in rows:
        cells = row + [""] * (len(header) - len(row))
        try:
            name = accounts.check_name(cells[name_at])
        except AccountError:
            check.problems.append(RosterProblem(line, "The name is missing (or is more than one line)."))
            continue
        try:
            email = accounts.check_email(cells[email_at])
        except AccountError:
            shown = cells[email_at].strip()
            check.problems.append(RosterProblem(line, f"“{shown}” is not an email address." if shown
                                                else "The email is missing."))
            continue
        if email in first_seen:
            check.problems.append(RosterProblem(line, f"{email} is already on line {first_seen[email]}."))
        elif email in in_cohort:
            check.problems.append(RosterProblem(line, f"{email} is already in this cohort."))
        elif roles.get(email) == accounts.FACILITATOR:
            check.problems.append(RosterProblem(line, f"{email} belongs to a facilitator's account."))
        elif email in roles:
            check.to_join.append(RosterRow(line, name, email))
        else:
            check.to_add.append(RosterRow(line, name, email))
        first_seen.setdefault(email, line)
    return check


def import_roster(db: Database, actor: User, cohort_id: int, check: RosterCheck) -> list[Invited]:
    """Import a clean check in one transaction; return each new leader's invitation code (shown only once)."""
    access.cohort_for(db, actor, cohort_id)
    if not check.ok:
        raise RosterError("Fix the problems in the file, then check it again before importing.")
    invited = []
    with write_transaction(db):
        for row in check.to_add:
            if db.execute("SELECT 1 FROM users WHERE email = ?", [row.email]).fetchone():
                raise RosterError(f"{row.email} (line {row.line}) has joined since the file was checked. "
                                  "Check the file again; nothing was imported.")
            user = accounts.insert_user(db, row.name, row.email, accounts.LEADER, accounts.INVITED)
            cohorts.add_leader(db, cohort_id, user.id)
            invited.append(Invited(row.name, row.email, invitations.invite(db, actor.id, user.id)))
        for row in check.to_join:
            user_id = db.execute("SELECT id FROM users WHERE email = ? AND role = ?",
                                 [row.email, accounts.LEADER]).fetchone()
            if user_id is None:
                raise RosterError(f"{row.email} (line {row.line}) changed since the file was checked. "
                                  "Check the file again; nothing was imported.")
            cohorts.add_leader(db, cohort_id, user_id[0])
        audit.record(db, actor_id=actor.id, action=audit.IMPORTED, cohort_id=cohort_id,
                     detail=f"{len(check.to_add)} new leaders invited, {len(check.to_join)} existing leaders added")
    return invited


def invitations_csv(invited: list[Invited], *, bom: bool = False) -> bytes:
    """The codes for a mail merge: name, email, invitation_code."""
    return to_csv(({"name": i.name, "email": i.email, "invitation_code": i.code} for i in invited),
                  ("name", "email", "invitation_code"), bom=bom)


def _problem(line: int, message: str) -> RosterCheck:
    return RosterCheck(problems=[RosterProblem(line, message)])
