"""Sending an email reply: headers and parts, states, transient and permanent failures."""

from __future__ import annotations

import datetime
import smtplib
from collections.abc import Iterator
from email import message_from_bytes
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from accounts.models import User
from conversations.models import Channel, Message
from messaging import outbound_mail, services_outbound
from messaging.models_outbound import OutboundDelivery
from messaging.outbound_mail import TransientSendError, reply_subject
from messaging.tasks_outbound import send_email_message
from tests.conversations.factories import ConversationFactory, MessageFactory
from tests.messaging.outbound_helpers import make_brand, make_thread, refused, reply, smtp_server

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_agent(agent: User) -> User:
    agent.email_signature = "Alex Agent\nAcme customer care"
    agent.save(update_fields=["email_signature"])
    return agent


@pytest.fixture
def eager_retries() -> Iterator[None]:
    """Eager retries run at once; Celery re-raises each retry unless propagation is off."""
    from kustomer_clone.celery import app

    saved = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    try:
        yield
    finally:
        app.conf.task_eager_propagates = saved


def _send(message: Message, **kwargs: Any) -> Message:
    sent = services_outbound.outbound_send(message_id=message.pk, **kwargs)
    assert sent is not None
    return sent


def _delivery(message: Message) -> OutboundDelivery:
    return OutboundDelivery.objects.get(message=message)


class TestHeadersAndParts:
    @pytest.fixture
    def sent(self, signed_agent: User) -> tuple[Message, Any]:
        make_brand()
        attachment = SimpleUploadedFile("label.pdf", b"%PDF-1.4 label", content_type="application/pdf")
        message = reply(signed_agent, make_thread(), attachments=[attachment])
        message = _send(message)
        assert len(mail.outbox) == 1
        return message, mail.outbox[0].message()

    def test_it_sends_from_the_chosen_brand_address(self, sent: tuple[Message, Any]) -> None:
        _, email = sent
        assert email["From"] == "Acme Support <support@acme.example>"

    def test_it_uses_our_message_id_stored_on_the_message(self, sent: tuple[Message, Any]) -> None:
        message, email = sent
        assert message.external_id.startswith("<") and message.external_id.endswith("@acme.example>")
        assert len(message.external_id) > 40  # 160 random bits: not guessable
        assert email["Message-ID"] == message.external_id

    def test_it_threads_under_the_earlier_messages(self, sent: tuple[Message, Any]) -> None:
        _, email = sent
        assert email["In-Reply-To"] == "<second@customer.example>"
        assert email["References"] == "<first@customer.example> <second@customer.example>"

    def test_it_says_re_once(self, sent: tuple[Message, Any]) -> None:
        _, email = sent
        assert email["Subject"] == "Re: Parcel never arrived"

    def test_it_has_text_and_html_with_the_signature(self, sent: tuple[Message, Any]) -> None:
        _, email = sent
        parsed = message_from_bytes(email.as_bytes())
        parts = {p.get_content_type(): p for p in parsed.walk() if not p.is_multipart()}
        text = parts["text/plain"].get_payload(decode=True).decode()
        html = parts["text/html"].get_payload(decode=True).decode()
        assert "Your parcel is on its way." in text
        assert text.rstrip().endswith("-- \nAlex Agent\nAcme customer care")
        assert "<strong>on its way</strong>" in html
        assert "Alex Agent<br>Acme customer care" in html

    def test_it_attaches_the_files(self, sent: tuple[Message, Any]) -> None:
        _, email = sent
        parsed = message_from_bytes(email.as_bytes())
        files = [(p.get_filename(), p.get_payload(decode=True)) for p in parsed.walk() if p.get_filename()]
        assert files == [("label.pdf", b"%PDF-1.4 label")]

    def test_an_agent_reply_is_not_marked_automatic(self, sent: tuple[Message, Any]) -> None:
        _, email = sent
        assert email["Auto-Submitted"] is None

    def test_it_marks_the_message_sent(self, sent: tuple[Message, Any]) -> None:
        message, _ = sent
        assert message.delivery_status == Message.DeliveryStatus.SENT
        assert message.sent_at is not None and message.failure_reason == ""
        assert _delivery(message).state == OutboundDelivery.State.SENT


def test_automatic_mail_carries_auto_submitted() -> None:
    message = MessageFactory(outbound=True, author=None, external_id="", to=["jane@customer.example"])
    _send(message)
    assert mail.outbox[0].extra_headers["Auto-Submitted"] == "auto-generated"


def test_without_a_brand_it_sends_from_the_default_address(agent: User, settings: Any) -> None:
    settings.DEFAULT_FROM_EMAIL = "Help Desk <help@desk.example>"
    message = reply(agent, ConversationFactory(), from_address="")
    _send(message)
    assert mail.outbox[0].from_email == "Help Desk <help@desk.example>"


def test_a_first_message_keeps_its_subject(agent: User) -> None:
    message = reply(agent, ConversationFactory(), subject="Your order 1234")
    _send(message)
    email = mail.outbox[0]
    assert email.subject == "Your order 1234"
    assert "In-Reply-To" not in email.extra_headers


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Parcel", "Re: Parcel"),
        ("Re: Parcel", "Re: Parcel"),
        ("RE: Re: re:Parcel", "Re: Parcel"),
        ("Aw: Re[2]: Parcel", "Re: Parcel"),
        ("Parcel\r\nBcc: evil@example.com", "Re: Parcel Bcc: evil@example.com"),
    ],
)
def test_reply_subject(subject: str, expected: str) -> None:
    assert reply_subject(subject, is_reply=True) == expected


def test_the_message_id_is_stored_before_the_mail_goes_out(agent: User) -> None:
    message = reply(agent, make_thread())
    seen: list[str] = []

    def deliver(email: Any) -> None:
        seen.append(Message.objects.get(pk=message.pk).external_id)
        assert email.extra_headers["Message-ID"] == seen[0]

    with mock.patch.object(services_outbound, "deliver", deliver):
        _send(message)
    assert seen and seen[0].startswith("<")


class TestStates:
    def test_a_sent_message_is_not_sent_again(self, agent: User) -> None:
        message = reply(agent, make_thread())
        _send(message)
        assert services_outbound.outbound_send(message_id=message.pk) is None
        send_email_message.apply(args=[message.pk])
        assert len(mail.outbox) == 1

    def test_a_message_claimed_by_another_worker_is_left_alone(self, agent: User) -> None:
        message = reply(agent, make_thread())
        OutboundDelivery.objects.create(
            message=message, state="sending", claim_token="x", claimed_at=timezone.now()
        )
        assert services_outbound.outbound_send(message_id=message.pk) is None
        assert mail.outbox == []
        message.refresh_from_db()
        assert message.delivery_status == Message.DeliveryStatus.QUEUED

    def test_an_interrupted_send_fails_as_unknown_and_is_not_resent(self, agent: User) -> None:
        message = reply(agent, make_thread())
        long_ago = timezone.now() - datetime.timedelta(hours=1)
        OutboundDelivery.objects.create(
            message=message, state="sending", claim_token="x", claimed_at=long_ago
        )
        send_email_message.apply(args=[message.pk])  # the task re-delivered after the worker died
        message.refresh_from_db()
        assert mail.outbox == []
        assert message.delivery_status == Message.DeliveryStatus.FAILED
        assert message.failure_reason.startswith("Delivery unknown: check before retrying")

    def test_the_sweep_fails_only_stale_sends(self, agent: User) -> None:
        stale = reply(agent, ConversationFactory())
        fresh = reply(agent, ConversationFactory())
        OutboundDelivery.objects.create(
            message=stale,
            state="sending",
            claim_token="a",
            claimed_at=timezone.now() - datetime.timedelta(minutes=16),
        )
        OutboundDelivery.objects.create(
            message=fresh, state="sending", claim_token="b", claimed_at=timezone.now()
        )
        assert services_outbound.outbound_fail_stale() == 1
        assert Message.objects.get(pk=stale.pk).delivery_status == Message.DeliveryStatus.FAILED
        assert Message.objects.get(pk=fresh.pk).delivery_status == Message.DeliveryStatus.QUEUED

    def test_a_late_success_overrides_the_sweep(self, agent: User) -> None:
        message = reply(agent, make_thread())

        def slow(email: Any) -> None:
            later = timezone.now() + datetime.timedelta(hours=1)
            services_outbound.outbound_fail_stale(now=later)

        with mock.patch.object(services_outbound, "deliver", slow):
            message = _send(message)
        assert message.delivery_status == Message.DeliveryStatus.SENT

    def test_sms_and_inbound_messages_are_not_sent_by_email(self, agent: User) -> None:
        sms = MessageFactory(outbound=True, channel=Channel.SMS)
        inbound = MessageFactory()
        assert services_outbound.outbound_send(message_id=sms.pk) is None
        assert services_outbound.outbound_send(message_id=inbound.pk) is None
        assert mail.outbox == []


class TestFailures:
    def test_a_refused_connection_is_retried(self, agent: User) -> None:
        message = reply(agent, make_thread())
        with (
            smtp_server(connect=ConnectionRefusedError(111, "Connection refused")),
            pytest.raises(TransientSendError),
        ):
            services_outbound.outbound_send(message_id=message.pk, final_attempt=False)
        message.refresh_from_db()
        assert message.delivery_status == Message.DeliveryStatus.QUEUED
        assert message.failure_reason.startswith("Will retry: Could not reach the mail server")
        assert _delivery(message).state == OutboundDelivery.State.QUEUED

    def test_a_4xx_recipient_refusal_is_retried(self, agent: User) -> None:
        message = reply(agent, make_thread())
        with smtp_server(rcpt=refused(450, b"mailbox busy")), pytest.raises(TransientSendError):
            services_outbound.outbound_send(message_id=message.pk, final_attempt=False)

    def test_the_last_attempt_fails_with_the_reason(self, agent: User) -> None:
        message = reply(agent, make_thread())
        with smtp_server(connect=TimeoutError("timed out")):
            message = _send(message, final_attempt=True)
        assert message.delivery_status == Message.DeliveryStatus.FAILED
        assert message.failure_reason == "Could not reach the mail server: timed out"

    def test_a_5xx_refusal_fails_at_once(self, agent: User) -> None:
        message = reply(agent, make_thread())
        with smtp_server(rcpt=refused(550, b"5.1.1 no such user")) as server:
            message = _send(message, final_attempt=False)
        assert message.delivery_status == Message.DeliveryStatus.FAILED
        assert message.failure_reason == (
            "The mail server refused jane@customer.example (550 5.1.1 no such user)"
        )
        assert server.sent == []

    def test_a_bad_address_fails_at_once(self, agent: User) -> None:
        message = reply(agent, make_thread(), to=["not an address@@"])
        with smtp_server() as server:
            message = _send(message, final_attempt=False)
        assert message.delivery_status == Message.DeliveryStatus.FAILED
        assert message.failure_reason.startswith("An address cannot be used")
        assert server.sent == []

    def test_a_4xx_answer_to_the_data_is_retried(self, agent: User) -> None:
        message = reply(agent, make_thread())
        with smtp_server(data=smtplib.SMTPDataError(451, b"try later")), pytest.raises(TransientSendError):
            services_outbound.outbound_send(message_id=message.pk, final_attempt=False)

    def test_a_timeout_after_the_data_is_never_retried(self, agent: User) -> None:
        message = reply(agent, make_thread())
        with smtp_server(after_data=TimeoutError("timed out")) as server:
            message = _send(message, final_attempt=False)
        assert len(server.sent) == 1
        assert message.delivery_status == Message.DeliveryStatus.FAILED
        assert message.failure_reason.startswith("Delivery unknown")
        send_email_message.apply(args=[message.pk])
        assert len(server.sent) == 1

    def test_a_failure_after_the_server_accepted_counts_as_sent(self, agent: User) -> None:
        message = reply(agent, make_thread())
        with smtp_server(quit=smtplib.SMTPServerDisconnected("gone")) as server:
            message = _send(message, final_attempt=False)
        assert len(server.sent) == 1
        assert message.delivery_status == Message.DeliveryStatus.SENT

    @pytest.mark.usefixtures("eager_retries")
    def test_the_task_retries_until_the_server_takes_it(self, agent: User) -> None:
        message = reply(agent, make_thread())
        attempts = {"n": 0}
        real_deliver = outbound_mail.deliver

        def flaky(email: Any) -> None:
            attempts["n"] += 1
            if attempts["n"] < 3:
                raise TransientSendError("Could not reach the mail server: refused")
            real_deliver(email)

        with mock.patch.object(services_outbound, "deliver", flaky):
            send_email_message.apply(args=[message.pk])  # eager: retries run at once
        message.refresh_from_db()
        assert message.delivery_status == Message.DeliveryStatus.SENT
        assert _delivery(message).attempts == 3
        assert len(mail.outbox) == 1

    @pytest.mark.usefixtures("eager_retries")
    def test_the_task_gives_up_after_five_retries(self, agent: User) -> None:
        message = reply(agent, make_thread())
        with smtp_server(connect=ConnectionRefusedError(111, "Connection refused")):
            send_email_message.apply(args=[message.pk])
        message.refresh_from_db()
        assert message.delivery_status == Message.DeliveryStatus.FAILED
        assert _delivery(message).attempts == 6
        assert "Connection refused" in message.failure_reason


@override_settings(DEFAULT_FROM_EMAIL="Support <support@example.com>")
def test_an_unknown_from_address_is_sent_as_given(agent: User) -> None:
    message = reply(agent, make_thread(), from_address="old@acme.example")
    _send(message)
    assert mail.outbox[0].from_email == "old@acme.example"


def test_the_sweep_queues_lost_emails_again_and_fails_interrupted_ones(agent: User) -> None:
    from messaging.tasks_outbound import send_fail_interrupted

    long_ago = timezone.now() - datetime.timedelta(hours=1)
    lost = MessageFactory(outbound=True, created_at=long_ago, to=["jane@customer.example"])
    recent = MessageFactory(outbound=True, to=["jane@customer.example"])
    interrupted = MessageFactory(outbound=True, created_at=long_ago, to=["jane@customer.example"])
    OutboundDelivery.objects.create(
        message=interrupted, state="sending", claim_token="x", claimed_at=long_ago
    )
    assert services_outbound.outbound_list_lost() == [lost.pk]
    assert send_fail_interrupted.apply().get() == 1
    statuses = dict(Message.objects.values_list("pk", "delivery_status"))
    assert statuses[lost.pk] == Message.DeliveryStatus.SENT
    assert statuses[recent.pk] == Message.DeliveryStatus.QUEUED
    assert statuses[interrupted.pk] == Message.DeliveryStatus.FAILED
    assert len(mail.outbox) == 1


def test_replies_come_back_through_the_inbound_address(agent: User) -> None:
    from messaging import services as inbound_services

    make_brand()
    inbound_services.email_channel_create(actor=None, address="support@acme.example")
    message = _send(reply(agent, make_thread()))
    token = message.conversation.reply_tokens.get().token
    assert mail.outbox[0].reply_to == [f"support+{token}@acme.example"]


class TestQueuedSignal:
    def test_an_email_reply_is_handed_to_the_worker_after_commit(
        self, agent: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        with (
            mock.patch.object(send_email_message, "delay") as delay,
            django_capture_on_commit_callbacks(execute=True),
        ):
            message = reply(agent, make_thread())
            delay.assert_not_called()
        delay.assert_called_once_with(message.pk)

    def test_a_chat_reply_is_not_sent_by_email(
        self, agent: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        with (
            mock.patch.object(send_email_message, "delay") as delay,
            django_capture_on_commit_callbacks(execute=True),
        ):
            reply(agent, make_thread(), channel=Channel.CHAT)
        delay.assert_not_called()

    def test_a_broker_failure_leaves_the_reply_queued(
        self, agent: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        with (
            mock.patch.object(send_email_message, "delay", side_effect=OSError("broker down")),
            django_capture_on_commit_callbacks(execute=True),
        ):
            message = reply(agent, make_thread())
        message.refresh_from_db()
        assert message.delivery_status == Message.DeliveryStatus.QUEUED
