"""Add leaders (roster upload, check, confirm) and Use an invitation, through AppTest."""

from __future__ import annotations

from .conftest import PASSWORD, app_as

BAD = b"name,email\nAisha Khan,aisha@x.org\nBob Evans,bob-at-x.org\nCara Lee,cara@x.org\n"
GOOD = BAD.replace(b"bob-at-x.org", b"bob@x.org")


def upload(at, data: bytes):
    return at.file_uploader[0].set_value(("roster.csv", data, "text/csv")).run()


def test_a_bad_row_is_named_and_the_import_button_stays_off(people, db):
    at = upload(app_as(people.facilitator, "pages/roster.py"), BAD)
    problems = at.dataframe[0].value
    assert list(problems["Line"]) == [3] and "bob-at-x.org" in problems["Problem"][0]
    assert "Nothing has been imported" in at.error[0].value
    button = next(b for b in at.button if b.label.startswith("Import"))
    assert button.disabled
    assert not db.execute("SELECT 1 FROM users WHERE email = 'aisha@x.org'").fetchone()


def test_a_clean_roster_is_previewed_then_imported_with_codes_shown_once(people, db):
    at = upload(app_as(people.facilitator, "pages/roster.py"), GOOD)
    assert "3 new leaders will get an invitation code" in at.info[0].value
    assert list(at.dataframe[0].value["Email"]) == ["aisha@x.org", "bob@x.org", "cara@x.org"]
    assert not db.execute("SELECT 1 FROM users WHERE email = 'aisha@x.org'").fetchone(), "imported before confirm"
    next(b for b in at.button if b.label == "Import 3 leaders").click().run()
    assert "codes are shown only now" in at.success[0].value
    codes = at.dataframe[0].value
    assert list(codes["Email"]) == ["aisha@x.org", "bob@x.org", "cara@x.org"]
    assert not at.file_uploader[0].value, "the imported file is still there to import again"
    assert db.execute("SELECT COUNT(*) FROM cohort_leaders WHERE cohort_id = ?", [people.cohort.id]).fetchone()[0] == 5

    invitation = app_as(None, "pages/invitation.py")
    fields = {widget.label: widget for widget in invitation.text_input}
    fields["Email"].input("aisha@x.org")
    fields["Invitation code"].input(codes["Invitation code"][0])
    fields["Choose a password"].input(PASSWORD)
    fields["Type the password again"].input(PASSWORD)
    invitation.button[0].click().run()
    assert not invitation.error
    invitation.switch_page("pages/home.py").run()
    assert invitation.html[0].value == "<h1>Welcome, Aisha Khan</h1>"

    again = app_as(None, "pages/invitation.py")
    fields = {widget.label: widget for widget in again.text_input}
    fields["Email"].input("aisha@x.org")
    fields["Invitation code"].input(codes["Invitation code"][0])
    fields["Choose a password"].input("another password here")
    fields["Type the password again"].input("another password here")
    again.button[0].click().run()
    assert "already been used" in again.error[0].value


def test_a_leader_cannot_open_add_leaders(people):
    at = app_as(people.leader, "pages/roster.py")
    assert "This page is for facilitators only" in at.error[0].value and not at.file_uploader


def test_one_leader_is_one_leader_not_one_leaders(people, db):
    at = upload(app_as(people.facilitator, "pages/roster.py"), b"name,email\nAisha Khan,aisha@x.org\n")
    assert at.info[0].value.startswith("1 new leader will get an invitation code")
    next(b for b in at.button if b.label == "Import 1 leader").click().run()
    assert at.success[0].value.startswith("1 leader was invited.")
