"""Email is configured only when it can build links from the public address, and settings that cannot be right are
refused by name rather than sending some other way than intended."""

from __future__ import annotations

import pytest

from reflect import settings

MAIL = {"REFLECT_SMTP_HOST": "smtp.example.org", "REFLECT_SMTP_FROM": "reflect@example.org",
        "REFLECT_PUBLIC_URL": "https://reflect.example.org/"}
OPTIONAL = ("REFLECT_SMTP_PORT", "REFLECT_SMTP_TLS", "REFLECT_SMTP_USER", "REFLECT_SMTP_PASSWORD")


@pytest.fixture
def environment(monkeypatch):
    """The three settings email needs, and none of the optional ones."""
    for name in OPTIONAL:
        monkeypatch.delenv(name, raising=False)
    for name, value in MAIL.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


@pytest.mark.parametrize("missing", sorted(MAIL))
def test_email_is_not_configured_without_host_sender_and_public_url(environment, missing):
    environment.delenv(missing)
    assert settings.mail_settings() is None


def test_starttls_on_587_by_default_and_the_public_url_without_its_last_slash(environment):
    assert settings.mail_settings() == settings.MailSettings(
        host="smtp.example.org", port=587, tls="starttls", sender="reflect@example.org",
        public_url="https://reflect.example.org")


def test_ssl_with_a_login(environment):
    environment.setenv("REFLECT_SMTP_TLS", "ssl")
    environment.setenv("REFLECT_SMTP_USER", "reflect")
    environment.setenv("REFLECT_SMTP_PASSWORD", "s3cret pass")
    configured = settings.mail_settings()
    assert (configured.tls, configured.port, configured.user, configured.password) == (
        "ssl", 465, "reflect", "s3cret pass")
    assert "s3cret" not in repr(configured)


@pytest.mark.parametrize(("name", "value"), [
    ("REFLECT_SMTP_TLS", "tls"), ("REFLECT_SMTP_PORT", "smtp"), ("REFLECT_SMTP_PORT", "70000"),
    ("REFLECT_PUBLIC_URL", "reflect.example.org"),
])
def test_a_setting_that_cannot_be_right_is_refused_by_name(environment, name, value):
    environment.setenv(name, value)
    with pytest.raises(ValueError, match=name):
        settings.mail_settings()
