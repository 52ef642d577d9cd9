"""Inbound email helpers: an inbound address, the .eml corpus, and a way to deliver bytes."""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from messaging import services
from messaging.models import EmailChannel, InboundEmail

FIXTURES = Path(__file__).parent / "fixtures"
SUPPORT = "support@acme.example"


def eml(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def crlf(raw: bytes) -> bytes:
    """Line ends as SMTP carries them (smtplib sends bytes as they are)."""
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def build(
    *,
    sender: str = "Jane Doe <jane.doe@customer.example>",
    to: str = SUPPORT,
    subject: str = "Hello",
    body: str = "Hello there.",
    message_id: str | None = "<m-1@customer.example>",
    in_reply_to: str = "",
    references: str = "",
    headers: dict[str, str] | None = None,
) -> bytes:
    message = EmailMessage()
    if sender:
        message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now())
    if message_id:
        message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return message.as_bytes()


@pytest.fixture
def channel(db: None) -> EmailChannel:
    return services.email_channel_create(actor=None, address=SUPPORT, display_name="Acme Support")[0]


@pytest.fixture
def channel_secret(db: None) -> tuple[EmailChannel, str]:
    return services.email_channel_create(actor=None, address="help@acme.example", display_name="Acme Help")


@pytest.fixture
def receive(channel: EmailChannel) -> Callable[..., InboundEmail]:
    """Store then process, as the worker would (unit tests do not run on-commit hooks)."""

    def deliver(raw: bytes, *, to: EmailChannel | None = None, **kwargs: Any) -> InboundEmail:
        kwargs.setdefault("source", InboundEmail.Source.HOOK)
        inbound = services.inbound_store(channel=to or channel, raw=raw, enqueue=False, **kwargs)
        return services.inbound_process(inbound_email_id=inbound.pk)

    return deliver
