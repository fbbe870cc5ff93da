"""Free text as people type it, made safe to store and show (NFC, no control characters, no bidi overrides), and safe
to open in Excel."""

from __future__ import annotations

import csv
import io
import unicodedata

# Embedding, override and isolate controls can make text read differently from what is stored ("Trojan Source").
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
_ALLOWED_CONTROLS = {"\t", "\n"}


# A text cell Excel would run as a formula starts with one of these (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def excel_safe(value: object) -> object:
    """Neutralise a text cell Excel would run as a formula, with a leading apostrophe; leave anything else as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


class CsvCells:
    """The CSV text of a run of cells, ending in `end` ("," to go on with a row, its end, or nothing): each cell
    Excel-safe and without a control character but tab and line break (reflect.domain.answer_rows uses those as
    marks). One buffer and writer, made once, for making many."""

    _NOT_KEPT = dict.fromkeys(set(range(0x20)) - {ord("\t"), ord("\n")})

    def __init__(self, end: str = "") -> None:
        self._end = end
        self._buffer = io.StringIO(newline="")
        # Written as a whole row would be: the csv module quotes cells holding a character of its line terminator,
        # so the terminator must be CRLF even when the run ends in a comma.
        self._writer = csv.writer(self._buffer, lineterminator="\r\n")

    def __call__(self, *values: object) -> str:
        self._buffer.seek(0)
        self._buffer.truncate()
        self._writer.writerow([excel_safe(value.translate(self._NOT_KEPT)) if isinstance(value, str) else value
                               for value in values])
        return self._buffer.getvalue()[:-2] + self._end


class InvalidText(ValueError):
    """Text that cannot be saved as it is; the message tells the person what to change."""


def clean_text(value: str, *, limit: int, thing: str = "answer") -> str:
    """Return `value` normalised for storage, or raise :class:`InvalidText` saying what to fix.

    Line endings become ``\\n``, bidi controls are dropped, and `limit` counts characters (code points) after
    normalisation. Nothing is silently cut: text over the limit is refused with how much to remove (the message
    calls the text `thing`).
    """
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.translate(_BIDI_CONTROLS)
    for char in text:
        if unicodedata.category(char) == "Cc" and char not in _ALLOWED_CONTROLS:
            raise InvalidText(
                f"Your text contains an invisible control character (U+{ord(char):04X}), often pasted from "
                "another program. Delete it and try again."
            )
    if len(text) > limit:
        raise InvalidText(
            f"This {thing} is {len(text):,} characters long; the limit is {limit:,}. "
            f"Remove {len(text) - limit:,} characters to save it."
        )
    return text


class NotAName(InvalidText):
    """A name that is blank or runs over more than one line."""


def clean_name(value: str, *, limit: int, one_line: bool = True) -> str:
    """A name (of a person, a cohort or a checkpoint) as :func:`clean_text` cleans it, without surrounding spaces;
    :class:`NotAName` if it is blank or (with `one_line`) holds a line break or tab, :class:`InvalidText` for text
    that cannot be saved."""
    name = clean_text(value, limit=limit).strip()
    if not name or (one_line and ("\n" in name or "\t" in name)):
        raise NotAName("Enter a name, on one line." if one_line else "Enter a name.")
    return name


def is_blank(text: str | None) -> bool:
    """Whether `text` shows nothing: only spaces, line breaks and invisible format characters (a zero-width space, a
    byte-order mark), as the browser's count of answers judges it too (reflect.web.answers)."""
    return text is None or all(char.isspace() or unicodedata.category(char) == "Cf" for char in text)
