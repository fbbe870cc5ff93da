"""A facilitator reading a cohort (issue 13): how many of the cohort submitted, and who has not, ready to contact."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from playwright.sync_api import expect

from reflect.domain import accounts, cohorts, responses
from reflect.domain.questions import load_question_sets
from reflect.storage.db import open_db

from ..cohort_data import PASSWORD, ROOT
from .helpers import goto, settled, shown, signed_in_context, wait_for_the_run_to_end

SETS, _ = load_question_sets(ROOT / "questions")
CHECKLIST, REFLECTION = SETS["munby-fullan-skills"], SETS["personal-reflection"]
SHARED, KEPT = "**Shared**: governors hear from parents first.", "Kept to myself: the head is hard to work with."


def _north_of_three(path) -> None:
    """Fran's cohort North: Lee submitted the checklist at the open checkpoint, and two reflections, one shared; Bea
    has a draft; Cy has done nothing."""
    db = open_db(path)
    fran = accounts.create_first_facilitator(db, name="Fran", email="fran@x.org", password=PASSWORD)
    north = cohorts.create_cohort(db, fran.id, "North")
    lee, bea, _ = (accounts.register_leader(db, join_code=north.join_code, name=name, email=f"{name.lower()}@x.org",
                                            password=PASSWORD) for name in ("Lee", "Bea", "Cy"))
    for item in CHECKLIST.items:
        responses.save_draft(db, lee.id, CHECKLIST, item.id, rating=4)
    responses.submit(db, lee.id, CHECKLIST, "lee's first")
    for text, share in ((KEPT, False), (SHARED, True)):
        responses.save_draft(db, lee.id, REFLECTION, REFLECTION.items[0].id, text=text)
        responses.submit(db, lee.id, REFLECTION, text, share=share)
    responses.save_draft(db, bea.id, CHECKLIST, CHECKLIST.items[0].id, rating=2)
    db.close()


def _downloaded_list(page) -> list[dict[str, str]]:
    """Download Completion's list, as a person clicks it, and read it back as Excel would (UTF-8 with a BOM)."""
    with page.expect_download() as download:
        page.get_by_role("button", name="Download this list (CSV)").click()
    return list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig"), newline="")))


def test_a_facilitator_sees_how_many_of_the_cohort_submitted_and_takes_away_who_has_not(server, browser):
    _north_of_three(server.db_path)
    context = signed_in_context(browser, server.url, server.db_path, "fran@x.org", accept_downloads=True,
                                viewport={"width": 1280, "height": 900})
    page = context.new_page()
    goto(page, server.url)  # a facilitator's front page: the dashboard
    expect(page.get_by_test_id("stMetric")).to_contain_text("1 of 3 (33%)")

    goto(page, server.url + "/completion")
    expect(page.get_by_text("Showing 3 leaders of 3.")).to_be_visible()
    page.get_by_role("radio", name="Nothing submitted").click()
    settled(page)
    expect(page.get_by_text("Showing 2 leaders of 3.")).to_be_visible()
    expect(page.get_by_test_id("stCode")).to_have_text("bea@x.org; cy@x.org")
    rows = _downloaded_list(page)
    assert [(row["Leader"], row["Email"]) for row in rows] == [("Bea", "bea@x.org"), ("Cy", "cy@x.org")]
    assert {row[CHECKLIST.title] for row in rows} == {"Draft only", "Not submitted"}
    page.get_by_role("radio", name="Everyone").click()  # and back
    settled(page)
    expect(page.get_by_text("Showing 3 leaders of 3.")).to_be_visible()
    expect(page.get_by_test_id("stCode")).to_have_count(0)
    context.close()


def _open_record_of(page, leader: str) -> None:
    """Type to find the leader and choose them, as a person with a long list would (charts still drawing above
    cannot move what is typed), then open their record."""
    wait_for_the_run_to_end(page)  # a page run ending while the list is open closes it (seen under load)
    box = page.get_by_label("Open a leader's record")
    box.focus()
    page.keyboard.type(leader.split(" ")[0])
    expect(page.get_by_role("option", name=leader)).to_be_visible()
    page.keyboard.press("Enter")
    settled(page)
    page.get_by_role("button", name="Open record").click()
    settled(page)


def _expect_record_of_lee(page) -> None:
    expect(page.get_by_role("heading", name="Leader record")).to_be_visible()
    expect(page.get_by_role("heading", name="Lee · lee@x.org")).to_be_visible()
    expect(page.get_by_test_id("stVegaLiteChart")).to_have_count(1)
    expect(page.get_by_text(SHARED, exact=True)).to_be_visible()  # literally, stars and all
    expect(page.get_by_text("Kept to myself", exact=False)).to_have_count(0)


def test_a_leaders_record_opens_from_completion_and_from_the_grid_with_only_what_they_shared(server, browser):
    _north_of_three(server.db_path)
    context = signed_in_context(browser, server.url, server.db_path, "fran@x.org",
                                viewport={"width": 1280, "height": 900})
    page = context.new_page()
    goto(page, server.url + "/completion")
    _open_record_of(page, "Lee · lee@x.org")
    _expect_record_of_lee(page)
    page.get_by_role("combobox", name="Leader", exact=True).click()  # another leader, on the record itself
    page.get_by_role("option", name="Bea · bea@x.org").click()
    settled(page)
    expect(page.get_by_text("Nothing shared yet", exact=False)).to_be_visible()
    expect(page.get_by_text(SHARED, exact=True)).to_have_count(0)

    page.get_by_role("link", name="Cohort dashboard").click()
    settled(page)
    _open_record_of(page, "Lee · lee@x.org")  # the grid lists those who submitted
    _expect_record_of_lee(page)
    context.close()


def _shared_reflections_on_completion(page, url: str) -> None:
    """Open Completion at the Personal reflection's shared submissions."""
    goto(page, url + "/completion")
    chooser = page.get_by_role("combobox", name="Question set")
    chooser.scroll_into_view_if_needed()  # as a person scrolls down to it first
    chooser.click()
    page.get_by_role("option", name=REFLECTION.title).click()
    settled(page)


def test_feedback_on_a_shared_reflection_goes_both_ways_and_unsharing_hides_it_from_the_facilitator(server, browser):
    _north_of_three(server.db_path)
    options = {"viewport": {"width": 1280, "height": 900}, "timezone_id": "Europe/London"}
    fran = signed_in_context(browser, server.url, server.db_path, "fran@x.org", **options).new_page()
    lee = signed_in_context(browser, server.url, server.db_path, "lee@x.org", **options).new_page()

    _shared_reflections_on_completion(fran, server.url)
    expect(fran.get_by_text(SHARED, exact=True)).to_be_visible()
    fran.get_by_text("Write feedback").click()
    fran.get_by_label("Your feedback", exact=False).fill("Which **governors**? <b>Say more</b>.")
    fran.get_by_role("button", name="Send feedback").click()
    settled(fran)
    expect(fran.get_by_text("Sent ", exact=False)).to_be_visible()
    expect(shown(fran, "Which **governors**? <b>Say more</b>.")).to_be_visible()  # literally
    expect(fran.get_by_label("Your feedback", exact=False)).to_have_value("")  # ready for the next

    goto(lee, server.url)
    expect(lee.get_by_text("Your facilitator wrote to you: 1 new message", exact=False)).to_be_visible()
    lee.get_by_role("link", name="Read and reply").first.click()
    settled(lee)
    expect(lee.get_by_role("tab", name=REFLECTION.title)).to_have_attribute("aria-selected", "true")  # opened there
    expect(lee.get_by_text("Which **governors**? <b>Say more</b>.", exact=True)).to_be_visible()
    expect(lee.get_by_text("Fran (facilitator)", exact=False)).to_contain_text("New")
    lee.get_by_label("Your reply", exact=False).fill("The chair, on <i>Tuesdays</i>.")
    lee.get_by_role("button", name="Send reply").click()
    settled(lee)
    expect(shown(lee, "The chair, on <i>Tuesdays</i>.")).to_be_visible()
    expect(lee.get_by_label("Your reply", exact=False)).to_have_value("")
    goto(lee, server.url)
    expect(lee.get_by_text("Your facilitator wrote to you", exact=False)).to_have_count(0)  # read now

    _shared_reflections_on_completion(fran, server.url)
    fran.get_by_text("Feedback (2) · the leader replied").click()
    expect(fran.get_by_text("Lee (leader)", exact=False)).to_be_visible()
    expect(fran.get_by_text("The chair, on <i>Tuesdays</i>.", exact=True)).to_be_visible()
    fran.get_by_label("Your feedback", exact=False).fill("Thank you: a good start.")  # sent after Lee unshares

    goto(lee, server.url + "/reflect")  # Lee stops sharing it
    lee.get_by_role("tab", name=REFLECTION.title).click()
    lee.get_by_text("Your submissions (2) and sharing").click()
    settled(lee)  # opening the list runs the page: aim at the switch once it is drawn
    shared_switch = lee.get_by_role("switch", name="Share with my facilitator", exact=False).first  # newest first
    expect(shared_switch).to_be_checked()
    shared_switch.locator("xpath=ancestor::label[1]").click()
    settled(lee)
    expect(shared_switch).not_to_be_checked()
    expect(lee.get_by_text("You stopped sharing this submission", exact=False)).to_be_visible()
    expect(shown(lee, "The chair, on <i>Tuesdays</i>.")).to_be_visible()  # kept for Lee
    expect(lee.get_by_label("Your reply", exact=False)).to_have_count(0)

    fran.get_by_role("button", name="Send feedback").click()  # too late: nothing typed is lost
    settled(fran)
    expect(fran.get_by_text("Not sent. The leader no longer shares this submission", exact=False)).to_be_visible()
    expect(fran.get_by_test_id("stCode")).to_contain_text("Thank you: a good start.")
    _shared_reflections_on_completion(fran, server.url)
    expect(fran.get_by_text("No one has shared a submission", exact=False)).to_be_visible()
    expect(fran.get_by_text("The chair, on <i>Tuesdays</i>.", exact=True)).to_have_count(0)
    expect(fran.get_by_text(SHARED, exact=True)).to_have_count(0)


def test_completion_of_sixty_leaders_comes_a_page_at_a_time_and_the_whole_list_downloads(server, browser):
    """So does the list of shared reflections, ten at a time."""
    db = open_db(server.db_path)
    fran = accounts.create_first_facilitator(db, name="Fran", email="fran@x.org", password=PASSWORD)
    north = cohorts.create_cohort(db, fran.id, "North")
    people = [accounts.register_leader(db, join_code=north.join_code, name=f"Leader {number:02d}",
                                       email=f"leader{number:02d}@x.org", password=PASSWORD)
              for number in range(1, 61)]
    for person in people[:3]:
        for item in CHECKLIST.items:
            responses.save_draft(db, person.id, CHECKLIST, item.id, rating=3)
        responses.submit(db, person.id, CHECKLIST, f"token {person.id}")
    for person in people[:12]:  # twelve shared reflections: ten on a page
        responses.save_draft(db, person.id, REFLECTION, REFLECTION.items[0].id, text=f"Shared by {person.name}.")
        responses.submit(db, person.id, REFLECTION, f"reflection {person.id}", share=True)
    db.close()
    page = signed_in_context(browser, server.url, server.db_path, "fran@x.org", accept_downloads=True,
                             viewport={"width": 1280, "height": 900}).new_page()
    _shared_reflections_on_completion(page, server.url)
    expect(page.get_by_text("Showing 1–10 of 12, by leader's name.")).to_be_visible()
    expect(page.get_by_text("Shared by Leader", exact=False)).to_have_count(10)
    page.get_by_label("Page of shared reflections (of 2)").fill("2")
    page.keyboard.press("Enter")
    settled(page)
    expect(page.get_by_text("Shared by Leader", exact=False)).to_have_count(2)
    expect(page.get_by_text("Shared by Leader 12.", exact=True)).to_be_visible()
    goto(page, server.url + "/completion")
    expect(page.get_by_text("Showing 1–25 of the 60 leaders listed (60 in the cohort).")).to_be_visible()
    grid = page.get_by_test_id("stDataFrame").first
    expect(grid.locator("#glide-cell-0-24")).to_have_text("Leader 25")
    expect(grid.locator("#glide-cell-0-25")).to_have_count(0)  # a page of 25 rows sent, not 60
    page.get_by_label("Page (of 3)").fill("3")
    page.keyboard.press("Enter")
    settled(page)
    expect(page.get_by_text("Showing 51–60 of the 60 leaders listed (60 in the cohort).")).to_be_visible()
    expect(grid.locator("#glide-cell-0-0")).to_have_text("Leader 51")

    page.get_by_role("radio", name="Nothing submitted").click()
    settled(page)
    expect(page.get_by_text("Showing 1–25 of the 48 leaders listed (60 in the cohort).")).to_be_visible()
    expect(page.get_by_test_id("stCode")).to_contain_text("leader13@x.org; leader14@x.org")
    expect(page.get_by_test_id("stCode")).to_contain_text("leader60@x.org")  # every address, not a page's
    rows = _downloaded_list(page)
    assert [row["Leader"] for row in rows] == [f"Leader {number:02d}" for number in range(13, 61)]
