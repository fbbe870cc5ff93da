"""An administrator in Chromium: invites a facilitator, who sets a password with the code and creates a cohort; the
administrator sees that cohort in the dashboard's picker and hands it over to a third facilitator; the facilitator of
another cohort never sees it."""

from __future__ import annotations

import contextlib
import re

from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from reflect.domain import accounts, cohorts
from reflect.storage.db import open_db

from .helpers import (
    PASSWORD,
    click,
    create_cohort,
    fill,
    set_password_with_code,
    set_up_facilitator,
    settled,
    sign_in,
    sign_out,
)


def open_page(page: Page, title: str) -> None:
    page.get_by_role("link", name=title, exact=True).click()
    settled(page)
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()


def selectbox(page: Page, label: str):
    return page.get_by_role("combobox", name=label, exact=True)


def options(page: Page, label: str) -> list[str]:
    """The choices a selectbox offers, as the browser lists them (the list is closed again afterwards)."""
    selectbox(page, label).click()
    listed = page.get_by_role("option")
    expect(listed.first).to_be_visible()
    shown = [text.strip() for text in listed.all_inner_texts()]
    page.keyboard.press("Escape")
    return shown


def choose(page: Page, label: str, option: str) -> None:
    box = selectbox(page, label)
    if box.input_value() == option:
        return
    for _ in range(3):  # on a busy machine the filtered list is sometimes redrawn under the click: type it again
        box.click()
        box.fill(option)  # the selectbox filters its choices as one types, as a person might
        try:
            page.get_by_role("option", name=option, exact=True).click(timeout=5_000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    settled(page)
    expect(box).to_have_value(option)


def test_an_administrator_invites_a_facilitator_sees_their_cohort_and_hands_it_over(server, page):
    set_up_facilitator(page, server.url, email="ada@trust.org.uk")  # the set-up account: the first administrator
    with contextlib.closing(open_db(server.db_path)) as db:
        olu = accounts.create_facilitator(db, name="Olu Facilitator", email="olu@trust.org.uk", password=PASSWORD)
        cohorts.create_cohort(db, olu.id, "South cohort")
        accounts.create_facilitator(db, name="Cam Facilitator", email="cam@trust.org.uk", password=PASSWORD)

    # The administrator invites Nia on the Facilitators page; the code is shown once.
    open_page(page, "Facilitators")
    fill(page, "Their name", "Nia Facilitator")
    fill(page, "Their email", "nia@trust.org.uk")
    click(page, "Invite facilitator")
    invited = page.get_by_text("Give them this one-time invitation code")
    expect(invited).to_be_visible()
    code = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", invited.inner_text()).group(0)

    # Nia uses the invitation and creates a cohort of her own.
    sign_out(page)
    page.get_by_role("link", name="Use an invitation").click()
    settled(page)
    set_password_with_code(page, code_label="Invitation code", email="nia@trust.org.uk", code=code)
    expect(page.get_by_role("heading", name="Cohort dashboard")).to_be_visible()
    expect(page.get_by_role("link", name="Facilitators", exact=True)).to_have_count(0)  # not an administrator
    create_cohort(page, "Summer West")
    sign_out(page)

    # The administrator sees every cohort in the dashboard's picker, Nia's included, and hands it over to Cam.
    sign_in(page, "ada@trust.org.uk")
    open_page(page, "Cohort dashboard")  # signing in keeps the page one signed out on
    assert sorted(options(page, "Cohort")) == ["South cohort", "Summer West"]
    choose(page, "Cohort", "Summer West")
    expect(selectbox(page, "Cohort")).to_have_value("Summer West")
    expect(page.get_by_text("No one has submitted at this checkpoint yet.")).to_be_visible()
    open_page(page, "Facilitators")
    choose(page, "Cohort", "Summer West")
    expect(page.get_by_text("Facilitated now by: Nia Facilitator (nia@trust.org.uk)")).to_be_visible()
    choose(page, "Add a facilitator", "Cam Facilitator (cam@trust.org.uk)")
    choose(page, "Take a facilitator off", "Nia Facilitator (nia@trust.org.uk)")
    click(page, "Hand over")
    expect(page.get_by_text("Handed over.")).to_be_visible()
    expect(page.get_by_text("Facilitated now by: Cam Facilitator (cam@trust.org.uk)")).to_be_visible()
    with contextlib.closing(open_db(server.db_path)) as db:
        west = db.execute("SELECT id FROM cohorts WHERE name = 'Summer West'").fetchone()[0]
        assert db.execute("SELECT u.email FROM cohort_facilitators f JOIN users u ON u.id = f.user_id "
                          "WHERE f.cohort_id = ?", [west]).fetchall() == [("cam@trust.org.uk",)]
    sign_out(page)

    # Cam now runs it; Olu, who facilitates another cohort, never sees it.
    sign_in(page, "cam@trust.org.uk")
    open_page(page, "Cohort dashboard")  # signing in keeps the page one signed out on
    assert options(page, "Cohort") == ["Summer West"]
    sign_out(page)
    sign_in(page, "olu@trust.org.uk")
    open_page(page, "Cohort dashboard")  # signing in keeps the page one signed out on
    assert options(page, "Cohort") == ["South cohort"]
    expect(page.get_by_text("Summer West")).to_have_count(0)
    open_page(page, "Cohorts")
    expect(page.get_by_text("Summer West")).to_have_count(0)
