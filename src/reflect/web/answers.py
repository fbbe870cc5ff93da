"""Answer fields that save themselves as drafts, the Submit button, and the share switches.

Each field saves its own value to the database when it changes. A text area sends its value when it is left, on
Ctrl+Enter, and, through :func:`save_while_typing`, after each pause in typing, so a reload, a crash or a closed lid
loses at most a few seconds. The status under it says "Saved" only after the write committed; text that cannot be
saved stays in the box with the reason, and the last good draft stays in the database.
"""

from __future__ import annotations

import html
import re
import sys
import uuid
from collections.abc import Callable

import streamlit as st
from sqlite_utils import Database
from streamlit.delta_generator import DeltaGenerator

from reflect.domain import feedback, responses
from reflect.domain.accounts import User
from reflect.domain.questions import QuestionSet
from reflect.domain.text import InvalidText, clean_text, is_blank
from reflect.storage.db import DatabaseUnavailable
from reflect.web import conversation
from reflect.web.context import acts_for_the_signed_in, database
from reflect.web.show import closes, count_of, local_time, opens, plain

PAUSE_MS = 1500  # typing that stops this long is saved: about two seconds behind at most, with the save itself

# Streamlit's text area sends its value when it is left or on Ctrl+Enter; this sends Ctrl+Enter for the person after
# each pause in their typing, so the box keeps its focus, caret and label, and stays Streamlit's own accessible widget.
_SAVE_WHILE_TYPING_JS = """
export default function ({ data }) {
  if (window.__reflectSaveWhileTyping) return;
  window.__reflectSaveWhileTyping = true;
  const pending = new WeakMap();
  document.addEventListener("input", (event) => {
    const box = event.target;
    if (!(box instanceof HTMLTextAreaElement) || !box.closest('[data-testid="stTextArea"]')) return;
    if (box.closest('[data-testid="stForm"]')) return;  // there Ctrl+Enter would submit the form
    clearTimeout(pending.get(box));
    pending.set(box, setTimeout(() => {
      if (document.activeElement !== box) return;  // left meanwhile: leaving sent it
      box.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", ctrlKey: true, bubbles: true, cancelable: true }));
    }, data.pause));
  }, true);
}
"""
_save_while_typing = st.components.v2.component("reflect_save_while_typing", js=_SAVE_WHILE_TYPING_JS)


def save_while_typing() -> None:
    """Have every draft text area on this page save after each pause in typing, not only when it is left. Call once,
    at the end of a page (it draws nothing)."""
    _save_while_typing(data={"pause": PAUSE_MS}, key="save_while_typing", height=0)


def _key(qset: QuestionSet, item_id: str, field: str) -> str:
    return f"{qset.id}:{item_id}:{field}"


def _saved_at() -> dict[str, str]:
    """When each field (by its key) was last saved, as stored. One entry of the session's state for them all, not
    one each: Streamlit reads every entry of it for every keyed widget it draws."""
    return st.session_state.setdefault("saved_at", {})


def _known() -> dict[str, str | int | None]:
    """Each field's value (by its key) as this page last read it from the database or saved it there: a field that
    still holds it has not been changed here since."""
    return st.session_state.setdefault("known", {})


def _not_saved() -> dict[str, tuple[str, str]]:
    """Each field (by its key) whose text could not be saved: the reason, and the text, kept to show again."""
    return st.session_state.setdefault("not_saved", {})


@acts_for_the_signed_in
def _save_field(user_id: int, qset: QuestionSet, item_id: str, field: str) -> None:
    key = _key(qset, item_id, field)
    try:
        saved_at = responses.save_draft(database(), user_id, qset, item_id, **{field: st.session_state[key]})
    except (InvalidText, DatabaseUnavailable) as error:
        _not_saved()[key] = (str(error), st.session_state[key])
    else:
        _saved_at()[key] = saved_at
        _known()[key] = _as_stored(field, st.session_state[key])
        _not_saved().pop(key, None)
        st.session_state.pop(f"token:{qset.id}", None)  # changed answers: the next Submit is a new submission


def reconciled(user_id: int, qset: QuestionSet, read: Callable[[], dict[str, responses.Draft]]
               ) -> dict[str, responses.Draft]:
    """The leader's drafts of `qset` as ``read()`` gives them, once the page's fields and the database agree. Call
    before the fields are drawn.

    - A field not changed on this page since it last read or saved it takes what the database holds now: an answer
      changed or cleared in another tab, or ratings of a checkpoint that has since closed (the checklist starts
      afresh), are shown as they are, and never saved back.
    - A field changed here that Streamlit never reported is saved. Streamlit calls a widget's on_change only for a
      widget it had drawn before the change, so on a loaded server a rating chosen while the page's first run was
      still drawing its field was shown but never saved (caught once in CI: skill 7 chosen, no "Saved", 9 of 10
      counted). Only an empty answer is filled so: one saved meanwhile may be newer (from another tab), and the
      field's own callback saves it once it changes again.
    """
    current = read()
    fields = ((*_RATINGS, *(("note",) if qset.note_prompt else ())) if qset.is_rating else ("text",))
    known, unreported = _known(), []
    for item in qset.items:
        draft = current.get(item.id) or responses.Draft()
        for field in fields:
            key = _key(qset, item.id, field)
            if key not in st.session_state or key in _not_saved():
                continue
            held, stored = st.session_state[key], _as_shown(field, getattr(draft, field))
            if key in known and held == known[key]:
                if stored != held:  # changed elsewhere: show it as it now is
                    st.session_state[key] = known[key] = stored
                    if _is_empty(stored):
                        _saved_at().pop(key, None)
                    else:
                        _saved_at()[key] = draft.saved_at or ""
            elif _is_empty(stored) and not _is_empty(held):
                unreported.append((item.id, field))
    for item_id, field in unreported:
        _save_field(user_id, qset, item_id, field)
    return read() if unreported else current


_RATINGS = ("rating", "then_rating")


def _as_shown(field: str, stored: str | int | None) -> str | int | None:
    """A stored value as its field holds it: a text field shows no answer as an empty box."""
    return stored if field in _RATINGS else stored or ""


def _as_stored(field: str, saved: str | int | None) -> str | int | None:
    """A value just saved, as the database now holds it and its field would show it: text is stored cleaned, and a
    box must not be set to that while the person types on."""
    return saved if field in _RATINGS else clean_text(str(saved or ""), limit=sys.maxsize)


def _is_empty(value: str | int | None) -> bool:
    return value is None or (isinstance(value, str) and is_blank(value))


def answered_bar(qset: QuestionSet, current: dict[str, responses.Draft], *, then: bool = False) -> None:
    """A bar of how many of `qset`'s items `current` answers (rated: with `then`, both now and looking back).

    Each item reruns alone as it is answered (a fragment: pages/checklist.py, pages/reflect.py), not the page, so the
    bar counts in the browser: an item counts once each of its fields drawn holds an answer, a rating group a choice
    and a text box more than spaces (a field not drawn yet counts as `current` has it). Each field is found by its
    key, not its wording, which two questions may share."""
    answered, total = set(responses.answered(qset, current, then=then)), len(qset.items)
    names = _RATINGS[: 2 if then else 1] if qset.is_rating else ("text",)
    data = {
        "fields": [[_key_class(_key(qset, item.id, name)) for name in names] for item in qset.items],
        "answered": [item.id in answered for item in qset.items],
        "text": (f"{{done}} of {total} skills rated{' now and looking back' if then else ''}" if qset.is_rating
                 else f"{{done}} of {total} questions answered"),
    }
    _answered_count(data=data, key=f"answered_count:{qset.id}")


def _key_class(key: str) -> str:
    """The class Streamlit gives the element of the widget with `key` (as its front end makes it)."""
    return "st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", key.strip())


# The count, kept in step with the fields on the page, each found by its key's class: drawn like st.progress (text,
# then a bar), in the theme's colours (Streamlit hands a component its theme as --st-* properties).
_ANSWERED_COUNT_CSS = """
.count { font-size: 0.875rem; color: var(--st-text-color); margin-bottom: 0.25rem; font-family: inherit; }
.track { height: 0.5rem; border-radius: 0.5rem; background: var(--st-secondary-background-color); overflow: hidden; }
.fill { height: 100%; background: var(--st-primary-color); border-radius: 0.5rem; transition: width 0.2s; }
"""
_ANSWERED_COUNT_JS = r"""
export default function ({ data, parentElement }) {
  let bar = parentElement.querySelector('[role="progressbar"]');
  if (!bar) {
    bar = document.createElement("div");
    bar.setAttribute("role", "progressbar");
    bar.setAttribute("aria-valuemin", "0");
    bar.innerHTML = '<div class="count"></div><div class="track"><div class="fill"></div></div>';
    parentElement.appendChild(bar);
  }
  const total = data.fields.length;
  bar.setAttribute("aria-valuemax", String(total));
  // Its own tab's fields: every tab's stay on the page, and two sets' keys can make the same class.
  const host = parentElement.getRootNode().host ?? parentElement;
  const scope = host.closest('[data-testid="stTabPanel"]') ?? document;
  let pending = 0;
  const count = () => {
    pending = 0;
    const answered = (name) => {  // null: not drawn yet
      const field = scope.querySelector(`.${name}`);
      if (!field) return null;
      const box = field.querySelector("textarea");
      // Something that shows: not only spaces, line breaks and invisible format characters (domain.text.is_blank).
      return box ? /[^\s\p{Cf}]/u.test(box.value) : field.querySelector("input:checked") !== null;
    };
    const done = data.fields.filter((names, index) => {
      const states = names.map(answered);
      return states.includes(null) ? data.answered[index] : states.every(Boolean);
    }).length;
    const text = data.text.replace("{done}", String(done));
    bar.setAttribute("aria-valuenow", String(done));
    bar.setAttribute("aria-label", text);
    bar.querySelector(".count").textContent = text;
    bar.querySelector(".fill").style.width = `${(100 * done) / total}%`;
  };
  count();
  const later = () => { if (!pending) pending = requestAnimationFrame(count); };
  const watcher = new MutationObserver(later);
  watcher.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["checked"] });
  document.addEventListener("change", later, true);
  document.addEventListener("input", later, true);  // typing changes a text box's value, which no mutation shows
  return () => {
    watcher.disconnect();
    document.removeEventListener("change", later, true);
    document.removeEventListener("input", later, true);
    cancelAnimationFrame(pending);
  };
}
"""
_answered_count = st.components.v2.component("reflect_answered_count", css=_ANSWERED_COUNT_CSS,
                                             js=_ANSWERED_COUNT_JS)


def has_unsaved_problems(qset: QuestionSet) -> bool:
    """True while any field of `qset` holds text that could not be saved."""
    return any(key.startswith(f"{qset.id}:") for key in _not_saved())


def _init_field(qset: QuestionSet, item_id: str, field: str, draft: responses.Draft | None) -> str:
    key, draft = _key(qset, item_id, field), draft or responses.Draft()
    stored, stored_at = _as_shown(field, getattr(draft, field)), draft.saved_at
    if key not in st.session_state:  # first show, or back from another page: what was typed, else what was saved
        if problem := _not_saved().get(key):
            st.session_state[key] = problem[1]
        else:
            st.session_state[key] = _known()[key] = stored
    if stored_at and stored not in (None, ""):
        _saved_at().setdefault(key, stored_at)  # saved before, by this person: never under a field left empty
    return key


_CAPTION_STYLE = "margin: 0; font-size: 0.875rem; color: rgba(20, 20, 19, 0.6)"  # as Streamlit draws a caption


def _status(key: str, *, unrated: bool = False) -> None:
    """The line under a field: that a Submit found it unrated, the reason it could not be saved, when it was saved,
    or an empty placeholder. One element either way, so a field's first save does not move everything below it
    (which Streamlit would redraw, showing the old and the new status at once while the page runs)."""
    if unrated:
        st.error("Not rated yet: choose a rating for this skill, then submit again.", icon=":material/error:")
    elif problem := _not_saved().get(key):
        st.error(f"Not saved. {problem[0]}", icon=":material/error:")
    elif saved_at := _saved_at().get(key):
        # A status region, so a screen reader announces the save without moving the person from the box.
        saved = html.escape(local_time(saved_at, "%d %b, %H:%M:%S"))
        st.html(f'<p role="status" style="{_CAPTION_STYLE}">✓ Saved {saved}</p>')
    else:
        st.empty()


def draft_text(user_id: int, qset: QuestionSet, item_id: str, draft: responses.Draft | None, *, field: str = "text",
               label: str, height: int = 150) -> None:
    """A text area for one item's answer (or note) that saves itself as a draft. The page says how long an answer
    may be and that it saves itself, once: a help icon here would sit between the label and the box."""
    key = _init_field(qset, item_id, field, draft)
    st.text_area(label, key=key, height=height, on_change=_save_field, args=(user_id, qset, item_id, field))
    _status(key)


def draft_rating(user_id: int, qset: QuestionSet, item_id: str, draft: responses.Draft | None, *, label: str,
                 field: str = "rating") -> None:
    """A row of labelled scale points for one item's rating (or, with `field="then_rating"`, its rating looking
    back), unanswered until chosen, that saves itself as a draft. `label` names the group for assistive technology,
    as plain text; the page shows the item itself above it."""
    key = _init_field(qset, item_id, field, draft)
    st.radio(
        label, options=range(1, len(qset.scale) + 1), format_func=lambda point: f"{point} · {qset.scale_label(point)}",
        index=None, horizontal=True, key=key, on_change=_save_field, args=(user_id, qset, item_id, field),
        label_visibility="collapsed",
    )
    _status(key, unrated=item_id in missing_ratings(qset) and st.session_state.get(key) is None)


def what_submitting_counts_for(db: Database, user: User) -> None:
    """Before Submit: the checkpoint a submission made now counts for, and until when; or that none is open. Checkpoint
    names are typed by facilitators, so the line is plain text."""
    timeline = responses.timeline_of(db, user.id)
    if timeline is None:
        return
    if timeline.open:
        plain(f"Submitting now counts for {timeline.open.name}, open until {closes(timeline.open)}.")
    elif timeline.next:
        plain(f"No checkpoint is open now, so a submission now is kept but counts for none. {timeline.next.name} "
              f"opens at {opens(timeline.next)}.")
    else:
        plain("Every checkpoint of your cohort has closed, so a submission now is kept but counts for none.")


# Put focus on the first unrated skill after a Submit that lacked ratings, so keyboard and screen-reader users are
# taken to it, not left on the button: its rating group is named by the skill (see draft_rating).
_FOCUS_JS = """
export default function ({ data }) {
  if (!data || !data.name) return;
  const done = (window.__reflectFocused ??= new Set());
  if (done.has(data.nonce)) return;
  done.add(data.nonce);
  const group = [...document.querySelectorAll('[role="radiogroup"]')]
    .find((element) => element.getAttribute("aria-label") === data.name);
  const first = group && group.querySelector("input");
  if (first) { group.scrollIntoView({ block: "center" }); first.focus(); }
}
"""
_focus = st.components.v2.component("reflect_focus_first_missing", js=_FOCUS_JS)
SHARE_LABELS = {
    False: ("Share these reflections with my facilitator",
            "Off: only you can read your answers. On: your cohort's facilitators can read this submission too."),
    True: ("Share my notes with my facilitator",
           "Your cohort's facilitators see the ratings you submit either way. On: they can read your notes too."),
}


def rating_label(number: int, text: str) -> str:
    """The name of a skill's rating group, for assistive technology: plain text, and that it must be answered."""
    return f"{number}. {text} (required)"


LOOKING_BACK = "Looking back, at the start of the module"


def then_label(number: int, text: str) -> str:
    """The name of a skill's rating group looking back (see :func:`rating_label`)."""
    return f"{number}. {text}, {LOOKING_BACK.lower()} (required)"


def missing_ratings(qset: QuestionSet) -> set[str]:
    """Items a Submit just found unrated (marked on the page until rated)."""
    return set(st.session_state.get(f"missing:{qset.id}", ()))


def submit_button(db: Database, user: User, qset: QuestionSet, label: str) -> responses.Submission | None:
    """The share choice and a Submit button for `qset`; returns the submission it just made, or None (with the
    reason shown).

    Each press carries a token that stays the same until the answers change (see :func:`_save_field`), so a
    double click or a retried request makes one submission, not two; and a press while nothing has changed since the
    latest submission makes none and says so (checked when pressed: a checklist's skills rerun alone as they are
    rated, so a button drawn off would stay off). After a submission the page runs again, so everything drawn above
    the button includes it. It refuses while a field holds text that could not be saved, so nothing on screen is left
    out; a checklist missing ratings marks each one and takes focus to the first.
    """
    token_key, made_key, missing_key = f"token:{qset.id}", f"just_submitted:{qset.id}", f"missing:{qset.id}"
    failed_key = f"failed:{qset.id}"
    st.session_state.setdefault(token_key, uuid.uuid4().hex)
    made = st.session_state.pop(made_key, None)
    failed = st.session_state.pop(failed_key, None)
    share_label, share_help = SHARE_LABELS[qset.is_rating]
    share = st.toggle(share_label, key=f"share_new:{qset.id}", help=share_help)
    if st.button(label, key=f"submit:{qset.id}", type="primary"):
        if has_unsaved_problems(qset):
            st.error("Some answers could not be saved. Fix the ones marked “Not saved”, then submit again.")
            return None
        if repeat := responses.unchanged_since(db, user.id, qset):
            st.info(f"Nothing has changed since you submitted {local_time(repeat.submitted_at)}, so nothing was "
                    "submitted again. Change an answer to submit again.", icon=":material/info:")
            return None
        try:
            st.session_state[made_key] = responses.submit(db, user.id, qset, st.session_state[token_key], share=share)
        except responses.IncompleteSubmission as error:
            # Run again, so the page marks each missing item where it is (they were drawn before this button).
            st.session_state[missing_key] = [item.id for item in error.missing]
            st.session_state[failed_key] = (str(error), _first_unrated(qset, error.missing))
            st.rerun()
        except DatabaseUnavailable as error:
            st.error(str(error))
            return None
        st.session_state.pop(missing_key, None)
        st.rerun()
    if failed:
        message, first_name = failed
        st.error(message)
        if first_name:
            _focus(data={"name": first_name, "nonce": uuid.uuid4().hex}, key=f"focus_missing:{qset.id}", height=0)
    return made


def _first_unrated(qset: QuestionSet, missing: tuple) -> str | None:
    """The name of the first rating group a Submit found unanswered: an item's rating now, else its rating looking
    back."""
    if not missing:
        return None
    first, number = missing[0], qset.items.index(missing[0]) + 1
    now_rated = st.session_state.get(_key(qset, first.id, "rating")) is not None
    return then_label(number, first.text) if now_rated else rating_label(number, first.text)


@acts_for_the_signed_in
def _toggle_share(user_id: int, submission_id: int) -> None:
    key = f"share:{submission_id}"
    try:
        responses.set_shared(database(), user_id, submission_id, st.session_state[key])
    except DatabaseUnavailable as error:
        st.session_state[key] = not st.session_state[key]  # show what is really stored
        st.toast(str(error), icon=":material/error:")


def counted_for(submission: responses.Submission) -> str:
    """ "Submitted 07 Sep 2026, 11:46 BST, for Start of module": plain text, as checkpoint names are typed by people."""
    where = f", for {submission.checkpoint}" if submission.checkpoint else ", outside every checkpoint"
    return f"Submitted {local_time(submission.submitted_at)}{where}"


def sharing_controls(db: Database, user: User, qset: QuestionSet, made: list[responses.Submission], *,
                     in_view: bool = True) -> None:
    """Each submission of `qset` with a "Share with my facilitator" switch (off until the leader turns it on) and
    any conversation with their facilitators on it, opened at first when it holds a message they have not seen.

    A message counts as seen only once it is on screen: `in_view` (the tab holding this is the one open) and the
    list open."""
    if not made:
        return
    shared = responses.shared_ids(db, user.id)
    threads = feedback.threads_of_leader(db, user.id)
    new = [message.id for submission in made for message in threads.get(submission.id, ()) if message.new]
    label = f"Your submissions ({len(made)}) and sharing"
    if new:
        st.info(f"Your facilitator wrote to you: {count_of(len(new), 'new message')}, under “{label}” below.",
                icon=":material/forum:")
    what = "notes" if qset.is_rating else "written answers"
    key = f"submissions_open:{qset.id}"
    if new:  # opened for what is new; after that it stays as the leader leaves it (a changed `expanded` would not)
        st.session_state[key] = True
    box = st.expander(label, icon=":material/share:", key=key, on_change="rerun")
    with box:
        st.caption(f"Your {what} are private unless you share a submission. Your cohort's facilitators can then read "
                   "that submission, and write to you about it; you can stop sharing at any time.")
        for submission in made:
            plain(counted_for(submission))
            st.toggle(
                f"Share with my facilitator: submitted {local_time(submission.submitted_at)}",
                value=submission.id in shared, key=f"share:{submission.id}",
                on_change=_toggle_share, args=(user.id, submission.id),
            )
            conversation.for_leader(user, submission.id, threads.get(submission.id, []), submission.id in shared)
    if new and in_view and box.open is not False:
        feedback.mark_seen(db, user.id, new)


def shared_reflection(qset: QuestionSet, reflection: responses.SharedReflection, heading: str) -> DeltaGenerator:
    """A submission a leader shared, under `heading` (plain text: it may hold names): each written answer or note
    below its question, shown literally. Returns its box, for what goes with it (the conversation on it)."""
    box = st.container(border=True)
    with box:
        plain(heading, heading=3)
        for number, item in enumerate(qset.items, start=1):
            answer = reflection.answers.get(item.id)
            if written := answer and (answer.note if qset.is_rating else answer.text):
                st.markdown(f"**{number}. {item.text}**")
                st.text(written)
    return box
