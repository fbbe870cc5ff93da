"""A leader's module, checkpoint by checkpoint, in Chromium against the real server: Home says what is open, until
when, and where each set stands there; a new checkpoint's checklist starts unanswered, with last time's ratings as
hints; every submission is shown with the checkpoint it counted for, and the journal downloads (issue 12)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from reflect.devtools.live_server import Server, start_server, stop_server
from reflect.domain import accounts, checkpoints, cohorts, responses
from reflect.domain.questions import load_question_sets
from reflect.storage.db import open_db, stamp

from ..cohort_data import PASSWORD, ROOT
from .helpers import goto, settled

SETS, _ = load_question_sets(ROOT / "questions")
CHECKLIST = SETS["munby-fullan-skills"]
TODAY = datetime.now(UTC).date()


@pytest.fixture
def module(tmp_path) -> Iterator[tuple[Server, object]]:
    """Fran's cohort North with Lee, who joined a month ago and submitted the checklist (all 2s) 15 days ago."""
    path = tmp_path / "reflect.db"
    db = open_db(path)
    fran = accounts.create_first_facilitator(db, name="Fran", email="fran@x.org", password=PASSWORD)
    north = cohorts.create_cohort(db, fran.id, "North")
    lee = accounts.register_leader(db, join_code=north.join_code, name="Lee", email="lee@x.org", password=PASSWORD)
    db.execute("UPDATE cohort_leaders SET joined_at = ?", [stamp(datetime.now(UTC) - timedelta(days=30))])
    db.conn.commit()
    then = datetime.now(UTC) - timedelta(days=15)
    for item in CHECKLIST.items:
        responses.save_draft(db, lee.id, CHECKLIST, item.id, rating=2, now=then)
    responses.submit(db, lee.id, CHECKLIST, "at-the-start", now=then)

    def windows(*spans: tuple[int, int]) -> None:
        """Move Start, Mid-point and End to these (first, last) days from today, as Fran would on Cohorts."""
        points = checkpoints.of_cohort(db, north.id)
        checkpoints.replace_all(db, fran, north.id, [
            (point.id, name, TODAY + timedelta(days=first), TODAY + timedelta(days=last))
            for point, name, (first, last) in zip(points, ("Start", "Mid-point", "End"), spans, strict=True)])

    server = start_server(path, tmp_path / "streamlit.log")
    yield server, windows
    stop_server(server)
    db.close()


def home(page: Page) -> None:
    page.get_by_role("link", name="Home", exact=True).click()
    settled(page)


def card(page: Page, title: str):
    """The box on Home for one question set (the innermost block holding its title)."""
    return page.get_by_test_id("stVerticalBlock").filter(has_text=f"{title} ·").last


def test_home_and_the_checklist_follow_the_module_checkpoint_by_checkpoint(module, page_as):
    server, windows = module
    windows((-20, 3), (10, 20), (30, 40))  # the start is open
    page = page_as(server, "lee@x.org")
    goto(page, server.url)
    expect(page.get_by_role("heading", name="Now: Start")).to_be_visible()
    expect(page.get_by_text("Open until 23:59 on")).to_be_visible()
    expect(card(page, CHECKLIST.title)).to_contain_text("Submitted at this checkpoint")
    expect(card(page, "Personal reflection")).to_contain_text("Not started")
    expect(page.get_by_role("link", name="Complete and submit: ")).to_be_visible()
    page.get_by_role("link", name="Skills checklist", exact=True).click()
    settled(page)
    expect(page.get_by_text(re.compile(r"Latest: Submitted .*, for Start\."))).to_be_visible()  # by name

    windows((-20, -10), (5, 15), (30, 40))  # between the start and the mid-point
    home(page)
    expect(page.get_by_role("heading", name="No checkpoint is open now")).to_be_visible()
    opens = TODAY + timedelta(days=5)
    expect(page.get_by_text(f"The next, Mid-point, opens at 00:00 on {opens:%a %d %b %Y}")).to_be_visible()

    windows((-20, -10), (-3, 3), (30, 40))  # the mid-point is open: the checklist starts afresh
    home(page)
    expect(page.get_by_role("heading", name="Now: Mid-point")).to_be_visible()
    expect(card(page, CHECKLIST.title)).to_contain_text("Not started")
    page.get_by_role("link", name="Skills checklist", exact=True).click()
    settled(page)
    expect(page.get_by_text(f"0 of {len(CHECKLIST.items)} skills rated")).to_be_visible()
    expect(page.get_by_role("radio", checked=True)).to_have_count(0)
    expect(page.get_by_text("Last time: 2 · Beginning to develop")).to_have_count(len(CHECKLIST.items))
    expect(page.get_by_text("Submitting now counts for Mid-point, open until 23:59 on")).to_be_visible()

    windows((-20, -10), (-9, -5), (-4, -1))  # the module is over
    home(page)
    expect(page.get_by_role("heading", name="Every checkpoint has closed")).to_be_visible()

    # The printable journal, downloaded from My data and read back: the submission under its checkpoint's name.
    page.get_by_role("link", name="My data", exact=True).click()
    settled(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download my journal, ready to print").click()
    journal = Path(download.value.path()).read_text(encoding="utf-8")
    assert "<title>Reflect journal: Lee</title>" in journal and "<h2>Start</h2>" in journal
    assert journal.count("2 · Beginning to develop") == len(CHECKLIST.items) and "<svg" in journal
