"""AppTest runs that go through the router, as the real server's do."""

from __future__ import annotations

import runpy

from streamlit.runtime.scriptrunner import script_runner


def run_router(main_script_path: str) -> None:
    """Run app.py for a page run where Streamlit would serve the ``pages/`` folder instead.

    AppTest turns the legacy discovery back on before every run it makes, so the tests and the benchmark put this
    in place of Streamlit's ``_mpa_v1`` to run each page through the router, as the real server does.
    """
    runpy.run_path(main_script_path, run_name="__main__")


def route_through_router() -> None:
    """For AppTest in this process: every run goes through app.py (see :func:`run_router`)."""
    script_runner._mpa_v1 = run_router
