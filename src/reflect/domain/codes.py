"""Codes people read aloud and type from a slide or an email: cohorts' join codes and one-time invitation codes."""

from __future__ import annotations

import secrets

# No 0/O, 1/I/L: nothing to mistake for something else.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def random_code(groups: int) -> str:
    """A new random code of `groups` groups of four, such as ``K7QF-M2XP``."""
    letters = "".join(secrets.choice(ALPHABET) for _ in range(4 * groups))
    return "-".join(letters[start : start + 4] for start in range(0, len(letters), 4))


def letters_of(code: str) -> str:
    """The letters and digits of a code as typed, in capitals: any case, with or without spaces and hyphens."""
    return "".join(ch for ch in code.upper() if ch.isalnum())
