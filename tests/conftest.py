"""Shared fixtures: every test gets its own real SQLite file, and a real SMTP server when it sends email."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from argon2 import PasswordHasher

from reflect.devtools.live_server import free_port
from reflect.domain import accounts
from reflect.settings import MailSettings
from reflect.storage.db import open_db

CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashing():
    """Cheap Argon2 parameters for accounts made in the tests' own process (servers started by browser tests keep
    the production ones). tests/test_accounts.py checks what ships."""
    accounts.use_password_hasher(CHEAP_HASHER)



@pytest.fixture
def db(tmp_path):
    database = open_db(tmp_path / "reflect.db")
    yield database
    database.close()


@dataclass
class Delivered:
    to: list[str]  # the envelope's recipients: where the server was asked to deliver it
    message: EmailMessage


@dataclass
class Inbox:
    """Everything a real SMTP server (aiosmtpd, on a free local port) received during one test."""

    host: str
    port: int
    delivered: list[Delivered] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's handler hook
        lines = envelope.content.replace(b"\r\n", b"\n")  # as sent on the wire, to the line ends Python writes
        message = message_from_bytes(lines, _class=EmailMessage, policy=policy.default)
        self.delivered.append(Delivered(list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def settings(self, public_url: str = "https://reflect.example.org", **changes) -> MailSettings:
        """Mail settings that send to this server, in plain text (it offers no TLS)."""
        return MailSettings(**{"host": self.host, "port": self.port, "tls": "none", "sender": "reflect@example.org",
                               "public_url": public_url, **changes})

    def wait_for(self, count: int, timeout: float = 30) -> list[Delivered]:
        """The messages once `count` have arrived (another process sends them in the background)."""
        deadline = time.monotonic() + timeout
        while len(self.delivered) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(self.delivered) >= count, f"{len(self.delivered)} of {count} emails arrived in {timeout} s"
        return self.delivered


@pytest.fixture
def smtp_server():
    """A real SMTP server for this test alone: what it receives is in the yielded :class:`Inbox`."""
    inbox = Inbox("127.0.0.1", free_port())
    controller = Controller(inbox, hostname=inbox.host, port=inbox.port)
    controller.start()
    yield inbox
    controller.stop()


BROWSER_TESTS = Path(__file__).parent / "browser"


def pytest_collection_modifyitems(items):
    """Mark the tests in tests/browser ``browser`` (``-m "not browser"`` leaves them out), and run them first: they
    take longest, so with the tests spread over workers (pytest-xdist) they start at once and the quick tests fill
    in around them, instead of one long test finishing alone at the end."""
    for item in items:
        if BROWSER_TESTS in item.path.parents:
            item.add_marker(pytest.mark.browser)
    items.sort(key=lambda item: item.get_closest_marker("browser") is None)
