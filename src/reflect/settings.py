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


def session_idle_days() -> float:
    """Days a signed-in browser may go unused before it must sign in again: ``REFLECT_SESSION_IDLE_DAYS``, else 14
    (a module meets weekly, so a fortnight away is still one term's habit)."""
    return float(os.environ.get("REFLECT_SESSION_IDLE_DAYS") or 14)


def session_days() -> float:
    """Days after which any sign-in ends, however busy: ``REFLECT_SESSION_DAYS``, else 30."""
    return float(os.environ.get("REFLECT_SESSION_DAYS") or 30)


def secure_cookies() -> bool:
    """Mark the sign-in cookie Secure even when the request reached Reflect over plain HTTP, as it does behind a
    proxy that ends TLS: ``REFLECT_SECURE_COOKIES=1``. Requests that arrive over HTTPS always get a Secure cookie."""
    return os.environ.get("REFLECT_SECURE_COOKIES", "").strip().lower() in {"1", "true", "yes", "on"}
