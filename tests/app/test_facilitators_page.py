"""The Facilitators page, run through AppTest: an administrator invites, hands over and makes administrators."""

from __future__ import annotations

import re

from reflect.domain import access, accounts, cohorts, invitations

from .conftest import PASSWORD, app_as


def running(db, cohort) -> set[str]:
    return {email for _, email in cohorts.facilitators_of(db, access.SYSTEM, cohort.id)}


def test_an_administrator_has_the_facilitator_pages_and_the_facilitators_page(people):
    at = app_as(people.administrator)
    assert not at.exception
    assert [title.value for title in at.title] == ["Cohort dashboard"]
    at = app_as(people.administrator, "pages/facilitators.py")
    assert [title.value for title in at.title] == ["Facilitators"]
    table = at.dataframe[0].value
    assert set(table["Email"]) == {"ada@trust.org.uk", "fran@trust.org.uk", "olu@trust.org.uk"}
    assert list(table.loc[table["Email"] == "ada@trust.org.uk", "Administrator"]) == ["Yes"]


def test_an_administrator_invites_a_facilitator_and_the_code_works(people, db):
    at = app_as(people.administrator, "pages/facilitators.py")
    at.text_input[0].input("Nia")
    at.text_input[1].input("nia@trust.org.uk")
    at.button[0].click().run()  # "Invite facilitator"
    assert not at.exception
    [message] = [s.value for s in at.success]
    code = re.search(r"\*\*([A-Z0-9-]{14})\*\*", message).group(1)
    nia = invitations.accept(db, email="nia@trust.org.uk", code=code, password=PASSWORD)
    assert nia.role == accounts.FACILITATOR and not nia.admin


def test_an_administrator_hands_a_cohort_over_on_the_page(people, db):
    at = app_as(people.administrator, "pages/facilitators.py")
    at.selectbox(key="handover_cohort").select(people.cohort.id).run()
    at.selectbox(key="handover_add").select(people.other_facilitator.id)
    at.selectbox(key="handover_remove").select(people.facilitator.id)
    [hand_over] = [b for b in at.button if b.label == "Hand over"]
    hand_over.click().run()
    assert not at.exception and not at.error
    assert running(db, people.cohort) == {"olu@trust.org.uk"}
    assert [s.value for s in at.success] == ["Handed over. The change is in the Activity log."]


def test_a_facilitator_is_refused_the_facilitators_page(people):
    at = app_as(people.facilitator, "pages/facilitators.py")
    assert not at.exception
    assert at.error and "This page is for administrators only" in at.error[0].value
    assert not at.dataframe
