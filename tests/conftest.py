"""Shared fixtures: every test gets its own real SQLite file."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from reflect.domain import accounts
from reflect.storage.db import open_db

CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashing():
    """Cheap Argon2 parameters for accounts made in the tests' own process (servers started by browser tests keep
    the production ones). tests/test_accounts.py checks what ships."""
    accounts.use_password_hasher(CHEAP_HASHER)



@pytest.fixture
def db(tmp_path):
    database = open_db(tmp_path / "reflect.db")
    yield database
    database.close()
