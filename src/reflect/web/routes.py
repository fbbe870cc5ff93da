"""HTTP routes the app serves beside its pages (mounted by app.py through ``st.App``): the sign-in cookie, cohort
CSV downloads and a health check.

The cookie routes answer only requests from Reflect's own pages (their ``Origin`` is this server), so another site
cannot sign someone in or out behind their back; the cookie is HttpOnly (no script reads it) and SameSite=Lax. Both
also drop Streamlit's identity cookie, left by signing in with a school account (reflect.web.school_sign_in): once
Reflect's cookie is set, or the person signs out, Reflect's session is the only sign-in.

A cohort file is streamed from SQLite as it is written, at constant memory whatever the cohort's size, instead of
being built whole and sent through the page's websocket. It is a GET (it changes nothing but the audit log), so the
Lax cookie comes with it only from a link a person follows; the person is checked by the library's one access gate.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Generator
from typing import TypeVar
from urllib.parse import urlencode, urlsplit

import anyio
from anyio.streams.memory import MemoryObjectSendStream
from sqlite_utils import Database
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send
from streamlit import config

from reflect.domain import access, accounts, checkpoints, sessions
from reflect.domain.questions import QuestionSet
from reflect.reporting import export
from reflect.settings import secure_cookies, session_days
from reflect.storage.db import DatabaseUnavailable, health, open_db
from reflect.web import context
from reflect.web.session_cookie import END_PATH, START_PATH

T = TypeVar("T")
NO_STORE = {"Cache-Control": "no-store"}
MAX_TICKET = 200
# Streamlit's identity cookie after st.login, its ID and access tokens, and the chunks of either when too big for one.
STREAMLIT_IDENTITY_COOKIES = "_streamlit_user"


def healthz(request: Request) -> JSONResponse:
    """For whoever deploys Reflect: 200 when the database is reachable and its migrations are current, else 503
    with the reason in a few words (no path or other detail an outsider could use)."""
    problem = health()
    if problem:
        return JSONResponse({"status": "unavailable", "problem": problem}, status_code=503, headers=NO_STORE)
    return JSONResponse({"status": "ok"}, headers=NO_STORE)


def _from_our_pages(request: Request) -> bool:
    """True if the browser says the request came from a page of this server. Browsers send ``Origin`` with every
    POST made by ``fetch``; one from elsewhere, or none, is refused."""
    origin = request.headers.get("origin")
    return origin is not None and urlsplit(origin).netloc == request.headers.get("host")


def _refused(why: str, status: int = 403) -> PlainTextResponse:
    return PlainTextResponse(why, status_code=status, headers=NO_STORE)


def _with_database(work: Callable[[Database], T]) -> T:
    """`work` done with a connection of its own (a route runs on a worker thread, outside any page run)."""
    db = open_db(migrate=False)
    try:
        return work(db)
    finally:
        db.close()


async def start_session(request: Request) -> Response:
    """Trade a new session's one-time ticket (the body) for the cookie that keeps its person signed in."""
    if not _from_our_pages(request):
        return _refused("Refused: this request did not come from Reflect's own pages.")
    ticket = (await request.body())[:MAX_TICKET].decode(errors="replace")
    try:
        token = await run_in_threadpool(_with_database, lambda db: sessions.trade_ticket(db, ticket))
    except DatabaseUnavailable:
        return _refused("The database is busy; try again.", 503)
    if token is None:
        return _refused("That sign-in has expired or was already used. Sign in again.")
    response = Response(status_code=204, headers=NO_STORE)
    response.set_cookie(sessions.COOKIE, token, max_age=int(session_days() * 86400), path="/", httponly=True,
                        samesite="lax", secure=_secure(request))
    _drop_streamlit_identity(request, response)
    return response


async def end_session(request: Request) -> Response:
    """Sign this browser out: end the session its cookie names, and drop the cookie."""
    if not _from_our_pages(request):
        return _refused("Refused: this request did not come from Reflect's own pages.")
    token = request.cookies.get(sessions.COOKIE)
    if token:
        try:
            await run_in_threadpool(_with_database, lambda db: sessions.end(db, token=token))
        except DatabaseUnavailable:
            return _refused("The database is busy; try again.", 503)
    response = Response(status_code=204, headers=NO_STORE)
    response.delete_cookie(sessions.COOKIE, path="/", httponly=True, samesite="lax", secure=_secure(request))
    _drop_streamlit_identity(request, response)
    return response


def _drop_streamlit_identity(request: Request, response: Response) -> None:
    """Have the browser forget Streamlit's identity cookies (set on the path Streamlit serves from), so that no later
    page load finds a school identity to sign in with again."""
    path = "/" + (config.get_option("server.baseUrlPath") or "").strip("/")
    for name in request.cookies:
        if name.startswith(STREAMLIT_IDENTITY_COOKIES):
            response.delete_cookie(name, path=path, httponly=True, samesite="lax")


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or secure_cookies()


EXPORT_KINDS = ("long", "wide", "codebook", "feedback")


def export_url(cohort_id: int, kind: str, *, checkpoint_id: int | None = None, set_id: str | None = None,
               bom: bool = False, labels: bool = False) -> str:
    """Where the Export page's link downloads a cohort file (:func:`export_file`): `set_id` names the question set
    of the wide file and the codebook; `bom` starts the file with a BOM, for Excel; `labels` writes ratings as their
    labels (wide and long files)."""
    query = {"checkpoint": checkpoint_id, "set": set_id if kind in ("wide", "codebook") else None,
             "bom": 1 if bom else None, "labels": 1 if labels and kind in ("wide", "long") else None}
    wanted = urlencode({name: value for name, value in query.items() if value is not None})
    return f"/export/{cohort_id}/{kind}.csv" + (f"?{wanted}" if wanted else "")


async def export_file(request: Request) -> Response:
    """A cohort's CSV file (see :func:`export_url`), for a signed-in person the access gate lets run the cohort,
    logged, and streamed as SQLite reads it. 403 for anyone else; 404 for a file, set or checkpoint that is not
    there (a cohort that is not there is refused like another's, so its id says nothing)."""
    if request.method != "GET":  # Starlette answers HEAD too: it would make and log a file only to drop it
        return _refused("Download the file with GET.", 405)
    try:
        return await run_in_threadpool(_start_export, request)
    except DatabaseUnavailable:
        return _refused("The database is busy; try again.", 503)


def _start_export(request: Request) -> Response:
    """Runs on a worker thread, with a connection that goes with the file if it is sent, else is closed here."""
    kind, query = request.path_params["kind"], request.query_params
    try:
        cohort_id = int(request.path_params["cohort_id"])
        checkpoint_id = int(query["checkpoint"]) if query.get("checkpoint") else None
    except ValueError:
        return _refused("There is no such file.", 404)
    sets = context.question_sets()
    set_id = query.get("set") or next((qset.id for qset in sets.values() if qset.is_rating), "")
    if kind not in EXPORT_KINDS or (kind in ("wide", "codebook") and set_id not in sets):
        return _refused("There is no such file.", 404)
    scales = {qset.id: qset.scale for qset in sets.values()} if query.get("labels") == "1" else None
    db = open_db(migrate=False, any_thread=True)  # the chunks are read on whichever worker thread asks for them
    response: Response | None = None
    try:
        response = _checked_export(db, request.cookies.get(sessions.COOKIE), cohort_id, kind, checkpoint_id,
                                   sets.get(set_id), bom=query.get("bom") == "1",
                                   scales=scales)
        return response
    finally:
        if not isinstance(response, _Download):  # refused, or failed
            db.close()


def _checked_export(db: Database, token: str | None, cohort_id: int, kind: str, checkpoint_id: int | None,
                    qset: QuestionSet | None, *, bom: bool, scales: dict[str, tuple[str, ...]] | None) -> Response:
    """Check who asks (the person the cookie's session belongs to) and what for, log it, and hand the file's chunks
    to a response that streams them; with `scales`, ratings are written as their labels."""
    session = sessions.find(db, token=token) if token else None
    user = accounts.get_user(db, session.user_id) if session else None
    if user is None:
        return _refused("Sign in to Reflect to download a cohort's files.")
    try:
        access.cohort_for(db, user, cohort_id)
    except access.AccessDenied as refusal:
        return _refused(str(refusal))
    point = next((p for p in checkpoints.of_cohort(db, cohort_id) if p.id == checkpoint_id), None)
    if checkpoint_id is not None and point is None:
        return _refused("That cohort has no such checkpoint.", 404)
    # Described in the Activity log, and named, in the Export page's words.
    slug = f"reflect-cohort-{cohort_id}" + (f"-checkpoint-{point.id}" if point else "")
    scope = point.name if point else "all checkpoints"
    make: export.CohortStream
    if kind == "feedback":
        description, file_name = "feedback on shared reflections", f"{slug}-feedback.csv"
        make = functools.partial(export.feedback_chunks, checkpoint_id=checkpoint_id, bom=bom)
    elif kind == "long" or qset is None:
        description, file_name = "file for analysis, one row per answer", f"{slug}-for-analysis.csv"
        make = functools.partial(export.cohort_long_chunks, checkpoint_id=checkpoint_id, bom=bom, scales=scales)
    elif kind == "wide":
        description, file_name = f"file for Excel of {qset.title}", f"{slug}-{qset.id}-for-excel.csv"
        make = functools.partial(export.cohort_wide_chunks, qset=qset, checkpoint_id=checkpoint_id, bom=bom,
                                 labels=scales is not None)
    else:
        description, file_name = f"what each column means, {qset.title}", f"{slug}-{qset.id}-columns.csv"
        make = functools.partial(export.codebook_chunks, qset=qset, bom=bom)
    return _Download(db, export.logged_stream(db, user, cohort_id, f"{description} ({scope})", make), file_name)


class _Download(StreamingResponse):
    """A CSV file streamed from `chunks`, a generator run on worker threads, read through `db`.

    The next chunk is made while the last is sent: sending includes compressing it when the browser asks for gzip
    (as browsers do), which zlib does without holding Python's lock, so the two share the machine's cores instead of
    taking turns (the long file at 100,000 leaders: 21.8 s when they took turns).

    Both are closed however the response ends: the file sent, an error, or the client gone. (When the client goes,
    Starlette stops iterating but leaves the generator to the garbage collector, which kept the connection and its
    read transaction open.)
    """

    def __init__(self, db: Database, chunks: Generator[bytes, None, None], file_name: str) -> None:
        super().__init__(chunks, media_type="text/csv; charset=utf-8",
                         headers={**NO_STORE, "Content-Disposition": f'attachment; filename="{file_name}"'})
        self._db, self._chunks = db, chunks

    async def stream_response(self, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        made, to_send = anyio.create_memory_object_stream[bytes](1)  # one chunk made ahead, one in the making
        try:
            async with anyio.create_task_group() as group:
                group.start_soon(self._make, made)
                async with to_send:
                    async for chunk in to_send:
                        await send({"type": "http.response.body", "body": chunk, "more_body": True})
        except BaseExceptionGroup as failed:  # what went wrong, as the server expects it, not in anyio's group
            raise failed.exceptions[0] from None
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def _make(self, made: MemoryObjectSendStream[bytes]) -> None:
        async with made:
            while (chunk := await anyio.to_thread.run_sync(next, self._chunks, None)) is not None:
                await made.send(chunk)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            # The generator is not running now (a cancelled response still waits for a worker thread's next() to
            # return), so it can be closed here: that ends its read transaction.
            with contextlib.closing(self._db):
                self._chunks.close()


ROUTES = [
    Route("/healthz", healthz, methods=["GET"]),
    Route(START_PATH, start_session, methods=["POST"]),
    Route(END_PATH, end_session, methods=["POST"]),
    Route("/export/{cohort_id}/{kind}.csv", export_file, methods=["GET"]),
]
