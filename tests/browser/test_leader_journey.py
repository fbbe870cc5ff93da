"""A leader's whole path through Reflect, in headless Chromium against `streamlit run app.py`."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from playwright.sync_api import expect

from reflect.devtools.live_server import start_server, stop_server
from reflect.domain import accounts, cohorts, responses
from reflect.domain.questions import load_question_sets
from reflect.storage.db import open_db

from ..cohort_data import ROOT
from .helpers import (
    PASSWORD,
    SAVED_STATUS,
    click,
    create_cohort,
    goto,
    register_leader,
    set_up_facilitator,
    settled,
    sign_out,
    write_answer,
)

SETS, _ = load_question_sets(ROOT / "questions")
CHECKLIST = SETS["munby-fullan-skills"]
Q01 = SETS["personal-reflection"].items[0].text


def test_first_request_to_a_fresh_server_is_for_a_leader_page_and_shows_sign_in(tmp_path, page):
    """Streamlit serves pages/ files directly to the first session of a new server; the page guard must hold."""
    db = open_db(tmp_path / "reflect.db")
    facilitator = accounts.create_first_facilitator(db, name="Fran", email="fran@x.org", password=PASSWORD)
    cohort = cohorts.create_cohort(db, facilitator.id, "North")
    leader = accounts.register_leader(db, join_code=cohort.join_code, name="Lee", email="lee@x.org",
                                      password=PASSWORD)
    qset = SETS["personal-reflection"]
    responses.save_draft(db, leader.id, qset, "q01", text="Lee's private reflection")
    db.close()
    server = start_server(tmp_path / "reflect.db", tmp_path / "streamlit.log")
    try:
        goto(page, server.url + "/reflect")
        expect(page.get_by_role("heading", name="Sign in to Reflect")).to_be_visible()
        body = page.locator("body").inner_text()
        assert "private reflection" not in body and "Lee" not in body and cohort.join_code not in body
        for path in ("/my_data", "/cohorts", "/progress"):
            goto(page, server.url + path)
            expect(page.get_by_role("heading", name="Sign in to Reflect")).to_be_visible()
            assert "private reflection" not in page.locator("body").inner_text()
    finally:
        stop_server(server)


def test_leader_journey_from_set_up_to_download(server, page):
    set_up_facilitator(page, server.url)
    join_code = create_cohort(page, "Spring 2027 North")
    sign_out(page)
    # A name full of Markdown and HTML must show exactly as typed, never as a link.
    name = "Lee *Leader* [home](javascript:alert(1)) <b>x</b>"
    register_leader(page, server.url, join_code, name, "lee@school.org.uk")
    expect(page.get_by_role("heading", name=f"Welcome, {name}", exact=True)).to_be_visible()
    sidebar = page.locator("[data-testid='stSidebar']")
    expect(sidebar.get_by_text(f"Signed in as {name} (leader)", exact=True)).to_be_visible()
    assert page.locator("a[href^='javascript']").count() == 0

    # Type a reflection; it saves when the box is left (and after any pause in typing).
    answer = "=SUM(A1)\nPartnership lets small schools share a curriculum lead."
    write_answer(page, "Personal reflection", Q01, answer)
    expect(page.get_by_text(SAVED_STATUS).first).to_be_visible()

    # A reload keeps Lee signed in, on the same page, with the text still there.
    page.reload()
    settled(page)
    expect(page.get_by_role("heading", name="Reflect", exact=True)).to_be_visible()
    expect(sidebar.get_by_text(f"Signed in as {name} (leader)", exact=True)).to_be_visible()
    page.get_by_role("tab", name="Personal reflection").click()
    expect(page.get_by_label(Q01, exact=True)).to_have_value(answer)

    # Rate all ten skills and submit, twice, to see the change.
    for round_, rating in enumerate(("2 · Beginning to develop", "4 · Secure"), start=1):
        page.get_by_role("link", name="Skills checklist", exact=True).click()
        settled(page)
        radios = page.locator('[data-testid="stRadio"]')
        expect(radios).to_have_count(len(CHECKLIST.items))
        for index in range(len(CHECKLIST.items)):
            radios.nth(index).get_by_text(rating, exact=True).click()
            settled(page)
        expect(page.get_by_text(f"{len(CHECKLIST.items)} of {len(CHECKLIST.items)} skills rated")).to_be_visible()
        click(page, "Submit my ratings")
        expect(page.get_by_test_id("stAlertContentSuccess").get_by_text("Submitted", exact=False)).to_be_visible()

        page.get_by_role("link", name="My progress", exact=True).click()
        settled(page)
        charts = page.locator('[data-testid="stVegaLiteChart"]')
        expect(charts).to_have_count(round_)
        expect(charts.first.locator("canvas, svg").first).to_be_visible()

    # Download everything as CSV and read it back.
    page.get_by_role("link", name="My data", exact=True).click()
    settled(page)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download CSV", exact=True).click()
    content = Path(download_info.value.path()).read_bytes()
    assert not content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8"), newline="")))
    ratings = [row for row in rows if row["set_id"] == CHECKLIST.id and row["status"] == "submitted"]
    assert len(ratings) == 2 * len(CHECKLIST.items)
    assert sorted({row["rating"] for row in ratings}) == ["2", "4"]
    assert {row["item_text"] for row in ratings} == {item.text for item in CHECKLIST.items}
    [draft] = [row for row in rows if row["item_id"] == "q01"]
    assert draft["status"] == "draft" and draft["text"] == "'" + answer, "the formula was not neutralised"
    assert b"\r\n" in content and content.count(b'"') >= 2, "the embedded newline was not quoted"

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download CSV for Excel (UTF-8 with BOM)").click()
    assert Path(download_info.value.path()).read_bytes() == b"\xef\xbb\xbf" + content
