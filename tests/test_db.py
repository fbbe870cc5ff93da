"""Every connection is set up the same way, and the schema is brought up to date once, by migrations."""

from __future__ import annotations

import pytest

from reflect.db import DatabaseUnavailable, open_db, read_snapshot, write_transaction
from reflect.settings import db_path


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
                       "0007_checkpoint_days", "0008_cohort_invitations"]
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
