"""Benchmarks of what people wait for, each beside the floor it could reach. A script that measures and prints;
never a timed assertion in the tests.

For each size it builds a demo database, then reports medians over several runs: leader actions and the My
progress page, the facilitator's cohort dashboard, cohort exports, submissions under 20 concurrent writers, and
(at 1,000 leaders, when Chromium is installed) the cohort page drawn in a real browser.
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reflect.devtools import APP_DIR
from reflect.devtools.demo import FACILITATOR_EMAIL, PASSWORD, make_demo
from reflect.devtools.live_server import CHROMIUM_ARGS, start_server, stop_server
from reflect.devtools.load import run_load
from reflect.domain import accounts, checkpoints, cohorts, responses
from reflect.domain.questions import load_question_sets
from reflect.reporting import export, reports
from reflect.settings import questions_dir
from reflect.storage.db import open_db

BARE_PAGE = "import streamlit as st\nst.title('Bare page')\n"


@dataclass(frozen=True)
class Measurement:
    name: str
    size: int
    median_seconds: float
    floor_seconds: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return self.median_seconds / self.floor_seconds if self.floor_seconds else None


def median_time(action: Callable[[], object], runs: int, *, warm_up: int = 1) -> float:
    for _ in range(warm_up):
        action()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def median_run_time(prepare: Callable[[], Callable[[], object]], runs: int) -> float:
    """Median time of the action that `prepare` returns; the preparation itself is not timed."""
    prepare()()  # warm up
    timings = []
    for _ in range(runs):
        action = prepare()
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def _page(path: Path, user_id: int, page: str, *, cold: bool = False):
    """An AppTest of the app signed in as `user_id`, with one run done, and the (timed) run of `page`: the
    router, the page's guard, its queries and its charts. `cold` empties the cohort-figures cache first, as a
    new submission anywhere does."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from reflect.devtools.apptest import route_through_router, sign_in

    route_through_router()
    os.environ["REFLECT_DB"] = str(path)
    at = AppTest.from_file(str(APP_DIR / "app.py"), default_timeout=120)
    sign_in(at, user_id)
    at.run()
    if cold:
        st.cache_data.clear()

    def run():
        at.switch_page(page).run()
        if at.exception:
            raise RuntimeError(f"{page} failed: {at.exception[0].message}")
        return at

    return run


def _bare_page():
    from streamlit.testing.v1 import AppTest

    return AppTest.from_string(BARE_PAGE, default_timeout=60).run


def chart_rows(at) -> list[int]:
    """How many data rows each chart on the page sends to the browser."""
    from streamlit import dataframe_util

    arrow_rows = dataframe_util.convert_arrow_bytes_to_pandas_df
    return [sum(len(arrow_rows(named.data.data)) for named in element.proto.datasets)
            for element in at.get("vega_lite_chart")]


def measure_size(size: int, folder: Path, runs: int, questions: Path) -> list[Measurement]:
    sets, _ = load_question_sets(questions)
    qset = next(q for q in sets.values() if q.is_rating)
    path = folder / f"bench-{size}.db"
    with contextlib.closing(open_db(path)) as db:
        made = make_demo(db, sets, leaders=size, seed=size)
        cohort_id = made.cohort.id
        facilitator_id = db.execute("SELECT id FROM users WHERE email = ?", [FACILITATOR_EMAIL]).fetchone()[0]
        leader_id = db.execute(
            """SELECT user_id FROM submissions WHERE set_id = ? GROUP BY user_id ORDER BY COUNT(*) DESC, user_id
               LIMIT 1""", [qset.id]).fetchone()[0]
        # The people whose pages these are: each read goes through the access check, as on the page.
        leader, facilitator = accounts.existing_user(db, leader_id), accounts.existing_user(db, facilitator_id)
        point = checkpoints.at(db, cohort_id, db.execute("SELECT MAX(submitted_at) FROM submissions").fetchone()[0])
        cohort = cohorts.cohort_of_leader(db, leader_id)
        if point is None or cohort is None:
            raise RuntimeError("the demo cohort's latest submission is in none of its checkpoints")
        bare = median_run_time(_bare_page, runs)
        out: list[Measurement] = []

        out.append(Measurement("leader: save a draft", size, median_time(
            lambda: responses.save_draft(db, leader_id, qset, qset.items[0].id, note=uuid.uuid4().hex), runs)))

        for item in qset.items:  # a complete draft to submit
            responses.save_draft(db, leader_id, qset, item.id, rating=3)

        def submit():
            responses.submit(db, leader_id, qset, uuid.uuid4().hex)
        out.append(Measurement("leader: submit a checklist", size, median_time(submit, runs)))

        def progress_queries():
            cohorts.cohort_of_leader(db, leader_id)
            history = responses.ratings_over_time(db, leader_id, qset.id)
            reports.leader_positions(db, leader, cohort.id, qset, leader_id)
            return history
        floor = bare + median_time(progress_queries, runs)
        out.append(Measurement("leader: My progress page run", size,
                               median_run_time(lambda: _page(path, leader_id, "pages/progress.py"), runs), floor))
        out.append(Measurement("leader: My progress, first view after a change", size, median_run_time(
            lambda: _page(path, leader_id, "pages/progress.py", cold=True), runs), floor))

        def dashboard_queries():
            reports.respondents(db, facilitator, cohort_id, qset.id, point.id)
            reports.distribution(db, facilitator, cohort_id, qset, point.id)
            reports.over_time(db, facilitator, cohort_id, qset)
            reports.grid_page(db, facilitator, cohort_id, qset, point.id, per_page=1)
            reports.grid_page(db, facilitator, cohort_id, qset, point.id)
        floor = bare + median_time(dashboard_queries, runs)
        dashboard = lambda: _page(path, facilitator_id, "pages/dashboard.py")  # noqa: E731
        out.append(Measurement("facilitator: cohort dashboard page run", size, median_run_time(dashboard, runs),
                               floor))
        out.append(Measurement("facilitator: dashboard, first view after a change", size, median_run_time(
            lambda: _page(path, facilitator_id, "pages/dashboard.py", cold=True), runs), floor))
        for number, rows in enumerate(chart_rows(dashboard()()), start=1):
            out.append(Measurement(f"facilitator: chart {number} rows sent to the browser", size, float(rows),
                                   note="rows, not seconds"))

        out.append(Measurement("export: cohort CSV, long", size, median_time(
            lambda: export.cohort_long_csv(db, facilitator, cohort_id), runs, warm_up=0)))
        out.append(Measurement("export: cohort CSV, wide", size, median_time(
            lambda: export.cohort_wide_csv(db, facilitator, cohort_id, qset), runs, warm_up=0)))
    return out


def measure_concurrency(folder: Path, questions: Path) -> list[Measurement]:
    result = run_load(folder / "load.db", writers=20, processes=4, rounds=25, questions=questions)
    note = f"{len(result.errors)} errors, {result.lost} lost, {result.duplicated} duplicated"
    return [Measurement("concurrency: submit p50, 20 writers", 20, result.percentile(0.5), note=note),
            Measurement("concurrency: submit p95, 20 writers", 20, result.percentile(0.95), note=note)]


def measure_browser(folder: Path, runs: int) -> list[Measurement]:
    """Open the cohort page in headless Chromium on a 1,000-leader database; time until every chart has drawn."""
    import shutil

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return [Measurement("browser: cohort page drawn (1,000 leaders)", 1000, float("nan"),
                            note="skipped: playwright is not installed")]
    if not Path(chromium).exists():
        return [Measurement("browser: cohort page drawn (1,000 leaders)", 1000, float("nan"),
                            note="skipped: Chromium is not installed")]
    path = folder / "bench-1000.db"
    server = start_server(path, folder / "streamlit.log")
    timings = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            page.goto(server.url)
            page.get_by_label("Email", exact=True).fill(FACILITATOR_EMAIL)
            page.get_by_label("Password", exact=True).fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_selector('[data-testid="stVegaLiteChart"]', timeout=60_000)
            charts_drawn = ("document.querySelectorAll('[data-testid=\"stVegaLiteChart\"] canvas, "
                            "[data-testid=\"stVegaLiteChart\"] svg').length >= 3")
            no_charts = "document.querySelectorAll('[data-testid=\"stVegaLiteChart\"]').length == 0"
            for _ in range(runs + 1):  # the first run warms the server's caches and is not counted
                page.get_by_role("link", name="Export", exact=True).click()
                page.wait_for_function(no_charts, timeout=60_000)
                started = time.perf_counter()
                page.get_by_role("link", name="Cohort dashboard", exact=True).click()
                page.wait_for_function(charts_drawn, timeout=60_000)
                timings.append(time.perf_counter() - started)
            browser.close()
    finally:
        stop_server(server)
    return [Measurement("browser: cohort page drawn (1,000 leaders)", 1000, statistics.median(timings[1:]),
                        note="click on the page link until all three charts have drawn")]


def run_bench(sizes: list[int], runs: int = 5, questions: Path | None = None,
              browser: bool = True) -> list[Measurement]:
    questions = questions or questions_dir()
    with tempfile.TemporaryDirectory(prefix="reflect-bench-") as name:
        folder = Path(name)
        results = []
        for size in sizes:
            results += measure_size(size, folder, runs, questions)
        results += measure_concurrency(folder, questions)
        if browser:
            if 1000 not in sizes:
                with contextlib.closing(open_db(folder / "bench-1000.db")) as db:
                    make_demo(db, load_question_sets(questions)[0], leaders=1000, seed=1000)
            results += measure_browser(folder, runs)
        return results


def table(results: list[Measurement]) -> str:
    lines = [f"{'measurement':<52} {'size':>6} {'median':>10} {'floor':>10} {'ratio':>6}  note",
             "-" * 104]
    for m in results:
        is_rows = m.note == "rows, not seconds"
        median = f"{m.median_seconds:,.0f}" if is_rows else _milliseconds(m.median_seconds)
        floor = _milliseconds(m.floor_seconds) if m.floor_seconds else ""
        ratio = f"{m.ratio:.2f}" if m.ratio else ""
        lines.append(f"{m.name:<52} {m.size:>6} {median:>10} {floor:>10} {ratio:>6}  {m.note}")
    return "\n".join(lines)


def _milliseconds(seconds: float) -> str:
    return f"{seconds * 1000:,.2f} ms" if seconds < 0.001 else f"{seconds * 1000:,.1f} ms"


def as_json(results: list[Measurement]) -> str:
    return json.dumps([{"name": m.name, "size": m.size, "median_seconds": m.median_seconds,
                        "floor_seconds": m.floor_seconds, "ratio": m.ratio, "note": m.note} for m in results],
                      indent=2)

