"""The cohort export route in process, through Starlette as the server mounts it: a download streams the file in
chunks, and one cut short (the client gone) leaves no connection or read transaction open behind it. The refusals
are checked against a real server in tests/browser/test_facilitator.py."""

from __future__ import annotations

import concurrent.futures
import sqlite3
from collections.abc import Awaitable, Callable
from datetime import timedelta

import anyio
import pytest
from starlette.applications import Starlette

from reflect.domain import sessions
from reflect.domain.access import SYSTEM
from reflect.reporting import export
from reflect.storage.db import DatabaseUnavailable
from reflect.web import routes

from .cohort_data import JAN, cohort_with_windows, facilitator, leaders, rate


@pytest.fixture
def served(db, tmp_path, monkeypatch):
    """The routes on this test's database, a cohort of five leaders who each submitted once, its facilitator's
    cookie, and every connection the routes open."""
    monkeypatch.setenv("REFLECT_DB", str(tmp_path / "reflect.db"))
    monkeypatch.setattr(export, "CHUNK_ROWS", 1)  # a chunk per submission
    opened = []

    def open_db(*args, **kwargs):
        opened.append(real_open_db(*args, **kwargs))
        return opened[-1]

    real_open_db = routes.open_db
    monkeypatch.setattr(routes, "open_db", open_db)
    owner = facilitator(db)
    cohort = cohort_with_windows(db, owner)
    for number, leader in enumerate(leaders(db, cohort, 5)):
        rate(db, leader, [1, 2], JAN + timedelta(days=number + 1))
    _, ticket = sessions.start(db, owner.id)
    token = sessions.trade_ticket(db, ticket)
    return Starlette(routes=routes.ROUTES), cohort, token, opened


def run(function):
    """Run an async test body in an event loop of its own thread: a worker that ran the browser tests has Playwright's
    loop running on this one."""
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        return thread.submit(anyio.run, function).result()


async def download(app, path: str, token: str, *, go_after: int | None = None,
                   sending: Callable[[int], Awaitable[None]] | None = None) -> list[bytes]:
    """GET `path` with the cookie, as uvicorn calls the app (ASGI HTTP 2.3); with `go_after`, the client goes away
    once that many chunks have come; `sending(n)` is awaited as the n-th chunk is sent. Return the body's chunks."""
    chunks: list[bytes] = []
    gone = anyio.Event()

    async def receive():
        await gone.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        if message["type"] == "http.response.body" and message["body"]:
            chunks.append(message["body"])
            if go_after is not None and len(chunks) >= go_after:
                gone.set()
            if sending is not None:
                await sending(len(chunks))
            await anyio.sleep(0)  # as a network write would: the disconnect can arrive here

    scope = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
             "method": "GET", "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
             "root_path": "", "client": ("127.0.0.1", 50000), "server": ("reflect.test", 80),
             "headers": [(b"host", b"reflect.test"), (b"cookie", f"{sessions.COOKIE}={token}".encode())]}
    await app(scope, receive, send)
    return chunks


def closed(connection) -> bool:
    try:
        connection.execute("SELECT 1")
    except sqlite3.ProgrammingError:
        return True
    return False


def test_a_whole_download_is_the_long_file_in_chunks_and_closes_its_connection(db, served):
    app, cohort, token, opened = served

    async def whole():
        chunks = await download(app, f"/export/{cohort.id}/long.csv", token)
        assert [closed(connection) for connection in opened] == [True]
        return chunks

    chunks = run(whole)
    assert len(chunks) == 5
    assert b"".join(chunks) == export.cohort_long_csv(db, SYSTEM, cohort.id)


def test_a_download_cut_short_closes_its_connection_and_ends_its_read_at_once(db, served):
    app, cohort, token, opened = served

    async def cut_short():
        chunks = await download(app, f"/export/{cohort.id}/long.csv", token, go_after=1)
        # Checked as soon as the response has ended, not after the garbage collector has been round.
        assert [closed(connection) for connection in opened] == [True]
        return chunks

    assert len(run(cut_short)) < 5


def test_the_next_chunk_is_made_while_the_last_is_sent(served, monkeypatch):
    """Sending a chunk (compressing it, for a browser that asks for gzip) and making the next share the machine's
    cores instead of taking turns: the route asks for chunk 2 before chunk 1 has gone."""
    app, cohort, token, _ = served
    made = []

    def counted(*args, **kwargs):
        for chunk in real_chunks(*args, **kwargs):
            made.append(chunk)
            yield chunk

    real_chunks = export.cohort_long_chunks
    monkeypatch.setattr(export, "cohort_long_chunks", counted)
    made_while_sending = []

    async def sending(number):
        if number == 1:
            with anyio.move_on_after(5):
                while len(made) < 2:
                    await anyio.sleep(0.01)
            made_while_sending.append(len(made))

    chunks = run(lambda: download(app, f"/export/{cohort.id}/long.csv", token, sending=sending))
    assert made_while_sending[0] >= 2 and len(chunks) == len(made) == 5


def test_a_file_that_fails_half_way_ends_the_download_with_its_own_error_and_closes_its_connection(
        served, monkeypatch):
    app, cohort, token, opened = served

    def failing(*args, **kwargs):
        yield next(real_chunks(*args, **kwargs))
        raise DatabaseUnavailable("the disk went away")

    real_chunks = export.cohort_long_chunks
    monkeypatch.setattr(export, "cohort_long_chunks", failing)
    with pytest.raises(DatabaseUnavailable, match="the disk went away"):
        run(lambda: download(app, f"/export/{cohort.id}/long.csv", token))
    assert [closed(connection) for connection in opened] == [True]
