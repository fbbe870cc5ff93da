"""The command line, run as a person would: ``python -m reflect ...`` in a subprocess."""

from __future__ import annotations

import subprocess
import sys

from .cohort_data import ROOT


def reflect(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reflect", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)


def test_init_creates_the_database_with_its_schema(tmp_path):
    path = tmp_path / "sub" / "reflect.db"
    result = reflect("init", "--db", str(path))
    assert result.returncode == 0, result.stderr
    assert f"Database ready: {path}" in result.stdout
    import sqlite3

    tables = {row[0] for row in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"users", "cohorts", "drafts", "submissions", "answers"} <= tables


def test_init_refuses_a_file_that_is_not_a_database_and_leaves_it_alone(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"my notes, not a database\n" * 50)
    result = reflect("init", "--db", str(path))
    assert result.returncode == 2
    assert str(path) in result.stderr and "not a database" in result.stderr
    assert path.read_bytes() == b"my notes, not a database\n" * 50


def test_check_questions_passes_the_shipped_sets():
    result = reflect("check-questions")
    assert result.returncode == 0, result.stderr
    assert "ok    munby-fullan-skills v1: 10 items" in result.stdout


def test_check_questions_names_the_broken_file_and_field(tmp_path):
    good = (ROOT / "questions" / "02_personal_reflection.toml").read_text("utf-8")
    (tmp_path / "good.toml").write_text(good, "utf-8")
    (tmp_path / "bad.toml").write_text(
        'id = "bad"\ntitle = "Bad"\nversion = 1\nsource = "s"\nintro = "i"\n'
        '[[items]]\nid = "a"\nkind = "essay"\ntext = "Q?"\n',
        "utf-8",
    )
    result = reflect("check-questions", str(tmp_path))
    assert result.returncode == 1
    assert "ok    personal-reflection" in result.stdout
    assert "error bad.toml: items[1].kind: must be one of 'text', 'rating', not 'essay'" in result.stderr


def test_the_command_line_reads_its_question_sets_where_the_app_does(tmp_path, monkeypatch):
    """REFLECT_QUESTIONS is one setting for the app and the command line (reflect.settings)."""
    (tmp_path / "01_one.toml").write_text((ROOT / "questions" / "03_munby_fullan_checklist.toml").read_text())
    monkeypatch.setenv("REFLECT_QUESTIONS", str(tmp_path))
    result = reflect("check-questions")
    assert result.returncode == 0, result.stderr
    assert [line.split()[1] for line in result.stdout.splitlines()] == ["munby-fullan-skills"]
