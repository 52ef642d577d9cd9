"""A real SMTP round trip: smtplib -> our aiosmtpd receiver on loopback -> a conversation."""

from __future__ import annotations

import smtplib
import socket
from collections.abc import Iterator

import pytest

from conversations.models import Message
from messaging import services
from messaging.models import EmailChannel, InboundEmail
from messaging.smtp import make_controller
from tests.messaging.conftest import SUPPORT, crlf, eml

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def smtp_port() -> Iterator[int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = make_controller("127.0.0.1", port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def test_mail_sent_over_smtp_reaches_a_conversation(smtp_port: int) -> None:
    channel = services.email_channel_create(actor=None, address=SUPPORT)[0]
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=30) as smtp:
        refused = smtp.sendmail("jane.doe@customer.example", ["Support@Acme.example"], crlf(eml("plain.eml")))
    assert refused == {}
    inbound = InboundEmail.objects.get()
    assert (inbound.channel, inbound.source, inbound.status) == (channel, "smtp", "processed")
    assert inbound.envelope_from == "jane.doe@customer.example"
    message = Message.objects.get()
    assert message.external_id == "<plain-1@customer.example>"
    assert message.customer.name == "Jane Döe"


def test_a_multipart_message_with_attachments_arrives_whole(smtp_port: int) -> None:
    services.email_channel_create(actor=None, address=SUPPORT)
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=30) as smtp:
        smtp.sendmail("carol@customer.example", [SUPPORT], crlf(eml("related_inline.eml")))
    message = Message.objects.get()
    assert sorted(a.filename for a in message.attachments.all()) == ["Rechnung März.pdf", "screenshot.png"]


def test_plus_addresses_reach_their_channel(smtp_port: int) -> None:
    services.email_channel_create(actor=None, address=SUPPORT)
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=30) as smtp:
        smtp.sendmail(
            "jane.doe@customer.example", ["support+0123456789abcdef0123@acme.example"], crlf(eml("plain.eml"))
        )
    assert InboundEmail.objects.get().envelope_to == "support+0123456789abcdef0123@acme.example"


def test_unknown_recipients_are_refused_with_550(smtp_port: int) -> None:
    services.email_channel_create(actor=None, address=SUPPORT)
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=30) as smtp:
        smtp.ehlo()
        smtp.mail("jane.doe@customer.example")
        code, _ = smtp.rcpt("nobody@acme.example")
        assert code == 550
        smtp.rset()
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            smtp.sendmail("jane.doe@customer.example", ["nobody@acme.example"], crlf(eml("plain.eml")))
    assert not InboundEmail.objects.exists()


def test_an_inactive_address_is_refused(smtp_port: int) -> None:
    channel = services.email_channel_create(actor=None, address=SUPPORT)[0]
    EmailChannel.objects.filter(pk=channel.pk).update(is_active=False)
    with (
        smtplib.SMTP("127.0.0.1", smtp_port, timeout=30) as smtp,
        pytest.raises(smtplib.SMTPRecipientsRefused),
    ):
        smtp.sendmail("jane.doe@customer.example", [SUPPORT], crlf(eml("plain.eml")))


def test_a_bounce_with_the_null_sender_is_flagged(smtp_port: int) -> None:
    services.email_channel_create(actor=None, address=SUPPORT)
    with smtplib.SMTP("127.0.0.1", smtp_port, timeout=30) as smtp:
        smtp.sendmail("<>", [SUPPORT], crlf(eml("plain.eml")))
    inbound = InboundEmail.objects.get()
    assert inbound.envelope_from == "<>"
    assert inbound.is_auto_generated
