"""Every connection is set up the same way, the schema is brought up to date once, by migrations, and an online
backup is consistent while a writer is active, never overwrites, and restores to a working database."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading

import pytest

from reflect.domain import responses
from reflect.settings import db_path
from reflect.storage.db import DatabaseUnavailable, backup, health, open_db, read_snapshot, write_transaction
from reflect.storage.migrations import migrations

from .cohort_data import ROOT, TINY, cohort_with_windows, facilitator, leaders


def test_every_connection_uses_wal_a_busy_timeout_and_foreign_keys(tmp_path):
    db = open_db(tmp_path / "reflect.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_migrations_apply_once_in_order_and_reopening_is_harmless(tmp_path):
    path = tmp_path / "reflect.db"
    open_db(path).close()
    db = open_db(path)
    applied = [row[0] for row in db.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    assert applied == ["0001_initial", "0002_checkpoints_sharing_invitations", "0003_audit_log",
                       "0004_answers_ratings_index", "0005_tally", "0006_administrators",
                       "0007_checkpoint_days", "0008_cohort_invitations", "0009_sessions", "0010_feedback",
                       "0011_looking_back", "0012_cohort_versions", "0013_answer_rows"]
    indexes = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "answers_ratings" in indexes


def test_the_database_file_comes_from_reflect_db(monkeypatch, tmp_path):
    monkeypatch.setenv("REFLECT_DB", str(tmp_path / "elsewhere.db"))
    assert db_path() == tmp_path / "elsewhere.db"
    monkeypatch.delenv("REFLECT_DB")
    assert str(db_path()) == "data/reflect.db"


def test_reads_in_a_snapshot_do_not_see_what_is_written_meanwhile(tmp_path):
    reader, writer = open_db(tmp_path / "reflect.db"), open_db(tmp_path / "reflect.db")
    count = "SELECT COUNT(*) FROM cohorts"
    with read_snapshot(reader):
        assert reader.execute(count).fetchone()[0] == 0
        with write_transaction(writer):
            writer.execute("INSERT INTO users (email, name, role, password_hash, created_at) "
                           "VALUES ('f@x.org', 'F', 'facilitator', 'x', 'now')")
            writer.execute("INSERT INTO cohorts (name, join_code, created_by, created_at) VALUES ('N', 'C', 1, 'now')")
        assert reader.execute(count).fetchone()[0] == 0
    assert reader.execute(count).fetchone()[0] == 1


def test_an_error_that_ends_a_snapshot_early_is_the_error_raised(tmp_path):
    db = open_db(tmp_path / "reflect.db")
    with pytest.raises(DatabaseUnavailable, match="within a transaction"), read_snapshot(db):
        db.execute("SELECT COUNT(*) FROM users").fetchone()
        with write_transaction(db):  # a write cannot start inside a read: rolled back, reported
            pass
    assert not db.conn.in_transaction




def test_backup_while_a_writer_submits_is_consistent_and_restores(tmp_path):
    path = tmp_path / "live.db"
    db = open_db(path)
    [leader] = leaders(db, cohort_with_windows(db, facilitator(db)), 1)
    stop = threading.Event()
    written = []

    def keep_submitting():
        writer = open_db(path)
        number = 0
        while not stop.is_set() and number < 2000:
            for item in TINY.items:
                responses.save_draft(writer, leader.id, TINY, item.id, rating=number % 3 + 1)
            written.append(responses.submit(writer, leader.id, TINY, f"t{number}"))
            number += 1
        writer.close()

    thread = threading.Thread(target=keep_submitting)
    thread.start()
    while len(written) < 20:  # let the writer get going
        thread.join(0.01)
    copy = tmp_path / "backup.db"
    backup(path, copy)
    stop.set()
    thread.join()

    restored = open_db(copy)  # restoring: point REFLECT_DB at the backup (README, "Back up and restore")
    assert restored.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    submissions = restored.execute("SELECT COUNT(*) FROM submissions").fetchone()[0]
    answers = restored.execute("SELECT COUNT(*) FROM answers").fetchone()[0]
    assert 20 <= submissions <= len(written)
    assert answers == submissions * len(TINY.items), "a submission was copied without all its answers"
    assert [s.id for s in responses.submissions(restored, leader.id, TINY.id)] == sorted(
        (s.id for s in written[:submissions]), reverse=True)


def test_backup_never_overwrites_and_says_why(tmp_path, db):
    target = tmp_path / "precious.db"
    target.write_bytes(b"keep me")
    with pytest.raises(DatabaseUnavailable, match="already exists"):
        backup(tmp_path / "reflect.db", target)
    assert target.read_bytes() == b"keep me"
    with pytest.raises(DatabaseUnavailable, match="no database"):
        backup(tmp_path / "missing.db", tmp_path / "new.db")
    assert not (tmp_path / "new.db").exists()


def test_backup_command(tmp_path, db):
    result = subprocess.run([sys.executable, "-m", "reflect", "backup", "--db", str(tmp_path / "reflect.db"),
                             "--to", str(tmp_path / "copy.db")], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Backed up" in result.stdout and (tmp_path / "copy.db").is_file()
    again = subprocess.run([sys.executable, "-m", "reflect", "backup", "--db", str(tmp_path / "reflect.db"),
                            "--to", str(tmp_path / "copy.db")], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert again.returncode == 2 and "already exists" in again.stderr


def test_health_reads_the_database_without_changing_it(tmp_path):
    path = tmp_path / "reflect.db"
    assert health(path) == "no database file" and not path.exists()  # not created by asking
    sqlite3.connect(path).close()  # an empty file: every migration still to apply
    assert health(path) == f"{len(migrations.pending(open_db(path, migrate=False)))} migrations pending"
    open_db(path).close()
    assert health(path) is None
    text = tmp_path / "notes.db"
    text.write_bytes(b"not a database at all, just text" * 100)
    assert health(text) == "database unreadable"
