"""What the HTTP server does before any page runs: Reflect is served as an ``st.App`` (see app.py)."""

from __future__ import annotations

import gc
import logging

import altair as alt
import pandas as pd
from streamlit.runtime.pages_manager import PagesManager

from reflect.reporting import charts, export, reports  # noqa: F401 - loaded now, so that they are frozen with the rest
from reflect.storage.db import DatabaseUnavailable, open_db


def serve_pages_through_router() -> None:
    """Turn off Streamlit's legacy ``pages/`` discovery for this process, before the first session starts.

    Streamlit decides per process whether a ``pages/`` folder beside the main script means "list every file in it",
    and only the first ``st.navigation`` call says otherwise. Until app.py had run once, the first visitor to a
    page's own address got a menu of every page file and that page run without the router (and so, on an empty
    database, "Sign in" instead of the set-up screen). Reflect keeps its pages in ``pages/`` and routes every one
    through app.py, so the answer is known before anyone connects.
    """
    PagesManager.uses_pages_directory = False


def bring_the_database_up_to_date() -> None:
    """Apply pending migrations as the server starts, so /healthz says ready before anyone has visited. A database
    that cannot be opened is logged here and explained on every page (reflect.web.context.database)."""
    try:
        open_db().close()
    except DatabaseUnavailable as error:
        logging.getLogger(__name__).error("Reflect cannot open its database: %s", error)


def keep_start_up_out_of_garbage_collection() -> None:
    """Load what every page needs, then exempt it from the full garbage collection after every page run.

    After each script run Streamlit calls ``gc.collect(2)`` (``runner.postScriptGC``) to free what the run left in
    reference cycles. A full collection walks every tracked object in the process, and nearly all of them are
    what was loaded once and stays for good: Streamlit, pandas, Altair and the Vega-Lite schema it validates
    against. ``gc.freeze`` moves everything that exists now to a generation collections skip; whatever a page run
    makes is collected as before.
    """
    alt.Chart(pd.DataFrame({"x": [1]})).mark_point().encode(x="x:Q").to_dict()  # Altair loads its schema on first use
    gc.collect()
    gc.freeze()
