"""Nothing typed is lost, in Chromium against the real server: an answer saves after a pause in typing, without
leaving the box, so a reload a few seconds later keeps it (issue 11)."""

from __future__ import annotations

import sqlite3

from playwright.sync_api import Page, WebSocket, expect
from streamlit.proto.BackMsg_pb2 import BackMsg

from reflect.devtools.live_server import start_server, stop_server
from reflect.domain.questions import load_question_sets
from reflect.web.answers import rating_label

from ..cohort_data import ROOT
from .conftest import fran_north_and_lee, join_north
from .helpers import SAVED_STATUS, goto, settled, wait_for_the_run_to_end

SETS, _ = load_question_sets(ROOT / "questions")
REFLECTION, CHECKLIST = SETS["personal-reflection"], SETS["munby-fullan-skills"]


def saved_ratings(db_path, email: str) -> dict[str, int]:
    """The checklist's draft ratings of the leader with `email`, by skill."""
    with sqlite3.connect(db_path) as db:
        return dict(db.execute("SELECT d.item_id, d.rating FROM drafts d JOIN users u ON u.id = d.user_id "
                               "WHERE u.email = ? AND d.set_id = ? AND d.rating IS NOT NULL",
                               [email, CHECKLIST.id]).fetchall())


def focused_label(page: Page) -> str | None:
    return page.evaluate("document.activeElement && document.activeElement.getAttribute('aria-label')")


def test_typing_without_leaving_the_box_saves_and_a_reload_keeps_it(north_server, page_as):
    page = page_as(north_server, join_north(north_server, "lee.answer@x.org"))
    goto(page, north_server.url + "/reflect")
    page.get_by_role("tab", name=REFLECTION.title).click()
    question = REFLECTION.items[0].text
    box = page.get_by_label(question, exact=True)
    box.click()
    box.press_sequentially("Partnership lets small schools", delay=30)
    expect(page.get_by_text(SAVED_STATUS)).to_have_count(1, timeout=15_000)  # one status: under this box only
    expect(page.get_by_role("status").filter(has_text=SAVED_STATUS)).to_have_count(1)  # announced, as a status
    assert focused_label(page) == question  # saved while the person is still in the box
    box.press_sequentially(" share a curriculum lead.", delay=30)  # typing on across the save loses nothing
    expect(box).to_have_value("Partnership lets small schools share a curriculum lead.")
    page.wait_for_timeout(4000)  # a pause, still in the box, then the tab is reloaded (or the laptop shut)
    assert focused_label(page) == question

    page.reload()
    settled(page)
    page.get_by_role("tab", name=REFLECTION.title).click()
    expect(page.get_by_label(question, exact=True)).to_have_value(
        "Partnership lets small schools share a curriculum lead.")


def test_a_how_do_you_know_note_saves_while_typing_too(north_server, page_as):
    page = page_as(north_server, join_north(north_server, "lee.note@x.org"))
    goto(page, north_server.url + "/checklist")
    note = page.get_by_label("How do you know? (optional)", exact=True).first
    note.click()
    note.press_sequentially("My peers said so in our review.", delay=30)
    expect(page.get_by_text(SAVED_STATUS)).to_have_count(1, timeout=15_000)
    page.reload()
    settled(page)
    expect(page.get_by_label("How do you know? (optional)", exact=True).first).to_have_value(
        "My peers said so in our review.")


def test_the_count_of_answers_follows_an_answer_written_and_then_cleared(north_server, page_as):
    """The count at the top follows a pause in typing: when an answer is first written and when it is cleared, and
    typing goes on in the same box meanwhile."""
    page = page_as(north_server, join_north(north_server, "lee.count@x.org"))
    goto(page, north_server.url + "/reflect")
    page.get_by_role("tab", name=REFLECTION.title).click()
    total, question = len(REFLECTION.items), REFLECTION.items[1].text
    expect(page.get_by_text(f"0 of {total} questions answered")).to_be_visible()
    box = page.get_by_label(question, exact=True)
    box.click()
    box.press_sequentially("Our governors", delay=30)
    expect(page.get_by_text(f"1 of {total} questions answered")).to_be_visible(timeout=15_000)
    assert focused_label(page) == question
    box.press_sequentially(" visit each term.", delay=30)
    expect(page.get_by_text(SAVED_STATUS)).to_have_count(1, timeout=15_000)
    expect(box).to_have_value("Our governors visit each term.")
    box.fill("")
    box.blur()
    settled(page)
    expect(page.get_by_text(f"0 of {total} questions answered")).to_be_visible(timeout=15_000)


def runs_asked(page: Page) -> list[str]:
    """Every run the page asks its server for from now on, by what it reruns: a fragment's id, or "page" for the
    whole page (the rerun messages the page sends on its websocket, decoded)."""
    asked: list[str] = []

    def decoded(payload: str | bytes) -> None:
        message = BackMsg()
        if isinstance(payload, bytes) and message.ParseFromString(payload) and message.HasField("rerun_script"):
            asked.append(message.rerun_script.fragment_id or "page")

    def watch(socket: WebSocket) -> None:
        socket.on("framesent", decoded)

    page.on("websocket", watch)
    return asked


def test_an_answer_saved_reruns_its_question_alone_and_the_count_keeps_up(north_server, page_as):
    """A pause in typing on Reflect, and a rating on Skills checklist, run that question (or skill) alone on the
    server, not the whole page: a fifth to a sixth of the server's work per save (docs/performance.md). The count
    at the top keeps up in the browser all the same, and the answer is saved."""
    page = page_as(north_server, join_north(north_server, "lee.alone@x.org"))
    asked = runs_asked(page)
    goto(page, north_server.url + "/reflect")
    page.get_by_role("tab", name=REFLECTION.title).click()
    settled(page)
    asked.clear()
    box = page.get_by_label(REFLECTION.items[2].text, exact=True)
    box.click()
    box.press_sequentially("Our parents' forum", delay=30)
    expect(page.get_by_text(SAVED_STATUS)).to_have_count(1, timeout=15_000)
    expect(page.get_by_text(f"1 of {len(REFLECTION.items)} questions answered")).to_be_visible()
    wait_for_the_run_to_end(page)
    assert asked and "page" not in asked, f"a save ran the whole page: {asked}"

    goto(page, north_server.url + "/checklist")
    asked.clear()
    skill = page.get_by_role("radiogroup", name=rating_label(5, CHECKLIST.items[4].text), exact=True)
    skill.get_by_text(f"4 · {CHECKLIST.scale[3]}", exact=True).click()
    expect(page.get_by_text(SAVED_STATUS)).to_have_count(1, timeout=15_000)
    expect(page.get_by_text(f"1 of {len(CHECKLIST.items)} skills rated")).to_be_visible()
    wait_for_the_run_to_end(page)
    assert asked and "page" not in asked, f"a rating ran the whole page: {asked}"


ALIKE = """
id = "alike"
title = "Two questions alike"
version = 1
source = "A test's own."
intro = "Both questions ask the same."

[[items]]
id = "first"
kind = "text"
text = "What went well?"

[[items]]
id = "second"
kind = "text"
text = "What went well?"
"""


# Two sets whose answers' keys ("a:b-c:text", "a-b:c:text") make the same class on the page ("st-key-a-b-c-text").
CLASHING = """
id = "a"
title = "Set A"
version = 1
source = "A test's own."
intro = "One question."

[[items]]
id = "b-c"
kind = "text"
text = "What did you try?"
""", """
id = "a-b"
title = "Set AB"
version = 1
source = "A test's own."
intro = "One question."

[[items]]
id = "c"
kind = "text"
text = "What did you learn?"
"""


def serving(tmp_path, *question_sets: str):
    """A server of this test's own, on Fran's North with Lee (lee@x.org), asking only `question_sets`."""
    (tmp_path / "questions").mkdir()
    for number, text in enumerate(question_sets):
        (tmp_path / "questions" / f"{number:02}.toml").write_text(text, encoding="utf-8")
    fran_north_and_lee(tmp_path / "reflect.db")
    return start_server(tmp_path / "reflect.db", tmp_path / "streamlit.log",
                        env={"REFLECT_QUESTIONS": str(tmp_path / "questions")})


def test_each_tab_counts_its_own_answers(tmp_path, page_as):
    """Every tab's questions stay on the page: each tab's count looks at its own, even where two sets' keys would
    name the same element."""
    server = serving(tmp_path, *CLASHING)
    try:
        page = page_as(server, "lee@x.org")
        goto(page, server.url + "/reflect")
        page.get_by_label("What did you try?", exact=True).fill("A pilot with parents.")
        expect(page.get_by_text("1 of 1 questions answered")).to_be_visible()
        page.get_by_role("tab", name="Set AB").click()
        set_ab = page.get_by_role("tabpanel").filter(has_text="What did you learn?")
        expect(set_ab.get_by_text("0 of 1 questions answered")).to_be_visible()
    finally:
        stop_server(server)


def test_two_questions_worded_alike_are_counted_apart(tmp_path, page_as):
    """The count finds each answer by its question, not its wording: a facilitator may word two questions alike
    (say, the same question at the start and at the end of a set)."""
    server = serving(tmp_path, ALIKE)
    try:
        page = page_as(server, "lee@x.org")
        goto(page, server.url + "/reflect")
        expect(page.get_by_text("0 of 2 questions answered")).to_be_visible()
        boxes = page.get_by_label("What went well?", exact=True)
        boxes.nth(1).fill("Our parents' evening.")  # the second, then the first: counted once each
        expect(page.get_by_text("1 of 2 questions answered")).to_be_visible()
        boxes.nth(0).fill("The governors' visit.")
        expect(page.get_by_text("2 of 2 questions answered")).to_be_visible()
        boxes.nth(1).fill("")
        expect(page.get_by_text("1 of 2 questions answered")).to_be_visible()
    finally:
        stop_server(server)


def test_ratings_clicked_while_the_page_is_still_loading_are_all_kept(north_server, page_as):
    """A person who starts rating as soon as the first skills appear, a click after another, while the page's first
    run and each rating's run may still be under way: every rating shows chosen and is saved.

    Each skill is found by its name, as a person finds it by what it says. Streamlit draws the skills' rating groups
    as their code arrives, not in order: on a busy machine skills 3, 4, 8 and 9 can be drawn while the rest are still
    placeholders, so "the first group on the page" is then skill 3 (an earlier version of this test clicked so, and
    lost "skill 1" one round in ten)."""
    label = f"3 · {CHECKLIST.scale[2]}"
    for gap_ms in (0, 150):
        lee = join_north(north_server, f"lee.early{gap_ms}@x.org")
        page = page_as(north_server, lee)
        page.goto(north_server.url + "/checklist")  # no wait for the page to finish
        skills = [page.get_by_role("radiogroup", name=rating_label(number, item.text), exact=True)
                  for number, item in enumerate(CHECKLIST.items[:4], start=1)]
        for skill in skills:
            skill.get_by_text(label, exact=True).click()
            page.wait_for_timeout(gap_ms)
        wait_for_the_run_to_end(page)
        for skill in skills:
            expect(skill.get_by_role("radio", name=label)).to_be_checked()
        expect(page.get_by_text(SAVED_STATUS)).to_have_count(4)
        assert saved_ratings(north_server.db_path, lee) == {item.id: 3 for item in CHECKLIST.items[:4]}
        page.close()


def saved_note(db_path, email: str, item_id: str) -> str | None:
    """The checklist's draft note on `item_id` of the leader with `email`."""
    with sqlite3.connect(db_path) as db:
        row = db.execute("SELECT d.note FROM drafts d JOIN users u ON u.id = d.user_id "
                         "WHERE u.email = ? AND d.set_id = ? AND d.item_id = ?",
                         [email, CHECKLIST.id, item_id]).fetchone()
    return row and row[0]


def test_a_note_cleared_in_one_tab_stays_cleared_when_another_tab_goes_on(north_server, page_as):
    """Two tabs on Skills checklist. A note cleared in one is not put back when the other, which still shows it,
    saves a rating (which reruns only that skill), nor when that tab next runs as a whole (a Submit): it then shows
    the note cleared, as the database holds it."""
    lee = join_north(north_server, "lee.tabs@x.org")
    first = page_as(north_server, lee)
    goto(first, north_server.url + "/checklist")
    note_label, skill = "How do you know? (optional)", CHECKLIST.items[0].id
    first.get_by_label(note_label, exact=True).first.fill("Governors told me so.")
    first.keyboard.press("Tab")  # leaving the box sends it
    expect(first.get_by_text(SAVED_STATUS)).to_have_count(1)
    second = first.context.new_page()
    goto(second, north_server.url + "/checklist")
    expect(second.get_by_label(note_label, exact=True).first).to_have_value("Governors told me so.")

    first.get_by_label(note_label, exact=True).first.fill("")
    first.keyboard.press("Tab")
    wait_for_the_run_to_end(first)
    assert saved_note(north_server.db_path, lee, skill) == ""
    label = f"3 · {CHECKLIST.scale[2]}"
    second_skill = rating_label(2, CHECKLIST.items[1].text)
    second.get_by_role("radiogroup", name=second_skill, exact=True).get_by_text(label, exact=True).click()
    wait_for_the_run_to_end(second)
    assert saved_ratings(north_server.db_path, lee) == {CHECKLIST.items[1].id: 3}
    assert saved_note(north_server.db_path, lee, skill) == "", "the other tab put the cleared note back"
    second.get_by_role("button", name="Submit my ratings").click()  # the whole page runs: 9 skills unrated
    wait_for_the_run_to_end(second)
    expect(second.get_by_label(note_label, exact=True).first).to_have_value("")
    expect(second.get_by_text(SAVED_STATUS)).to_have_count(1)  # skill 2's rating; none under the emptied note
    assert saved_note(north_server.db_path, lee, skill) == "", "the other tab put the cleared note back"


def test_a_rating_in_a_tab_signed_out_in_another_is_not_saved_and_that_tab_signs_out(north_server, page_as):
    """A rating reruns only its skill, which no sign-in check comes before: once the session has ended in another
    tab, the rating is not saved and the tab shows the sign-in screen."""
    lee = join_north(north_server, "lee.signedout@x.org")
    first = page_as(north_server, lee)
    goto(first, north_server.url + "/checklist")
    second = first.context.new_page()
    goto(second, north_server.url + "/checklist")
    second.get_by_role("button", name="Sign out").click()
    settled(second)
    expect(second.get_by_role("heading", name="Sign in to Reflect")).to_be_visible()

    first_skill = rating_label(1, CHECKLIST.items[0].text)
    first.get_by_role("radiogroup", name=first_skill, exact=True).get_by_text(f"3 · {CHECKLIST.scale[2]}",
                                                                              exact=True).click()
    wait_for_the_run_to_end(first)
    expect(first.get_by_role("heading", name="Sign in to Reflect")).to_be_visible()
    expect(first.get_by_role("radiogroup")).to_have_count(0)
    assert saved_ratings(north_server.db_path, lee) == {}
