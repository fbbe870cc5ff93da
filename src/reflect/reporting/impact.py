"""The cohort's "so what": how each skill's self-rating changed, paired leader by leader, and measured honestly.

Three comparisons, each of the same leaders' two ratings of a skill:

- **Start to end** (:data:`PRE_POST`): the rating that counts at the cohort's first checkpoint against the one at
  its last, for leaders who submitted at both.
- **Looking back to now** (:data:`THEN_NOW`): at the checkpoint that asks for the rating looking back, each
  leader's rating now against their rating of themselves at the start, made the same day.
- **Response shift** (:data:`SHIFT`): the rating looking back against the one the leader actually gave at the
  start. Below zero, leaders now think they started lower than they said then: the course changed what they think
  good looks like (Howard et al., 1979), and start-to-end understates the change.

For each: pairs (n); mean and median change; the share who rose, stayed and fell; a Wilcoxon signed-rank test (two
sided; differences of zero left out, as Wilcoxon did; the normal approximation with its correction for ties, as
SPSS reports it, since ratings on a five-point scale tie a great deal); and Cohen's d_z (mean change over the standard
deviation of the changes) with its exact 95% interval from the noncentral t distribution. Few pairs are said
plainly: no figures under :data:`MIN_FIGURES` pairs, and no test under :data:`MIN_TEST` pairs that changed (the test
ranks only those).

Start to end needs two checkpoints; the rating looking back is read at the latest checkpoint whose counted
submissions hold one (so moving the setting later loses nothing), and the response shift only where that is not
the first checkpoint itself.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats
from sqlite_utils import Database

from reflect.domain import access, checkpoints
from reflect.domain.access import Actor
from reflect.domain.questions import QuestionSet

PRE_POST, THEN_NOW, SHIFT = "Start to end", "Looking back to now", "Response shift"
ABOUT = {  # each comparison in a sentence, for the page and the cohort report
    PRE_POST: "The rating that counts at the cohort's first checkpoint against the one at its last.",
    THEN_NOW: "At the checkpoint that asks for it, each leader's rating now against their rating, made the same day, "
              "of themselves at the start of the module.",
    SHIFT: "The rating looking back against the one the leader gave at the start. Below zero, leaders now think they "
           "started lower than they said then: the course changed what they think good looks like, so the change "
           "from start to end understates their growth (response-shift bias).",
}
MIN_FIGURES, MIN_TEST = 5, 10


@dataclass(frozen=True)
class Change:
    """One skill's paired change. Everything but `pairs` is None where there are too few pairs for it."""

    pairs: int
    mean: float | None = None
    median: float | None = None
    rose: float | None = None  # shares of the pairs, 0 to 1
    same: float | None = None
    fell: float | None = None
    p_value: float | None = None  # Wilcoxon signed-rank, two-sided
    effect: float | None = None  # Cohen's d_z
    effect_low: float | None = None  # its 95% interval
    effect_high: float | None = None


def change(before: np.ndarray, after: np.ndarray) -> Change:
    """The paired change from `before` to `after` (the same leaders, in the same order)."""
    differences = np.asarray(after, dtype=float) - np.asarray(before, dtype=float)
    pairs = len(differences)
    if pairs < MIN_FIGURES:
        return Change(pairs)
    spread = differences.std(ddof=1)
    effect = float(differences.mean() / spread) if spread > 0 else None
    low, high = _interval(effect, pairs) if effect is not None else (None, None)
    p_value = None
    if np.count_nonzero(differences) >= MIN_TEST:  # the pairs the test ranks: those that changed
        p_value = float(stats.wilcoxon(differences, method="approx").pvalue)
    return Change(pairs, mean=float(differences.mean()), median=float(np.median(differences)),
                  rose=float((differences > 0).mean()), same=float((differences == 0).mean()),
                  fell=float((differences < 0).mean()), p_value=p_value, effect=effect, effect_low=low,
                  effect_high=high)


def _interval(effect: float, pairs: int) -> tuple[float, float]:
    """The exact 95% interval of d_z: the noncentrality parameters of Student's noncentral t under which the
    observed t falls at its 97.5th and 2.5th percentiles, over sqrt(n) (Cumming & Finch, 2001)."""
    observed, freedom = effect * math.sqrt(pairs), pairs - 1

    def bound(share: float, direction: int) -> float:
        def gap(noncentrality: float) -> float:
            return float(stats.nct.cdf(observed, freedom, noncentrality)) - share

        step = 1.0  # widen the bracket from the observed t until it holds the bound (and the cdf is defined)
        while not (math.isfinite(gap(observed + direction * step)) and gap(observed + direction * step) * direction
                   < 0):
            step *= 2
        ends = sorted((observed, observed + direction * step))
        return float(optimize.brentq(gap, *ends)) / math.sqrt(pairs)

    return bound(0.975, -1), bound(0.025, 1)


def paired_ratings(db: Database, actor: Actor, cohort_id: int, qset: QuestionSet) -> pd.DataFrame:
    """For each leader and skill: the rating that counts at the cohort's first checkpoint (``pre``), at its last
    (``post``), and, at the checkpoint that asks for it, the rating now (``now``) and looking back (``then``). One row
    per leader and item; a missing rating is NaN."""
    access.cohort_for(db, actor, cohort_id)
    return _paired(db, cohort_id, qset, [point.id for point in checkpoints.of_cohort(db, cohort_id)],
                   looked_back_at(db, cohort_id, qset))


def _paired(db: Database, cohort_id: int, qset: QuestionSet, points: list[int], asked: int | None) -> pd.DataFrame:
    """:func:`paired_ratings`, for the cohort's checkpoints `points` (ids, in time order) and the one `asked` for
    ratings looking back."""
    if not points:
        return pd.DataFrame(columns=["user_id", "item_id", "pre", "post", "now", "then"])
    frame = pd.read_sql_query(
        """SELECT c.user_id, c.checkpoint_id, a.item_id, a.rating, a.then_rating
           FROM counted_submissions c JOIN answers a ON a.submission_id = c.submission_id
           WHERE c.cohort_id = :cohort_id AND c.set_id = :set_id AND c.checkpoint_id IN (:first, :last, :asked)
                 AND a.rating IS NOT NULL""",
        db.conn, params={"cohort_id": cohort_id, "set_id": qset.id, "first": points[0], "last": points[-1],
                         "asked": asked})
    keys = ["user_id", "item_id"]

    def at(checkpoint_id: int | None, column: str, name: str) -> pd.DataFrame:
        return frame.loc[frame["checkpoint_id"] == checkpoint_id, [*keys, column]].rename(columns={column: name})

    paired = at(points[0], "rating", "pre")
    for part in (at(points[-1], "rating", "post"), at(asked, "rating", "now"), at(asked, "then_rating", "then")):
        paired = paired.merge(part, on=keys, how="outer")
    return paired.sort_values(keys, ignore_index=True)


def looked_back_at(db: Database, cohort_id: int, qset: QuestionSet) -> int | None:
    """The checkpoint whose ratings looking back Impact reads: the latest whose counted submissions hold any (None
    if none do). Read from the data, not the setting, so moving or turning off the setting later loses nothing."""
    row = db.execute(
        """SELECT cp.id FROM checkpoints cp WHERE cp.cohort_id = :cohort_id AND EXISTS (
               SELECT 1 FROM counted_submissions c JOIN answers a ON a.submission_id = c.submission_id
               WHERE c.checkpoint_id = cp.id AND c.set_id = :set_id AND a.then_rating IS NOT NULL)
           ORDER BY cp.opens_at DESC LIMIT 1""", {"cohort_id": cohort_id, "set_id": qset.id}).fetchone()
    return row[0] if row else None


def impact(db: Database, actor: Actor, cohort_id: int, qset: QuestionSet) -> pd.DataFrame:
    """Each skill's :class:`Change` for each comparison (columns ``comparison``, ``number``, ``skill`` and the
    change's fields), in the checklist's order; only comparisons the cohort has data for (no looking back, no
    rows for it). Through the access gate, for those who run the cohort."""
    access.cohort_for(db, actor, cohort_id)
    points = [point.id for point in checkpoints.of_cohort(db, cohort_id)]
    asked = looked_back_at(db, cohort_id, qset)
    paired = _paired(db, cohort_id, qset, points, asked)
    comparisons = []
    if len(points) > 1:  # with one checkpoint, start and end are the same ratings
        comparisons.append((PRE_POST, "pre", "post"))
    if asked is not None:
        comparisons.append((THEN_NOW, "then", "now"))
        if asked != points[0]:  # at the first checkpoint, "what they said at the start" is the same submission
            comparisons.append((SHIFT, "pre", "then"))
    rows = []
    for comparison, before, after in comparisons:
        for number, item in enumerate(qset.items, start=1):
            both = paired.loc[paired["item_id"] == item.id, [before, after]].dropna()
            found = change(both[before].to_numpy(), both[after].to_numpy())
            rows.append({"comparison": comparison, "number": number, "skill": item.text, **found.__dict__})
    return pd.DataFrame(rows)


def readable(table: pd.DataFrame, comparison: str) -> pd.DataFrame:
    """One comparison of :func:`impact` as a person reads it: a row per skill, changes to two places, shares as
    percentages, the effect with its interval, and words where there are too few pairs."""
    columns = ["Skill", "Pairs", "Mean change", "Median change", "Rose / same / fell", "Wilcoxon p",
               "Effect size d_z (95% interval)"]
    rows = []
    for record in table[table["comparison"] == comparison].to_dict("records"):
        found = Change(**{field.name: _value(record[field.name]) for field in dataclasses.fields(Change)})
        row: dict[str, object] = {**dict.fromkeys(columns, ""), "Skill": f"{record['number']}. {record['skill']}",
                                  "Pairs": found.pairs}
        if found.mean is None or found.median is None:
            row["Mean change"] = ("No leader has both ratings yet" if not found.pairs
                                  else f"Too few pairs (fewer than {MIN_FIGURES})")
        else:
            row["Mean change"], row["Median change"] = f"{found.mean:+.2f}", f"{found.median:+.1f}"
            row["Rose / same / fell"] = f"{found.rose:.0%} / {found.same:.0%} / {found.fell:.0%}"
            row["Wilcoxon p"] = (f"fewer than {MIN_TEST} changed: no test" if found.p_value is None
                                 else "< 0.001" if found.p_value < 0.001 else f"{found.p_value:.3f}")
            row["Effect size d_z (95% interval)"] = (
                "no spread" if found.effect is None
                else f"{found.effect:+.2f} ({_number(found.effect_low)} to {_number(found.effect_high)})")
        rows.append(row)
    return pd.DataFrame(rows, columns=columns)


def _value(value: Any) -> Any:
    """A figure read back from the table: NaN (pandas' missing) as None."""
    return None if isinstance(value, float) and math.isnan(value) else value


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:+.2f}"
