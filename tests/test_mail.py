"""Sending one email through a real SMTP server (aiosmtpd, started by the tests): what arrives, TLS that is asked for
is never skipped, the password is used, and a failure in the background is logged."""

from __future__ import annotations

import logging
import smtplib

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from reflect import mail
from reflect.devtools.live_server import free_port

from .conftest import Inbox


def test_a_plain_text_email_arrives_as_sent(smtp_server):
    mail.send(smtp_server.settings(), to="lee@x.org", subject="Hello", body="Dear Lee,\n\nThank you — see you.\n")
    [delivered] = smtp_server.delivered
    assert delivered.to == ["lee@x.org"]
    message = delivered.message
    assert (message["From"], message["To"], message["Subject"]) == ("reflect@example.org", "lee@x.org", "Hello")
    assert message["Date"] and message["Message-ID"].endswith("@example.org>")
    assert message.get_content_type() == "text/plain"
    assert message.get_content() == "Dear Lee,\n\nThank you — see you.\n"


def test_starttls_is_never_skipped_when_the_server_does_not_offer_it(smtp_server):
    with pytest.raises(smtplib.SMTPNotSupportedError):
        mail.send(smtp_server.settings(tls="starttls"), to="lee@x.org", subject="Hello", body="Hi")
    assert smtp_server.delivered == []


@pytest.fixture
def server_asking_for_a_password():
    """A real SMTP server that takes mail only after AUTH as reflect / its password (over plain text: a test)."""
    inbox = Inbox("127.0.0.1", free_port())

    def authenticate(server, session, envelope, mechanism, auth_data):
        return AuthResult(success=(auth_data.login, auth_data.password) == (b"reflect", b"s3cret pass"))

    controller = Controller(inbox, hostname=inbox.host, port=inbox.port, authenticator=authenticate,
                            auth_required=True, auth_require_tls=False)
    controller.start()
    yield inbox
    controller.stop()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # aiosmtpd's, about this test server
def test_the_user_and_password_are_used_when_set(server_asking_for_a_password):
    inbox = server_asking_for_a_password
    with pytest.raises(smtplib.SMTPException):
        mail.send(inbox.settings(), to="lee@x.org", subject="Hello", body="Hi")
    mail.send(inbox.settings(user="reflect", password="s3cret pass"), to="lee@x.org", subject="Hello", body="Hi")
    assert [delivered.to for delivered in inbox.delivered] == [["lee@x.org"]]
    assert "s3cret" not in repr(inbox.settings(user="reflect", password="s3cret pass"))  # kept out of logs


def test_a_failure_in_the_background_is_logged_not_raised(smtp_server, caplog):
    unreachable = smtp_server.settings(port=free_port())
    with caplog.at_level(logging.ERROR, logger="reflect.mail"):
        mail.send_in_background(unreachable, to="lee@x.org", subject="Hello", body="Hi")
        mail.wait_until_sent()
    assert [record.getMessage() for record in caplog.records] == [
        f"Could not send the email 'Hello' to lee@x.org through 127.0.0.1:{unreachable.port}"]
