"""Facilitator pages through AppTest: only their own cohorts, charts on demo data, sharing, co-facilitators."""

from __future__ import annotations

import pytest

from reflect.devtools.demo import make_demo
from reflect.domain import accounts, checkpoints, feedback, responses, sessions
from reflect.domain.access import SYSTEM
from reflect.domain.questions import load_question_sets
from reflect.reporting import reports
from reflect.storage import tally
from reflect.web.context import SESSION_KEY

from .conftest import ROOT, app_as, shown_text
from .test_pages import CHECKLIST, FACILITATOR_PAGES

SETS, _ = load_question_sets(ROOT / "questions")
REFLECTION = SETS["personal-reflection"]


def _rate_all(db, leader, rating, token):
    for item in CHECKLIST.items:
        responses.save_draft(db, leader.id, CHECKLIST, item.id, rating=rating, note="My own evidence")
    return responses.submit(db, leader.id, CHECKLIST, token)


@pytest.mark.parametrize("page", FACILITATOR_PAGES)
def test_another_cohorts_facilitator_never_sees_this_cohort(people, db, page):
    _rate_all(db, people.leader, 4, "lee")
    at = app_as(people.other_facilitator, page)
    assert not at.exception
    offered = [option for box in at.selectbox if box.label == "Cohort" for option in box.options]
    assert people.cohort.name not in offered
    text = shown_text(at)
    assert people.cohort.join_code not in text and "Lee" not in text and "lee@school" not in text


def test_dashboard_on_demo_data_draws_every_chart_with_its_numbers(db):
    made = make_demo(db, SETS, leaders=40, seed=5)
    facilitator = accounts.get_user(db, db.execute("SELECT id FROM users WHERE email = ?",
                                                   [made.facilitator_email]).fetchone()[0])
    at = app_as(facilitator, "pages/dashboard.py")
    assert not at.exception
    assert len(at.get("vega_lite_chart")) == 3
    assert len(at.dataframe) == 3, "a numbers table behind every chart"
    metric = at.get("metric")[0]
    current = checkpoints.at(db, made.cohort.id, db.execute("SELECT MAX(submitted_at) FROM submissions").fetchone()[0])
    assert metric.label == "Leaders who submitted at this checkpoint"
    submitted = reports.respondents(db, SYSTEM, made.cohort.id, CHECKLIST.id, current.id)
    assert metric.value == f"{submitted} of 40 ({submitted / 40:.0%})"  # out of everyone in the cohort
    points = checkpoints.of_cohort(db, made.cohort.id)
    [summary] = [text.value for text in at.text if text.value.startswith("From ")]
    assert summary.startswith(f"From {points[0].name} to {points[-1].name}, the cohort's mean rating rose on ")
    assert "Largest rise: " in summary
    assert next(box for box in at.selectbox if box.label == "Checkpoint").value == current.id
    # Filtering to two skills narrows every chart and table to them.
    at.multiselect[0].select(CHECKLIST.items[0]).select(CHECKLIST.items[6]).run()
    for table in at.dataframe[:2]:
        assert {label.split(".")[0] for label in table.value["Skill"]} == {"1", "7"}


def test_grid_pages_through_leaders(db):
    make_demo(db, SETS, leaders=60, seed=2)
    facilitator = accounts.get_user(db, 1)
    at = app_as(facilitator, "pages/dashboard.py")
    at.selectbox(key="grid_size").set_value(25).run()
    first_page = list(at.dataframe[2].value.index)
    at.number_input(key="grid_page").set_value(2).run()
    second_page = list(at.dataframe[2].value.index)
    assert len(first_page) == 25 and second_page and not set(first_page) & set(second_page)


def test_shared_reflections_reach_the_facilitator_only_when_shared(people, db):
    responses.save_draft(db, people.leader.id, REFLECTION, "q01", text="**Not bold**: trust comes first.")
    made = responses.submit(db, people.leader.id, REFLECTION, "r1")
    at = app_as(people.facilitator, "pages/completion.py")
    pick = next(box for box in at.selectbox if box.label == "Question set")
    pick.set_value(REFLECTION).run()
    assert "trust comes first" not in shown_text(at)
    assert any("No one has shared" in info.value for info in at.info)

    leader_view = app_as(people.leader, "pages/reflect.py")
    leader_view.toggle(key=f"share:{made.id}").set_value(True).run()
    assert responses.shared_ids(db, people.leader.id) == {made.id}

    at = app_as(people.facilitator, "pages/completion.py")
    next(box for box in at.selectbox if box.label == "Question set").set_value(REFLECTION).run()
    assert "**Not bold**: trust comes first." in [text.value for text in at.text], "not shown literally"


def test_sharing_switched_on_in_a_tab_signed_out_elsewhere_shares_nothing(people, db):
    responses.save_draft(db, people.leader.id, REFLECTION, "q01", text="Trust comes first.")
    made = responses.submit(db, people.leader.id, REFLECTION, "r1")
    leader_view = app_as(people.leader, "pages/reflect.py")
    sessions.end(db, session_id=leader_view.session_state[SESSION_KEY])  # signed out in another tab
    leader_view.toggle(key=f"share:{made.id}").set_value(True).run()
    assert responses.shared_ids(db, people.leader.id) == set()
    assert [title.value for title in leader_view.title] == ["Sign in to Reflect"]


def _sent_in_a_tab_signed_out_elsewhere(at, db, box_key: str, button: str) -> None:
    """In `at`'s tab, once its session has ended in another: a message typed in the box `box_key`, `button` pressed."""
    sessions.end(db, session_id=at.session_state[SESSION_KEY])
    at.text_area(key=box_key).input("Sent after signing out.")
    next(pressed for pressed in at.button if pressed.label == button).click().run()


def test_feedback_and_a_reply_sent_from_a_tab_signed_out_elsewhere_send_nothing(people, db):
    responses.save_draft(db, people.leader.id, REFLECTION, "q01", text="Trust comes first.")
    made = responses.submit(db, people.leader.id, REFLECTION, "r1", share=True)
    facilitator_view = app_as(people.facilitator, "pages/completion.py")
    next(box for box in facilitator_view.selectbox if box.label == "Question set").set_value(REFLECTION).run()
    _sent_in_a_tab_signed_out_elsewhere(facilitator_view, db, f"feedback:{made.id}", "Send feedback")
    assert feedback.thread(db, SYSTEM, people.cohort.id, made.id) == []
    assert [title.value for title in facilitator_view.title] == ["Sign in to Reflect"]

    feedback.write(db, people.facilitator, people.cohort.id, made.id, "What does trust look like?")
    leader_view = app_as(people.leader, "pages/reflect.py")
    _sent_in_a_tab_signed_out_elsewhere(leader_view, db, f"reply:{made.id}", "Send reply")
    thread = feedback.thread(db, SYSTEM, people.cohort.id, made.id)
    assert [message.body for message in thread] == ["What does trust look like?"]
    assert [title.value for title in leader_view.title] == ["Sign in to Reflect"]


def test_completion_lists_who_has_submitted(people, db):
    _rate_all(db, people.leader, 3, "lee")
    at = app_as(people.facilitator, "pages/completion.py")
    table = at.dataframe[0].value.set_index("Leader")
    assert table.loc["Lee", CHECKLIST.title] == "Submitted"
    assert table.loc["Bea", CHECKLIST.title] == "Not submitted"
    assert "Showing 2 leaders of 2." in [caption.value for caption in at.caption]
    at.segmented_control[0].set_value("Nothing submitted").run()
    assert list(at.dataframe[0].value["Leader"]) == ["Bea"]
    assert "Showing 1 leader of 2." in [caption.value for caption in at.caption]
    assert [code.value for code in at.code] == [people.other_leader.email], "their addresses, ready to copy"
    download = at.get("download_button")[0]
    assert download.proto.label == "Download this list (CSV)"


def test_leaders_are_refused_every_facilitator_page_and_export(people, db):
    _rate_all(db, people.other_leader, 5, "bea")
    for page in FACILITATOR_PAGES:
        at = app_as(people.leader, page)
        assert "This page is for facilitators only" in at.error[0].value
        assert not at.get("download_button") and not at.get("link_button") and not at.get("vega_lite_chart")


def test_export_links_each_file_to_the_export_route_with_the_choices_made(people, db):
    """The files are streamed by the server (reflect.web.routes): the page only links to the one chosen, ready for
    Excel unless that is turned off."""
    at = app_as(people.facilitator, "pages/cohort_export.py")
    base = f"/export/{people.cohort.id}"

    def link() -> tuple[str, str]:
        [button] = at.get("link_button")
        return button.proto.label, button.proto.url

    assert link() == ("Download: For Excel: one row per leader", f"{base}/wide.csv?set={CHECKLIST.id}&bom=1")
    start = checkpoints.of_cohort(db, people.cohort.id)[0]
    at.selectbox(key=f"checkpoint_picker:{people.cohort.id}:any").set_value(start.id).run()
    at.selectbox(key="export_set").set_value(REFLECTION).run()
    at.radio(key="export_ratings").set_value("Labels (as leaders saw them)").run()
    assert link()[1] == f"{base}/wide.csv?checkpoint={start.id}&set={REFLECTION.id}&bom=1&labels=1"
    at.radio(key="export_file").set_value("For analysis: one row per answer").run()
    assert link() == ("Download: For analysis: one row per answer",
                      f"{base}/long.csv?checkpoint={start.id}&bom=1&labels=1")
    at.toggle(key="export_bom").set_value(False).run()
    at.radio(key="export_file").set_value("What each column means").run()
    assert link()[1] == f"{base}/codebook.csv?checkpoint={start.id}&set={REFLECTION.id}"
    at.radio(key="export_file").set_value("Feedback on shared reflections").run()
    assert link()[1] == f"{base}/feedback.csv?checkpoint={start.id}"


def test_adding_a_co_facilitator_gives_an_invitation_code(people, db):
    at = app_as(people.facilitator, "pages/cohorts.py")
    inputs = {widget.label: widget for widget in at.text_input}
    inputs["Their name"].input("Cam")
    inputs["Their email"].input("cam@trust.org.uk")
    next(button for button in at.button if button.label == "Add co-facilitator").click().run()
    assert any("invitation code" in message.value for message in at.success)
    names = [row[0] for row in db.execute(
        "SELECT u.name FROM users u JOIN cohort_facilitators f ON f.user_id = u.id WHERE f.cohort_id = ?",
        [people.cohort.id])]
    assert sorted(names) == ["Cam", "Fran"]


def test_saving_the_checkpoints_unchanged_on_the_cohorts_page_changes_no_figure(db):
    made = make_demo(db, SETS, leaders=200, seed=1)
    facilitator = accounts.get_user(db, db.execute("SELECT id FROM users WHERE email = ?",
                                                   [made.facilitator_email]).fetchone()[0])
    points = checkpoints.of_cohort(db, made.cohort.id)
    figures = [reports.respondents(db, SYSTEM, made.cohort.id, CHECKLIST.id, point.id) for point in points]
    stored, version = db.execute("SELECT * FROM checkpoints ORDER BY id").fetchall(), tally.version(db, made.cohort.id)
    at = app_as(facilitator, "pages/cohorts.py")
    assert "Dates are whole days in Europe/London, first and last day included" in shown_text(at)
    next(button for button in at.button if button.label == "Save checkpoints").click().run()
    assert not at.exception and not at.error
    assert "Nothing to save" in at.success[0].value
    assert db.execute("SELECT * FROM checkpoints ORDER BY id").fetchall() == stored
    assert tally.version(db, made.cohort.id) == version
    assert [reports.respondents(db, SYSTEM, made.cohort.id, CHECKLIST.id, point.id) for point in points] == figures


def test_a_leaders_record_charts_their_ratings_and_shows_only_what_they_shared(people, db):
    _rate_all(db, people.leader, 4, "lee-checklist")
    responses.save_draft(db, people.leader.id, REFLECTION, "q01", text="**Kept** to myself.")
    responses.submit(db, people.leader.id, REFLECTION, "lee-private")
    responses.save_draft(db, people.leader.id, REFLECTION, "q01", text="**Shared**: governors first.")
    shared = responses.submit(db, people.leader.id, REFLECTION, "lee-shared", share=True)
    at = app_as(people.facilitator, "pages/leader.py")
    picker = next(box for box in at.selectbox if box.label == "Leader")
    picker.set_value(people.leader.id).run()
    assert not at.exception
    assert f"<h2>Lee · {people.leader.email}</h2>" in [element.value for element in at.get("html")]
    assert len(at.get("vega_lite_chart")) == 1, "their ratings over time"
    text = shown_text(at)
    assert "**Shared**: governors first." in [element.value for element in at.text], "shown literally"
    assert "Kept" not in text and "My own evidence" not in text, "what they did not share never shows"
    assert any(element.value.startswith(f"<h3>{REFLECTION.title}: Submitted") for element in at.get("html"))
    assert shared.id in responses.shared_ids(db, people.leader.id)

    picker.set_value(people.other_leader.id).run()  # and another leader, with nothing yet
    assert any("No submission of this checklist" in info.value for info in at.info)
    assert any("Nothing shared yet" in info.value for info in at.info)
