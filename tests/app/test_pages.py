"""Every page, for every role, through Streamlit's AppTest against a real database."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from reflect.domain import checkpoints, responses, sessions
from reflect.domain.questions import QuestionSet, load_question_sets
from reflect.web import context
from reflect.web.context import SESSION_KEY

from ..cohort_data import FEB, JAN, cohort_with_windows, leaders, rate
from .conftest import ROOT, app_as, shown_text

LEADER_PAGES = ["pages/home.py", "pages/reflect.py", "pages/checklist.py", "pages/progress.py", "pages/my_data.py"]
FACILITATOR_PAGES = ["pages/dashboard.py", "pages/completion.py", "pages/leader.py", "pages/impact.py",
                     "pages/cohorts.py", "pages/cohort_export.py", "pages/activity.py", "pages/roster.py",
                     "pages/my_account.py"]
PUBLIC_PAGES = ["pages/sign_in.py", "pages/register.py", "pages/setup.py", "pages/invitation.py"]
SETS, _ = load_question_sets(ROOT / "questions")
CHECKLIST = SETS["munby-fullan-skills"]
REFLECTION = SETS["personal-reflection"]


@pytest.mark.parametrize("page", LEADER_PAGES + FACILITATOR_PAGES + PUBLIC_PAGES)
@pytest.mark.parametrize("role", ["anonymous", "leader", "facilitator"])
def test_every_page_runs_for_every_role(people, role, page):
    user = {"anonymous": None, "leader": people.leader, "facilitator": people.facilitator}[role]
    at = app_as(user, page)
    assert not at.exception, at.exception
    assert at.title or at.html or at.error, "the page shows nothing"  # Home's title holds a name: st.html


@pytest.mark.parametrize("page", LEADER_PAGES + FACILITATOR_PAGES)
def test_signed_out_person_gets_the_sign_in_screen_and_no_data(people, db, page):
    qset = REFLECTION
    responses.save_draft(db, people.leader.id, qset, "q01", text="My private draft about governors")
    at = app_as(None, page)
    assert [title.value for title in at.title] == ["Sign in to Reflect"]
    assert at.button or at.get("form_submit_button") or at.text_input, "no sign-in form"
    text = shown_text(at)
    assert "private draft" not in text and people.cohort.join_code not in text and "Lee" not in text


@pytest.mark.parametrize("page", FACILITATOR_PAGES)
def test_leader_cannot_reach_a_facilitator_page(people, page):
    at = app_as(people.leader, page)
    assert "This page is for facilitators only" in at.error[0].value
    text = shown_text(at)
    assert people.cohort.join_code not in text and people.cohort.name not in text


@pytest.mark.parametrize("page", LEADER_PAGES)
def test_facilitator_is_refused_leader_pages(people, page):
    at = app_as(people.facilitator, page)
    assert "This page is for leaders only" in at.error[0].value


def test_leader_never_sees_another_leaders_answers(people, db):
    responses.save_draft(db, people.other_leader.id, REFLECTION, "q01", text="Bea's confidential answer")
    responses.submit(db, people.other_leader.id, REFLECTION, "bea-1")
    for page in LEADER_PAGES:
        at = app_as(people.leader, page)
        assert "confidential" not in shown_text(at), page


def test_empty_database_opens_set_up_and_creates_the_first_facilitator(db_path):
    at = app_as(None)
    assert at.title[0].value == "Set up Reflect"
    inputs = {widget.label: widget for widget in at.text_input}
    inputs["Your name"].input("Fran")
    inputs["Email"].input("fran@trust.org.uk")
    inputs["Choose a password"].input("long enough password")
    inputs["Type the password again"].input("long enough password")
    at.button[0].click().run()
    assert not at.exception
    # AppTest stays on the page it ran (a browser at "/" lands on the new default page): go there by name.
    at.switch_page("pages/cohorts.py").run()
    assert at.title[0].value == "Cohorts"
    assert "Signed in as Fran (administrator)" in shown_text(at)
    assert app_as(None).title[0].value == "Sign in to Reflect", "set-up is offered again after it was done"


def test_facilitator_creates_a_cohort_and_sees_its_join_code(people):
    at = app_as(people.facilitator, "pages/cohorts.py")
    at.text_input[0].input("Autumn East")
    at.button[0].click().run()
    assert "Leaders join with the code" in at.success[0].value
    code = at.success[0].value.rsplit(" ", 1)[-1].strip("*.")
    table = at.dataframe[0].value
    assert code in list(table["Join code"]) and "Autumn East" in list(table["Cohort"])
    assert people.other_cohort.name not in list(table["Cohort"]), "another facilitator's cohort is listed"


def test_reflection_saves_as_typed_and_shows_saved(people, db):
    at = app_as(people.leader, "pages/reflect.py")
    at.text_area(key="personal-reflection:q01:text").input("Partnerships widen what pupils can reach.").run()
    saved = responses.drafts(db, people.leader.id, REFLECTION.id)["q01"].text
    assert saved == "Partnerships widen what pupils can reach."
    assert any('role="status"' in str(status.value) and "✓ Saved" in str(status.value) for status in at.get("html"))
    assert answered_count(at, REFLECTION) == "1 of 5 questions answered"


def test_text_over_the_limit_is_refused_and_the_saved_draft_kept(people, db):
    responses.save_draft(db, people.leader.id, REFLECTION, "q01", text="What I had saved.")
    at = app_as(people.leader, "pages/reflect.py")
    too_long = "x" * (REFLECTION.max_chars + 7)
    at.text_area(key="personal-reflection:q01:text").input(too_long).run()
    assert any("Remove 7 characters" in error.value for error in at.error)
    assert at.text_area(key="personal-reflection:q01:text").value == too_long, "what was typed was thrown away"
    assert responses.drafts(db, people.leader.id, REFLECTION.id)["q01"].text == "What I had saved."
    at.button(key="submit:personal-reflection").click().run()
    assert any("could not be saved" in error.value for error in at.error)
    assert responses.submissions(db, people.leader.id, REFLECTION.id) == []


def test_earlier_submission_is_shown_beside_the_draft_as_plain_text(people, db):
    markdown = "**bold** [click](javascript:alert(1)) <b>html</b>"
    responses.save_draft(db, people.leader.id, REFLECTION, "q01", text=markdown)
    responses.submit(db, people.leader.id, REFLECTION, "first")
    responses.save_draft(db, people.leader.id, REFLECTION, "q01", text="My thinking moved on.")
    at = app_as(people.leader, "pages/reflect.py")
    compare = at.selectbox(key="compare:personal-reflection")
    compare.select_index(1).run()
    assert markdown in [text.value for text in at.text], "the earlier answer is not shown verbatim as plain text"
    assert all(markdown not in element.value for element in at.markdown)
    assert at.text_area(key="personal-reflection:q01:text").value == "My thinking moved on."


def test_checklist_submit_names_missing_ratings_and_keeps_what_was_entered(people, db):
    at = app_as(people.leader, "pages/checklist.py")
    for item in CHECKLIST.items[:9]:
        at.radio(key=f"{CHECKLIST.id}:{item.id}:rating").set_value(4).run()
    at.text_area(key=f"{CHECKLIST.id}:feedback:note").input("My peers said so.").run()
    at.button(key=f"submit:{CHECKLIST.id}").click().run()
    last = CHECKLIST.items[9]
    assert any(last.text in error.value for error in at.error), "the missing rating is not named"
    assert responses.submissions(db, people.leader.id, CHECKLIST.id) == []
    assert at.radio(key=f"{CHECKLIST.id}:feedback:rating").value == 4
    assert at.text_area(key=f"{CHECKLIST.id}:feedback:note").value == "My peers said so."
    at.radio(key=f"{CHECKLIST.id}:{last.id}:rating").set_value(2).run()
    at.button(key=f"submit:{CHECKLIST.id}").click().run()
    assert any(success.value.startswith("Submitted") for success in at.success)
    [made] = responses.submissions(db, people.leader.id, CHECKLIST.id)
    answers = responses.answers(db, people.leader.id, made.id)
    assert answers["feedback"].note == "My peers said so." and answers[last.id].rating == 2


def test_answers_the_page_holds_but_streamlit_never_reported_are_saved(people, db):
    """Streamlit calls a widget's on_change only for a widget it had drawn before the change, so a rating chosen on a
    loaded server while the page's first run was still drawing its skill was shown chosen but never saved (the fast
    keyboard test caught it once in CI: skill 7 checked, no "Saved", 9 of 10 counted). Here values arrive the same
    way, without their callbacks: a rating and a note on the checklist, a written answer on Reflect."""
    at = app_as(people.leader, "pages/checklist.py")
    at.session_state[f"{CHECKLIST.id}:{CHECKLIST.items[6].id}:rating"] = 3
    at.session_state[f"{CHECKLIST.id}:{CHECKLIST.items[6].id}:note"] = "Governors told me so."
    at.run()
    draft = responses.current_drafts(db, people.leader.id, CHECKLIST)[CHECKLIST.items[6].id]
    assert (draft.rating, draft.note) == (3, "Governors told me so.")
    assert answered_count(at) == "1 of 10 skills rated"
    at = app_as(people.leader, "pages/reflect.py")
    at.session_state[f"{REFLECTION.id}:q02:text"] = "Parents first."
    at.run()
    assert responses.drafts(db, people.leader.id, REFLECTION.id)["q02"].text == "Parents first."
    assert answered_count(at, REFLECTION) == "1 of 5 questions answered"


def test_a_value_the_page_holds_never_overwrites_a_saved_answer(people, db):
    """Only empty fields are filled from what the page holds: a saved answer may be newer (from another tab)."""
    at = app_as(people.leader, "pages/reflect.py")
    responses.save_draft(db, people.leader.id, REFLECTION, "q02", text="Written in another tab.")
    at.session_state[f"{REFLECTION.id}:q02:text"] = "Older text in this tab."
    at.run()
    assert responses.drafts(db, people.leader.id, REFLECTION.id)["q02"].text == "Written in another tab."


def test_an_answer_cleared_in_another_tab_is_shown_cleared_and_never_saved_back(people, db):
    """A field this page has not changed takes what the database holds now: a note cleared (or a rating changed) in
    another tab is not put back by this one's next run, and is shown as it now is."""
    feedback_item, other = CHECKLIST.items[0].id, CHECKLIST.items[1].id
    responses.save_draft(db, people.leader.id, CHECKLIST, feedback_item, rating=2, note="Governors told me so.")
    at = app_as(people.leader, "pages/checklist.py")
    assert at.text_area(key=f"{CHECKLIST.id}:{feedback_item}:note").value == "Governors told me so."
    responses.save_draft(db, people.leader.id, CHECKLIST, feedback_item, note="", rating=4)  # the other tab
    at.radio(key=f"{CHECKLIST.id}:{other}:rating").set_value(3).run()  # this tab goes on
    draft = responses.current_drafts(db, people.leader.id, CHECKLIST)[feedback_item]
    assert (draft.note, draft.rating) == ("", 4), "this tab saved back what the other had changed"
    assert at.text_area(key=f"{CHECKLIST.id}:{feedback_item}:note").value == ""
    assert at.radio(key=f"{CHECKLIST.id}:{feedback_item}:rating").value == 4


def test_a_checklist_left_open_as_its_checkpoint_closes_starts_afresh(people, db):
    """Ratings shown while one checkpoint was open are not carried into the next by the page's next run: the page
    shows the checklist afresh, as a new visit would."""
    today = datetime.now(UTC).date()
    start = checkpoints.of_cohort(db, people.cohort.id)[0]
    checkpoints.replace_all(db, people.facilitator, people.cohort.id,
                            [(start.id, "Start", today - timedelta(days=10), today + timedelta(days=5))])
    yesterday = datetime.now(UTC) - timedelta(days=1)
    for item in CHECKLIST.items:
        responses.save_draft(db, people.leader.id, CHECKLIST, item.id, rating=3, now=yesterday)
    at = app_as(people.leader, "pages/checklist.py")
    assert answered_count(at) == "10 of 10 skills rated"
    checkpoints.replace_all(db, people.facilitator, people.cohort.id,
                            [(start.id, "Start", today - timedelta(days=10), today - timedelta(days=1)),
                             (None, "Middle", today, today + timedelta(days=5))])
    at.run()
    assert responses.current_drafts(db, people.leader.id, CHECKLIST) == {}, "last checkpoint's ratings carried over"
    assert all(at.radio(key=f"{CHECKLIST.id}:{item.id}:rating").value is None for item in CHECKLIST.items)
    assert answered_count(at) == "0 of 10 skills rated"


def test_a_rating_made_in_a_tab_signed_out_elsewhere_is_not_saved_and_the_tab_signs_out(people, db):
    """Its save, which runs before the page's sign-in check (and, in the browser, in the skill's fragment, which has
    none), saves nothing."""
    at = app_as(people.leader, "pages/checklist.py")
    sessions.end(db, session_id=at.session_state[SESSION_KEY])  # signed out in another tab
    at.radio(key=f"{CHECKLIST.id}:{CHECKLIST.items[0].id}:rating").set_value(3).run()
    assert responses.current_drafts(db, people.leader.id, CHECKLIST) == {}
    assert [title.value for title in at.title] == ["Sign in to Reflect"]


def test_an_answer_changed_in_a_tab_whose_person_signed_in_again_elsewhere_is_saved(people, db, monkeypatch):
    """The tab's session ended, but the browser's cookie (sent again as the tab reconnects) names a new one of the
    same person, who signed in again: their change is saved, in that session, not refused."""
    responses.save_draft(db, people.leader.id, REFLECTION, "q02", text="First thoughts.")
    at = app_as(people.leader, "pages/reflect.py")
    sessions.end(db, session_id=at.session_state[SESSION_KEY])
    _, ticket = sessions.start(db, people.leader.id)
    token = sessions.trade_ticket(db, ticket)
    monkeypatch.setattr(context, "_cookie_token", lambda: token, raising=False)  # the cookie, as sent again
    at.text_area(key=f"{REFLECTION.id}:q02:text").input("Second thoughts.").run()
    assert responses.drafts(db, people.leader.id, REFLECTION.id)["q02"].text == "Second thoughts."
    assert [title.value for title in at.title] == ["Reflect"]


def answered_count(at, qset: QuestionSet = CHECKLIST) -> str:
    """The count of `qset`'s items answered (a checklist's skills rated) as the page first draws it (the browser keeps
    it in step after)."""
    [count] = [element.proto for element in at.get("bidi_component")
               if element.proto.component_name.endswith("reflect_answered_count")
               and element.proto.id.endswith(f"answered_count:{qset.id}")]
    data = json.loads(count.json)
    return data["text"].replace("{done}", str(sum(data["answered"])))


def _submit_checklist(db, user, ratings, token):
    for item, rating in zip(CHECKLIST.items, ratings, strict=True):
        responses.save_draft(db, user.id, CHECKLIST, item.id, rating=rating)
    responses.submit(db, user.id, CHECKLIST, token)


def test_progress_empty_state_then_charts(people, db):
    at = app_as(people.leader, "pages/progress.py")
    assert "not submitted this checklist yet" in at.info[0].value
    assert not at.get("vega_lite_chart")

    _submit_checklist(db, people.leader, [2] * 10, "one")
    at = app_as(people.leader, "pages/progress.py")
    assert "submitted once" in at.info[0].value
    assert len(at.get("vega_lite_chart")) == 1

    _submit_checklist(db, people.leader, [4] * 10, "two")
    at = app_as(people.leader, "pages/progress.py")
    assert [info.value.split(".")[0] for info in at.info] == ["Not enough responses yet"]
    assert len(at.get("vega_lite_chart")) == 2
    change = at.dataframe[0].value
    assert list(change["First"]) == [2] * 10 and list(change["Latest"]) == [4] * 10
    assert list(change["Change"]) == [2] * 10
    assert chart_ratings(at) == {2, 4}

    # The charts' specs are kept for data already drawn (reflect.web.show.chart): new data draws anew.
    _submit_checklist(db, people.leader, [5] * 10, "three")
    at.run()
    assert chart_ratings(at) == {2, 4, 5}
    assert list(at.dataframe[0].value["Latest"]) == [5] * 10  # the tables too (kept as Arrow with the charts)


def chart_ratings(at) -> set[int]:
    """Every rating in the data of the charts on the page."""
    from streamlit import dataframe_util

    frames = [dataframe_util.convert_arrow_bytes_to_pandas_df(named.data.data)
              for chart in at.get("vega_lite_chart") for named in chart.proto.datasets]
    return {int(rating) for frame in frames if "rating" in frame for rating in frame["rating"].dropna()}


def test_my_data_offers_its_downloads(people, db):
    at = app_as(people.leader, "pages/my_data.py")
    assert "not written anything yet" in at.info[0].value
    assert [button.proto.label for button in at.get("download_button")] == [
        "Download my account details and activity"]
    responses.save_draft(db, people.leader.id, REFLECTION, "q01", text="Hello")
    at = app_as(people.leader, "pages/my_data.py")
    labels = [button.proto.label for button in at.get("download_button")]
    assert labels == ["Download CSV", "Download CSV for Excel (UTF-8 with BOM)", "Download my journal, ready to print",
                      "Download my account details and activity"]


def test_a_broken_question_file_is_named_and_the_others_still_work(people, tmp_path, monkeypatch):
    folder = tmp_path / "questions"
    folder.mkdir()
    for source in (ROOT / "questions").glob("*.toml"):
        (folder / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "09_broken.toml").write_text(
        'id = "broken"\ntitle = "Broken"\nversion = "two"\nsource = "s"\nintro = "i"\n'
        '[[items]]\nid = "a"\nkind = "text"\ntext = "A question?"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("REFLECT_QUESTIONS", str(folder))
    at = app_as(people.leader, "pages/reflect.py")
    assert any("09_broken.toml" in warning.value and "version" in warning.value for warning in at.warning)
    assert [tab.label for tab in at.tabs] == ["Thinkpiece activity", "Personal reflection"]


def test_forgot_your_password_offers_an_emailed_link_only_when_email_is_configured(people, monkeypatch, caplog):
    def buttons_on_forgot_your_password() -> list[str]:
        at = app_as(None, "pages/forgot_password.py")
        assert not at.exception, at.exception
        return [button.label for button in at.button]

    for name in ("REFLECT_SMTP_PORT", "REFLECT_SMTP_TLS", "REFLECT_SMTP_USER", "REFLECT_SMTP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REFLECT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("REFLECT_SMTP_FROM", "reflect@school.org.uk")
    monkeypatch.delenv("REFLECT_PUBLIC_URL", raising=False)
    assert buttons_on_forgot_your_password() == ["Set my new password and sign in"]  # no public URL: as before

    monkeypatch.setenv("REFLECT_PUBLIC_URL", "https://reflect.example.org")
    assert buttons_on_forgot_your_password() == ["Email me a reset link", "Set my new password and sign in"]

    monkeypatch.setenv("REFLECT_SMTP_TLS", "tls")  # not a mode: told to whoever installed Reflect, not to the page
    assert buttons_on_forgot_your_password() == ["Set my new password and sign in"]
    assert "REFLECT_SMTP_TLS must be one of starttls, ssl, none" in caplog.text


def test_where_a_leader_sits_follows_the_checkpoint_they_choose(people, db):
    """My progress places the leader's own ratings among the cohort's at the checkpoint chosen (the latest at
    first): how many submitted there, and the table of shares with the leader's own rating."""
    cohort = cohort_with_windows(db, people.facilitator, "Autumn")
    group = leaders(db, cohort, 6)
    for number, leader in enumerate(group):
        rate(db, leader, [2] * 10, JAN + timedelta(days=1), qset=CHECKLIST)
        if number < 5:  # one leader submits at Start only
            rate(db, leader, [4 if number else 5] * 10, FEB + timedelta(days=1), qset=CHECKLIST)
    at = app_as(group[0], "pages/progress.py")
    picker = next(box for box in at.selectbox if box.label == "Checkpoint")
    assert picker.options == ["Start", "End"] and picker.value == "End"
    assert any(caption.value.startswith("5 leaders submitted at this checkpoint") for caption in at.caption)
    assert set(at.dataframe[-1].value["Your rating"]) == {5}
    picker.select("Start").run()
    assert any(caption.value.startswith("6 leaders submitted at this checkpoint") for caption in at.caption)
    assert set(at.dataframe[-1].value["Your rating"]) == {2}
