"""The Impact figures (reflect.reporting.impact): a hand-worked example, the rules for few pairs, and the demo cohort
recounted independently, from its submissions, with scipy called directly."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from reflect.devtools.demo import make_demo
from reflect.domain.access import SYSTEM
from reflect.domain.questions import load_question_sets
from reflect.reporting import impact

from .cohort_data import ROOT

SETS, _ = load_question_sets(ROOT / "questions")
CHECKLIST = SETS["munby-fullan-skills"]


def test_a_hand_worked_example():
    before = [2, 2, 3, 3, 3, 2, 1, 4, 2, 3]
    after = [3, 4, 3, 4, 2, 4, 3, 4, 3, 5]  # changes: 1, 2, 0, 1, -1, 2, 2, 0, 1, 2
    found = impact.change(np.array(before), np.array(after))
    assert (found.pairs, found.mean, found.median) == (10, 1.0, 1.0)
    assert (found.rose, found.same, found.fell) == (0.7, 0.2, 0.1)
    # d_z: the changes' mean 1 over their standard deviation, sqrt(10 / 9), is 3 / sqrt(10).
    assert found.effect == pytest.approx(3 / math.sqrt(10))
    # Wilcoxon by hand: eight non-zero changes; |1| four times (ranks 1-4, 2.5 each), |2| four times (6.5 each);
    # W- = 2.5. Normal approximation: mean 8 * 9 / 4 = 18; variance 8 * 9 * 17 / 24 less the ties' (2 * (4^3 - 4)) / 48,
    # 51 - 2.5 = 48.5; z = (2.5 - 18) / sqrt(48.5) = -2.2257; two-sided p = 0.0260.
    assert found.p_value == pytest.approx(2 * stats.norm.cdf((2.5 - 18) / math.sqrt(48.5)))
    assert found.p_value == pytest.approx(0.0260, abs=0.0001)
    assert found.effect_low < found.effect < found.effect_high
    assert impact.change(np.array(before), np.array(after)) == found, "the same data give the same interval"


def test_few_pairs_are_said_plainly_no_figures_under_five_and_no_test_under_ten():
    assert impact.change(np.array([1, 2, 3, 4]), np.array([2, 3, 4, 5])) == impact.Change(4)
    seven = impact.change(np.array([1, 2, 3, 4, 1, 2, 3]), np.array([2, 3, 4, 5, 3, 2, 3]))
    assert seven.pairs == 7 and seven.mean == pytest.approx(6 / 7) and seven.p_value is None
    same = impact.change(np.full(12, 3), np.full(12, 3))
    assert (same.mean, same.p_value, same.effect) == (0.0, 1.0, None)  # no change, and no spread to scale it by


def recount(db, cohort_id: int) -> dict[str, dict[str, list[tuple[int, int]]]]:
    """The (before, after) pairs of each comparison and skill, recounted from the submissions: each leader's latest
    in a checkpoint's window counts there."""
    points = db.execute("SELECT id, opens_at, closes_at, asks_then FROM checkpoints WHERE cohort_id = ? "
                        "ORDER BY opens_at", [cohort_id]).fetchall()

    def latest(point) -> dict[tuple[int, str], tuple[int, int | None]]:
        rows = db.execute(
            """SELECT s.user_id, a.item_id, a.rating, a.then_rating FROM submissions s
               JOIN answers a ON a.submission_id = s.id
               WHERE s.set_id = ? AND s.submitted_at >= ? AND s.submitted_at < ? AND s.id = (
                   SELECT id FROM submissions t WHERE t.user_id = s.user_id AND t.set_id = s.set_id
                   AND t.submitted_at >= ? AND t.submitted_at < ? ORDER BY t.submitted_at DESC, t.id DESC LIMIT 1)""",
            [CHECKLIST.id, point[1], point[2], point[1], point[2]]).fetchall()
        return {(user, item): (rating, then) for user, item, rating, then in rows}

    first, last = latest(points[0]), latest(points[-1])
    asked = latest(next(point for point in points if point[3]))
    return {
        impact.PRE_POST: {item.id: [(first[key][0], last[key][0]) for key in first if key[1] == item.id and key in last]
                          for item in CHECKLIST.items},
        impact.THEN_NOW: {item.id: [(asked[key][1], asked[key][0]) for key in asked if key[1] == item.id]
                          for item in CHECKLIST.items},
        impact.SHIFT: {item.id: [(first[key][0], asked[key][1]) for key in first if key[1] == item.id and key in asked]
                       for item in CHECKLIST.items},
    }


def test_the_demo_cohorts_impact_equals_an_independent_recount(db):
    made = make_demo(db, {CHECKLIST.id: CHECKLIST}, leaders=120, seed=5)
    table = impact.impact(db, SYSTEM, made.cohort.id, CHECKLIST)
    assert list(dict.fromkeys(table["comparison"])) == [impact.PRE_POST, impact.THEN_NOW, impact.SHIFT]

    recounted = recount(db, made.cohort.id)
    for number, item in enumerate(CHECKLIST.items, start=1):
        pairs = {comparison: recounted[comparison][item.id] for comparison in recounted}
        for comparison, pair in pairs.items():
            row = table[(table["comparison"] == comparison) & (table["number"] == number)].iloc[0]
            before, after = np.array(pair, dtype=float).T
            changes = after - before
            assert row["pairs"] == len(pair) >= 10
            assert row["mean"] == pytest.approx(changes.mean())
            assert row["median"] == pytest.approx(np.median(changes))
            assert row["rose"] == pytest.approx((changes > 0).mean())
            assert row["p_value"] == pytest.approx(stats.wilcoxon(after, before, method="approx").pvalue)
            assert row["effect"] == pytest.approx(changes.mean() / changes.std(ddof=1))
    shift = table[table["comparison"] == impact.SHIFT]["mean"]
    assert (shift < 0).all(), "the demo's leaders look back on a weaker start than they rated then"
