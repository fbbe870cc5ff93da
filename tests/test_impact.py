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
    before = [2, 2, 3, 3, 3, 2, 1, 4, 2, 3, 2, 3]
    after = [3, 4, 3, 4, 2, 4, 3, 4, 3, 5, 3, 2]  # changes: 1, 2, 0, 1, -1, 2, 2, 0, 1, 2, 1, -1
    found = impact.change(np.array(before), np.array(after))
    assert (found.pairs, found.median) == (12, 1.0)
    assert found.mean == pytest.approx(10 / 12)
    assert (found.rose, found.same, found.fell) == pytest.approx((8 / 12, 2 / 12, 2 / 12))
    # d_z: the mean change 10/12 over the changes' standard deviation, sqrt((22 - 12 * (10/12)^2) / 11).
    assert found.effect == pytest.approx((10 / 12) / math.sqrt((22 - 12 * (10 / 12) ** 2) / 11))
    # Wilcoxon by hand: ten changes that are not zero; |1| six times (ranks 1-6, 3.5 each), |2| four times (8.5
    # each); W- = 2 * 3.5 = 7. Normal approximation: mean 10 * 11 / 4 = 27.5; variance 10 * 11 * 21 / 24 = 96.25
    # less the ties' ((6^3 - 6) + (4^3 - 4)) / 48 = 5.625, so 90.625; z = (7 - 27.5) / sqrt(90.625) = -2.1534;
    # two-sided p = 0.0313.
    assert found.p_value == pytest.approx(2 * stats.norm.cdf((7 - 27.5) / math.sqrt(90.625)))
    assert found.p_value == pytest.approx(0.0313, abs=0.0001)
    # The exact interval: the noncentral t distributions under which the observed t = d_z * sqrt(12) sits at its
    # 97.5th and 2.5th percentiles.
    observed = found.effect * math.sqrt(12)
    for bound, share in ((found.effect_low, 0.975), (found.effect_high, 0.025)):
        assert stats.nct.cdf(observed, 11, bound * math.sqrt(12)) == pytest.approx(share)
    assert 0 < found.effect_low < found.effect < found.effect_high


def test_the_effect_sizes_interval_matches_a_published_value():
    # d_z = 0.5 from 20 pairs: 95% interval 0.03 to 0.96 (as Lakens's and ESCI's calculators give it).
    low, high = impact._interval(0.5, 20)
    assert (round(low, 2), round(high, 2)) == (0.03, 0.96)


def test_few_pairs_are_said_plainly_no_figures_under_five_and_no_test_under_ten():
    assert impact.change(np.array([1, 2, 3, 4]), np.array([2, 3, 4, 5])) == impact.Change(4)
    seven = impact.change(np.array([1, 2, 3, 4, 1, 2, 3]), np.array([2, 3, 4, 5, 3, 2, 3]))
    assert seven.pairs == 7 and seven.mean == pytest.approx(6 / 7) and seven.p_value is None
    same = impact.change(np.full(12, 3), np.full(12, 3))
    assert (same.mean, same.p_value, same.effect) == (0.0, None, None)  # no change, and no spread to scale it by
    one_moved = impact.change(np.full(10, 3), np.array([3] * 9 + [4]))
    assert one_moved.pairs == 10 and one_moved.p_value is None, "the test ranks only the pairs that changed"


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


def test_only_comparisons_that_mean_something_are_made(db):
    from datetime import timedelta

    from reflect.domain import checkpoints, responses

    from .cohort_data import FEB, JAN, cohort_with_windows, days, facilitator, leaders

    fran = facilitator(db)
    north = cohort_with_windows(db, fran)  # Start: January; End: February
    start, end = checkpoints.of_cohort(db, north.id)
    checkpoints.ask_then_at(db, fran, north.id, start.id)
    tiny_checklist = CHECKLIST
    people = leaders(db, north, 6)
    for number, person in enumerate(people):
        for when in (JAN + timedelta(days=2), FEB + timedelta(days=2)):
            for item in tiny_checklist.items:
                responses.save_draft(db, person.id, tiny_checklist, item.id, rating=2 + (when > FEB),
                                     then_rating=1 + number % 2, now=when)
            responses.submit(db, person.id, tiny_checklist, f"{person.id}{when}", now=when)
    # Asked at the first checkpoint: no response shift (what they said at the start is that same submission).
    table = impact.impact(db, SYSTEM, north.id, tiny_checklist)
    assert list(dict.fromkeys(table["comparison"])) == [impact.PRE_POST, impact.THEN_NOW]
    # The setting moved after the ratings were made: the ratings looking back still count, where they were made.
    checkpoints.ask_then_at(db, fran, north.id, end.id)
    assert impact.impact(db, SYSTEM, north.id, tiny_checklist).equals(table)
    # One checkpoint only: there is no start and end to compare.
    checkpoints.replace_all(db, fran, north.id, [(start.id, "Start", *days(JAN, FEB))])
    assert list(dict.fromkeys(impact.impact(db, SYSTEM, north.id, tiny_checklist)["comparison"])) == [
        impact.THEN_NOW]
