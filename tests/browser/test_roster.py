"""A facilitator imports a roster in Chromium: a bad row is named by line, a fixed file imports, and an invited
leader sets their password with the code."""

from __future__ import annotations

from playwright.sync_api import expect

from .helpers import click, create_cohort, set_password_with_code, set_up_facilitator, settled, sign_out

BAD = b"name,email\nAisha Khan,aisha@x.org\nBob Evans,bob-at-x.org\nCara Lee,cara@x.org\n"


def upload(page, tmp_path, data: bytes, name: str = "roster.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    page.locator("input[type=file]").set_input_files(str(path))
    settled(page)


def test_roster_import_names_a_bad_row_then_imports_and_invites(server, page, tmp_path):
    set_up_facilitator(page, server.url)
    create_cohort(page, "Spring North")
    page.get_by_role("link", name="Add leaders", exact=True).click()
    settled(page)
    upload(page, tmp_path, BAD)
    expect(page.get_by_text("Nothing has been imported")).to_be_visible()
    problems = page.locator('[data-testid="stDataFrame"]').first
    expect(problems).to_contain_text("“bob-at-x.org” is not an email address")
    expect(page.get_by_role("button", name="Import 2 leaders")).to_be_disabled()

    upload(page, tmp_path, BAD.replace(b"bob-at-x.org", b"bob@x.org"), "roster-fixed.csv")
    click(page, "Import 3 leaders")
    expect(page.get_by_text("codes are shown only now")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the codes (CSV)").click()
    rows = download.value.path().read_text(encoding="utf-8").splitlines()
    assert rows[0] == "name,email,invitation_code" and len(rows) == 4
    _, email, code = rows[1].split(",")
    assert email == "aisha@x.org"

    sign_out(page)
    page.get_by_role("link", name="Use an invitation").click()
    settled(page)
    set_password_with_code(page, code_label="Invitation code", email=email, code=code)
    page.get_by_role("link", name="Home", exact=True).click()
    settled(page)
    expect(page.get_by_role("heading", name="Welcome, Aisha Khan")).to_be_visible()
