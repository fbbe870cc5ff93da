"""Twenty writers at once, in threads across processes, on one file: nothing fails, is lost or is doubled."""

from __future__ import annotations

from pathlib import Path

from reflect.load import run_load

ROOT = Path(__file__).resolve().parents[1]


def test_twenty_concurrent_writers_lose_and_duplicate_nothing(tmp_path):
    result = run_load(tmp_path / "load.db", writers=20, processes=4, rounds=6, questions=ROOT / "questions")
    assert result.errors == []
    assert result.found == result.expected == 120
    assert result.lost == 0 and result.duplicated == 0
    assert len(result.submit_latencies) == 120
