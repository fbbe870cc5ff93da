"""Benchmarks of what people wait for, each beside the floor it could reach. A script that measures and prints;
never a timed assertion in the tests.

For each size it builds a demo database, then reports medians over several runs: leader actions and the My
progress page, the facilitator's cohort dashboard, cohort exports (and the memory the long one takes, streamed and
built whole), submissions under 20 concurrent writers, and (at 1,000 leaders, when Chromium is installed) the cohort
page drawn in a real browser.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime
import functools
import json
import multiprocessing
import os
import statistics
import tempfile
import time
import tracemalloc
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reflect.devtools import APP_DIR
from reflect.devtools.demo import FACILITATOR_EMAIL, PASSWORD, make_demo
from reflect.devtools.live_server import CHROMIUM, CHROMIUM_ARGS, resident, start_server, stop_server
from reflect.devtools.load import run_load
from reflect.domain import accounts, checkpoints, cohorts, responses, sessions
from reflect.domain.questions import load_question_sets
from reflect.reporting import export, impact, reports
from reflect.settings import questions_dir
from reflect.storage.db import open_db

BARE_PAGE = "import streamlit as st\nst.title('Bare page')\n"
# The same bare page behind the router and a page's guard, as every page of Reflect's runs: the floor of any page
# run, to which only the page's own queries add.
ROUTED_BARE_PAGE = """
import streamlit as st
from reflect.web import guard, router

def bare_page():
    guard.require_user()
    st.title("Bare page")

router.route(lambda user, db: [st.Page(bare_page, title="Bare page")])
"""

# My progress's floor: the bare page behind the router and guard, making My progress's queries as the page makes
# them (the cohort's shares from the cache it reads them from), and drawing none of it.
PROGRESS_QUERIES_PAGE = """
import streamlit as st
from reflect.domain import accounts, cohorts, responses
from reflect.reporting import reports
from reflect.web import context, figures, guard, router

def progress_queries():
    db, user = guard.require_user(accounts.LEADER)
    cohort = cohorts.cohort_of_leader(db, user.id)
    for qset in [qset for qset in context.question_sets().values() if qset.is_rating]:
        responses.ratings_over_time(db, user.id, qset.id)
        reports.positions(figures.cohort_shares(db, user, cohort.id, qset),
                          reports.own_latest(db, user, cohort.id, qset, user.id))
    st.title("Bare page")

router.route(lambda user, db: [st.Page(progress_queries, title="Bare page")])
"""


@dataclass(frozen=True)
class Measurement:
    name: str
    size: int
    median: float  # in `unit`
    floor_seconds: float | None = None
    note: str = ""
    unit: str = "s"  # or "MB", or "rows"

    @property
    def ratio(self) -> float | None:
        return self.median / self.floor_seconds if self.floor_seconds else None


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

    from reflect.devtools.apptest import compile_once, route_through_router, sign_in

    route_through_router()
    compile_once()
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


def _warm_page(script: str, user_id: int | None = None) -> Callable[[], object]:
    """A run of `script` in an AppTest that has run it once already (signed in as `user_id`, if given): the first
    run of a fresh AppTest also scans every installed package, once per process, which no page run on a server
    pays."""
    from streamlit.testing.v1 import AppTest

    from reflect.devtools.apptest import compile_once, sign_in

    compile_once()
    at = AppTest.from_string(script, default_timeout=60)
    if user_id is not None:
        sign_in(at, user_id)
    at.run()
    if at.exception:
        raise RuntimeError(f"the floor's page failed: {at.exception[0].message}")
    return at.run


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
        # The facilitator whose pages these are: each read goes through the access check, as on the page.
        facilitator = accounts.existing_user(db, facilitator_id)
        point = checkpoints.at(db, cohort_id, db.execute("SELECT MAX(submitted_at) FROM submissions").fetchone()[0])
        cohort = cohorts.cohort_of_leader(db, leader_id)
        if point is None or cohort is None:
            raise RuntimeError("the demo cohort's latest submission is in none of its checkpoints")
        os.environ["REFLECT_DB"] = str(path)
        bare = median_time(_warm_page(BARE_PAGE), runs)
        routed = {who: median_time(_warm_page(ROUTED_BARE_PAGE, who), runs) for who in (leader_id, facilitator_id)}
        out: list[Measurement] = [
            Measurement("floor: a bare page, warm", size, bare),
            Measurement("floor: a bare page behind the router and guard", size, routed[leader_id],
                        note="any page run costs at least this"),
        ]

        out.append(Measurement("leader: save a draft", size, median_time(
            lambda: responses.save_draft(db, leader_id, qset, qset.items[0].id, note=uuid.uuid4().hex), runs)))

        for item in qset.items:  # a complete draft to submit (looking back too, where the checkpoint asks)
            responses.save_draft(db, leader_id, qset, item.id, rating=3, then_rating=2)

        def submit():
            responses.submit(db, leader_id, qset, uuid.uuid4().hex)
        out.append(Measurement("leader: submit a checklist", size, median_time(submit, runs)))

        floor = median_time(_warm_page(PROGRESS_QUERIES_PAGE, leader_id), runs)
        out.append(Measurement("leader: My progress page run", size,
                               median_run_time(lambda: _page(path, leader_id, "pages/progress.py"), runs), floor))
        out.append(Measurement("leader: My progress, first view after a change", size, median_run_time(
            lambda: _page(path, leader_id, "pages/progress.py", cold=True), runs), floor))

        def dashboard_queries():
            reports.respondents(db, facilitator, cohort_id, qset.id, point.id)
            reports.distribution(db, facilitator, cohort_id, qset, point.id)
            reports.over_time(db, facilitator, cohort_id, qset)
            reports.grid_total(db, facilitator, cohort_id, qset.id, point.id)
            reports.grid_page(db, facilitator, cohort_id, qset, point.id)
        dashboard = lambda: _page(path, facilitator_id, "pages/dashboard.py")  # noqa: E731
        out.append(Measurement("facilitator: cohort dashboard page run", size, median_run_time(dashboard, runs),
                               routed[facilitator_id], note="floor: its figures are cached, so the router alone"))
        out.append(Measurement("facilitator: dashboard, first view after a change", size, median_run_time(
            lambda: _page(path, facilitator_id, "pages/dashboard.py", cold=True), runs),
            routed[facilitator_id] + median_time(dashboard_queries, runs)))
        for number, rows in enumerate(chart_rows(dashboard()()), start=1):
            out.append(Measurement(f"facilitator: chart {number} rows sent to the browser", size, float(rows),
                                   unit="rows"))

        every_set = list(sets.values())
        for which in (reports.EVERYONE, reports.NOTHING):
            counts = functools.partial(reports.completion_counts, db, facilitator, cohort_id, every_set, point.id,
                                       which=which)
            page = functools.partial(reports.completion, db, facilitator, cohort_id, every_set, point.id,
                                     which=which, page=2)
            out.append(Measurement(f"facilitator: Completion counts ({which})", size, median_time(counts, runs)))
            out.append(Measurement(f"facilitator: Completion, a page of 25 ({which})", size,
                                   median_time(page, runs)))
        out.append(Measurement("facilitator: Impact figures, uncached", size, median_time(
            lambda: impact.impact(db, facilitator, cohort_id, qset), runs)))

        out.append(Measurement("facilitator: checkpoint edit, a closing day a week on", size,
                               _checkpoint_edits(db, facilitator, cohort_id, runs),
                               note="one write transaction: the write lock is held this long"))

        out.append(Measurement("export: cohort CSV, long", size, median_time(
            lambda: export.cohort_long_csv(db, facilitator, cohort_id), runs, warm_up=0)))
        out.append(Measurement("export: cohort CSV, wide", size, median_time(
            lambda: export.cohort_wide_csv(db, facilitator, cohort_id, qset), runs, warm_up=0)))
        out += measure_streamed_export(db, path, facilitator, cohort_id, size, runs)
        out += measure_served_export(db, path, facilitator, cohort_id, size, folder)
    return out


def _checkpoint_edits(db, facilitator: accounts.User, cohort_id: int, runs: int) -> float:
    """Median time of saving the cohort's checkpoints with the latest one closing a week later, then a week earlier
    again (each a real change, recounted where the window moved)."""
    points = checkpoints.of_cohort(db, cohort_id)
    rows: list[tuple[int | None, str, datetime.date | None, datetime.date | None]] = [
        (point.id, point.name, point.first_day, point.last_day) for point in points]
    week = datetime.timedelta(days=7)

    def edit(shift: datetime.timedelta) -> None:
        point_id, name, first, last = rows[-1]
        assert last is not None
        rows[-1] = (point_id, name, first, last + shift)
        if not checkpoints.replace_all(db, facilitator, cohort_id, rows):
            raise RuntimeError("the checkpoint edit changed nothing")

    timings = []
    for number in range(runs):
        started = time.perf_counter()
        edit(week if number % 2 == 0 else -week)
        timings.append(time.perf_counter() - started)
    if runs % 2:
        edit(-week)  # as it was
    return statistics.median(timings)


def measure_streamed_export(db, path: Path, facilitator: accounts.User, cohort_id: int, size: int,
                            runs: int) -> list[Measurement]:
    """The long export as the server streams it, beside the same file built whole in memory as the download button
    did (its chunks joined: the least that could take). Memory is measured in a fresh process for each."""
    def stream() -> int:
        return sum(len(chunk) for chunk in export.cohort_long_chunks(db, facilitator, cohort_id))

    streamed, whole = (_in_fresh_process(_long_export_memory, str(path), facilitator.id, cohort_id, built_whole)
                       for built_whole in (False, True))
    megabytes = f"{streamed.size / 1e6:,.1f} MB in {streamed.chunks:,} chunks"
    return [
        Measurement("export: long CSV streamed", size, median_time(stream, runs, warm_up=0), note=megabytes),
        Measurement("export: long CSV streamed, peak memory", size, streamed.peak / 1e6, unit="MB",
                    note="Python's allocations at their peak (tracemalloc)"),
        Measurement("export: long CSV built whole, peak memory", size, whole.peak / 1e6, unit="MB",
                    note=f"the same, for the {whole.size / 1e6:,.1f} MB file made as one bytes object"),
        Measurement("export: long CSV streamed, RSS growth", size, streamed.rss_growth / 1e6, unit="MB",
                    note="resident memory's peak over its start (includes SQLite's own)"),
        Measurement("export: long CSV built whole, RSS growth", size, whole.rss_growth / 1e6, unit="MB"),
    ]


@dataclass(frozen=True)
class ExportMemory:
    size: int  # bytes of the file
    chunks: int
    peak: int  # bytes, tracemalloc's peak
    rss_growth: float  # bytes; nan where /proc cannot tell


def _long_export_memory(path: str, facilitator_id: int, cohort_id: int, built_whole: bool) -> ExportMemory:
    """Run the long export twice: first for the resident memory it adds, then under tracemalloc for its peak."""
    with contextlib.closing(open_db(path, migrate=False)) as db:
        facilitator = accounts.existing_user(db, facilitator_id)

        def export_it() -> tuple[int, int]:
            chunks = export.cohort_long_chunks(db, facilitator, cohort_id)
            if built_whole:
                return len(b"".join(chunks)), 1
            size = count = 0
            for chunk in chunks:
                size, count = size + len(chunk), count + 1
            return size, count

        before = resident("VmRSS", reset_peak=True)
        size, chunks = export_it()
        rss_growth = resident("VmHWM") - before
        tracemalloc.start()
        export_it()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return ExportMemory(size, chunks, peak, rss_growth)


def measure_served_export(db, path: Path, facilitator: accounts.User, cohort_id: int, size: int,
                          folder: Path) -> list[Measurement]:
    """The long export downloaded from a real server (``streamlit run app.py``) as a browser would, signed in as the
    facilitator: the time to its last byte without compression and with gzip (as browsers ask), and how far the
    server's resident memory rose while it streamed."""
    _, ticket = sessions.start(db, facilitator.id)
    token = sessions.trade_ticket(db, ticket)
    server = start_server(path, folder / f"export-{size}.log")

    def download(encoding: str) -> tuple[float, int]:
        request = urllib.request.Request(f"{server.url}/export/{cohort_id}/long.csv",
                                         headers={"Cookie": f"{sessions.COOKIE}={token}", "Accept-Encoding": encoding})
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=300) as answer:
            received = sum(len(piece) for piece in iter(lambda: answer.read(1 << 16), b""))
        return time.perf_counter() - started, received

    try:
        before = resident("VmRSS", server.process.pid, reset_peak=True)
        download("identity")  # the first after a start also warms the server: counted in the memory, not the time
        seconds, received = download("identity")
        zipped_seconds, zipped = download("gzip")
        growth = resident("VmHWM", server.process.pid) - before
    finally:
        stop_server(server)
    return [Measurement("export: long CSV from the server, to the last byte", size, seconds,
                        note=f"{received / 1e6:,.1f} MB over HTTP; one run, the second"),
            Measurement("export: long CSV from the server, gzip, to the last byte", size, zipped_seconds,
                        note=f"{zipped / 1e6:,.1f} MB over HTTP; one run, the third"),
            Measurement("export: long CSV from the server, its RSS growth", size, growth / 1e6, unit="MB",
                        note="the server's resident memory at its peak over three downloads, over its idle start")]


def _in_fresh_process(work: Callable[..., ExportMemory], *args) -> ExportMemory:
    """``work(*args)`` in a new Python process, so that what it measures starts from nothing this one did."""
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(work, *args).result()


def measure_concurrency(folder: Path, questions: Path) -> list[Measurement]:
    result = run_load(folder / "load.db", writers=20, processes=4, rounds=25, questions=questions)
    note = f"{len(result.errors)} errors, {result.lost} lost, {result.duplicated} duplicated"
    return [Measurement("concurrency: submit p50, 20 writers", 20, result.percentile(0.5), note=note),
            Measurement("concurrency: submit p95, 20 writers", 20, result.percentile(0.95), note=note)]


def measure_browser(folder: Path, runs: int) -> list[Measurement]:
    """Open the cohort page in headless Chromium on a 1,000-leader database; time until every chart has drawn."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return [Measurement("browser: cohort page drawn (1,000 leaders)", 1000, float("nan"),
                            note="skipped: playwright is not installed")]
    if not Path(CHROMIUM).exists():
        return [Measurement("browser: cohort page drawn (1,000 leaders)", 1000, float("nan"),
                            note="skipped: Chromium is not installed")]
    path = folder / "bench-1000.db"
    server = start_server(path, folder / "streamlit.log")
    timings = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
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
        median = (f"{m.median:,.0f}" if m.unit == "rows" else f"{m.median:,.1f} MB" if m.unit == "MB"
                  else _milliseconds(m.median))
        floor = _milliseconds(m.floor_seconds) if m.floor_seconds else ""
        ratio = f"{m.ratio:.2f}" if m.ratio else ""
        lines.append(f"{m.name:<52} {m.size:>6} {median:>10} {floor:>10} {ratio:>6}  {m.note}")
    return "\n".join(lines)


def _milliseconds(seconds: float) -> str:
    return f"{seconds * 1000:,.2f} ms" if seconds < 0.001 else f"{seconds * 1000:,.1f} ms"


_JSON_FIELD = {"s": "median_seconds", "MB": "median_megabytes", "rows": "rows"}  # never a count under "seconds"


def as_json(results: list[Measurement]) -> str:
    return json.dumps([{"name": m.name, "size": m.size, _JSON_FIELD[m.unit]: m.median,
                        "floor_seconds": m.floor_seconds, "ratio": m.ratio, "note": m.note, "unit": m.unit}
                       for m in results], indent=2)

