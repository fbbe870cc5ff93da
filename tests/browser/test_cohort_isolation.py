"""Issue 9, in Chromium: a facilitator cannot pull another cohort's leader in by roster and read their past work.

Lee, of Fran's cohort North, rated the checklist and shared a reflection. Olu, who runs South, uploads a roster with
Lee's email: the preview does not say Lee has an account, and after the import South shows nothing of Lee. Lee signs
in, sees the invitation on Home and accepts; South still does not see what Lee submitted before, but sees what Lee
submits afterwards. Two leaders with the same name are told apart by email on Completion.
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from reflect.devtools.live_server import start_server, stop_server
from reflect.domain import accounts, cohorts, responses
from reflect.domain.questions import load_question_sets
from reflect.storage.db import open_db

from ..cohort_data import ROOT
from .helpers import PASSWORD, click, goto, settled, sign_in, sign_out, write_answer
from .test_real_server import choose, metric_number

SETS, _ = load_question_sets(ROOT / "questions")
CHECKLIST = SETS["munby-fullan-skills"]
REFLECTION = SETS["personal-reflection"]
EARLIER = "EARLIER, for North only: the governors never read my reports"
LATER = "LATER, written in South: the parents' forum now sets one priority a term"
LEE = "lee@school.org.uk"


def submit(db, user, qset, token, **answers) -> responses.Submission:
    """Answer every item of a checklist, or the first question of a reflection set, and submit."""
    for item in qset.items if qset.is_rating else qset.items[:1]:
        responses.save_draft(db, user.id, qset, item.id, **answers)
    return responses.submit(db, user.id, qset, token)


def upload(page: Page, tmp_path, data: bytes) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(data)
    page.locator("input[type=file]").set_input_files(str(path))
    settled(page)


def open_completion_reflections(page: Page) -> str:
    """Completion, showing the shared Personal reflections; returns the page's text."""
    page.get_by_role("link", name="Completion and reflections", exact=True).click()
    settled(page)
    choose(page, "Question set", REFLECTION.title)
    for expander in page.locator('[data-testid="stExpander"] summary').all():
        expander.click()
    settled(page)
    return page.locator("body").inner_text()


def test_a_roster_cannot_pull_another_cohorts_leader_in_and_only_work_after_accepting_is_seen(tmp_path, page_as):
    db = open_db(tmp_path / "reflect.db")
    fran = accounts.create_first_facilitator(db, name="Fran", email="fran@trust.org.uk", password=PASSWORD)
    north = cohorts.create_cohort(db, fran.id, "North")
    lee = accounts.register_leader(db, join_code=north.join_code, name="Lee", email=LEE, password=PASSWORD)
    submit(db, lee, CHECKLIST, "lee-checklist", rating=2, note="North note")
    earlier = submit(db, lee, REFLECTION, "lee-earlier", text=EARLIER)
    responses.set_shared(db, lee.id, earlier.id, True)
    olu = accounts.create_facilitator(db, name="Olu", email="olu@trust.org.uk", password=PASSWORD)
    south = cohorts.create_cohort(db, olu.id, "South")
    # Two leaders of South with the same name, each sharing a reflection.
    for email in ("sam.lee@oak.sch.uk", "slee@elm.sch.uk"):
        sam = accounts.register_leader(db, join_code=south.join_code, name="Sam Lee", email=email, password=PASSWORD)
        responses.set_shared(db, sam.id, submit(db, sam, REFLECTION, email, text=f"Sam's words ({email})").id, True)
    db.close()

    server = start_server(tmp_path / "reflect.db", tmp_path / "streamlit.log")
    try:
        page = page_as(server, "olu@trust.org.uk")
        goto(page, server.url)
        expect(page.get_by_role("heading", name="Cohort dashboard")).to_be_visible()
        assert metric_number(page) == 0

        page.get_by_role("link", name="Add leaders", exact=True).click()
        settled(page)
        upload(page, tmp_path, f"name,email\nNew Person,new@x.org\nLee,{LEE}\n".encode())
        preview = page.locator('[data-testid="stDataFrame"]').first
        expect(preview).to_contain_text(LEE)
        assert "has an account" not in page.locator("body").inner_text().lower()
        assert "has an account" not in preview.text_content().lower()
        assert preview.text_content().count("Will be invited to this cohort") == 2
        click(page, "Import 2 leaders")
        expect(page.get_by_text("2 leaders were invited")).to_be_visible()

        # Before Lee answers: nothing of Lee in South, neither the reflection nor the ratings.
        text = open_completion_reflections(page)
        assert EARLIER not in text and LEE not in text
        # Leaders of the same name are told apart by email, never an internal id.
        assert "Sam Lee · sam.lee@oak.sch.uk" in text and "Sam Lee · slee@elm.sch.uk" in text and "(#" not in text
        page.get_by_role("link", name="Cohort dashboard", exact=True).click()
        settled(page)
        assert metric_number(page) == 0

        # Lee signs in and accepts the invitation on Home.
        sign_out(page)
        sign_in(page, LEE)
        expect(page.get_by_text("Olu invited you to join the cohort South")).to_be_visible()
        click(page, "Accept")
        expect(page.get_by_text("invited you to join")).to_have_count(0)
        expect(page.get_by_text("Cohort: South")).to_be_visible()

        # Lee writes and submits a new reflection, then shares it.
        write_answer(page, REFLECTION.title, REFLECTION.items[0].text, LATER)
        click(page, "Submit these reflections")
        expect(page.get_by_text("Your answers stay here as your draft", exact=False)).to_be_visible()
        page.get_by_role("link", name="Home", exact=True).click()
        settled(page)
        page.get_by_role("link", name="Reflect", exact=True).click()
        settled(page)
        page.get_by_role("tab", name=REFLECTION.title).click()
        page.get_by_text("Your submissions (2) and sharing").click()
        settled(page)  # opening the list runs the page: aim at the switch once it is drawn
        switches = page.get_by_role("switch", name="Share with my facilitator", exact=False)
        expect(switches).to_have_count(2)
        newest = switches.first  # newest first
        expect(newest).not_to_be_checked()
        newest.locator("xpath=ancestor::label[1]").click()
        settled(page)
        expect(newest).to_be_checked()

        # South sees the new reflection, still not the earlier one, and no earlier ratings.
        sign_out(page)
        sign_in(page, "olu@trust.org.uk")
        expect(page.get_by_role("heading", name="Cohort dashboard")).to_be_visible()
        assert metric_number(page) == 0, "Lee's checklist from before joining counted in South"
        text = open_completion_reflections(page)
        assert LATER in text and EARLIER not in text
        assert f"Lee · {LEE}" in text
    finally:
        stop_server(server)
    log = (tmp_path / "streamlit.log").read_text()
    assert "Traceback" not in log, log
