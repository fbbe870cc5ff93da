"""Names people typed reach every page as plain text: never a link, an image, HTML, emphasis, emoji or maths.

Streamlit renders Markdown in titles, alerts, captions and labels, and GitHub-flavoured Markdown turns a bare
``http://…`` or ``www.…`` into a link after escapes are undone, so escaping cannot make a name safe there.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from reflect.domain import accounts, checkpoints, cohorts, responses
from reflect.domain.access import SYSTEM
from reflect.domain.questions import load_question_sets
from reflect.storage.db import open_db

from ..cohort_data import ROOT, days
from .helpers import PASSWORD, goto, settled, sign_in, sign_out

SETS, _ = load_question_sets(ROOT / "questions")
CHECKLIST = SETS["munby-fullan-skills"]
ACTIVITY = SETS["thinkpiece-activity"]  # the first set of written answers: Completion shows it first

IMAGE_AND_LINK = "![x](http://127.0.0.1:9/x.png)[y](http://127.0.0.1:9/y)"
URL = "http://evil.example/a"
WWW = "www.evil.example"
HTML = "<b>bold</b><img src=http://127.0.0.1:9/i.png>"
MARKUP = "**bold** _it_ :smile: $x^2$ :red[red]"
PAYLOADS = [IMAGE_AND_LINK, URL, WWW, HTML, MARKUP]

FACILITATOR, COHORT, LEADER = HTML, WWW, URL  # the leader who signs in; every payload is also some leader's name
CURRENT, EARLIER = IMAGE_AND_LINK, MARKUP  # the checkpoint open now, and the one before it

FACILITATOR_PAGES = ["Cohort dashboard", "Completion and reflections", "Leader record", "Impact", "Cohorts",
                     "Add leaders", "Export", "Activity log"]
LEADER_PAGES = ["Home", "Reflect", "Skills checklist", "My progress", "My data"]
# What each page must show, as typed (besides the signed-in person's name, shown on every page).
EXPECTED = {
    "Cohort dashboard": [COHORT, CURRENT],
    "Completion and reflections": [COHORT, CURRENT, *PAYLOADS],  # each leader's shared reflection, by name
    "Leader record": [COHORT],
    "Impact": [COHORT],
    "Cohorts": [COHORT],
    "Add leaders": [COHORT],
    "Export": [COHORT],
    "Home": [COHORT],
    "My progress": [CURRENT],
}
# What a name turns into when Markdown or HTML gets hold of it. Port 9 is "discard": nothing there answers.
MADE_FROM_A_NAME = {
    "a link to evil.example": 'a[href*="evil.example"]',
    "a link to 127.0.0.1:9": 'a[href*="127.0.0.1:9/"]',
    "an image from 127.0.0.1:9": 'img[src*="127.0.0.1:9/"]',
    "bold from a name": "b, strong",
    "italics from a name": "em, i",
    "maths": ".katex, math",
}
MARKUP_TEXT = {"b, strong": re.compile(r"^\s*bold\s*$"), "em, i": re.compile(r"^\s*it\s*$")}


def _make_cohort(path) -> None:
    """A facilitator, a cohort with five checkpoints and five leaders, all named with payloads; every leader rated
    themselves before and now, and shared a written reflection."""
    db = open_db(path)
    facilitator = accounts.create_first_facilitator(db, name=FACILITATOR, email="fran@trust.example",
                                                    password=PASSWORD)
    cohort = cohorts.create_cohort(db, facilitator.id, COHORT)
    now = datetime.now(UTC)
    windows = [(None, EARLIER, now - timedelta(days=40), now - timedelta(days=10)),
               (None, CURRENT, now - timedelta(days=10), now + timedelta(days=10))]
    windows += [(None, name, now + timedelta(days=10 * n), now + timedelta(days=10 * n + 10))
                for n, name in enumerate([URL, WWW, HTML], start=1)]
    checkpoints.replace_all(db, SYSTEM, cohort.id,
                            [(None, name, *days(opens, closes)) for _, name, opens, closes in windows])
    for number, name in enumerate([LEADER, *(p for p in PAYLOADS if p != LEADER)]):
        leader = accounts.register_leader(db, join_code=cohort.join_code, name=name,
                                          email=f"leader{number}@evil.example", password=PASSWORD)
        # Now (None: the time of submitting), after joining: a cohort counts only what its members submitted as members.
        for round_, when in enumerate([now - timedelta(days=20), None]):
            for item in CHECKLIST.items:
                responses.save_draft(db, leader.id, CHECKLIST, item.id, rating=2 + round_ + number % 2)
            responses.submit(db, leader.id, CHECKLIST, f"rate-{number}-{round_}", now=when)
        responses.save_draft(db, leader.id, ACTIVITY, ACTIVITY.items[0].id, text="Partnership starts with trust.")
        shared = responses.submit(db, leader.id, ACTIVITY, f"write-{number}")
        responses.set_shared(db, leader.id, shared.id, True)
    db.close()


def _problems_on(page, title: str, signed_in_as: str, requests: list[str]) -> list[str]:
    """Everything wrong with how names show on the page now on screen."""
    page.wait_for_timeout(300)  # let charts draw and any image start loading
    problems = [f"{title}: {what}" for what, selector in MADE_FROM_A_NAME.items()
                if (page.locator(selector).filter(has_text=MARKUP_TEXT[selector]) if selector in MARKUP_TEXT
                    else page.locator(selector)).count()]
    problems += [f"{title}: requested {url}" for url in requests]
    requests.clear()
    shown = "\n".join([page.locator('[data-testid="stApp"]').inner_text(),  # and what each picker shows chosen:
                        *page.locator('input[role="combobox"]').evaluate_all("boxes => boxes.map(b => b.value)")])
    problems += [f"{title}: {name!r} is not shown as typed"
                 for name in [signed_in_as, *EXPECTED.get(title, [])] if name not in shown]
    return problems


def test_names_are_plain_text_on_every_page(server, page_as):
    _make_cohort(server.db_path)
    page = page_as(server, "fran@trust.example")
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url) if "127.0.0.1:9/" in request.url else None)
    problems = []

    goto(page, server.url)
    for title in FACILITATOR_PAGES:
        page.get_by_role("link", name=title, exact=True).click()
        settled(page)
        problems += _problems_on(page, title, FACILITATOR, requests)
    sign_out(page)

    sign_in(page, "leader0@evil.example")
    for title in LEADER_PAGES:
        page.get_by_role("link", name=title, exact=True).click()
        settled(page)
        problems += _problems_on(page, title, LEADER, requests)

    assert not problems, "\n".join(problems)
