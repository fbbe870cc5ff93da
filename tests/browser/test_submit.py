"""Submitting, as a person clicks: the share switch for what was just submitted, and one submission per press."""

from __future__ import annotations

import re
import sqlite3

from playwright.sync_api import expect

from reflect.domain.questions import load_question_sets
from reflect.web.answers import rating_label

from ..cohort_data import ROOT
from .conftest import join_north
from .helpers import goto, settled, wait_for_the_run_to_end, write_answer

SETS, _ = load_question_sets(ROOT / "questions")
REFLECTION = SETS["personal-reflection"]


def submissions(db_path, email: str) -> int:
    """The submissions of the leader with `email` (each test has its own: the server is the module's)."""
    with sqlite3.connect(db_path) as db:
        return db.execute("SELECT COUNT(*) FROM submissions s JOIN users u ON u.id = s.user_id WHERE u.email = ?",
                          [email]).fetchone()[0]


def shared(db_path, email: str) -> int:
    """The submissions the leader with `email` has shared."""
    with sqlite3.connect(db_path) as db:
        return db.execute("SELECT COUNT(*) FROM shared_submissions h JOIN submissions s ON s.id = h.submission_id "
                          "JOIN users u ON u.id = s.user_id WHERE u.email = ?", [email]).fetchone()[0]


def write_first_answer(page, text: str) -> None:
    write_answer(page, REFLECTION.title, REFLECTION.items[0].text, text)


def share_switches(page):
    return page.get_by_role("switch", name="Share with my facilitator", exact=False)


def test_the_share_switch_for_a_new_submission_is_there_at_once(north_server, page_as):
    lee = join_north(north_server, "lee.switch@x.org")
    page = page_as(north_server, lee)
    goto(page, north_server.url)
    write_first_answer(page, "We moderate maths with two primaries.")
    page.get_by_role("button", name="Submit these reflections").click()
    settled(page)
    expect(page.get_by_test_id("stAlertContentSuccess").get_by_text(re.compile(r"^Submitted \d"))).to_be_visible()
    # On a busy machine, clicking the switch's label text sometimes left it off with nothing sent to the server,
    # even after the run had ended (cause not found; noted for issue 14). The switch itself, used by keyboard,
    # worked every time (5 of 5 under the same load), and the leader path must work by keyboard anyway.
    wait_for_the_run_to_end(page)
    page.get_by_text("Your submissions (1) and sharing").click()
    expect(share_switches(page)).to_have_count(1)
    expect(share_switches(page).first).not_to_be_checked()
    share_switches(page).first.focus()  # by keyboard, as the leader path must work: a callback, with its own connection
    page.keyboard.press("Space")
    settled(page)
    expect(share_switches(page).first).to_be_checked()
    assert shared(north_server.db_path, lee) == 1


def test_a_double_click_on_submit_makes_one_submission(north_server, page_as):
    lee = join_north(north_server, "lee.double@x.org")
    page = page_as(north_server, lee)
    goto(page, north_server.url)
    write_first_answer(page, "Governors now hear from the parents' forum.")
    page.get_by_role("button", name="Submit these reflections").dblclick()  # both clicks reach the page at once
    settled(page)
    page.wait_for_timeout(500)
    settled(page)
    assert submissions(north_server.db_path, lee) == 1
    # Changing the answer makes the next press a new submission.
    write_first_answer(page, "Governors now hear from the parents' forum each term.")
    page.get_by_role("button", name="Submit these reflections").click()
    settled(page)
    assert submissions(north_server.db_path, lee) == 2


def test_sharing_is_chosen_beside_submit_and_a_repeat_is_not_invited(north_server, page_as):
    lee = join_north(north_server, "lee.beside@x.org")
    page = page_as(north_server, lee)
    goto(page, north_server.url)
    write_first_answer(page, "Our trust shares a maths lead.")
    share = page.get_by_role("switch", name="Share these reflections with my facilitator")
    expect(share).not_to_be_checked()  # off unless the leader turns it on
    share.focus()
    page.keyboard.press("Space")
    settled(page)
    page.get_by_role("button", name="Submit these reflections").click()
    settled(page)
    expect(page.get_by_test_id("stAlertContentSuccess").get_by_text(re.compile(r"^Submitted \d"))).to_be_visible()
    assert shared(north_server.db_path, lee) == 1
    page.reload()
    settled(page)
    page.get_by_role("tab", name=REFLECTION.title).click()
    page.get_by_role("button", name="Submit these reflections").click()  # nothing new to submit: none made
    settled(page)
    expect(page.get_by_text("Nothing has changed since you submitted", exact=False)).to_be_visible()
    expect(page.get_by_text("Change an answer to submit again.", exact=False)).to_be_visible()
    assert submissions(north_server.db_path, lee) == 1


def test_missing_ratings_are_marked_where_they_are_and_focus_goes_to_the_first(north_server, page_as):
    checklist = SETS["munby-fullan-skills"]
    page = page_as(north_server, join_north(north_server, "lee.missing@x.org"))
    goto(page, north_server.url + "/checklist")
    groups = page.get_by_role("radiogroup")
    for index in range(len(checklist.items) - 2):  # all but the last two
        groups.nth(index).get_by_text("3 · Developing", exact=True).click()
        settled(page)
    page.get_by_role("button", name="Submit my ratings").click()
    settled(page)
    expect(page.get_by_text("Rate these 2 items before you submit")).to_be_visible()
    expect(page.get_by_text("Not rated yet")).to_have_count(2)
    ninth = f"9. {checklist.items[8].text} (required)"
    expect(page.get_by_role("radiogroup", name=ninth).locator("input").first).to_be_focused()
    page.keyboard.press("ArrowRight")  # keyboard from where focus landed: a rating is chosen
    settled(page)
    expect(page.get_by_text("Not rated yet")).to_have_count(1)


def test_changing_one_rating_after_submitting_makes_a_new_submission_and_an_unchanged_one_none(north_server, page_as):
    """What the page says follows each rating, though a rating reruns only its skill: the count of skills rated.
    Submit, pressed again with nothing changed since, makes no second submission and says so; after a change it
    makes one."""
    checklist, lee = SETS["munby-fullan-skills"], "lee.again@x.org"
    page = page_as(north_server, join_north(north_server, lee))
    goto(page, north_server.url + "/checklist")
    count = len(checklist.items)
    skills = [page.get_by_role("radiogroup", name=rating_label(number, item.text), exact=True)
              for number, item in enumerate(checklist.items, start=1)]
    for index, skill in enumerate(skills):
        skill.get_by_text(f"3 · {checklist.scale[2]}", exact=True).click()
        settled(page)
        expect(page.get_by_role("progressbar", name=f"{index + 1} of {count} skills rated")).to_be_visible()
    submit = page.get_by_role("button", name="Submit my ratings")
    submit.click()
    wait_for_the_run_to_end(page)
    submit.click()
    wait_for_the_run_to_end(page)
    expect(page.get_by_text("Nothing has changed since you submitted", exact=False)).to_be_visible()
    assert submissions(north_server.db_path, lee) == 1
    skills[4].get_by_text(f"4 · {checklist.scale[3]}", exact=True).click()
    settled(page)
    submit.click()
    wait_for_the_run_to_end(page)
    expect(page.get_by_text("Nothing has changed since", exact=False)).to_have_count(0)
    assert submissions(north_server.db_path, lee) == 2
    page.reload()
    settled(page)
    expect(skills[4].get_by_role("radio", name=f"4 · {checklist.scale[3]}")).to_be_checked()
    expect(page.get_by_text(f"{count} of {count} skills rated")).to_be_visible()


def test_an_answer_that_shows_nothing_is_neither_counted_nor_submitted(north_server, page_as):
    """A box holding only characters that show nothing (zero-width spaces, a byte-order mark: pasted from another
    program, say) is no answer: the count at the top says so, and Submit asks for one and records nothing."""
    lee = join_north(north_server, "lee.invisible@x.org")
    page = page_as(north_server, lee)
    goto(page, north_server.url)
    write_first_answer(page, "\u200b\ufeff \u200b")
    expect(page.get_by_text(f"0 of {len(REFLECTION.items)} questions answered")).to_be_visible()
    page.get_by_role("button", name="Submit these reflections").click()
    settled(page)
    expect(page.get_by_text("Write an answer to at least one question before you submit.")).to_be_visible()
    assert submissions(north_server.db_path, lee) == 0
