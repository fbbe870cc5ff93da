"""Online backup: consistent while a writer is active, never overwrites, and restores to a working database."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from reflect import responses
from reflect.db import DatabaseUnavailable, backup, open_db

from .cohort_data import TINY, cohort_with_windows, facilitator, leaders

ROOT = Path(__file__).resolve().parents[1]


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
