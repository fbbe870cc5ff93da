"""Cohort and checkpoint pickers that keep the person's choice.

A selectbox without a key whose arguments change (an index taken from memory, say) is a new widget to Streamlit,
which then drops the person's choice; so every picker has a key, and what it remembers across pages lives beside
it, under a name of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

import pandas as pd
import streamlit as st
from sqlite_utils import Database

from reflect.domain import access, checkpoints, cohorts
from reflect.domain.accounts import User
from reflect.reporting import reports
from reflect.storage.db import now

T = TypeVar("T", bound=Hashable)
_COHORT_MEMORY, _COHORT_PICKER = "chosen_cohort", "cohort_picker"


def remembered_choice(label: str, options: list[T], *, key: str, memory: str, default: T,
                      format_func: Callable[[T], str] = str) -> T:
    """A selectbox keyed `key` that starts on what `memory` holds (else `default`) and remembers the choice there.

    Streamlit forgets a widget's value when a page without it runs; `memory` keeps it, for when the person comes
    back. A remembered value that is no longer offered (a deleted checkpoint) falls back to `default`.
    """
    if key not in st.session_state or st.session_state[key] not in options:
        remembered = st.session_state.get(memory, default)
        st.session_state[key] = remembered if remembered in options else default
    choice: T = st.selectbox(label, options, key=key, format_func=format_func)
    st.session_state[memory] = choice
    return choice


def remember_cohort(cohort_id: int) -> None:
    """Make `cohort_id` the cohort every picker shows next (after creating one, say)."""
    st.session_state[_COHORT_MEMORY] = cohort_id
    st.session_state.pop(_COHORT_PICKER, None)


def choose_cohort(db: Database, user: User) -> cohorts.Cohort:
    """A selectbox of the cohorts `user` may run (others' are never offered; an administrator's: every cohort);
    stops with a hint if none."""
    mine = access.cohorts_for(db, user)
    if not mine:
        st.info("You have no cohorts yet. Create one on the Cohorts page.")
        st.page_link("pages/cohorts.py", label="Go to Cohorts", icon=":material/groups:")
        st.stop()
    by_id = {cohort.id: cohort for cohort in mine}
    cohort_id = remembered_choice(
        "Cohort", list(by_id), key=_COHORT_PICKER, memory=_COHORT_MEMORY, default=mine[0].id,
        format_func=lambda i: by_id[i].name + (" (archived)" if by_id[i].archived_at else ""),
    )
    return by_id[cohort_id]


def choose_checkpoint(db: Database, cohort: cohorts.Cohort, *, label: str = "Checkpoint",
                      allow_all: bool = False) -> checkpoints.Checkpoint | None:
    """A selectbox of the cohort's checkpoints, defaulting to the one open now; with `allow_all`, to "All
    checkpoints" (None). Each cohort remembers its own choice."""
    points = checkpoints.of_cohort(db, cohort.id)
    if not points:
        st.info("This cohort has no checkpoints. Add them on the Cohorts page.")
        st.stop()
    by_id = {point.id: point for point in points}
    current = checkpoints.at(db, cohort.id, now())

    def describe(point_id: int | None) -> str:
        if point_id is None:
            return "All checkpoints"
        point = by_id[point_id]  # the days as stored, in the cohort's zone: as the Cohorts page states them
        return f"{point.name} ({point.first_day:%d %b %Y} – {point.last_day:%d %b %Y})"

    scope = f"{cohort.id}:{'any' if allow_all else 'one'}"
    offered: list[int | None] = [None] if allow_all else []
    chosen = remembered_choice(
        label, offered + list(by_id), key=f"checkpoint_picker:{scope}",
        memory=f"chosen_checkpoint:{scope}", default=None if allow_all else (current or points[0]).id,
        format_func=describe,
    )
    return by_id.get(chosen) if chosen is not None else None


LEADER_RECORD = "pages/leader.py"


def choose_leader(db: Database, user: User, cohort: cohorts.Cohort) -> tuple[int, str, str]:
    """A selectbox of the cohort's leaders by name and email (names repeat; emails do not), remembered per cohort;
    stops with a hint if the cohort has none. Returns the chosen leader's user id, name and email."""
    people = reports.leaders(db, user, cohort.id)
    if people.empty:
        st.info("No leaders have joined this cohort yet. Give them the join code, or add them on Add leaders.")
        st.stop()
    by_id = _by_id(people)
    chosen = remembered_choice("Leader", list(by_id), key=f"leader_picker:{cohort.id}",
                               memory=f"chosen_leader:{cohort.id}", default=next(iter(by_id)),
                               format_func=lambda i: " · ".join(by_id[i]))
    return chosen, *by_id[chosen]


def open_a_leaders_record(people: pd.DataFrame, cohort_id: int, *, key: str) -> None:
    """A way from a list of leaders (user_id, leader, email) to one's Leader record: choose, then open."""
    by_id = _by_id(people)
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    chosen = left.selectbox("Open a leader's record", list(by_id), index=None, key=key,
                            format_func=lambda i: " · ".join(by_id[i]), placeholder="Choose a leader")
    if right.button("Open record", key=f"{key}:open", disabled=chosen is None):
        st.session_state[f"chosen_leader:{cohort_id}"] = chosen
        st.session_state.pop(f"leader_picker:{cohort_id}", None)
        st.switch_page(LEADER_RECORD)


def _by_id(people: pd.DataFrame) -> dict[int, tuple[str, str]]:
    return {int(user_id): (str(name), str(email))
            for user_id, name, email in zip(people["user_id"], people["leader"], people["email"], strict=True)}
