"""Where Reflect keeps its data and finds its question sets: the settings the app, the command line and the benchmark
share, read from the environment in this one place."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DB = Path("data") / "reflect.db"
DEFAULT_QUESTIONS = Path("questions")


def db_path() -> Path:
    """The database file: ``REFLECT_DB`` if set, else ``data/reflect.db``."""
    return Path(os.environ.get("REFLECT_DB") or DEFAULT_DB)


def questions_dir() -> Path:
    """The folder of question sets: ``REFLECT_QUESTIONS`` if set, else ``questions/``."""
    return Path(os.environ.get("REFLECT_QUESTIONS") or DEFAULT_QUESTIONS)
