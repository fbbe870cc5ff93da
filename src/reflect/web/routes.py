"""HTTP routes the app serves beside its pages (mounted by app.py through ``st.App``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from reflect.storage.db import health


def healthz(request: Request) -> JSONResponse:
    """For whoever deploys Reflect: 200 when the database is reachable and its migrations are current, else 503
    with the reason in a few words (no path or other detail an outsider could use)."""
    problem = health()
    if problem:
        return JSONResponse({"status": "unavailable", "problem": problem}, status_code=503,
                            headers={"Cache-Control": "no-store"})
    return JSONResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})


ROUTES = [Route("/healthz", healthz, methods=["GET"])]
