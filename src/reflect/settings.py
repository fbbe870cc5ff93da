"""Where Reflect keeps its data, finds its question sets and sends its email: the settings the app, the command line
and the benchmark share, read from the environment in this one place (so secrets such as the SMTP password are never
in a file that is committed)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DB = Path("data") / "reflect.db"
DEFAULT_QUESTIONS = Path("questions")
TLS_MODES = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


def db_path() -> Path:
    """The database file: ``REFLECT_DB`` if set, else ``data/reflect.db``."""
    return Path(os.environ.get("REFLECT_DB") or DEFAULT_DB)


def questions_dir() -> Path:
    """The folder of question sets: ``REFLECT_QUESTIONS`` if set, else ``questions/``."""
    return Path(os.environ.get("REFLECT_QUESTIONS") or DEFAULT_QUESTIONS)


def session_idle_days() -> float:
    """Days a signed-in browser may go unused before it must sign in again: ``REFLECT_SESSION_IDLE_DAYS``, else 14
    (a module meets weekly, so a fortnight away is still one term's habit)."""
    return float(os.environ.get("REFLECT_SESSION_IDLE_DAYS") or 14)


def session_days() -> float:
    """Days after which any sign-in ends, however busy: ``REFLECT_SESSION_DAYS``, else 30."""
    return float(os.environ.get("REFLECT_SESSION_DAYS") or 30)


def secure_cookies() -> bool:
    """Mark the sign-in cookie Secure even when the request reached Reflect over plain HTTP, as it does behind a
    proxy that ends TLS: ``REFLECT_SECURE_COOKIES=1``. Requests that arrive over HTTPS always get a Secure cookie."""
    return os.environ.get("REFLECT_SECURE_COOKIES", "").strip().lower() in {"1", "true", "yes", "on"}


def trust_school_emails() -> bool:
    """Accept the email a school's identity provider sends without an ``email_verified`` claim (Microsoft Entra sends
    none): ``REFLECT_OIDC_TRUST_EMAIL=1``. Off by default: only for a provider registered to the school's own tenant,
    where only its administrators set people's email addresses (see the README, Configuration)."""
    return os.environ.get("REFLECT_OIDC_TRUST_EMAIL", "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class MailSettings:
    """How to reach the SMTP server, who the email is from, and where people open Reflect (links are built from
    `public_url` alone, never from the address a request came in on, which a sender of requests can forge)."""

    host: str
    port: int
    tls: str  # one of TLS_MODES
    sender: str
    public_url: str  # no trailing slash
    user: str | None = None
    password: str | None = field(default=None, repr=False)  # kept out of logs and tracebacks


def mail_settings() -> MailSettings | None:
    """The SMTP settings, or None when email is not configured: it is only when ``REFLECT_SMTP_HOST``,
    ``REFLECT_SMTP_FROM`` and ``REFLECT_PUBLIC_URL`` are all set. A TLS mode, port or public URL that cannot be right
    raises :class:`ValueError` naming the variable, rather than sending email some other way than intended."""
    host = os.environ.get("REFLECT_SMTP_HOST", "").strip()
    sender = os.environ.get("REFLECT_SMTP_FROM", "").strip()
    public_url = os.environ.get("REFLECT_PUBLIC_URL", "").strip().rstrip("/")
    if not (host and sender and public_url):
        return None
    tls = (os.environ.get("REFLECT_SMTP_TLS") or "starttls").strip().lower()
    if tls not in TLS_MODES:
        raise ValueError(f"REFLECT_SMTP_TLS must be one of {', '.join(TLS_MODES)}, not {tls!r}.")
    port_text = (os.environ.get("REFLECT_SMTP_PORT") or "").strip()
    if port_text and not (port_text.isdigit() and 0 < int(port_text) < 65536):
        raise ValueError(f"REFLECT_SMTP_PORT must be a port number, not {port_text!r}.")
    if not public_url.startswith(("https://", "http://")):
        raise ValueError(f"REFLECT_PUBLIC_URL must start with https:// (or http://), not {public_url!r}.")
    return MailSettings(
        host=host, port=int(port_text) if port_text else DEFAULT_PORTS[tls], tls=tls, sender=sender,
        public_url=public_url, user=os.environ.get("REFLECT_SMTP_USER") or None,
        password=os.environ.get("REFLECT_SMTP_PASSWORD") or None,
    )
