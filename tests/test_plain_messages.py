"""Messages the library raises never repeat a name someone typed: pages show them with st.error, which renders
Markdown, so a name in one could become a link or an image. They say which one by number or line instead."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from reflect.domain import accounts, checkpoints, cohorts
from reflect.domain.access import SYSTEM
from reflect.domain.checkpoints import CheckpointError

from .cohort_data import days

NAME = "![x](http://127.0.0.1:9/x.png) www.evil.example"
JAN = datetime(2027, 1, 4, tzinfo=UTC)


@pytest.fixture
def cohort(db):
    facilitator = accounts.create_first_facilitator(db, name="Fran", email="fran@x.org",
                                                    password="correct horse battery staple")
    return cohorts.create_cohort(db, facilitator.id, "North")


@pytest.mark.parametrize(("windows", "message"), [
    ([("Start", JAN, JAN + timedelta(days=9)), (NAME, JAN + timedelta(days=20), JAN + timedelta(days=10))],
     "Checkpoint 2 must close after it opens."),
    ([(NAME, JAN + timedelta(days=5), JAN + timedelta(days=20)), ("Start", JAN, JAN + timedelta(days=9))],
     "Checkpoints 1 and 2 overlap; a moment can be in one checkpoint only."),
])
def test_checkpoint_problems_are_numbered_not_named(db, cohort, windows, message):
    with pytest.raises(CheckpointError) as raised:
        checkpoints.replace_all(db, SYSTEM, cohort.id,
                                [(None, name, *days(opens, closes)) for name, opens, closes in windows])
    assert str(raised.value) == message
