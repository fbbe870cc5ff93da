"""Roster import: a facilitator adds leaders from a CSV of names and emails.

Every row is checked before anything is written (:func:`check_roster`); problems are reported by the line number a
spreadsheet shows. Only a clean check can be imported (:func:`import_roster`), in one transaction; each new leader
gets a one-time invitation code to set their password. Someone who already has an account is not added: they get an
invitation to the cohort, which they accept or decline when they next sign in
(:mod:`reflect.domain.cohort_invitations`). People already in the cohort are skipped, not a problem, so the same
class list can be uploaded again with a few names added.

What the facilitator is shown never tells whether an email already has an account (:func:`preview`,
:func:`imported_message`): otherwise a roster would be a way to find out who uses Reflect. A skipped row tells only
that the email is in this cohort (a member, or invited to it), which its facilitators can already see.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlite_utils import Database

from reflect.domain import access, accounts, audit, cohort_invitations, cohorts, invitations
from reflect.domain.access import Actor
from reflect.domain.accounts import AccountError
from reflect.domain.text import is_blank
from reflect.storage.db import write_transaction

MAX_BYTES = 1_000_000
MAX_ROWS = 5000
REQUIRED = ("name", "email")
EXAMPLE = b"name,email\r\nAisha Khan,aisha.khan@school.org.uk\r\nTom Evans,t.evans@school.org.uk\r\n"
# The same line for every leader of a clean file, new or with an account: the preview must not tell them apart.
WILL_HAPPEN = "Will be invited to this cohort"
# Members and people with an unanswered invitation alike: the preview does not tell those apart either.
SKIPPED = "Already in this cohort — skipped"
NOTHING_TO_IMPORT = "Nothing to import: everyone in the file is already in this cohort."


def imported_message(count: int) -> str:
    """What an import says, beside the codes of the new accounts, whatever mix of people the file held."""
    invited = "1 leader was invited" if count == 1 else f"{count:,} leaders were invited"
    return (f"{invited}. Invitation codes are shown only now, below, and work for 14 days: send each new leader "
            "theirs (they choose **Use an invitation** on the sign-in screen). People who already have a Reflect "
            "account get no code: they see the invitation when they sign in, and join this cohort only if they "
            "accept it.")


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
    to_join: list[RosterRow] = field(default_factory=list)  # leaders with an account, invited to this cohort
    skipped: list[RosterRow] = field(default_factory=list)  # already in this cohort, or invited to it: left alone
    problems: list[RosterProblem] = field(default_factory=list)

    @property
    def to_invite(self) -> int:
        """How many the import invites: the skipped are not counted, as nothing happens to them."""
        return len(self.to_add) + len(self.to_join)

    @property
    def ok(self) -> bool:
        return not self.problems and self.to_invite > 0


@dataclass(frozen=True)
class Invited:
    name: str
    email: str
    code: str


def check_roster(db: Database, actor: Actor, cohort_id: int, data: bytes) -> RosterCheck:
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
    try:
        records = _records(text)
    except _Unreadable as error:
        return _problem(error.line, str(error))
    header = [column.strip().lower() for column in records[0][1]]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        return _problem(1, f"The header row has no {' or '.join(missing)} column. The first row must name the "
                           "columns, for example: name,email")
    name_at, email_at = header.index("name"), header.index("email")
    rows = [(line, row) for line, row in records[1:] if any(cell.strip() for cell in row)]
    if not rows:
        return _problem(1, "The file has a header row but no leaders in it.")
    if len(rows) > MAX_ROWS:
        return _problem(1, f"The file has {len(rows):,} leaders; the limit is {MAX_ROWS:,}. Split it into parts.")

    # Members, and people with an unanswered invitation, are skipped alike, so the preview does not tell them apart.
    in_cohort = {email for (email,) in db.execute(
        """SELECT u.email FROM users u JOIN cohort_leaders l ON l.user_id = u.id WHERE l.cohort_id = :cohort
           UNION SELECT u.email FROM users u JOIN cohort_invitations i ON i.user_id = u.id
           WHERE i.cohort_id = :cohort AND i.answered_at IS NULL""", {"cohort": cohort_id})}
    roles = dict(db.execute("SELECT email, role FROM users").fetchall())
    first_seen: dict[str, int] = {}
    check = RosterCheck()
    for line, row in rows:
        cells = row + [""] * (len(header) - len(row))
        try:
            name = accounts.check_name(cells[name_at])
        except AccountError as error:
            check.problems.append(RosterProblem(line, "The name is missing." if is_blank(cells[name_at])
                                                else str(error)))
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
            check.skipped.append(RosterRow(line, name, email))
        elif roles.get(email) == accounts.FACILITATOR:
            check.problems.append(RosterProblem(line, f"{email} belongs to a facilitator's account."))
        elif email in roles:
            check.to_join.append(RosterRow(line, name, email))
        else:
            check.to_add.append(RosterRow(line, name, email))
        first_seen.setdefault(email, line)
    return check


def preview(check: RosterCheck) -> list[dict[str, object]]:
    """The rows of a checked file as the facilitator sees them before importing, in file order: the same for a new
    email and one that has an account; the skipped are shown too, so every name in the file is accounted for."""
    happens = [(row, WILL_HAPPEN) for row in check.to_add + check.to_join] + [(row, SKIPPED) for row in check.skipped]
    return [{"Line": row.line, "Name": row.name, "Email": row.email, "What will happen": what}
            for row, what in sorted(happens, key=lambda pair: pair[0].line)]


def import_roster(db: Database, actor: Actor, cohort_id: int, check: RosterCheck) -> list[Invited]:
    """Import a clean check in one transaction; return each new leader's invitation code (shown only once).

    New emails get an account in the cohort and a code. A leader who already has an account gets an invitation to
    the cohort instead, and joins only if they accept it; their account is not changed. Skipped rows are left alone.
    """
    access.cohort_for(db, actor, cohort_id)
    if check.problems:
        raise RosterError("Fix the problems in the file, then check it again before importing.")
    if not check.ok:
        raise RosterError(NOTHING_TO_IMPORT)
    invited = []
    with write_transaction(db):
        for row in check.to_add:
            if db.execute("SELECT 1 FROM users WHERE email = ?", [row.email]).fetchone():
                raise RosterError(f"Line {row.line}: an account with that email was made since the file was checked. "
                                  "Check the file again; nothing was imported.")
            user = accounts.insert_user(db, row.name, row.email, accounts.LEADER, accounts.INVITED)
            cohorts.add_leader(db, cohort_id, user.id)
            invited.append(Invited(row.name, row.email, invitations.invite(db, actor.id, user.id)))
        for row in check.to_join:
            user_id = db.execute("SELECT id FROM users WHERE email = ? AND role = ?",
                                 [row.email, accounts.LEADER]).fetchone()
            if user_id is None:
                raise RosterError(f"Line {row.line}: that leader's account changed since the file was checked. "
                                  "Check the file again; nothing was imported.")
            cohort_invitations.invite(db, cohort_id, user_id[0], invited_by=actor.id)
        # The log is read by the cohort's facilitators: one count, not how many already had an account, nor the
        # skipped, who were not invited again.
        audit.record(db, actor_id=actor.id, action=audit.IMPORTED, cohort_id=cohort_id,
                     detail=f"{check.to_invite} leader{'' if check.to_invite == 1 else 's'} invited")
    return invited


class _Unreadable(Exception):
    """A record the csv module cannot read, with the line it starts on; the message says what to fix."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


def _records(text: str) -> list[tuple[int, list[str]]]:
    """Every CSV record with the line it ends on, or :class:`_Unreadable` for the first that cannot be read."""
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[tuple[int, list[str]]] = []
    while True:
        starts_on = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return records
        except csv.Error as error:
            raise _Unreadable(starts_on, _unreadable_because(error)) from None
        records.append((reader.line_num, row))


def _unreadable_because(error: csv.Error) -> str:
    if "field larger than field limit" in str(error):
        return (f"A cell on this line is longer than {csv.field_size_limit():,} characters, more than a name or "
                "email can be. Look for a quote mark (\") that is never closed, which runs the rest of the file into "
                "one cell, and close or remove it; or remove the long text.")
    return (f"This line cannot be read as CSV (the reader says: {error}). Save the file again as CSV from your "
            "spreadsheet and check this line.")


def _problem(line: int, message: str) -> RosterCheck:
    return RosterCheck(problems=[RosterProblem(line, message)])
