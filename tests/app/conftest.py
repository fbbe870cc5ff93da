"""AppTest runs of the real app against a real SQLite file, with people made through the library."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlite_utils import Database
from streamlit.components.v2 import manifest_scanner
from streamlit.runtime.scriptrunner import script_runner
from streamlit.testing.v1 import AppTest

from reflect.devtools import apptest
from reflect.devtools.apptest import run_router
from reflect.domain import accounts, cohorts
from reflect.domain.accounts import User
from reflect.storage.db import open_db

from ..cohort_data import PASSWORD, ROOT


@dataclass
class People:
    administrator: User
    facilitator: User
    other_facilitator: User
    leader: User
    other_leader: User
    cohort: cohorts.Cohort
    other_cohort: cohorts.Cohort


@pytest.fixture(scope="session", autouse=True)
def scan_for_installed_components_once():
    """AppTest looks for Streamlit components in every installed package's metadata on each run: two thirds of a page
    test's time. What is installed does not change while the tests run, so look once (the server looks once too)."""
    found = manifest_scanner.scan_component_manifests()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(manifest_scanner, "scan_component_manifests", lambda max_workers=None: found)
        yield


@pytest.fixture(autouse=True)
def every_run_through_the_router(monkeypatch):
    """Run app.py for every page, as the real server does (AppTest would run a page file alone)."""
    monkeypatch.setattr(script_runner, "_mpa_v1", run_router)


@pytest.fixture
def db_path(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "reflect.db"
    monkeypatch.setenv("REFLECT_DB", str(path))
    monkeypatch.chdir(ROOT)
    return path


@pytest.fixture
def db(db_path):
    database = open_db(db_path)
    yield database
    database.close()


@pytest.fixture
def people(db) -> People:
    # The set-up account is the first administrator: it runs no cohort here, so Fran is a facilitator only.
    administrator = accounts.create_first_facilitator(db, name="Ada", email="ada@trust.org.uk", password=PASSWORD)
    facilitator = accounts.create_facilitator(db, name="Fran", email="fran@trust.org.uk", password=PASSWORD)
    other_facilitator = accounts.create_facilitator(db, name="Olu", email="olu@trust.org.uk", password=PASSWORD)
    cohort = cohorts.create_cohort(db, facilitator.id, "Spring North")
    other_cohort = cohorts.create_cohort(db, other_facilitator.id, "Spring South")
    leader = accounts.register_leader(db, join_code=cohort.join_code, name="Lee", email="lee@school.org.uk",
                                      password=PASSWORD)
    other_leader = accounts.register_leader(db, join_code=cohort.join_code, name="Bea", email="bea@school.org.uk",
                                            password=PASSWORD)
    return People(administrator, facilitator, other_facilitator, leader, other_leader, cohort, other_cohort)


# A page file run on its own, without the router (as a server without it would): only its own guard protects it.
_ALONE = """
import runpy
from reflect.web import context
with context.connection_owner():
    runpy.run_path({page!r}, run_name="__main__")
"""


def signed_in_app(user: User | None, db: Database | None = None) -> AppTest:
    """The app, not yet run, signed in as `user` (or nobody), through `db` if given."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    return apptest.sign_in(at, user.id, db) if user is not None else at


def app_as(user: User | None, page: str | None = None, *, at: AppTest | None = None) -> AppTest:
    """The app after one run, signed in as `user` (or nobody), on `page` if given; `at` if already made by
    :func:`signed_in_app`.

    A page the router does not offer this user is run as its own script, as Streamlit's ``pages/``
    auto-discovery would serve it: its own guard is all that stands in the way.
    """
    at = signed_in_app(user) if at is None else at  # an AppTest with nothing on it yet is falsy
    at.run()
    if page is None:
        return at
    try:
        return at.switch_page(page).run()
    except ValueError:  # not among the pages st.navigation was given
        direct = AppTest.from_string(_ALONE.format(page=str(ROOT / page)), default_timeout=30)
        if user is not None:
            apptest.sign_in(direct, user.id)
        return direct.run()


def shown_text(at: AppTest) -> str:
    """Everything the page shows as text, to check what a person could read on it."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "text", "html", "error", "warning", "info",
                 "success", "code"):
        parts += [str(element.value) for element in at.get(kind)]
    for frame in at.dataframe:
        parts.append(frame.value.to_csv())
    for widget in (*at.text_area, *at.text_input):
        parts.append(str(widget.value))
    return "\n".join(parts)
