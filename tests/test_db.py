"""Every connection is set up the same way, and the schema is brought up to date once, by migrations."""

from __future__ import annotations

from reflect.db import db_path, open_db


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
                       "0004_answers_ratings_index"]
    indexes = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "answers_ratings" in indexes


def test_the_database_file_comes_from_reflect_db(monkeypatch, tmp_path):
    monkeypatch.setenv("REFLECT_DB", str(tmp_path / "elsewhere.db"))
    assert db_path() == tmp_path / "elsewhere.db"
    monkeypatch.delenv("REFLECT_DB")
    assert str(db_path()) == "data/reflect.db"
