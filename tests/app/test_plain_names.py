"""Names people typed never reach an element that renders Markdown: titles, alerts, captions, labels, help."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from google.protobuf.json_format import MessageToDict

from reflect.domain import accounts, checkpoints, cohorts, responses
from reflect.domain.access import SYSTEM
from reflect.domain.questions import load_question_sets

from ..cohort_data import days
from .conftest import PASSWORD, ROOT, app_as

SETS, _ = load_question_sets(ROOT / "questions")
CHECKLIST = SETS["munby-fullan-skills"]
ACTIVITY = SETS["thinkpiece-activity"]
LEADER_PAGES = ["pages/home.py", "pages/reflect.py", "pages/checklist.py", "pages/progress.py", "pages/my_data.py",
                "pages/sign_in.py"]
FACILITATOR_PAGES = ["pages/dashboard.py", "pages/completion.py", "pages/leader.py", "pages/cohorts.py",
                     "pages/cohort_export.py", "pages/activity.py", "pages/roster.py", "pages/my_account.py"]
PLAIN_BODIES = {"text", "html", "code"}  # elements whose body is shown as it is


def _markdown_strings(node) -> list[str]:
    """Every string under `node` that Streamlit renders as Markdown: bodies of titles, Markdown, captions and
    alerts, and every label and help text (widgets, metrics, expanders, tabs)."""
    found = []

    def walk(value, key=""):
        if isinstance(value, dict):
            for name, inner in value.items():
                walk(inner, name)
        elif isinstance(value, list):
            for inner in value:
                walk(inner, key)
        elif isinstance(value, str) and key in ("label", "help", "body"):
            found.append(value)

    proto = getattr(node, "proto", None)
    if proto is not None and hasattr(proto, "DESCRIPTOR"):
        fields = MessageToDict(proto)
        if getattr(node, "type", "") in PLAIN_BODIES:
            fields.pop("body", None)
        walk(fields)
    for child in getattr(node, "children", {}).values():
        found += _markdown_strings(child)
    return found


@pytest.fixture
def named(db):
    """Everyone and everything named with a URL; five leaders rated themselves and shared a reflection."""
    facilitator = accounts.create_first_facilitator(db, name="www.evil.example", email="fran@trust.org.uk",
                                                    password=PASSWORD)
    cohort = cohorts.create_cohort(db, facilitator.id, "http://evil.example/cohort")
    now = datetime.now(UTC)
    checkpoints.replace_all(db, SYSTEM, cohort.id, [(None, "![x](http://evil.example/x.png)",
                                             *days(now - timedelta(days=9), now + timedelta(days=9)))])
    leaders = []
    for number in range(5):
        leader = accounts.register_leader(db, join_code=cohort.join_code, name=f"www.evil{number}.example",
                                          email=f"lee{number}@evil.example", password=PASSWORD)
        for item in CHECKLIST.items:
            responses.save_draft(db, leader.id, CHECKLIST, item.id, rating=3)
        responses.submit(db, leader.id, CHECKLIST, f"rate-{number}")
        responses.save_draft(db, leader.id, ACTIVITY, ACTIVITY.items[0].id, text="Trust first.")
        responses.set_shared(db, leader.id, responses.submit(db, leader.id, ACTIVITY, f"write-{number}").id, True)
        leaders.append(leader)
    return facilitator, leaders[0]


@pytest.mark.parametrize("page", LEADER_PAGES + FACILITATOR_PAGES)
def test_no_name_reaches_markdown(named, page):
    facilitator, leader = named
    at = app_as(leader if page in LEADER_PAGES else facilitator, page)
    assert not at.exception
    rendered = [text for text in _markdown_strings(at.main) + _markdown_strings(at.sidebar) if "evil" in text]
    assert not rendered, f"a name in Markdown: {rendered}"
