"""Real Streamlit servers and a real browser (Debian's Chromium driven by Playwright) for end-to-end tests."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright import sync_api

from reflect.devtools.live_server import CHROMIUM_ARGS, Server, start_server, stop_server
from reflect.domain import accounts, cohorts
from reflect.storage.db import open_db

from ..cohort_data import PASSWORD

# Debian's headless shell (what Playwright's own headless mode is) when installed, as .ci/run does: the same Blink
# and V8 as Chromium without the desktop browser around them, so the same page costs less to drive.
CHROMIUM = (os.environ.get("REFLECT_CHROMIUM") or shutil.which("chromium-headless-shell") or shutil.which("chromium")
            or "/usr/bin/chromium")


@pytest.fixture
def server(tmp_path) -> Iterator[Server]:
    """A freshly started server with an empty database, for this test alone."""
    running = start_server(tmp_path / "reflect.db", tmp_path / "streamlit.log")
    yield running
    stop_server(running)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, tmp_path):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True,
                                  timezone_id="Europe/London")
    context.set_default_timeout(20_000)
    opened = context.new_page()
    yield opened
    context.close()


def fran_north_and_lee(path: Path) -> None:
    """A new database at `path` holding Fran (fran@x.org, the set-up facilitator), her cohort North and its leader
    Lee (lee@x.org), both with the tests' password."""
    db = open_db(path)
    fran = accounts.create_first_facilitator(db, name="Fran", email="fran@x.org", password=PASSWORD)
    north = cohorts.create_cohort(db, fran.id, "North")
    accounts.register_leader(db, join_code=north.join_code, name="Lee", email="lee@x.org", password=PASSWORD)
    db.close()


@pytest.fixture
def leader_server(tmp_path) -> Iterator[Server]:
    """A fresh server whose database holds Fran, North and Lee (:func:`fran_north_and_lee`); nobody signed in yet."""
    fran_north_and_lee(tmp_path / "reflect.db")
    running = start_server(tmp_path / "reflect.db", tmp_path / "streamlit.log")
    yield running
    stop_server(running)

