"""Real Streamlit servers and a real browser (Debian's Chromium driven by Playwright) for end-to-end tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright import sync_api

from reflect.devtools.live_server import CHROMIUM, CHROMIUM_ARGS, Server, start_server, stop_server
from reflect.domain import accounts, cohorts
from reflect.storage.db import open_db

from ..cohort_data import PASSWORD
from .helpers import signed_in_context

# What a person sees may take a while to appear on a busy machine (CI runs three workers on two cores): an
# expectation waits up to this long before it fails, instead of Playwright's 5 s.
sync_api.expect.set_options(timeout=15_000)
# The browser every test's page is: a laptop's screen, in London, keeping what it downloads.
PAGE_OPTIONS = {"viewport": {"width": 1280, "height": 900}, "accept_downloads": True, "timezone_id": "Europe/London"}


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
    context = browser.new_context(**PAGE_OPTIONS)
    context.set_default_timeout(20_000)
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture
def page_as(browser) -> Iterator[Callable[[Server, str], sync_api.Page]]:
    """Open a page like `page`, already signed in to a server as someone (by cookie, :func:`signed_in_context`):
    for tests where signing in is only the way to what they are about. Each browser is closed after the test."""
    contexts = []

    def open_page(server: Server, email: str) -> sync_api.Page:
        context = signed_in_context(browser, server.url, server.db_path, email, **PAGE_OPTIONS)
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def fran_north_and_lee(path: Path) -> None:
    """A new database at `path` holding Fran (fran@x.org, the set-up facilitator), her cohort North and its leader
    Lee (lee@x.org), both with the tests' password."""
    db = open_db(path)
    fran = accounts.create_first_facilitator(db, name="Fran", email="fran@x.org", password=PASSWORD)
    north = cohorts.create_cohort(db, fran.id, "North")
    accounts.register_leader(db, join_code=north.join_code, name="Lee", email="lee@x.org", password=PASSWORD)
    db.close()


def join_north(server: Server, email: str) -> str:
    """Add a leader named Lee, with the tests' password, to North on `server`, and return `email`: a leader of one
    test's own on a server its module shares (:func:`north_server`)."""
    db = open_db(server.db_path)
    try:
        [join_code] = db.execute("SELECT join_code FROM cohorts WHERE name = 'North'").fetchone()
        accounts.register_leader(db, join_code=join_code, name="Lee", email=email, password=PASSWORD)
    finally:
        db.close()
    return email


@pytest.fixture
def leader_server(tmp_path) -> Iterator[Server]:
    """A fresh server whose database holds Fran, North and Lee (:func:`fran_north_and_lee`); nobody signed in yet."""
    fran_north_and_lee(tmp_path / "reflect.db")
    running = start_server(tmp_path / "reflect.db", tmp_path / "streamlit.log")
    yield running
    stop_server(running)


@pytest.fixture(scope="module")
def north_server(tmp_path_factory) -> Iterator[Server]:
    """As `leader_server`, but one server for a module's tests (a start costs seconds): each test signs in as a
    leader of its own (:func:`join_north`), so none sees what another's leader did."""
    folder = tmp_path_factory.mktemp("north")
    fran_north_and_lee(folder / "reflect.db")
    running = start_server(folder / "reflect.db", folder / "streamlit.log")
    yield running
    stop_server(running)
