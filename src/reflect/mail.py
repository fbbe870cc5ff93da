"""Sending one plain-text email through the SMTP server the settings name (reflect.settings.mail_settings).

:func:`send_in_background` is what pages use: sending takes from a moment to the 10-second timeout, and a page that
waited for it would answer slower for an address that has an account than for one that has none, telling which.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from reflect.settings import MailSettings

TIMEOUT_S = 10

log = logging.getLogger(__name__)
_sending: set[threading.Thread] = set()
_sending_lock = threading.Lock()


def send(settings: MailSettings, *, to: str, subject: str, body: str) -> None:
    """Send one email now; raises :class:`OSError` (``smtplib.SMTPException`` is one) if it cannot.

    With ``starttls`` a server that does not offer TLS is refused (smtplib raises), so the email and the password
    are never sent in clear text by mistake.
    """
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or None)
    message.set_content(body)
    tls = ssl.create_default_context()
    server = (smtplib.SMTP_SSL(settings.host, settings.port, timeout=TIMEOUT_S, context=tls) if settings.tls == "ssl"
              else smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT_S))
    with server:
        if settings.tls == "starttls":
            server.starttls(context=tls)
        if settings.user:
            server.login(settings.user, settings.password or "")
        server.send_message(message)


def send_in_background(settings: MailSettings, *, to: str, subject: str, body: str) -> None:
    """Send one email on a thread of its own and return at once. A failure is logged, never raised: the person who
    asked is told the same thing whatever happens."""
    thread = threading.Thread(target=_send_logged, args=(settings, to, subject, body), name="reflect-mail",
                              daemon=True)
    with _sending_lock:
        _sending.add(thread)
    thread.start()


def _send_logged(settings: MailSettings, to: str, subject: str, body: str) -> None:
    try:
        send(settings, to=to, subject=subject, body=body)
    except Exception:  # whatever it was, it goes to the log: nobody waits on this thread to be told
        log.exception("Could not send the email %r to %s through %s:%s", subject, to, settings.host, settings.port)
    finally:
        with _sending_lock:
            _sending.discard(threading.current_thread())


def wait_until_sent(timeout: float = 30) -> None:
    """Wait for the emails still being sent in the background (the tests, before they look for them)."""
    with _sending_lock:
        threads = list(_sending)
    for thread in threads:
        thread.join(timeout)
