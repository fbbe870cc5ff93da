"""A cohort's report as one printable page, for a provider's quality review: completion at each checkpoint, where
the cohort stands on each skill, how its ratings changed, and the Impact figures. Only aggregates: no leader's name,
email or text, and no figure of fewer than five leaders (:data:`reflect.reporting.impact.MIN_FIGURES`), from which
one leader's ratings could be read.

Like a leader's journal (:mod:`reflect.reporting.journal`), it is a self-contained HTML file with a print
stylesheet, charts drawn to SVG by vl-convert, and every name a facilitator typed (the cohort's, its checkpoints')
escaped, so it reads literally.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo

from sqlite_utils import Database

from reflect.domain import access, checkpoints
from reflect.domain.access import Actor
from reflect.domain.questions import QuestionSet
from reflect.reporting import charts, impact, reports
from reflect.reporting.journal import STYLE, escaped, svg


def cohort_report_html(db: Database, actor: Actor, cohort_id: int, sets: Sequence[QuestionSet], zone: tzinfo, *,
                       now: datetime | None = None) -> bytes:
    """The report (see the module's docstring) for those who run the cohort, dated in `zone`, as UTF-8 HTML."""
    cohort = access.cohort_for(db, actor, cohort_id)
    points = checkpoints.of_cohort(db, cohort_id)
    made = (now or datetime.now().astimezone()).astimezone(zone)
    leaders = reports.leaders_in(db, actor, cohort_id)
    parts = [
        f"<h1>Reflect cohort report</h1><p>{escaped(cohort.name)} · {leaders:,} leaders · made "
        f"{made:%d %b %Y, %H:%M} {escaped(made.tzname() or '')}</p>",
        "<p>Aggregates only: no leader's name, email or words appear in this report.</p>",
        "<h2>Checkpoints</h2><table><tr><th>Checkpoint</th><th>First day</th><th>Last day</th></tr>"
        + "".join(f"<tr><td>{escaped(point.name)}</td><td>{point.first_day:%d %b %Y}</td>"
                  f"<td>{point.last_day:%d %b %Y}</td></tr>" for point in points) + "</table>",
        _completion(db, actor, cohort_id, sets, points, leaders),
    ]
    for qset in (qset for qset in sets if qset.is_rating):
        parts.append(_checklist(db, actor, cohort_id, qset, points))
    page = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Reflect cohort report: '
            f"{escaped(cohort.name)}</title><style>{STYLE}</style></head><body>{''.join(parts)}</body></html>")
    return page.encode()


def _completion(db: Database, actor: Actor, cohort_id: int, sets: Sequence[QuestionSet],
                points: list[checkpoints.Checkpoint], leaders: int) -> str:
    """How many of the cohort's leaders submitted each set at each checkpoint."""
    header = "".join(f"<th>{escaped(qset.title)}</th>" for qset in sets)
    rows = []
    for point in points:
        cells = []
        for qset in sets:
            submitted = reports.respondents(db, actor, cohort_id, qset.id, point.id)
            share = f" ({submitted / leaders:.0%})" if leaders else ""
            cells.append(f"<td>{submitted:,} of {leaders:,}{share}</td>")
        rows.append(f"<tr><td>{escaped(point.name)}</td>{''.join(cells)}</tr>")
    return (f"<h2>Who submitted</h2><p>Out of the {leaders:,} leaders in the cohort now; each leader's latest "
            f"submission within a checkpoint counts.</p><table><tr><th>Checkpoint</th>{header}</tr>{''.join(rows)}"
            "</table>")


def _checklist(db: Database, actor: Actor, cohort_id: int, qset: QuestionSet,
               points: list[checkpoints.Checkpoint]) -> str:
    parts = [f"<h2>{escaped(qset.title)}</h2>"]
    for point in points:
        rated = reports.respondents(db, actor, cohort_id, qset.id, point.id)
        if rated < impact.MIN_FIGURES:  # so few that one leader's ratings could be read from the chart
            if rated:
                parts.append(f"<p>{escaped(point.name)}: fewer than {impact.MIN_FIGURES} leaders submitted, so "
                             "where they stand is not shown.</p>")
            continue
        counts = reports.distribution(db, actor, cohort_id, qset, point.id)
        parts.append(f"<figure>{svg(charts.diverging_bars(counts, qset))}<figcaption>Where the cohort stands at "
                     f"{escaped(point.name)}: each bar is 100% of the leaders who rated that skill.</figcaption>"
                     "</figure>")
    means = reports.over_time(db, actor, cohort_id, qset)
    means = means[means["n"] >= impact.MIN_FIGURES]  # as above: no checkpoint's mean of fewer than five leaders
    if not means.empty:
        summary = charts.cohort_change_summary(means, qset)
        parts.append(f"<h3>Change over time</h3><p>{escaped(summary)}</p><figure>"
                     f"{svg(charts.cohort_over_time(means, qset, [point.name for point in points]))}"
                     "<figcaption>The cohort's mean rating of each skill at each checkpoint, with a 95% confidence "
                     "interval.</figcaption></figure>")
    table = impact.impact(db, actor, cohort_id, qset)
    for comparison in dict.fromkeys(table["comparison"]) if not table.empty else []:
        shown = impact.readable(table, comparison)
        head = "".join(f"<th>{escaped(column)}</th>" for column in shown.columns)
        body = "".join("<tr>" + "".join(f"<td>{escaped(str(cell))}</td>" for cell in row) + "</tr>"
                       for row in shown.itertuples(index=False))
        parts.append(f"<h3>Impact: {escaped(comparison)}</h3><p>{escaped(impact.ABOUT[comparison])}</p>"
                     f"<table><tr>{head}</tr>{body}</table>")
    return "<section>" + "".join(parts) + "</section>"
