"""The leader path by keyboard alone, in Chromium against the real server: sign in, open the checklist from the
menu, rate every skill and submit, without the mouse (issue 12)."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from reflect.domain.questions import Item, load_question_sets

from ..cohort_data import PASSWORD, ROOT
from .conftest import join_north
from .helpers import goto, settled, wait_for_the_run_to_end

SETS, _ = load_question_sets(ROOT / "questions")
CHECKLIST = SETS["munby-fullan-skills"]


def focused(page: Page) -> str:
    """What has the keyboard's focus: its role or tag, and its name (its label, or the last line of its text, after
    any icon's name)."""
    return page.evaluate("""() => {
        const e = document.activeElement, kind = e.getAttribute('role') || e.tagName.toLowerCase();
        const lines = (e.getAttribute('aria-label') || e.innerText || '').split('\\n').filter((l) => l.trim());
        return `${kind} ${lines.pop() || ''}`.trim(); }""")


def _tab_until(page: Page, reached: Callable[[], bool], what: str, limit: int) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if reached():
            return
    raise AssertionError(f"Tab never reached {what}; last: {focused(page)!r}")


def tab_to(page: Page, wanted: str, *, limit: int = 80) -> None:
    """Press Tab until the focus is on something whose description starts with `wanted`."""
    _tab_until(page, lambda: focused(page).startswith(wanted), repr(wanted), limit)


IN_GROUP = "() => document.activeElement.closest('[role=radiogroup]')?.getAttribute('aria-label')"


def group(number: int, item: Item) -> str:
    """The name of a skill's rating group, as a screen reader announces it."""
    return f"{number}. {item.text} (required)"


def tab_to_group(page: Page, name: str, *, limit: int = 160) -> None:
    """Press Tab until the focus is in the rating group named `name`, going round the page again if need be, as a
    person who missed it would: on a first view of a loaded machine, a group may not yet take the focus when Tab
    first passes it (seen here under load: Tab went through eight skills' notes before reaching a rating)."""
    _tab_until(page, lambda: page.evaluate(IN_GROUP) == name, f"the rating group {name!r}", limit)


def test_a_leader_signs_in_rates_every_skill_and_submits_by_keyboard_alone(leader_server, page):
    goto(page, leader_server.url)
    tab_to(page, "input Email")
    page.keyboard.type("lee@x.org")
    page.keyboard.press("Tab")
    assert focused(page).startswith("input Password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    settled(page)
    expect(page.get_by_role("heading", name="Welcome, Lee")).to_be_visible()

    tab_to(page, "a Skills checklist")
    page.keyboard.press("Enter")
    settled(page)
    expect(page.get_by_role("heading", name="Skills checklist")).to_be_visible()
    # The ratings come a moment after the rest of the page the first time a tab shows any (Streamlit loads their code
    # then), as a person sees: until then the notes would be the first fields a Tab reaches.
    expect(page.get_by_role("radiogroup").first).to_be_visible()
    for number, item in enumerate(CHECKLIST.items, start=1):
        name = group(number, item)
        tab_to_group(page, name)  # the first scale point of the skill's group
        page.keyboard.press("ArrowRight")  # 2 · Beginning to develop
        settled(page)
        expect(page.get_by_role("radiogroup", name=name)
               .get_by_role("radio", name="2 · Beginning to develop")).to_be_checked()
        page.keyboard.press("Tab")  # the skill's note comes next, with no help icon in between
        assert focused(page) == "textarea How do you know? (optional)", focused(page)
    expect(page.get_by_text(f"{len(CHECKLIST.items)} of {len(CHECKLIST.items)} skills rated")).to_be_visible()
    tab_to(page, "button Submit my ratings")
    page.keyboard.press("Enter")
    settled(page)
    expect(page.get_by_test_id("stAlertContentSuccess").get_by_text("Submitted", exact=False)).to_be_visible()


def test_a_keyboard_user_who_does_not_wait_for_the_page_keeps_their_place_and_every_rating(north_server, page_as):
    """Rating skill after skill at a fast typist's pace, each key pressed while the last rating's run may still be
    under way: the focus stays where the person put it and every rating is kept. (Skills drawn as fragments of the
    page, with the whole page rerun after a first rating, lost both under a loaded run: focus fell to the page's
    top and the next key changed skill 1, or nothing.)"""
    page = page_as(north_server, join_north(north_server, "lee.quick@x.org"))
    goto(page, north_server.url + "/checklist")
    expect(page.get_by_role("radiogroup").first).to_be_visible()  # see the test above
    for number, item in enumerate(CHECKLIST.items, start=1):
        name = group(number, item)
        tab_to_group(page, name)
        page.keyboard.press("ArrowRight")  # 2 · Beginning to develop
        page.wait_for_timeout(60)
        assert page.evaluate(IN_GROUP) == name, f"focus left skill {number} after rating it"
        page.keyboard.press("Tab")  # on to its note
    wait_for_the_run_to_end(page)
    for number, item in enumerate(CHECKLIST.items, start=1):
        expect(page.get_by_role("radiogroup", name=group(number, item))
               .get_by_role("radio", name="2 · Beginning to develop")).to_be_checked()
    expect(page.get_by_text(f"{len(CHECKLIST.items)} of {len(CHECKLIST.items)} skills rated")).to_be_visible()
