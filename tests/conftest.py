"""Shared fixtures: every test gets its own real SQLite file."""

from __future__ import annotations

from pathlib import Path

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


BROWSER_TESTS = Path(__file__).parent / "browser"


def pytest_collection_modifyitems(items):
    """Mark the tests in tests/browser ``browser`` (``-m "not browser"`` leaves them out), and run them first: they
    take longest, so with the tests spread over workers (pytest-xdist) they start at once and the quick tests fill
    in around them, instead of one long test finishing alone at the end."""
    for item in items:
        if BROWSER_TESTS in item.path.parents:
            item.add_marker(pytest.mark.browser)
    items.sort(key=lambda item: item.get_closest_marker("browser") is None)
