"""Shared fixtures: every test gets its own real SQLite file."""

from __future__ import annotations

import pytest

from reflect.db import open_db


@pytest.fixture
def db(tmp_path):
    database = open_db(tmp_path / "reflect.db")
    yield database
    database.close()
