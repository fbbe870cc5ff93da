"""A database that is not there, not a database, locked by another program or read-only: a clear message on
screen, what was typed stays in the box, and nothing on disk is overwritten."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from reflect.domain import responses
from reflect.domain.questions import load_question_sets
from reflect.storage import db as reflect_db

from .conftest import ROOT, app_as, signed_in_app

REFLECTION = load_question_sets(ROOT / "questions")[0]["personal-reflection"]
KEY = "personal-reflection:q01:text"


def test_a_file_that_is_not_a_database_is_named_and_left_alone(tmp_path, monkeypatch):
    path = tmp_path / "notes.db"
    path.write_bytes(b"These are my meeting notes, not a database.\n" * 40)
    monkeypatch.setenv("REFLECT_DB", str(path))
    at = app_as(None)
    assert "Reflect cannot open its database" in at.error[0].value and str(path) in at.error[0].value
    assert "not a database" in at.error[0].value
    assert path.read_bytes() == b"These are my meeting notes, not a database.\n" * 40


def test_a_missing_database_is_created_and_the_set_up_screen_says_where(tmp_path, monkeypatch):
    path = tmp_path / "new" / "reflect.db"
    monkeypatch.setenv("REFLECT_DB", str(path))
    at = app_as(None)
    assert at.title[0].value == "Set up Reflect"
    assert [code.value for code in at.code] == [str(path)]
    assert path.is_file()


def test_a_locked_database_keeps_the_text_and_says_to_try_again(people, db, db_path, monkeypatch):
    monkeypatch.setattr(reflect_db, "BUSY_TIMEOUT_MS", 200)
    responses.save_draft(db, people.leader.id, REFLECTION, "q01", text="Saved before the lock")
    at = app_as(people.leader, "pages/reflect.py")
    other_program = sqlite3.connect(db_path, isolation_level=None)
    other_program.execute("BEGIN EXCLUSIVE")
    try:
        at.text_area(key=KEY).input("Typed while another program held the database").run()
        assert any("another program is holding the database" in error.value for error in at.error)
        assert at.text_area(key=KEY).value == "Typed while another program held the database"
    finally:
        other_program.execute("ROLLBACK")
        other_program.close()
    assert responses.drafts(db, people.leader.id, REFLECTION.id)["q01"].text == "Saved before the lock"
    at.text_area(key=KEY).input("Typed while another program held the database, again").run()
    assert not at.error
    assert responses.drafts(db, people.leader.id, REFLECTION.id)["q01"].text.endswith("again")


def test_a_read_only_database_says_so_and_keeps_its_contents(people, db, db_path):
    responses.save_draft(db, people.leader.id, REFLECTION, "q01", text="Saved before it became read-only")
    # Signing in is a write, so it is done while the file can be written, through the test's own connection: SQLite
    # would reuse the file handle of a connection closed meanwhile, still writable, for the page's.
    signed_in = signed_in_app(people.leader, db)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = db_path.read_bytes()
    if subprocess.run(["chattr", "+i", str(db_path)], capture_output=True).returncode != 0:
        pytest.skip("this filesystem cannot mark a file immutable (chattr +i), so read-only cannot be simulated")
    try:
        at = app_as(people.leader, "pages/reflect.py", at=signed_in)
        if at.error:  # refused at open: also a clear message
            assert "Reflect cannot open its database" in at.error[0].value
        else:
            at.text_area(key=KEY).input("Typed into a read-only database").run()
            assert any("read-only" in error.value for error in at.error)
            assert at.text_area(key=KEY).value == "Typed into a read-only database"
    finally:
        subprocess.run(["chattr", "-i", str(db_path)], check=True)
    assert db_path.read_bytes() == before


def test_the_command_line_names_the_problem(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"not a database at all\n" * 30)
    for command in (["init", "--db", str(path)], ["backup", "--db", str(path), "--to", str(tmp_path / "b.db")],
                    ["export", "--db", str(path), "--cohort", "x"]):
        result = subprocess.run([sys.executable, "-m", "reflect", *command], cwd=ROOT, capture_output=True,
                                text=True, timeout=60)
        assert result.returncode == 2, (command, result.stderr)
        assert str(path) in result.stderr and "not a database" in result.stderr
    assert path.read_bytes() == b"not a database at all\n" * 30
    missing = subprocess.run([sys.executable, "-m", "reflect", "export", "--db", str(tmp_path / "none.db"),
                              "--cohort", "x"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and "there is no database" in missing.stderr
