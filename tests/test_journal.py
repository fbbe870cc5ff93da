"""The printable journal: every submission by checkpoint, the leader's text literally, and their charts."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from reflect.domain import responses
from reflect.reporting import journal

from .cohort_data import FEB, JAN, MAR, TINY, cohort_with_windows, facilitator, leaders, rate
from .test_bad_input import WRITTEN

LONDON = ZoneInfo("Europe/London")


def test_the_journal_holds_every_submission_by_checkpoint_literally_with_charts(db):
    fran = facilitator(db)
    north = cohort_with_windows(db, fran)  # Start: January; End: February
    [lee] = leaders(db, north, 1)
    rate(db, lee, [1, 2], JAN + timedelta(days=3), note="My <b>peers</b> said so")
    rate(db, lee, [2, 3], FEB + timedelta(days=3))
    typed = "Trust *first* <script>x</script>\nthen"
    responses.save_draft(db, lee.id, WRITTEN, "q1", text=typed)
    responses.submit(db, lee.id, WRITTEN, "outside", now=MAR + timedelta(days=3))  # after both windows

    page = journal.journal_html(db, lee.id, {TINY.id: TINY, WRITTEN.id: WRITTEN}, LONDON).decode()
    assert page.index("<h2>Start</h2>") < page.index("<h2>End</h2>") < page.index(f"<h2>{journal.OUTSIDE}</h2>")
    assert "My &lt;b&gt;peers&lt;/b&gt; said so" in page and "<b>peers" not in page
    assert "Trust *first* &lt;script&gt;x&lt;/script&gt;\nthen" in page
    assert "<script" not in page, "nothing in it runs"
    assert "2 · Some" in page and "3 · Yes" in page
    assert page.count("<svg") == 2  # the first and latest, and every rating
    assert "Since your first rating: 2 skills up, 0 down, 0 the same." in page


def test_a_journal_with_nothing_submitted_says_so(db):
    fran = facilitator(db)
    [lee] = leaders(db, cohort_with_windows(db, fran), 1)
    page = journal.journal_html(db, lee.id, {TINY.id: TINY}, LONDON).decode()
    assert "Nothing submitted yet." in page and "<svg" not in page
