"""Twenty writers at once, in threads across processes, on one file: nothing fails, is lost or is doubled, and the
cohort figures kept at write time still add up."""

from __future__ import annotations

from reflect.devtools.load import run_load
from reflect.storage.db import open_db

from .cohort_data import ROOT, assert_same_as_recounted


def test_twenty_concurrent_writers_lose_and_duplicate_nothing(tmp_path):
    result = run_load(tmp_path / "load.db", writers=20, processes=4, rounds=6, questions=ROOT / "questions")
    assert result.errors == []
    assert result.found == result.expected == 120
    assert result.lost == 0 and result.duplicated == 0
    assert len(result.submit_latencies) == 120
    db = open_db(tmp_path / "load.db")
    assert db.execute("SELECT COUNT(*) FROM counted_submissions").fetchone()[0] > 0
    assert_same_as_recounted(db)
    db.close()
