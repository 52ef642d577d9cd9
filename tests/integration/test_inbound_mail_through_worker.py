"""Mail comes in through the real path: SMTP on loopback -> stored -> broker -> worker ("inbound" queue)."""

from __future__ import annotations

import smtplib
import socket
import time
from typing import Any

import pytest

from conversations.models import Message
from messaging import services
from messaging.models import InboundEmail
from messaging.smtp import make_controller
from tests.messaging.conftest import SUPPORT, crlf, eml

pytestmark = pytest.mark.django_db(transaction=True)


def test_smtp_mail_is_processed_by_the_inbound_worker(celery_worker: Any) -> None:
    services.email_channel_create(actor=None, address=SUPPORT)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = make_controller("127.0.0.1", port)
    controller.start()
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
            smtp.sendmail("jane.doe@customer.example", [SUPPORT], crlf(eml("related_inline.eml")))
    finally:
        controller.stop()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and InboundEmail.objects.filter(status="pending").exists():
        time.sleep(0.1)
    inbound = InboundEmail.objects.get()
    assert inbound.status == InboundEmail.Status.PROCESSED, inbound.failure_reason
    message = Message.objects.get()
    assert message.attachments.count() == 2
