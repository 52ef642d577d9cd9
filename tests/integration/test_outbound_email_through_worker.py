"""An email reply leaves by the real path: request -> broker -> worker ("outbound") -> SMTP on loopback."""

from __future__ import annotations

import time
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from conversations.models import Message
from tests.messaging.outbound_helpers import ACME, make_brand, make_thread, reply

pytestmark = pytest.mark.django_db(transaction=True)


def _wait_for_status(message: Message, status: str, timeout: float = 30) -> Message:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message.refresh_from_db()
        if message.delivery_status == status:
            break
        time.sleep(0.1)
    return message


def test_a_reply_reaches_the_mail_server_with_its_threading_headers(
    client: Client, agent: User, smtp_server: Any, celery_worker: Any
) -> None:
    make_brand()
    conversation = make_thread()
    client.force_login(agent, backend="accounts.backends.EmailBackend")
    response = client.post(
        reverse("conversations:reply", args=[conversation.pk]),
        {"channel": "email", "body": "It left our warehouse this morning.", "from_address": ACME},
    )
    assert response.status_code == 302
    received = smtp_server.wait_for(1)
    assert len(received) == 1
    mail = received[0]
    message = _wait_for_status(conversation.messages.get(direction="out"), Message.DeliveryStatus.SENT)
    assert message.delivery_status == Message.DeliveryStatus.SENT, message.failure_reason
    assert mail["From"] == "Acme Support <support@acme.example>"
    assert mail["Message-ID"] == message.external_id
    assert mail["In-Reply-To"] == "<second@customer.example>"
    assert mail["References"] == "<first@customer.example> <second@customer.example>"
    assert mail["Subject"] == "Re: Parcel never arrived"
    assert mail["Auto-Submitted"] is None
    text = next(p for p in mail.walk() if p.get_content_type() == "text/plain")
    assert "It left our warehouse this morning." in text.get_payload(decode=True).decode()
    time.sleep(0.5)
    assert len(smtp_server.messages) == 1  # sent once


def test_a_refused_connection_is_retried_by_the_worker_then_sent(
    agent: User, smtp_server: Any, celery_worker: Any, settings: Any
) -> None:
    """The first attempt finds nothing listening; the retry (its backoff shortened here) gets through."""
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 1  # nothing listens on port 1: connection refused
    with mock.patch("celery.app.autoretry.get_exponential_backoff_interval", return_value=1):
        make_brand()
        message = reply(agent, make_thread())
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not message.failure_reason:
            message.refresh_from_db()
            time.sleep(0.02)
        assert message.failure_reason.startswith("Will retry: Could not reach the mail server")
        settings.EMAIL_PORT = port
        message = _wait_for_status(message, Message.DeliveryStatus.SENT)
    assert message.delivery_status == Message.DeliveryStatus.SENT, message.failure_reason
    assert len(smtp_server.wait_for(1)) == 1
