"""A facilitator on demo data, in headless Chromium: every chart draws, every CSV downloads whole."""

from __future__ import annotations

import csv
import io
import sqlite3
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import expect

from reflect.devtools import demo
from reflect.devtools.live_server import start_server, stop_server

from ..cohort_data import ROOT
from .helpers import goto, settled, sign_in

LEADERS = 200


def test_dashboard_draws_every_chart_and_exports_download_whole(tmp_path, page):
    db_path = tmp_path / "reflect.db"
    subprocess.run([sys.executable, "-m", "reflect", "demo", "--db", str(db_path), "--leaders", str(LEADERS),
                    "--seed", "4"], cwd=ROOT, check=True, capture_output=True, timeout=120)
    server = start_server(db_path, tmp_path / "streamlit.log")
    try:
        goto(page, server.url)
        sign_in(page, demo.FACILITATOR_EMAIL, demo.PASSWORD)
        expect(page.get_by_role("heading", name="Cohort dashboard")).to_be_visible()
        charts = page.locator('[data-testid="stVegaLiteChart"]')
        expect(charts).to_have_count(3)
        for index in range(3):  # drawn, not just placed: Vega renders a canvas or svg inside each
            expect(charts.nth(index).locator("canvas, svg").first).to_be_visible()

        page.get_by_role("link", name="Export", exact=True).click()
        settled(page)
        files = {}
        for label in ("Download long CSV", "Download wide CSV", "Download codebook CSV"):
            with page.expect_download() as download:
                page.get_by_role("button", name=label).click()
            files[label] = Path(download.value.path()).read_bytes()
    finally:
        stop_server(server)

    long_rows = list(csv.reader(io.StringIO(files["Download long CSV"].decode("utf-8"), newline="")))
    wide_rows = list(csv.reader(io.StringIO(files["Download wide CSV"].decode("utf-8"), newline="")))
    codebook = list(csv.reader(io.StringIO(files["Download codebook CSV"].decode("utf-8"), newline="")))
    with sqlite3.connect(db_path) as db:
        answers = db.execute("SELECT COUNT(*) FROM answers").fetchone()[0]
        # The wide file has one row per leader per checkpoint: the submission that counts there (issue 9 asked for
        # this; it used to have every checklist submission, superseded ones included).
        checklist = db.execute(
            "SELECT COUNT(*) FROM counted_submissions WHERE set_id = 'munby-fullan-skills'").fetchone()[0]
        assert checklist < db.execute(
            "SELECT COUNT(*) FROM submissions WHERE set_id = 'munby-fullan-skills'").fetchone()[0]
    assert long_rows[0][:4] == ["cohort", "leader_id", "leader_name", "leader_email"]
    assert len(long_rows) - 1 == answers
    assert wide_rows[0][-2:] == ["ambition-humility", "ambition-humility_note"]
    assert len(wide_rows) - 1 == checklist
    assert codebook[0] == ["column", "question_text", "set_id", "set_title", "set_version", "kind", "scale_labels"]
    assert [row[0] for row in codebook[1:]] == wide_rows[0]
