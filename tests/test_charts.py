"""Cohort charts, read from their Vega-Lite specs: the right marks and encodings, and only aggregated rows."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from reflect.reporting import charts

from .cohort_data import TINY


def counts(a: list[int], b: list[int]) -> pd.DataFrame:
    """Counts per scale point (No, Some, Yes) for items a and b."""
    return pd.DataFrame({"item_id": ["a"] * 3 + ["b"] * 3, "rating": [1, 2, 3] * 2, "count": a + b})


def rows(spec: dict) -> list[dict]:
    [data] = spec["datasets"].values()
    return data


def test_diverging_bars_straddle_zero_with_the_neutral_point_and_order_items_by_positive_share():
    spec = charts.diverging_bars(counts([2, 2, 0], [0, 2, 2]), TINY).to_dict()
    assert spec["mark"]["type"] == "bar"
    assert spec["encoding"]["x"]["field"] == "start" and spec["encoding"]["x2"]["field"] == "end"
    assert spec["encoding"]["y"]["sort"] == ["2. Skill B (n=4)", "1. Skill A (n=4)"], "not ordered by positive share"
    segments = {(row["Skill"], row["point"]): (row["start"], row["end"]) for row in rows(spec)}
    # Skill B: 0% No, 50% Some (straddling zero: -25 to 25), 50% Yes (25 to 75).
    assert segments[("2. Skill B (n=4)", 2)] == pytest.approx((-25, 25))
    assert segments[("2. Skill B (n=4)", 3)] == pytest.approx((25, 75))
    assert segments[("1. Skill A (n=4)", 1)] == pytest.approx((-75, -25))
    assert len(rows(spec)) == len(TINY.items) * len(TINY.scale)


def test_diverging_table_gives_n_percentages_and_positive_share():
    table = charts.diverging_table(counts([1, 1, 2], [4, 0, 0]), TINY).set_index("item_id")
    assert table.loc["a", "n"] == 4 and table.loc["a", "3 Yes"] == 50 and table.loc["a", "Positive %"] == 50
    assert table.loc["b", "1 No"] == 100 and table.loc["b", "Positive %"] == 0
    assert list(table.index) == ["a", "b"]


def test_change_over_time_is_one_small_panel_per_item_with_an_interval_and_only_aggregates():
    means = pd.DataFrame({
        "checkpoint_id": [1, 1, 2, 2], "checkpoint": ["Start", "Start", "End", "End"], "item_id": ["a", "b"] * 2,
        "n": [10, 10, 8, 8], "mean": [1.5, 2.0, 2.5, 2.2], "low": [1.2, 1.8, 2.1, 1.9], "high": [1.8, 2.2, 2.9, 2.5]})
    spec = charts.cohort_over_time(means, TINY, ["Start", "End"]).to_dict()
    # A panel per skill, named by its whole name wrapped onto lines (these are short enough for one).
    assert spec["facet"]["field"] == "Label" and spec["facet"]["sort"] == ["1. Skill A", "2. Skill B"]
    layers = spec["spec"]["layer"]
    marks = [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"] for layer in layers]
    assert marks == ["rule", "line"]
    assert spec["spec"]["layer"][0]["encoding"]["y2"]["field"] == "high"
    assert spec["spec"]["layer"][1]["encoding"]["x"]["sort"] == ["Start", "End"]
    assert len(rows(spec)) == 4


def test_leader_grid_is_a_heat_map_of_one_page():
    grid = pd.DataFrame({"leader": ["Ann", "Ann", "Bob", "Bob"], "user_id": [7, 7, 9, 9],
                         "email": ["ann@x.org", "ann@x.org", "bob@x.org", "bob@x.org"],
                         "item_id": ["a", "b", "a", "b"], "rating": [1, 3, 2, 2]})
    table = charts.grid_table(grid, TINY)
    assert table.to_dict("index") == {"Ann · ann@x.org": {"1. Skill A": 1, "2. Skill B": 3},
                                      "Bob · bob@x.org": {"1. Skill A": 2, "2. Skill B": 2}}
    spec = charts.leader_grid(grid, TINY, list(table.index)).to_dict()
    assert spec["mark"]["type"] == "rect" and spec["encoding"]["y"]["sort"] == ["Ann · ann@x.org", "Bob · bob@x.org"]
    assert len(rows(spec)) == 4


def test_leaders_with_the_same_name_are_told_apart_by_email_never_by_an_internal_id():
    grid = pd.DataFrame({"leader": ["Sam Lee"] * 4, "user_id": [39, 39, 41, 41],
                         "email": ["sam.lee@oak.sch.uk"] * 2 + ["slee@elm.sch.uk"] * 2,
                         "item_id": ["a", "b", "a", "b"], "rating": [1, 3, 2, 2]})
    table = charts.grid_table(grid, TINY)
    assert list(table.index) == ["Sam Lee · sam.lee@oak.sch.uk", "Sam Lee · slee@elm.sch.uk"]
    spec = charts.leader_grid(grid, TINY, list(table.index)).to_dict()
    assert {row["Leader"] for row in rows(spec)} == set(table.index)
    assert "#39" not in str(spec) and "#39" not in str(table)


def test_position_in_cohort_marks_only_the_leaders_own_rating():
    positions = pd.DataFrame({"checkpoint": ["Start"] * 3, "respondents": [5] * 3, "item_id": ["a"] * 3,
                              "rating": [1, 2, 3], "share": [0.2, 0.2, 0.6], "mine": [0, 0, 1]})
    spec = charts.position_in_cohort(positions, TINY).to_dict()
    marker = spec["layer"][1]
    assert marker["mark"]["shape"] == "triangle-down" and marker["transform"] == [{"filter": "datum.mine == 1"}]
    mine = [row for row in rows(spec) if row["mine"] == 1]
    assert mine[0]["middle"] == pytest.approx(70)  # the Yes segment runs from 40% to 100%
    table = charts.position_table(positions, TINY)
    assert table.loc["1. Skill A", "Your rating"] == 3 and table.loc["1. Skill A", "3 Yes"] == 60


def test_the_leaders_ratings_table_lists_skills_in_checklist_order_with_a_column_per_checkpoint():
    first, again, later = (pd.Timestamp(moment, tz="UTC") for moment in
                           ("2027-01-10 09:00", "2027-01-12 10:00", "2027-03-01 15:30"))
    history = pd.DataFrame({"submission_id": [1, 1, 2, 2, 3, 3],
                            "submitted_at": [first, first, again, again, later, later],
                            "item_id": ["b", "a", "a", "b", "a", "b"], "rating": [3, 1, 2, 2, 4, 5],
                            "checkpoint": ["Start", "Start", "Start", "Start", None, None]})
    table = charts.ratings_table(history, TINY, lambda moment: f"{moment:%d %b}")
    assert list(table.index) == ["1. Skill A", "2. Skill B"]
    assert list(table.columns) == ["Start", "01 Mar"]  # a checkpoint by its name; outside every one, by its time
    assert table.loc["1. Skill A"].tolist() == [2, 4] and table.loc["2. Skill B"].tolist() == [2, 5], (
        "the latest submission at a checkpoint is the one that counts")


def test_the_change_is_summed_up_in_words():
    first, latest = pd.Timestamp("2027-01-10", tz="UTC"), pd.Timestamp("2027-03-01", tz="UTC")
    history = pd.DataFrame({"submission_id": [1, 1, 2, 2], "submitted_at": [first, first, latest, latest],
                            "item_id": ["a", "b", "a", "b"], "rating": [1, 3, 2, 3]})
    assert charts.change_summary(history, TINY) == "Since your first rating: 1 skill up, 0 down, 1 the same."
    assert charts.change_summary(history.assign(rating=[1, 3, 2, 1]), TINY) == (
        "Since your first rating: 1 skill up, 1 down, 0 the same.")


def test_the_cohorts_change_is_summed_up_in_words_with_its_largest_rise_and_fall():
    means = pd.DataFrame({"checkpoint": ["Start", "Start", "Middle", "End", "End"],
                          "item_id": ["a", "b", "a", "a", "b"], "mean": [2.0, 3.5, 2.5, 2.64, 3.2]})
    assert charts.cohort_change_summary(means, TINY) == (
        "From Start to End, the cohort's mean rating rose on 1 skill, fell on 1 and held on 0. "
        "Largest rise: 1. Skill A, +0.6 on average. Largest fall: 2. Skill B, -0.3 on average.")
    assert charts.cohort_change_summary(means[means["checkpoint"] == "Start"], TINY) == "", "nothing to compare yet"


def _every(spec, key: str) -> list[dict]:
    """Every value under `key` anywhere in a chart spec (legends, axes)."""
    if isinstance(spec, dict):
        return ([spec[key]] if isinstance(spec.get(key), dict) else []) + [
            found for value in spec.values() for found in _every(value, key)]
    if isinstance(spec, list):
        return [found for value in spec for found in _every(value, key)]
    return []


def test_the_dashboards_legends_give_the_scales_numbers_and_checkpoint_names_are_never_cut_short():
    """A legend of long scale labels ran past a phone's edge (the browser's accessibility test catches that): the
    legends give the numbers, and the page spells the scale out in full beside the chart."""
    long_scale = dataclasses.replace(TINY, scale=("Not yet", "Developing", "A strength I could lead others in"))
    means = pd.DataFrame({"checkpoint": ["Start of the module, in person"] * 2, "item_id": ["a", "b"], "n": [9, 9],
                          "mean": [2.0, 2.5], "low": [1.5, 2.0], "high": [2.5, 3.0]})
    grid = pd.DataFrame({"leader": ["Ann"] * 2, "user_id": [7] * 2, "email": ["ann@x.org"] * 2,
                         "item_id": ["a", "b"], "rating": [1, 3]})
    specs = [charts.diverging_bars(counts([2, 2, 0], [0, 2, 2]), long_scale).to_dict(),
             charts.leader_grid(grid, long_scale, ["Ann · ann@x.org"]).to_dict(),
             charts.cohort_over_time(means, long_scale, ["Start of the module, in person"]).to_dict()]
    legends = [legend for spec in specs for legend in _every(spec, "legend")]
    assert len(legends) == 2 and all(legend.get("labelExpr") == "split(datum.label, ' ')[0]" for legend in legends)
    assert charts.scale_words(long_scale) == "1 Not yet · 2 Developing · 3 A strength I could lead others in"
    checkpoint_axes = [encoding["x"]["axis"] for encoding in _every(specs[2], "encoding")
                       if encoding.get("x", {}).get("field") == "checkpoint" and "axis" in encoding["x"]]
    assert checkpoint_axes and all(axis["labelLimit"] == 0 for axis in checkpoint_axes)


def test_looking_back_sets_the_first_rating_beside_the_latest_look_back_and_says_how_the_start_moved():
    history = pd.DataFrame({
        "submission_id": [1, 1, 2, 2, 3, 3], "item_id": ["a", "b"] * 3, "rating": [3, 2, 3, 3, 3, 3],
        "then_rating": [None, None, None, None, 2, 2],
        "submitted_at": pd.to_datetime(["2027-01-02"] * 2 + ["2027-02-02"] * 2 + ["2027-03-02"] * 2),
    })
    table = charts.looking_back_table(history, TINY)
    assert table.values.tolist() == [["1. Skill A", 3, 2, 3], ["2. Skill B", 2, 2, 3]]
    assert charts.looking_back_summary(table).startswith(
        "Looking back, you rate your start lower than you did at the time on 1 skill, and higher on 0.")
    only = charts.looking_back_table(history[history["submission_id"] == 3], TINY)
    assert list(only.columns) == ["Skill", "Looking back, you say", "Now"] and charts.looking_back_summary(only) == ""
    assert charts.looking_back_table(history[history["submission_id"] < 3], TINY).empty
    # Where checkpoints are known, "then" is what counted at the first one rated in: the latest made there, not
    # one made outside every checkpoint.
    placed = history.assign(checkpoint=[None, None, "Start", "Start", "End", "End"])
    assert charts.looking_back_table(placed, TINY).values.tolist() == [["1. Skill A", 3, 2, 3], ["2. Skill B", 3, 2, 3]]
