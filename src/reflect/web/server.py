"""What the HTTP server does before any page runs: Reflect is served as an ``st.App`` (see app.py)."""

from __future__ import annotations

from streamlit.runtime.pages_manager import PagesManager


def serve_pages_through_router() -> None:
    """Turn off Streamlit's legacy ``pages/`` discovery for this process, before the first session starts.

    Streamlit decides per process whether a ``pages/`` folder beside the main script means "list every file in it",
    and only the first ``st.navigation`` call says otherwise. Until app.py had run once, the first visitor to a
    page's own address got a menu of every page file and that page run without the router (and so, on an empty
    database, "Sign in" instead of the set-up screen). Reflect keeps its pages in ``pages/`` and routes every one
    through app.py, so the answer is known before anyone connects.
    """
    PagesManager.uses_pages_directory = False
