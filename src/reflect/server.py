"""What the HTTP server does before any page runs: Reflect is served as an ``st.App`` (see app.py)."""

from __future__ import annotations

import runpy

from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import script_runner


def serve_pages_through_router() -> None:
    """Turn off Streamlit's legacy ``pages/`` discovery for this process, before the first session starts.

    Streamlit decides per process whether a ``pages/`` folder beside the main script means "list every file in it",
    and only the first ``st.navigation`` call says otherwise. Until app.py had run once, the first visitor to a
    page's own address got a menu of every page file and that page run without the router (and so, on an empty
    database, "Sign in" instead of the set-up screen). Reflect keeps its pages in ``pages/`` and routes every one
    through app.py, so the answer is known before anyone connects.
    """
    PagesManager.uses_pages_directory = False


def run_router(main_script_path: str) -> None:
    """Run app.py for a page run where Streamlit would serve the ``pages/`` folder instead.

    AppTest turns the legacy discovery back on before every run it makes, so the tests and the benchmark put this
    in place of Streamlit's ``_mpa_v1`` to run each page through the router, as the real server does.
    """
    runpy.run_path(main_script_path, run_name="__main__")


def route_apptest_through_router() -> None:
    """For AppTest in this process: every run goes through app.py (see :func:`run_router`)."""
    script_runner._mpa_v1 = run_router
