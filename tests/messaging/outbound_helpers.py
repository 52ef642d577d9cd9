"""Outbound email helpers: a brand, a thread to reply to, and a scriptable stand-in for smtplib.SMTP."""

from __future__ import annotations

import datetime
import smtplib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from django.test import override_settings
from django.utils import timezone

from accounts.models import User
from conversations.models import Channel, Conversation, Message
from conversations.services.messages import message_send
from messaging import services_outbound
from messaging.models_outbound import Brand
from tests.conversations.factories import ConversationFactory, MessageFactory

ACME = "support@acme.example"


def make_brand() -> Brand:
    brand = services_outbound.brand_create(actor=None, name="Acme")
    services_outbound.sender_address_create(actor=None, brand=brand, email=ACME, display_name="Acme Support")
    return brand


def make_thread() -> Conversation:
    """A conversation with two inbound emails carrying Message-IDs: the reply threads under them."""
    conversation = ConversationFactory(name="Parcel never arrived")
    earlier = timezone.now() - datetime.timedelta(hours=2)
    MessageFactory(
        conversation=conversation,
        subject="Parcel never arrived",
        external_id="<first@customer.example>",
        created_at=earlier,
    )
    MessageFactory(
        conversation=conversation,
        subject="Re: Parcel never arrived",
        external_id="<second@customer.example>",
        created_at=earlier + datetime.timedelta(hours=1),
    )
    return conversation


def reply(agent: User, conversation: Conversation, **kwargs: Any) -> Message:
    kwargs.setdefault("channel", Channel.EMAIL)
    kwargs.setdefault("body_html", "<p>Your parcel is <strong>on its way</strong>.</p>")
    kwargs.setdefault("from_address", ACME)
    return message_send(actor=agent, conversation=conversation, **kwargs)


class FakeSMTP:
    """Replaces smtplib.SMTP: `script` says where the conversation with the server fails.

    Keys: connect, rcpt, data (raised before the message is taken), after_data (raised once
    the data went out, before any answer), quit; `delay` slows the data phase down.
    """

    script: dict[str, Any] = {}
    sent: list[bytes] = []
    lock = threading.Lock()

    def __init__(self, host: str, port: int, **kwargs: Any) -> None:
        if "connect" in self.script:
            raise self.script["connect"]

    def sendmail(self, from_addr: str, to_addrs: list[str], msg: bytes, *args: Any) -> dict[str, Any]:
        if "rcpt" in self.script:
            raise self.script["rcpt"]
        self.data(msg)  # as smtplib does: through the instance, so the phase can be watched
        return {}

    def data(self, msg: bytes) -> tuple[int, bytes]:
        if "data" in self.script:
            raise self.script["data"]
        time.sleep(self.script.get("delay", 0))
        with self.lock:
            FakeSMTP.sent.append(msg)
        if "after_data" in self.script:
            raise self.script["after_data"]
        return 250, b"2.0.0 queued"

    def quit(self) -> None:
        if "quit" in self.script:
            raise self.script["quit"]

    def close(self) -> None:
        pass


@contextmanager
def smtp_server(**script: Any) -> Iterator[type[FakeSMTP]]:
    """Django's SMTP backend, talking to a FakeSMTP that behaves as scripted."""
    FakeSMTP.script = script
    FakeSMTP.sent = []
    with (
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=2525,
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
        ),
        mock.patch("smtplib.SMTP", FakeSMTP),
    ):
        yield FakeSMTP


def refused(code: int, text: bytes = b"no") -> smtplib.SMTPRecipientsRefused:
    return smtplib.SMTPRecipientsRefused({"jane@customer.example": (code, text)})


def queued(conversation: Conversation, **kwargs: Any) -> Message:
    """A queued reply made without message_send, so nothing on commit sends it before the test does."""
    kwargs.setdefault("to", ["jane@customer.example"])
    kwargs.setdefault("from_address", ACME)
    return MessageFactory(outbound=True, conversation=conversation, **kwargs)
