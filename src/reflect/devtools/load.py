"""Many leaders saving and submitting at once, as in a workshop hour: counts errors, lost and duplicated submissions.

Writers run as threads (as Streamlit runs sessions) inside several processes, all against one database file. Each
writer repeatedly saves ten draft ratings and a note, then submits; every few rounds it sends the same submission
again, as a retried request would. Nothing is assumed: afterwards the database is counted.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from reflect.devtools.demo import make_demo
from reflect.domain import responses
from reflect.domain.questions import QuestionSet, load_question_sets
from reflect.storage.db import open_db

RETRY_EVERY = 4  # every 4th submission is sent twice


@dataclass(frozen=True)
class LoadResult:
    writers: int
    processes: int
    rounds: int
    seconds: float
    errors: list[str]
    expected: int
    found: int
    duplicated: int
    submit_latencies: list[float]

    @property
    def lost(self) -> int:
        return self.expected - (self.found - self.duplicated)

    def percentile(self, share: float) -> float:
        ordered = sorted(self.submit_latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")

    def summary(self) -> str:
        return (
            f"{self.writers} writers ({self.processes} processes × {self.writers // self.processes} threads), "
            f"{self.rounds} submissions each, in {self.seconds:.1f} s: {len(self.errors)} errors, "
            f"{self.expected} submissions expected, {self.found} found, {self.lost} lost, "
            f"{self.duplicated} duplicated; "
            f"submit latency p50 {self.percentile(0.5) * 1000:.1f} ms, p95 {self.percentile(0.95) * 1000:.1f} ms, "
            f"max {max(self.submit_latencies, default=0) * 1000:.1f} ms, "
            f"mean {statistics.fmean(self.submit_latencies or [0]) * 1000:.1f} ms"
        )


def _writer(path: str, qset: QuestionSet, user_id: int, rounds: int) -> tuple[list[float], list[str]]:
    latencies, errors = [], []
    db = open_db(path, migrate=False)
    try:
        for number in range(rounds):
            try:
                for position, item in enumerate(qset.items):
                    rating = (number + position) % len(qset.scale) + 1  # and looking back, where the checkpoint asks
                    responses.save_draft(db, user_id, qset, item.id, rating=rating, then_rating=rating)
                responses.save_draft(db, user_id, qset, qset.items[0].id, note=f"Round {number}")
                token = f"load:{user_id}:{number}"
                started = time.perf_counter()
                made = responses.submit(db, user_id, qset, token)
                latencies.append(time.perf_counter() - started)
                if number % RETRY_EVERY == 0 and responses.submit(db, user_id, qset, token) != made:
                    errors.append(f"user {user_id}: a retried submission was recorded again")
            except Exception as error:  # counted and reported, never hidden  # noqa: BLE001
                errors.append(f"user {user_id}: {type(error).__name__}: {error}")
    finally:
        db.close()
    return latencies, errors


def _process(path: str, qset: QuestionSet, user_ids: list[int], rounds: int) -> tuple[list[float], list[str]]:
    """One worker process: a thread per leader."""
    latencies, errors = [], []
    with ThreadPoolExecutor(max_workers=len(user_ids)) as threads:
        for got_latencies, got_errors in threads.map(lambda user_id: _writer(path, qset, user_id, rounds), user_ids):
            latencies += got_latencies
            errors += got_errors
    return latencies, errors


def _worker_main(argv: list[str]) -> None:
    """``python -m reflect.devtools.load DB QUESTIONS SET_ID ROUNDS USER_ID...``: run one worker, print its results
    as JSON."""
    path, questions, set_id, rounds, *user_ids = argv
    qset = load_question_sets(questions)[0][set_id]
    latencies, errors = _process(path, qset, [int(user_id) for user_id in user_ids], int(rounds))
    print(json.dumps({"latencies": latencies, "errors": errors}))


def run_load(path: str | Path, *, writers: int = 24, processes: int = 4, rounds: int = 20,
             questions: str | Path = "questions") -> LoadResult:
    """Make a cohort of `writers` leaders in the database at `path`, run the load, and count what was stored."""
    path = str(path)
    sets, _ = load_question_sets(questions)
    qset = next(qset for qset in sets.values() if qset.is_rating)
    with open_db(path) as db:
        cohort = make_demo(db, sets, leaders=writers, seed=0).cohort
        user_ids = [row[0] for row in db.execute(
            "SELECT user_id FROM cohort_leaders WHERE cohort_id = ? ORDER BY user_id", [cohort.id])]
    groups = [user_ids[index::processes] for index in range(processes)]
    started = time.perf_counter()
    workers = [  # separate Python processes, as separate app servers would be
        subprocess.Popen([sys.executable, "-m", "reflect.devtools.load", path, str(questions), qset.id, str(rounds),
                          *map(str, group)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for group in groups
    ]
    latencies, errors = [], []
    for worker in workers:
        out, err = worker.communicate(timeout=600)
        if worker.returncode != 0:
            last_line = err.strip().splitlines()[-1] if err.strip() else f"exit code {worker.returncode}"
            errors.append(f"a worker process failed: {last_line}")
            continue
        result = json.loads(out)
        latencies += result["latencies"]
        errors += result["errors"]
    seconds = time.perf_counter() - started
    with open_db(path) as db:
        found, distinct = db.execute(
            "SELECT COUNT(*), COUNT(DISTINCT user_id || ':' || token) FROM submissions WHERE token LIKE 'load:%'"
        ).fetchone()
        incomplete = db.execute(
            """SELECT COUNT(*) FROM submissions s WHERE s.token LIKE 'load:%'
               AND (SELECT COUNT(*) FROM answers a WHERE a.submission_id = s.id) != ?""",
            [len(qset.items)],
        ).fetchone()[0]
    if incomplete:
        errors.append(f"{incomplete} submissions are missing answers")
    return LoadResult(writers, processes, rounds, seconds, errors, writers * rounds, found, found - distinct,
                      latencies)


if __name__ == "__main__":
    _worker_main(sys.argv[1:])
