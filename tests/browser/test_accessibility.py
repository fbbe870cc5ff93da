"""WCAG 2.2 AA, as far as a machine can tell: axe-core, run in Chromium on every page for every role at a phone's
and a laptop's width, finds no serious or critical violation, and no page scrolls sideways (issue 12)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from reflect.devtools import demo
from reflect.devtools.live_server import Server, start_server, stop_server
from reflect.domain import accounts, cohorts
from reflect.domain.questions import load_question_sets
from reflect.storage.db import open_db

from ..cohort_data import PASSWORD, ROOT
from .helpers import goto, settled, signed_in_context

SIZES = {"phone": (390, 844), "laptop": (1280, 800)}
# Each role's pages by their menu titles, visited as a person would: the first by address, the rest from the menu.
SIGNED_OUT = ["Sign in", "Forgot your password?", "Join a cohort", "Use an invitation"]
LEADER = ["Home", "Reflect", "Skills checklist", "My progress", "My data"]
FACILITATOR = ["Cohort dashboard", "Completion and reflections", "Leader record", "Impact", "Cohorts", "Add leaders",
               "Export", "Activity log", "My account"]
ADMINISTRATOR = ["Facilitators"]  # and every facilitator page, which are the same for an administrator
AXE = Axe()
BLOCKING = {"serious", "critical"}
TALLEST_CHECKLIST = 5_000  # px on a phone for ten skills, each with its hint, rating, "Saved" and note (issue 12)
# Where the checkpoint asks for the rating looking back too: twenty ratings (the demo's open checkpoint asks for it;
# the plain checklist's height is checked in test_looking_back).
TALLEST_LOOKING_BACK = 7_000


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory) -> Iterator[Server]:
    """A server over a demo cohort of 30 leaders with three checkpoints of ratings and reflections, its
    administrator (the demo facilitator) and a plain facilitator of the same cohort."""
    folder = tmp_path_factory.mktemp("accessibility")
    db = open_db(folder / "reflect.db")
    sets, _ = load_question_sets(ROOT / "questions")
    made = demo.make_demo(db, sets, leaders=30)
    olu = accounts.create_facilitator(db, name="Olu", email="olu@x.org", password=PASSWORD)
    cohorts.add_facilitator(db, made.cohort.id, olu.id)
    db.close()
    running = start_server(folder / "reflect.db", folder / "streamlit.log")
    yield running
    stop_server(running)


def problems(page: Page, title: str) -> list[str]:
    """What a person would hit: serious or critical axe violations, a page or a chart wider than the screen, a chart's
    text cut off at its edge, a chart a screen reader cannot name, a browser tab not named after the page, and
    Markdown read out by a screen reader ("star star 1. skilled at…").

    On a loaded machine a chart may still be drawing when the run has ended (it is named as it is drawn, and a
    page's first view loads the charts' code): wait for every chart, as a person would. One never drawn or named is
    reported after the wait."""
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_function("""[...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
            .every((chart) => chart.querySelector('svg, canvas') && chart.getAttribute('aria-label'))""",
                               timeout=15_000)
    found = [f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])}×)"
             for violation in AXE.run(page).response["violations"] if violation["impact"] in BLOCKING]
    if page.evaluate("document.documentElement.scrollWidth > window.innerWidth"):
        found.append("scrolls sideways")
    cut = page.evaluate("""[...document.querySelectorAll('[data-testid="stVegaLiteChart"] svg')]
        .filter((chart) => chart.getBoundingClientRect().right > window.innerWidth + 1).length""")
    if cut:
        found.append(f"{cut} chart(s) wider than the screen")
    # A text's box holds its line's spacing too, which runs across for a rotated axis title: a few pixels past the
    # edge are spacing, not letters.
    clipped = page.evaluate("""[...document.querySelectorAll('[data-testid="stVegaLiteChart"] svg')]
      .flatMap((chart) => {
        const box = chart.getBoundingClientRect();
        return [...chart.querySelectorAll('text')].filter((text) => text.textContent.trim()).flatMap((text) => {
            const drawn = text.getBoundingClientRect();
            const past = Math.round(Math.max(drawn.right - box.right, box.left - drawn.left));
            return past > 3 ? [`${text.textContent} (${past} px)`] : [];
        });
    })""")
    if clipped:
        found.append(f"chart text cut off at the chart's edge: {clipped}")
    unnamed = page.evaluate("""[...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
        .filter((chart) => !/chart|map/i.test(chart.getAttribute('aria-label') || ''))
        .map((chart) => `${chart.getAttribute('aria-label')}, drawn: ${!!chart.querySelector('svg, canvas')}`)""")
    if unnamed:
        found.append(f"{len(unnamed)} chart(s) not named for what they show ({'; '.join(unnamed)})")
    if page.title() != f"{title} · Reflect":
        found.append(f"browser title {page.title()!r}")
    if page.locator("[aria-label*='**']").count():
        found.append("Markdown in an accessible name")
    return found


def open_from_the_menu(page: Page, title: str) -> None:
    """Choose `title` in the menu, opening the menu first where it is folded away (on a phone); nothing if that page
    is already open."""
    link = page.get_by_test_id("stSidebar").get_by_role("link", name=title, exact=True)
    if link.get_attribute("aria-current") == "page":
        return
    if page.get_by_test_id("stSidebar").get_attribute("data-collapsed") == "true":
        page.get_by_test_id("stExpandSidebarButton").click()
    link.click()
    settled(page)
    page.wait_for_timeout(200)  # charts draw once the run has ended
    settled(page)


@pytest.mark.parametrize("size", SIZES)
def test_no_page_has_a_serious_or_critical_accessibility_problem(demo_server, browser, size):
    width, height = SIZES[size]
    found: dict[str, list[str]] = {}
    for role, email, titles in (
        ("signed out", None, SIGNED_OUT),
        ("leader", "demo.1.00001@example.org", LEADER),
        ("facilitator", "olu@x.org", FACILITATOR),
        ("administrator", demo.FACILITATOR_EMAIL, ADMINISTRATOR),
    ):
        options = {"viewport": {"width": width, "height": height}, "timezone_id": "Europe/London"}
        context = (signed_in_context(browser, demo_server.url, demo_server.db_path, email, **options) if email
                   else browser.new_context(**options))
        context.set_default_timeout(20_000)
        page = context.new_page()
        errors: list[str] = []  # the browser's own, told with a chart that did not draw (seen under load in CI)
        page.on("console", lambda message, errors=errors: errors.append(message.text)
                if message.type == "error" else None)
        goto(page, demo_server.url)
        for title in titles:
            if title == "Forgot your password?":  # linked under the sign-in form (the page before), not in the menu
                page.get_by_test_id("stMain").get_by_role("link", name=title).click()
                settled(page)
            else:
                open_from_the_menu(page, title)
            found[f"{role}: {title}"] = problems(page, title)
            if any("not named" in problem for problem in found[f"{role}: {title}"]) and errors:
                found[f"{role}: {title}"].append(f"browser errors: {' | '.join(errors[-3:])}")
            if title == "Skills checklist" and size == "phone":
                tall = page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
                both = page.get_by_text("rate each skill twice", exact=False).count()
                if tall >= (TALLEST_LOOKING_BACK if both else TALLEST_CHECKLIST):
                    found[f"{role}: {title}"].append(f"{tall:,} px tall on a phone")
        context.close()
    table = "\n".join(f"{where:<42} {', '.join(what) or 'none'}" for where, what in found.items())
    print(f"\naxe-core at {size} ({width}×{height}), serious and critical:\n{table}")
    assert not any(found.values()), table


def test_the_first_run_set_up_page_has_no_serious_or_critical_accessibility_problem(server, browser):
    """Set up Reflect shows only on an empty database, so it has a server of its own."""
    context = browser.new_context(timezone_id="Europe/London")
    page = context.new_page()
    found = {}
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        goto(page, server.url)
        found[size] = problems(page, "Set up Reflect")
    context.close()
    assert not any(found.values()), found
