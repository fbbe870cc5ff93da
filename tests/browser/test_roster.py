"""A facilitator imports a roster in Chromium: a bad row is named by line, a fixed file imports, the same list with
one more person imports only that person, and an invited leader sets their password with the code."""

from __future__ import annotations

from playwright.sync_api import expect

from .helpers import click, create_cohort, set_password_with_code, set_up_facilitator, settled, sign_out

BAD = b"name,email\nAisha Khan,aisha@x.org\nBob Evans,bob-at-x.org\nCara Lee,cara@x.org\n"
FIXED = BAD.replace(b"bob-at-x.org", b"bob@x.org")
SKIPPED = "Already in this cohort — skipped"


def upload(page, tmp_path, data: bytes, name: str = "roster.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    page.locator("input[type=file]").set_input_files(str(path))
    settled(page)


def test_roster_import_names_a_bad_row_then_imports_skips_those_already_in_and_invites(server, page, tmp_path):
    set_up_facilitator(page, server.url)
    create_cohort(page, "Spring North")
    page.get_by_role("link", name="Add leaders", exact=True).click()
    settled(page)
    upload(page, tmp_path, BAD)
    expect(page.get_by_text("Nothing has been imported")).to_be_visible()
    problems = page.locator('[data-testid="stDataFrame"]').first
    expect(problems).to_contain_text("“bob-at-x.org” is not an email address")
    expect(page.get_by_role("button", name="Import 2 leaders")).to_be_disabled()

    upload(page, tmp_path, FIXED, "roster-fixed.csv")
    click(page, "Import 3 leaders")
    expect(page.get_by_text("codes are shown only now")).to_be_visible()
    rows = downloaded_codes(page)
    assert rows[0] == "name,email,invitation_code" and len(rows) == 4
    _, email, code = rows[1].split(",")
    assert email == "aisha@x.org"

    # The same class list again with one person added: the three already in are skipped, only Dan is imported.
    upload(page, tmp_path, FIXED + b"Dan Hughes,dan@x.org\n", "roster-again.csv")
    expect(page.get_by_text("1 new leader will get an invitation code")).to_be_visible()
    expect(page.get_by_text("3 leaders already in this cohort will be skipped")).to_be_visible()
    preview = page.locator('[data-testid="stDataFrame"]').last  # below the codes of the first import
    for row, (person, what) in enumerate([("aisha@x.org", SKIPPED), ("bob@x.org", SKIPPED), ("cara@x.org", SKIPPED),
                                          ("dan@x.org", "Will be invited to this cohort")]):
        expect(preview.locator(f"#glide-cell-2-{row}")).to_have_text(person)  # columns: Line, Name, Email, What…
        expect(preview.locator(f"#glide-cell-3-{row}")).to_have_text(what)
    click(page, "Import 1 leader")
    expect(page.get_by_text("1 leader was invited.")).to_be_visible()
    codes = page.locator('[data-testid="stDataFrame"]').first
    expect(codes).to_contain_text("dan@x.org")
    expect(codes).not_to_contain_text("aisha@x.org")
    again = downloaded_codes(page)
    assert len(again) == 2 and again[1].startswith("Dan Hughes,dan@x.org,")

    sign_out(page)
    page.get_by_role("link", name="Use an invitation").click()
    settled(page)
    set_password_with_code(page, code_label="Invitation code", email=email, code=code)
    page.get_by_role("link", name="Home", exact=True).click()
    settled(page)
    expect(page.get_by_role("heading", name="Welcome, Aisha Khan")).to_be_visible()


def downloaded_codes(page) -> list[str]:
    """The lines of the invitation codes file the page offers after an import."""
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the codes (CSV)").click()
    return download.value.path().read_text(encoding="utf-8").splitlines()
