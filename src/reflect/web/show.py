"""Showing what people typed, times and charts the same way on every page."""

from __future__ import annotations

import hashlib
import html
import pickle
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
import streamlit as st
from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

from reflect.domain.accounts import AccountLocked
from reflect.domain.checkpoints import Checkpoint
from reflect.domain.questions import QuestionSet

R = TypeVar("R")


def plain(text: str, *, heading: int = 0) -> None:
    """Show `text` exactly as typed, as a paragraph or a heading of level `heading` (1 for the page title): for
    anything holding a name someone typed (a person, cohort or checkpoint name, an email).

    Titles, alerts, captions and every label (metric, widget, expander, tab, toast, ``help``) render Markdown, and
    GitHub-flavoured Markdown turns a bare ``http://…`` or ``www.…`` into a link after escapes are undone, so no
    escaping makes a name safe there: leave the name out of those, or show it with this. Option text
    (``format_func``), table cells and chart text are plain already.
    """
    if heading:
        st.html(f"<h{heading}>{html.escape(text)}</h{heading}>")
    else:
        st.text(text)


_TABLE_STYLE = """<style>
.reflect-table { overflow-x: auto; margin-bottom: 1rem; }
.reflect-table table { border-collapse: collapse; width: 100%; font-size: 0.875rem; }
.reflect-table th, .reflect-table td { padding: 0.4rem 0.5rem; text-align: left; vertical-align: top;
    border-bottom: 1px solid rgba(49, 51, 63, 0.2); }
.reflect-table th { font-weight: 600; }
</style>"""


def table(frame: pd.DataFrame, label: str) -> None:
    """`frame` as a table whose text wraps, every cell as plain text. Where it is still wider than the screen (a
    phone), it scrolls sideways inside a region named `label` that the keyboard can reach and scroll (WCAG's
    "scrollable region must be focusable", which Streamlit's own static table is not)."""
    st.html(f'{_TABLE_STYLE}<div class="reflect-table" role="region" aria-label="{html.escape(label)}" tabindex="0">'
            f"{frame.to_html(index=False, escape=True, border=0)}</div>")


def count_of(count: int, thing: str) -> str:
    """ "1 leader", "3 leaders", "1,200 leaders": `thing` after its number, plural unless one."""
    return f"{count:,} {thing}{'' if count == 1 else 's'}"


def account_error(error: Exception) -> None:
    """An account or database error as an alert: a lock-out's time in the reader's own zone."""
    st.error(error.message_in(browser_zone()) if isinstance(error, AccountLocked) else str(error))


def browser_zone() -> ZoneInfo:
    """The time zone the browser reports, or UTC when it is not known (or not one this machine knows)."""
    try:
        return ZoneInfo(st.context.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_time(stored: str, style: str = "%d %b %Y, %H:%M") -> str:
    """A stored UTC time shown in the browser's time zone."""
    shown = datetime.fromisoformat(stored).astimezone(browser_zone())
    return f"{shown.strftime(style)} {shown.tzname()}"


def closes(checkpoint: Checkpoint) -> str:
    """When a checkpoint closes, as a person reads it: its last minute, in the browser's zone ("23:59 on Sun 01 Mar
    2027 GMT"), not the midnight after."""
    last = datetime.fromisoformat(checkpoint.closes_at).astimezone(browser_zone()) - timedelta(minutes=1)
    return f"{last:%H:%M on %a %d %b %Y} {last.tzname()}"


def opens(checkpoint: Checkpoint) -> str:
    """When a checkpoint opens, in the browser's zone ("00:00 on Mon 02 Mar 2027 GMT")."""
    first = datetime.fromisoformat(checkpoint.opens_at).astimezone(browser_zone())
    return f"{first:%H:%M on %a %d %b %Y} {first.tzname()}"


def chart(make: Callable[..., Any], data: pd.DataFrame, qset: QuestionSet, *more: Any,
          width: Literal["stretch", "content"] = "content") -> None:
    """Draw the Altair chart ``make(data, qset, *more)`` exactly as ``st.altair_chart`` would, from a Vega-Lite spec
    made once for the same data and set, then kept. Building an Altair chart and validating it against the Vega-Lite
    schema was most of a chart page's run (80 of My progress's 115 ms); a spec already made costs a hash of the data
    and a copy."""
    def make_spec(*args: Any) -> dict:
        return vega_lite_spec(make(*args))

    draw_spec(made_once(make_spec, data, qset, *more, name=f"the spec of {make.__module__}.{make.__qualname__}"),
              width=width)


def vega_lite_spec(chart: Any) -> dict:
    """The Vega-Lite spec of an Altair chart, as ``st.altair_chart`` makes it: Streamlit's own conversion (the data
    as Arrow), under the lock that keeps Altair's global theme and data settings per call."""
    return _convert_altair_to_vega_lite_spec(chart)


def draw_spec(spec: dict, *, width: Literal["stretch", "content"] = "content") -> None:
    """Draw a chart from its spec (:func:`vega_lite_spec`)."""
    st.vega_lite_chart(spec=spec, width=width)


def made_once(make: Callable[..., R], data: pd.DataFrame, qset: QuestionSet, *more: Any, name: str = "") -> R:
    """``make(data, qset, *more)``, made once for the same data, set and arguments, then kept (as :func:`chart` keeps
    a spec): for all that a page shows from one frame (tables, words, chart specs), so the frame is hashed once. The
    cache knows `make` by `name`, else by its own name."""
    return _made(name or f"{make.__module__}.{make.__qualname__}", contents_key(data), repr(qset), more, _data=data,
                 _qset=qset, _make=make)


def contents_key(frame: pd.DataFrame) -> str:
    """A digest of everything a frame holds (columns, types, index, values): two frames with different contents never
    share one. It is the digest of the frame's pickle, which a frame built the same way gives alike every time (a
    frame laid out otherwise in memory would only be made again). Pandas' row hashes took 0.8 ms for a leader's 50
    ratings, the pickle 0.14 ms; Streamlit's own hashing of a frame, three times pandas'."""
    return hashlib.blake2b(pickle.dumps(frame, protocol=pickle.HIGHEST_PROTOCOL)).hexdigest()


@st.cache_data(max_entries=2000, show_spinner=False)
def _made(name: str, data_key: str, set_text: str, more: tuple, _data: pd.DataFrame, _qset: QuestionSet,
          _make: Callable[..., Any]) -> Any:
    # Known to the cache by what is made (its name), the data's contents (their digest) and the set's text (its repr:
    # Streamlit's hashing of the set object itself cost more than the chart).
    return _make(_data, _qset, *more)
