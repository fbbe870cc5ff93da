"""Question sets: one TOML file per instrument in ``questions/``, loaded and validated into frozen dataclasses.

A broken file never takes the others down: :func:`load_question_sets` returns the sets that loaded and a
:class:`QuestionSetError` for each file that did not, naming the file, the field and what is wrong.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TEXT = "text"
RATING = "rating"
KINDS = (TEXT, RATING)

DEFAULT_MAX_CHARS = 5000
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_SET_KEYS = {"id", "title", "version", "source", "intro", "items", "scale", "note_prompt", "max_chars"}
_ITEM_KEYS = {"id", "kind", "text", "behaviour"}


class QuestionSetError(Exception):
    """A question file that cannot be used, with where and why."""

    def __init__(self, file: str, field: str, why: str):
        self.file, self.field, self.why = file, field, why
        super().__init__(f"{file}: {field}: {why}")


@dataclass(frozen=True)
class Item:
    id: str
    kind: str
    text: str
    behaviour: str | None = None
    number: int = 0  # position in its set, from 1; kept when a page shows only some of a set's items

    @property
    def short(self) -> str:
        """The item text cut to fit a chart axis."""
        return self.text if len(self.text) <= 48 else self.text[:47].rstrip() + "…"


@dataclass(frozen=True)
class QuestionSet:
    id: str
    title: str
    version: int
    source: str
    intro: str
    items: tuple[Item, ...]
    scale: tuple[str, ...] = ()
    note_prompt: str | None = None
    max_chars: int = DEFAULT_MAX_CHARS

    @property
    def is_rating(self) -> bool:
        """True for a checklist (every item rated); False for a set of free-text questions."""
        return any(item.kind == RATING for item in self.items)

    @property
    def has_free_text(self) -> bool:
        """True if leaders write in this set: its answers, or (in a checklist) its "How do you know?" notes."""
        return not self.is_rating or bool(self.note_prompt)

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def scale_label(self, point: int) -> str:
        return self.scale[point - 1]


def load_question_sets(folder: str | Path) -> tuple[dict[str, QuestionSet], list[QuestionSetError]]:
    """Load every ``*.toml`` in `folder`, in file-name order. Returns ``(sets by id, errors)``."""
    sets: dict[str, QuestionSet] = {}
    errors: list[QuestionSetError] = []
    for path in sorted(Path(folder).glob("*.toml")):
        try:
            qset = load_question_set(path)
            if qset.id in sets:
                raise QuestionSetError(path.name, "id", f"'{qset.id}' is already used by another question set")
            sets[qset.id] = qset
        except QuestionSetError as error:
            errors.append(error)
    return sets, errors


def load_question_set(path: str | Path) -> QuestionSet:
    """Read and validate one question file; raise :class:`QuestionSetError` on the first problem found."""
    path = Path(path)
    name = path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise QuestionSetError(name, "(file)", "is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise QuestionSetError(name, "(file)", f"is not valid TOML: {error}") from None
    return _parse_set(name, data)


def _parse_set(file: str, data: dict[str, Any]) -> QuestionSet:
    def fail(field: str, why: str) -> QuestionSetError:
        return QuestionSetError(file, field, why)

    _no_unknown_keys(data, _SET_KEYS, "", fail)
    set_id = _slug(data, "id", "id", fail)
    title = _string(data, "title", "title", fail)
    source = _string(data, "source", "source", fail)
    intro = _string(data, "intro", "intro", fail)
    version = data.get("version")
    if type(version) is not int or version < 1:
        raise fail("version", "must be a whole number of 1 or more")
    max_chars = data.get("max_chars", DEFAULT_MAX_CHARS)
    if type(max_chars) is not int or not 1 <= max_chars <= 100_000:
        raise fail("max_chars", "must be a whole number from 1 to 100000")
    note_prompt = data.get("note_prompt")
    if note_prompt is not None and (not isinstance(note_prompt, str) or not note_prompt.strip()):
        raise fail("note_prompt", "must be text, or left out")
    _no_control_characters(note_prompt, "note_prompt", fail)

    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise fail("items", "is missing: add at least one [[items]] table")
    items: list[Item] = []
    for index, raw in enumerate(raw_items, start=1):
        where = f"items[{index}]"
        if not isinstance(raw, dict):
            raise fail(where, "must be a table ([[items]])")
        _no_unknown_keys(raw, _ITEM_KEYS, f"{where}.", fail)
        item_id = _slug(raw, "id", f"{where}.id", fail)
        if any(item.id == item_id for item in items):
            raise fail(f"{where}.id", f"'{item_id}' is used by an earlier item; item ids must be unique")
        kind = raw.get("kind")
        if kind not in KINDS:
            raise fail(f"{where}.kind", f"must be one of {', '.join(repr(k) for k in KINDS)}, not {kind!r}")
        behaviour = raw.get("behaviour")
        if behaviour is not None and (not isinstance(behaviour, str) or not behaviour.strip()):
            raise fail(f"{where}.behaviour", "must be text, or left out")
        _no_control_characters(behaviour, f"{where}.behaviour", fail)
        items.append(Item(item_id, kind, _string(raw, "text", f"{where}.text", fail), behaviour, index))

    scale = data.get("scale", [])
    kinds = {item.kind for item in items}
    if RATING in kinds:
        if len(kinds) > 1:
            raise fail("items", "mixes 'text' and 'rating' items; put free-text questions in a set of their own")
        if (
            not isinstance(scale, list)
            or not 2 <= len(scale) <= 10
            or not all(isinstance(label, str) and label.strip() for label in scale)
        ):
            raise fail("scale", "rating items need a scale: a list of 2 to 10 labels, lowest point first")
        for point, label in enumerate(scale, start=1):
            _no_control_characters(label, f"scale[{point}]", fail)
    elif scale:
        raise fail("scale", "is only for sets of rating items")
    return QuestionSet(set_id, title, version, source, intro, tuple(items), tuple(scale), note_prompt, max_chars)


def _no_unknown_keys(table: dict, allowed: set[str], prefix: str, fail) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise fail(f"{prefix}{unknown[0]}", f"is not a known field (known: {', '.join(sorted(allowed))})")


def _string(table: dict, key: str, field: str, fail) -> str:
    value = table.get(key)
    if value is None:
        raise fail(field, "is missing")
    if not isinstance(value, str) or not value.strip():
        raise fail(field, "must be non-empty text")
    _no_control_characters(value, field, fail)
    return value.strip()


def _no_control_characters(value: str | None, field: str, fail) -> None:
    """Refuse an invisible control character (but tab and line break), as answers refuse them: shown on a page it
    is nothing, and an export has no place for it."""
    hidden = [char for char in value or "" if unicodedata.category(char) == "Cc" and char not in "\t\n"]
    if hidden:
        raise fail(field, f"holds an invisible control character (U+{ord(hidden[0]):04X}); delete it")


def _slug(table: dict, key: str, field: str, fail) -> str:
    value = _string(table, key, field, fail)
    if not _ID.match(value):
        raise fail(field, f"{value!r} must be lower-case letters, digits and hyphens (at most 64)")
    return value
