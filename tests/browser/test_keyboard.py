"""The leader path by keyboard alone, in Chromium against the real server: sign in, open the checklist from the
menu, rate every skill and submit, without the mouse (issue 12)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from reflect.domain.questions import load_question_sets

from ..cohort_data import PASSWORD, ROOT
from .helpers import goto, settled

SETS, _ = load_question_sets(ROOT / "questions")
CHECKLIST = SETS["munby-fullan-skills"]


def focused(page: Page) -> str:
    """What has the keyboard's focus: its role or tag, and its name (its label, or the last line of its text, after
    any icon's name)."""
    return page.evaluate("""() => {
        const e = document.activeElement, kind = e.getAttribute('role') || e.tagName.toLowerCase();
        const lines = (e.getAttribute('aria-label') || e.innerText || '').split('\\n').filter((l) => l.trim());
        return `${kind} ${lines.pop() || ''}`.trim(); }""")


def tab_to(page: Page, wanted: str, *, limit: int = 80) -> None:
    """Press Tab until the focus is on something whose description starts with `wanted`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page).startswith(wanted):
            return
    raise AssertionError(f"Tab never reached {wanted!r}; last: {focused(page)!r}")


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
    for number, item in enumerate(CHECKLIST.items, start=1):
        tab_to(page, "input")  # the first scale point of the next skill's group
        page.keyboard.press("ArrowRight")  # 2 · Beginning to develop
        settled(page)
        expect(page.get_by_role("radiogroup", name=f"{number}. {item.text} (required)")
               .get_by_role("radio", name="2 · Beginning to develop")).to_be_checked()
        page.keyboard.press("Tab")  # the skill's note comes next, with no help icon in between
        assert focused(page) == "textarea How do you know? (optional)", focused(page)
    expect(page.get_by_text(f"{len(CHECKLIST.items)} of {len(CHECKLIST.items)} skills rated")).to_be_visible()
    tab_to(page, "button Submit my ratings")
    page.keyboard.press("Enter")
    settled(page)
    expect(page.get_by_test_id("stAlertContentSuccess").get_by_text("Submitted", exact=False)).to_be_visible()
