"""A leader's journal as one printable page: every reflection and rating they submitted, by checkpoint, with their
charts, for a portfolio or an appraisal.

It is a self-contained HTML file (no script, nothing fetched) with a print stylesheet, so any browser prints it or
saves it as a PDF. Everything the leader or their facilitator typed is escaped, so it reads literally; the charts are
drawn to SVG by vl-convert, Altair's own converter.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import datetime, tzinfo

import altair as alt
import vl_convert
from sqlite_utils import Database

from reflect.domain import accounts, cohorts, responses
from reflect.domain.questions import QuestionSet
from reflect.reporting import charts

OUTSIDE = "Outside every checkpoint"
# The printable pages' look: the journal's, and the cohort report's (reflect.reporting.cohort_report).
STYLE = """
body { font-family: system-ui, sans-serif; color: #141413; line-height: 1.5; max-width: 50rem; margin: 2rem auto;
       padding: 0 1rem; }
h1 { margin-bottom: 0; }
h2 { border-bottom: 2px solid #b02a3a; padding-bottom: .2rem; margin-top: 2.5rem; }
.answer { white-space: pre-wrap; margin: 0 0 1rem 0; }
dt { font-weight: 600; }
dd { margin: 0 0 1rem 0; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1rem; }
th, td { border: 1px solid #ccc; padding: .3rem .5rem; text-align: left; vertical-align: top; }
figure { margin: 1rem 0; }
svg { max-width: 100%; height: auto; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } section, figure, tr {
    break-inside: avoid; } }
"""


def journal_html(db: Database, user_id: int, sets: Mapping[str, QuestionSet], zone: tzinfo, *,
                 now: datetime | None = None) -> bytes:
    """The leader's journal (see the module's docstring), with times in `zone`, as UTF-8 HTML."""
    user = accounts.existing_user(db, user_id)
    cohort = cohorts.cohort_of_leader(db, user_id)
    by_checkpoint: dict[str, list[str]] = {}
    made = sorted(((submission, sets[set_id]) for set_id in sets
                   for submission in responses.submissions(db, user_id, set_id)),
                  key=lambda pair: (pair[0].submitted_at, pair[0].id))
    for submission, qset in made:
        by_checkpoint.setdefault(submission.checkpoint or OUTSIDE, []).append(
            _submission(db, user_id, submission, qset, zone))

    def local(stored: str) -> str:
        moment = datetime.fromisoformat(stored).astimezone(zone)
        return f"{moment:%d %b %Y, %H:%M} {moment.tzname()}"

    made_at = local((now or datetime.now().astimezone()).isoformat())
    parts = [
        f"<h1>Reflect journal</h1><p>{escaped(user.name)}"
        + (f" · {escaped(cohort.name)}" if cohort else "") + f" · made {escaped(made_at)}</p>",
    ]
    if not made:
        parts.append("<p>Nothing submitted yet.</p>")
    for checkpoint, sections in by_checkpoint.items():
        parts.append(f"<h2>{escaped(checkpoint)}</h2>" + "".join(sections))
    figures = [_charts(db, user_id, qset) for qset in sets.values() if qset.is_rating]
    if any(figures):
        parts.append("<h2>How my ratings moved</h2>" + "".join(figures))
    page = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Reflect journal: {escaped(user.name)}'
            f"</title><style>{STYLE}</style></head><body>{''.join(parts)}</body></html>")
    return page.encode()


def _submission(db: Database, user_id: int, submission: responses.Submission, qset: QuestionSet,
                zone: tzinfo) -> str:
    moment = datetime.fromisoformat(submission.submitted_at).astimezone(zone)
    heading = f"<h3>{escaped(qset.title)}, submitted {moment:%d %b %Y, %H:%M} {escaped(moment.tzname() or '')}</h3>"
    answers = responses.answers(db, user_id, submission.id)
    if qset.is_rating:
        rated = [answer for answer in answers.values() if answer.rating is not None]
        back = any(answer.then_rating is not None for answer in rated)  # asked for the rating looking back too

        def rating(point: int | None) -> str:
            return f"{point} · {escaped(qset.scale_label(point))}" if point is not None else ""

        rows = "".join(
            f"<tr><td>{escaped(answer.item_text)}</td><td>{rating(answer.rating)}</td>"
            + (f"<td>{rating(answer.then_rating)}</td>" if back else "")
            + f"<td class='answer'>{escaped(answer.note or '')}</td></tr>" for answer in rated)
        note = escaped(qset.note_prompt or "Note")
        looking_back = "<th>Looking back, at the start of the module</th>" if back else ""
        return (f"<section>{heading}<table><tr><th>Skill</th><th>Rating</th>{looking_back}<th>{note}</th></tr>{rows}"
                "</table></section>")
    items = "".join(f"<dt>{escaped(answer.item_text)}</dt><dd class='answer'>{escaped(answer.text or '')}</dd>"
                    for answer in answers.values() if answer.text)
    return f"<section>{heading}<dl>{items}</dl></section>"


def _charts(db: Database, user_id: int, qset: QuestionSet) -> str:
    """The leader's charts of `qset` as SVG figures, each with a caption saying what it shows; "" if none."""
    history = responses.ratings_over_time(db, user_id, qset.id)
    if history.empty:
        return ""
    drawn: list[tuple[alt.TopLevelMixin, str]] = [
        (charts.ratings_over_time(history, qset), f"{qset.title}: every rating I submitted, skill by skill.")]
    if history["submission_id"].nunique() > 1:
        drawn.insert(0, (charts.first_to_latest(history, qset),
                         f"{qset.title}: my first and latest rating of each skill. "
                         f"{charts.change_summary(history, qset)}"))
    return "".join(f"<figure>{svg(chart)}<figcaption>{escaped(caption)}</figcaption></figure>"
                   for chart, caption in drawn)


def svg(chart: alt.TopLevelMixin) -> str:
    """A chart drawn to SVG, to sit in a printable page."""
    return vl_convert.vegalite_to_svg(chart.to_json())


def escaped(text: str) -> str:
    """Text as it reads literally in HTML."""
    return html.escape(text, quote=True)
