"""Attacks through a real server in Chromium: a roster with a cell too long for the CSV reader gets a message, not
a crash."""

from __future__ import annotations

from playwright.sync_api import expect

from .helpers import create_cohort, set_up_facilitator, settled
from .test_roster import upload


def test_a_roster_with_a_200000_character_cell_gets_a_message_not_a_crash(server, page, tmp_path):
    set_up_facilitator(page, server.url)
    create_cohort(page, "Spring North")
    page.get_by_role("link", name="Add leaders", exact=True).click()
    settled(page)
    upload(page, tmp_path, b"name,email\nAisha Khan,aisha@x.org\nBob Evans," + b"x" * 200_000 + b"\n")
    expect(page.get_by_text("Nothing has been imported")).to_be_visible()
    problems = page.locator('[data-testid="stDataFrame"]').first
    expect(problems).to_contain_text("longer than 131,072 characters")
    expect(page.get_by_role("button", name="Import 0 leaders")).to_be_disabled()
