"""The rating looking back (issue 13): where the open checkpoint asks for it, each skill is rated Now and Looking
back, both needed to submit; both are kept and exported in their own columns."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

import pytest
from playwright.sync_api import expect

from reflect.domain import accounts, checkpoints, cohorts
from reflect.domain.questions import load_question_sets
from reflect.storage.db import open_db

from ..cohort_data import PASSWORD, ROOT
from .helpers import goto, settled, signed_in_context

CHECKLIST = load_question_sets(ROOT / "questions")[0]["munby-fullan-skills"]
OPTIONS = {"viewport": {"width": 1280, "height": 900}, "timezone_id": "Europe/London", "accept_downloads": True}


def _north_asking_now(path) -> None:
    """Fran's cohort North, whose open checkpoint (the first) asks for the rating looking back; its leader Lee."""
    db = open_db(path)
    fran = accounts.create_first_facilitator(db, name="Fran", email="fran@x.org", password=PASSWORD)
    north = cohorts.create_cohort(db, fran.id, "North")
    checkpoints.ask_then_at(db, fran, north.id, checkpoints.of_cohort(db, north.id)[0].id)
    accounts.register_leader(db, join_code=north.join_code, name="Lee", email="lee@x.org", password=PASSWORD)
    db.close()


def test_a_leader_rates_each_skill_now_and_looking_back_and_the_export_keeps_both(server, browser):
    _north_asking_now(server.db_path)
    lee = signed_in_context(browser, server.url, server.db_path, "lee@x.org", **OPTIONS).new_page()
    goto(lee, server.url + "/checklist")
    expect(lee.get_by_text("rate each skill twice", exact=False)).to_be_visible()
    count = len(CHECKLIST.items)
    for number, item in enumerate(CHECKLIST.items, start=1):
        lee.get_by_role("radiogroup", name=f"{number}. {item.text} (required)").get_by_text(
            "4 · ", exact=False).click()
        settled(lee)
    lee.get_by_role("button", name="Submit my ratings").click()
    settled(lee)
    expect(lee.get_by_text(f"Rate these {count} items, now and looking back, before you submit")).to_be_visible()
    first_back = f"1. {CHECKLIST.items[0].text}, looking back, at the start of the module (required)"
    expect(lee.get_by_role("radiogroup", name=first_back).locator("input").first).to_be_focused()
    for number, item in enumerate(CHECKLIST.items, start=1):
        lee.get_by_role("radiogroup", name=f"{number}. {item.text}, looking back, at the start of the module "
                                           "(required)").get_by_text("2 · ", exact=False).click()
        settled(lee)
    expect(lee.get_by_text(f"{count} of {count} skills rated now and looking back")).to_be_visible()
    lee.get_by_role("button", name="Submit my ratings").click()
    settled(lee)
    expect(lee.get_by_text("Submitted ", exact=False).first).to_be_visible()

    fran = signed_in_context(browser, server.url, server.db_path, "fran@x.org", **OPTIONS).new_page()
    goto(fran, server.url + "/cohort_export")
    fran.get_by_text("For analysis: one row per answer", exact=True).click()
    settled(fran)
    with fran.expect_download() as download:
        fran.get_by_role("link", name="Download: For analysis: one row per answer").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig"), newline="")))
    assert [(row["Rating"], row["Rating looking back"]) for row in rows] == [("4", "2")] * count
    fran.get_by_text("For Excel: one row per leader", exact=True).click()
    fran.get_by_text("Labels (as leaders saw them)", exact=True).click()
    settled(fran)
    with fran.expect_download() as download:
        fran.get_by_role("link", name="Download: For Excel: one row per leader").click()
    [row] = csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig"), newline=""))
    first = CHECKLIST.items[0].id
    assert (row[first], row[f"{first}_then"]) == (CHECKLIST.scale[3], CHECKLIST.scale[1])


def test_a_facilitator_turns_the_rating_looking_back_off_and_the_checklist_rates_once_within_its_phone_budget(
        server, browser):
    """Fran turns it off on Cohorts, as a person would; Lee's checklist then asks each skill once, and the page
    keeps issue 12's height on a phone (the accessibility test's demo asks for both)."""
    from .test_accessibility import TALLEST_CHECKLIST

    _north_asking_now(server.db_path)
    fran = signed_in_context(browser, server.url, server.db_path, "fran@x.org", **OPTIONS).new_page()
    goto(fran, server.url + "/cohorts")
    fran.get_by_role("tab", name="Checkpoints").click()
    picker = fran.get_by_role("combobox", name="Ask for a rating looking back at")
    picker.scroll_into_view_if_needed()
    expect(picker).to_have_value("Start of module")
    picker.click()
    fran.get_by_role("option", name="No checkpoint").click()
    settled(fran)
    fran.get_by_role("button", name="Save", exact=True).click()
    settled(fran)
    expect(fran.get_by_role("combobox", name="Ask for a rating looking back at")).to_have_value("No checkpoint")
    with sqlite3.connect(server.db_path) as db:
        assert db.execute("SELECT COUNT(*) FROM checkpoints WHERE asks_then").fetchone()[0] == 0

    phone = signed_in_context(browser, server.url, server.db_path, "lee@x.org", timezone_id="Europe/London",
                              viewport={"width": 390, "height": 844}).new_page()
    goto(phone, server.url + "/checklist")
    expect(phone.get_by_role("radiogroup")).to_have_count(len(CHECKLIST.items))
    expect(phone.get_by_text("rate each skill twice", exact=False)).to_have_count(0)
    tall = phone.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    assert tall < TALLEST_CHECKLIST, f"{tall:,} px tall on a phone"


def test_the_impact_page_shows_what_a_recount_of_the_demo_cohort_gives_and_downloads_it(tmp_path, browser):
    import numpy as np

    from reflect.devtools import demo
    from reflect.devtools.live_server import start_server, stop_server
    from reflect.reporting import impact

    from ..test_impact import recount

    db = open_db(tmp_path / "reflect.db")
    made = demo.make_demo(db, {CHECKLIST.id: CHECKLIST}, leaders=60, seed=6)
    db.close()
    server = start_server(tmp_path / "reflect.db", tmp_path / "streamlit.log")
    try:
        page = signed_in_context(browser, server.url, server.db_path, demo.FACILITATOR_EMAIL, **OPTIONS).new_page()
        goto(page, server.url)
        page.get_by_role("link", name="Impact", exact=True).click()
        settled(page)
        with sqlite3.connect(server.db_path) as raw:
            pairs = recount(raw, made.cohort.id)
        # Start to end, looking back to now, the response shift: a table each.
        for comparison in (impact.PRE_POST, impact.THEN_NOW, impact.SHIFT):
            expect(page.get_by_role("heading", name=comparison)).to_be_visible()
            table = page.get_by_role("region", name=f"{comparison}: figures for each skill")
            before, after = np.array(pairs[comparison][CHECKLIST.items[0].id], dtype=float).T
            # Columns: Skill, Pairs, Mean change; the first skill's row.
            cells = table.locator("tbody tr").first.locator("td")
            expect(cells.nth(1)).to_have_text(str(len(before)))
            expect(cells.nth(2)).to_have_text(f"{(after - before).mean():+.2f}")
        with page.expect_download() as download:
            page.get_by_role("button", name="Download these figures (CSV)").click()
        rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig"), newline="")))
        assert len(rows) == 3 * len(CHECKLIST.items)
        for row in rows:
            item = CHECKLIST.items[int(row["number"]) - 1]
            before, after = np.array(pairs[row["comparison"]][item.id], dtype=float).T
            assert int(row["pairs"]) == len(before)
            assert float(row["mean"]) == pytest.approx((after - before).mean())
            assert float(row["median"]) == pytest.approx(np.median(after - before))

        # The cohort report, downloaded and read back: dated, the cohort and its checkpoints named, the same figures.
        with page.expect_download(timeout=60_000) as download:  # its charts are drawn when it is asked for
            page.get_by_role("button", name="Download the cohort report, ready to print").click()
        report = Path(download.value.path()).read_text("utf-8")
        assert report.startswith("<!doctype html>") and "Reflect cohort report" in report
        assert made.cohort.name in report and "Start of module" in report and "End of module" in report
        assert "made " in report and "<svg" in report and "Impact: Response shift" in report
        before, after = np.array(pairs[impact.PRE_POST][CHECKLIST.items[0].id], dtype=float).T
        assert f"<td>{len(before)}</td><td>{(after - before).mean():+.2f}</td>" in report
        assert "@example.org" not in report, "a leader's email in a report of aggregates"

        # A leader who rated at the start and, looking back, at the end sees both beside their rating now.
        with sqlite3.connect(server.db_path) as raw:
            email, said, then, now = raw.execute(
                """SELECT u.email, first.rating, last.then_rating, last.rating FROM users u
                   JOIN counted_submissions c1 ON c1.user_id = u.id
                        AND c1.checkpoint_id = (SELECT MIN(id) FROM checkpoints)  -- what counted at the start
                   JOIN answers first ON first.submission_id = c1.submission_id
                   JOIN submissions s2 ON s2.user_id = u.id JOIN answers last ON last.submission_id = s2.id
                   WHERE first.item_id = ? AND last.item_id = ? AND last.then_rating IS NOT NULL
                         AND s2.submitted_at = (SELECT MAX(submitted_at) FROM submissions WHERE user_id = u.id)
                   ORDER BY u.id LIMIT 1""", [CHECKLIST.items[0].id] * 2).fetchone()
        leader = signed_in_context(browser, server.url, server.db_path, email, **OPTIONS).new_page()
        goto(leader, server.url + "/progress")
        expect(leader.get_by_role("heading", name="Looking back at where you started")).to_be_visible()
        expect(leader.get_by_text("Looking back, you rate your start", exact=False)).to_be_visible()
        grid = leader.get_by_test_id("stDataFrame").filter(has_text="Looking back, you say")
        # Columns: Skill, At the start you said, Looking back you say, Now; the first skill's row.
        for column, value in ((1, said), (2, then), (3, now)):
            expect(grid.locator(f"#glide-cell-{column}-0")).to_have_text(str(value))
    finally:
        stop_server(server)
