"""HTTP routes the app serves beside its pages (mounted by app.py through ``st.App``): the sign-in cookie and a
health check.

The cookie routes answer only requests from Reflect's own pages (their ``Origin`` is this server), so another site
cannot sign someone in or out behind their back; the cookie is HttpOnly (no script reads it) and SameSite=Lax. Both
also drop Streamlit's identity cookie, left by signing in with a school account (reflect.web.school_sign_in): once
Reflect's cookie is set, or the person signs out, Reflect's session is the only sign-in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlsplit

from sqlite_utils import Database
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from streamlit import config

from reflect.domain import sessions
from reflect.settings import secure_cookies, session_days
from reflect.storage.db import DatabaseUnavailable, health, open_db
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


ROUTES = [
    Route("/healthz", healthz, methods=["GET"]),
    Route(START_PATH, start_session, methods=["POST"]),
    Route(END_PATH, end_session, methods=["POST"]),
]
