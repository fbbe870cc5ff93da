"""A facilitator on demo data, in headless Chromium: every chart draws, every CSV downloads whole from the export
route (logged in the Activity log), and the route refuses anyone else."""

from __future__ import annotations

import csv
import io
import itertools
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from reflect.devtools import demo
from reflect.devtools.live_server import Server, start_server, stop_server
from reflect.domain import accounts, cohorts
from reflect.reporting import export
from reflect.storage.db import open_db
from reflect.web import routes

from ..cohort_data import PASSWORD, ROOT
from .helpers import goto, settled, signed_in_context
from .test_sessions import COOKIE

LEADERS = 200
OTHER_FACILITATOR = "olu@x.org"  # facilitates South, a cohort of their own, and nothing else
FILES = ("For analysis: one row per answer", "For Excel: one row per leader", "What each column means")


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """A server on a demo cohort of 200 leaders and Olu's cohort South, made first (so the demo's facilitator is a
    facilitator, not an administrator who sees every cohort); shared by this module's tests."""
    folder = tmp_path_factory.mktemp("facilitator")
    db_path = folder / "reflect.db"
    db = open_db(db_path)
    olu = accounts.create_facilitator(db, name="Olu", email=OTHER_FACILITATOR, password=PASSWORD)
    cohorts.create_cohort(db, olu.id, "South")
    db.close()
    subprocess.run([sys.executable, "-m", "reflect", "demo", "--db", str(db_path), "--leaders", str(LEADERS),
                    "--seed", "4"], cwd=ROOT, check=True, capture_output=True, timeout=120)
    server = start_server(db_path, folder / "streamlit.log")
    yield server
    stop_server(server)
    log = (folder / "streamlit.log").read_text()
    assert "Traceback" not in log, log


def download(page: Page, label: str) -> bytes:
    """Click a download link as a person would, and return the file. (Streamlit's link buttons open a new tab; the
    browser turns it into a download, which Playwright reports on the page that was clicked.)"""
    with page.expect_download() as downloaded:
        page.get_by_role("link", name=label).click()
    return Path(downloaded.value.path()).read_bytes()


def test_dashboard_draws_every_chart_and_exports_download_whole(demo_server: Server, page_as):
    page = page_as(demo_server, demo.FACILITATOR_EMAIL)
    goto(page, demo_server.url)
    expect(page.get_by_role("heading", name="Cohort dashboard")).to_be_visible()
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    expect(charts).to_have_count(3)
    for index in range(3):  # drawn, not just placed: Vega renders a canvas or svg inside each
        expect(charts.nth(index).locator("canvas, svg").first).to_be_visible()

    page.get_by_role("link", name="Export", exact=True).click()
    settled(page)
    files = {}
    for name in FILES:  # chosen as a person would, then downloaded; each ready for Excel (a BOM) unless turned off
        page.get_by_text(name, exact=True).click()
        settled(page)
        files[name] = download(page, f"Download: {name}")
        assert files[name].startswith(b"\xef\xbb\xbf")

    # Each download is in the Activity log, newest first, as the Export page has always described it.
    page.get_by_role("link", name="Activity log", exact=True).click()
    settled(page)
    log = page.get_by_test_id("stDataFrame").first
    checklist_title = "Munby–Fullan skills checklist"
    for row, detail in enumerate([f"what each column means, {checklist_title} (all checkpoints)",
                                  f"file for Excel of {checklist_title} (all checkpoints)",
                                  "file for analysis, one row per answer (all checkpoints)"]):
        # Columns: When, Who, What, Cohort, Detail.
        expect(log.locator(f"#glide-cell-1-{row}")).to_have_text("Demo Facilitator")
        expect(log.locator(f"#glide-cell-2-{row}")).to_have_text("exported")
        expect(log.locator(f"#glide-cell-4-{row}")).to_have_text(detail)

    long_rows, wide_rows, codebook = (list(csv.reader(io.StringIO(files[name].decode("utf-8-sig"), newline="")))
                                      for name in FILES)
    with sqlite3.connect(demo_server.db_path) as db:
        answers = db.execute("SELECT COUNT(*) FROM answers").fetchone()[0]
        # The wide file has one row per leader per checkpoint: the submission that counts there (issue 9 asked for
        # this; it used to have every checklist submission, superseded ones included).
        checklist = db.execute(
            "SELECT COUNT(*) FROM counted_submissions WHERE set_id = 'munby-fullan-skills'").fetchone()[0]
        assert checklist < db.execute(
            "SELECT COUNT(*) FROM submissions WHERE set_id = 'munby-fullan-skills'").fetchone()[0]
        leaders = {row[0] for row in db.execute("SELECT name FROM users WHERE role = 'leader'")}
    assert long_rows[0][:4] == ["Cohort", "Leader id", "Leader", "Email"]
    assert len(long_rows) - 1 == answers
    assert {row[2] for row in long_rows[1:]} <= leaders and {row[0] for row in long_rows[1:]} == {
        f"Demo cohort, {LEADERS} leaders (seed 4)"}
    # Each skill's rating, its rating looking back (the demo's last checkpoint asks for it) and its note.
    assert wide_rows[0][-3:] == ["ambition-humility", "ambition-humility_then", "ambition-humility_note"]
    assert len(wide_rows) - 1 == checklist
    assert codebook[0] == list(export.CODEBOOK_HEADER)
    assert [row[0] for row in codebook[1:]] == wide_rows[0]


def get(url: str, cookie: str | None = None) -> tuple[int, str, bytes]:
    """GET as any HTTP client could; return the status, the Content-Type and the body."""
    request = urllib.request.Request(url, headers={"Cookie": f"{COOKIE}={cookie}"} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.headers.get("Content-Type", ""), answer.read()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.headers.get("Content-Type", ""), refused.read()


def cookie_of(browser, server: Server, email: str) -> str:
    """The sign-in cookie a browser holds once `email` has signed in."""
    context = signed_in_context(browser, server.url, server.db_path, email)
    [cookie] = context.cookies()
    context.close()
    return cookie["value"]


def test_the_export_route_refuses_anyone_but_a_facilitator_of_the_cohort(demo_server: Server, browser):
    with sqlite3.connect(demo_server.db_path) as db:
        cohort_id = db.execute("SELECT id FROM cohorts WHERE name LIKE 'Demo cohort%'").fetchone()[0]
        leader = db.execute("SELECT u.email FROM users u JOIN cohort_leaders l ON l.user_id = u.id "
                            "WHERE l.cohort_id = ? ORDER BY u.id LIMIT 1", [cohort_id]).fetchone()[0]
        logged = "SELECT COUNT(*) FROM audit_log WHERE action = 'exported'"
        exports_before = db.execute(logged).fetchone()[0]
    cookies = {email: cookie_of(browser, demo_server, email)
               for email in (leader, OTHER_FACILITATOR, demo.FACILITATOR_EMAIL)}

    urls = [f"{demo_server.url}/export/{cohort_id}/{kind}.csv" for kind in routes.EXPORT_KINDS]
    for url, cookie in itertools.product(urls, (None, "made-up", cookies[leader], cookies[OTHER_FACILITATOR])):
        status, kind, body = get(url, cookie)
        assert (status, kind) == (403, "text/plain; charset=utf-8"), (url, cookie, status, body)
        assert b"Email" not in body
    with sqlite3.connect(demo_server.db_path) as db:
        assert db.execute(logged).fetchone()[0] == exports_before  # a refusal takes nothing, so logs nothing

    # The same addresses with the cohort's own facilitator's cookie: the files (so the refusals were refusals).
    for url in urls:
        status, kind, body = get(url, cookies[demo.FACILITATOR_EMAIL])
        assert (status, kind) == (200, "text/csv; charset=utf-8"), url
    status, kind, body = get(urls[0], cookies[demo.FACILITATOR_EMAIL])
    assert (status, kind) == (200, "text/csv; charset=utf-8") and body.startswith(b"Cohort,Leader id,")
