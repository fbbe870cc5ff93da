"""Cohort figures for the pages, cached across sessions until the data they are made from changes.

Each function here is the :mod:`reflect.reporting.reports` (or :mod:`~reflect.reporting.impact`) function of the
same name, with the same arguments.
The access check (:func:`reflect.domain.access.cohort_for`) runs first, on every call, cached or not. The cache key
includes the cohort's :func:`reflect.storage.tally.version`, which goes up on every write that can change its figures
(a submission, a deletion, a checkpoint edit, a leader joining), so a facilitator never sees figures older than the
database, and a change in one cohort leaves the others' cached.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

import streamlit as st
from sqlite_utils import Database

from reflect.domain import access
from reflect.domain.access import Actor
from reflect.domain.accounts import User
from reflect.reporting import impact as impact_figures
from reflect.reporting import reports
from reflect.settings import db_path
from reflect.storage import tally
from reflect.storage.db import open_db

P = ParamSpec("P")
R = TypeVar("R")
Report = Callable[Concatenate[Database, User, int, P], R]


@st.cache_data(max_entries=128, show_spinner=False)
def _made(report_name: str, path: str, version: tuple[int, int], _report: Callable[..., Any], _actor: Actor,
          cohort_id: int, *args: Any, **kwargs: Any) -> Any:
    # The report is known to the cache by its name; the actor is left out of the key (a figure is the same for
    # everyone who may see it): the report checks them when it is made, and _cached checks every caller.
    with contextlib.closing(open_db(path, migrate=False)) as db:
        return _report(db, _actor, cohort_id, *args, **kwargs)


def _cached(report: Report[P, R], need: str) -> Report[P, R]:
    @functools.wraps(report)
    def cached(db: Database, actor: Actor, cohort_id: int, *args: P.args, **kwargs: P.kwargs) -> R:
        access.cohort_for(db, actor, cohort_id, need=need)
        return _made(report.__name__, str(db_path()), tally.version(db, cohort_id), report, actor, cohort_id, *args,
                     **kwargs)

    return cached


distribution = _cached(reports.distribution, access.RUN)
respondents = _cached(reports.respondents, access.RUN)
leaders_in = _cached(reports.leaders_in, access.RUN)
over_time = _cached(reports.over_time, access.RUN)
grid_total = _cached(reports.grid_total, access.RUN)
grid_page = _cached(reports.grid_page, access.RUN)
cohort_shares = _cached(reports.cohort_shares, access.FIGURES)
impact = _cached(impact_figures.impact, access.RUN)


def forget_all() -> None:
    """Forget every cached cohort figure."""
    _made.clear()
