"""The benchmark runs end to end and reports every measurement (what it measures is not asserted: no timings)."""

from __future__ import annotations

import json

from streamlit.testing.v1 import app_test, local_script_runner

from reflect.devtools.apptest import compile_once
from reflect.devtools.bench import as_json, run_bench, table


def test_the_benchmark_reports_every_measurement_for_a_small_cohort():
    results = run_bench([12], runs=1, browser=False)
    names = [m.name for m in results]
    for expected in ("floor: a bare page, warm", "floor: a bare page behind the router and guard",
                     "leader: save a draft", "leader: submit a checklist", "leader: My progress page run",
                     "facilitator: cohort dashboard page run", "export: cohort CSV, long",
                     "export: long CSV streamed, peak memory", "export: long CSV built whole, peak memory",
                     "export: long CSV from the server, its RSS growth", "concurrency: submit p95, 20 writers",
                     "export: long CSV from the server, gzip, to the last byte",
                     "facilitator: Completion counts (Nothing submitted)",
                     "facilitator: Completion, a page of 25 (Everyone)", "facilitator: Impact figures, uncached",
                     "facilitator: checkpoint edit, a closing day a week on"):
        assert expected in names
    memory = {m.name: m.median for m in results if m.unit == "MB"}
    assert memory["export: long CSV streamed, peak memory"] > 0 and "MB" in table(results)
    rows = [m.median for m in results if m.unit == "rows"]
    assert len(rows) == 3 and all(0 < count <= 5000 for count in rows)
    assert "0 errors, 0 lost, 0 duplicated" in {m.note for m in results if m.name.startswith("concurrency")}
    recorded = json.loads(as_json(results))
    assert {"name", "size", "median_seconds", "floor_seconds", "ratio"} <= set(recorded[0])
    assert [entry["rows"] for entry in recorded if "rows" in entry] == rows  # counts apart from seconds
    assert not any("median_seconds" in entry for entry in recorded if entry["unit"] != "s")
    assert "facilitator: cohort dashboard page run" in table(results)


def test_the_benchmark_compiles_each_page_once_per_process_as_the_server_does():
    """Page runs are timed without compiling the page, which the real server does once per process: every AppTest
    the benchmark makes reads one script cache (a cache per call made every timed run compile its page again)."""
    compile_once()
    first = app_test.ScriptCache()
    compile_once()
    assert app_test.ScriptCache() is first and local_script_runner.ScriptCache() is first
