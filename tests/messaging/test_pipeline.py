"""inbound_process: from stored bytes to a customer, a conversation and a message."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from conversations.models import Attachment, Channel, Conversation, ConversationEvent, Message, Status
from customers.models import Customer
from messaging import services
from messaging.ids import new_message_id, reply_address
from messaging.models import EmailChannel, InboundEmail
from tests.conversations.factories import ConversationFactory, CustomerFactory, MessageFactory
from tests.messaging.conftest import SUPPORT, build, eml

pytestmark = pytest.mark.django_db
Receive = Callable[..., InboundEmail]


def test_it_keeps_the_raw_bytes_before_processing(channel: EmailChannel) -> None:
    raw = eml("plain.eml")
    inbound = services.inbound_store(channel=channel, raw=raw, source="hook", enqueue=False)
    inbound.refresh_from_db()
    assert inbound.status == InboundEmail.Status.PENDING
    assert inbound.raw.read() == raw
    assert (inbound.size, inbound.message_id_header) == (len(raw), "<plain-1@customer.example>")
    assert (inbound.from_address, inbound.subject) == (
        "Jane.Doe@Customer.example",
        "Where is my order — #10480?",
    )


def test_it_processes_on_commit_through_the_task(
    channel: EmailChannel, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        inbound = services.inbound_store(channel=channel, raw=eml("plain.eml"), source="hook")
    inbound.refresh_from_db()
    assert inbound.status == InboundEmail.Status.PROCESSED
    assert inbound.attempts == 1


def test_a_new_sender_becomes_a_customer_named_from_the_display_name(receive: Receive) -> None:
    inbound = receive(eml("plain.eml"))
    assert inbound.status == InboundEmail.Status.PROCESSED, inbound.failure_reason
    message = inbound.message
    assert message is not None
    customer = message.customer
    assert customer.name == "Jane Döe"
    assert customer.primary_email == "jane.doe@customer.example"
    conversation = message.conversation
    assert conversation.channels == [Channel.EMAIL]
    assert conversation.name == "Where is my order — #10480?"
    assert (message.direction, message.channel, message.external_id) == (
        Message.Direction.IN,
        Channel.EMAIL,
        "<plain-1@customer.example>",
    )
    assert message.to == [SUPPORT]
    assert "Grüße" in message.body_text and "Grüße" in message.body_html


def test_a_known_sender_is_matched_ignoring_case(receive: Receive) -> None:
    customer = CustomerFactory(emails=None)
    customer.emails.create(email="jane.doe@customer.example", is_primary=True)
    inbound = receive(eml("plain.eml"))
    assert inbound.message is not None and inbound.message.customer == customer
    assert Customer.objects.count() == 1


def test_it_stores_attachments_and_points_inline_images_at_them(receive: Receive) -> None:
    message = receive(eml("related_inline.eml")).message
    assert message is not None
    attachments = list(message.attachments.order_by("id"))
    assert [(a.filename, a.content_type) for a in attachments] == [
        ("screenshot.png", "image/png"),
        ("Rechnung März.pdf", "application/pdf"),
    ]
    assert f'src="{attachments[0].get_absolute_url()}"' in message.body_html
    assert "cid:" not in message.body_html


def _with_attachments(*sizes: int) -> bytes:
    message = EmailMessage()
    message["From"] = "Zoe <zoe@customer.example>"
    message["To"] = SUPPORT
    message["Subject"] = "Files"
    message["Message-ID"] = "<files-1@customer.example>"
    message.set_content("Files attached.")
    for i, size in enumerate(sizes):
        message.add_attachment(
            b"x" * size, maintype="application", subtype="octet-stream", filename=f"f{i}.bin"
        )
    return message.as_bytes()


def test_it_drops_oversized_attachments_with_a_note_and_keeps_the_email(receive: Receive) -> None:
    mb = 1024 * 1024
    inbound = receive(_with_attachments(6 * mb, 4 * mb, 4 * mb, 1 * mb))
    assert inbound.status == InboundEmail.Status.PROCESSED
    message = inbound.message
    assert message is not None
    assert sorted(a.filename for a in message.attachments.all()) == ["f1.bin", "f2.bin", "f3.bin"]
    assert "“f0.bin” (6.0 MB) was not kept: attachments can be at most 5 MB." in message.body_html
    assert sum(a.size for a in message.attachments.all()) <= 9.5 * mb


def test_it_drops_attachments_past_the_total(receive: Receive) -> None:
    mb = 1024 * 1024
    message = receive(_with_attachments(4 * mb, 4 * mb, 4 * mb)).message
    assert message is not None
    assert message.attachments.count() == 2
    assert "add up to at most 9.5 MB" in message.body_html


def test_html_mail_is_sanitised_with_remote_images_held_and_the_quote_folded(receive: Receive) -> None:
    message = receive(eml("alternative.eml")).message
    assert message is not None
    assert "<script" not in message.body_html and "onload" not in message.body_html
    assert 'data-remote-src="https://tracker.example/pixel.gif?u=bob"' in message.body_html
    assert "<summary>Show quoted text</summary>" in message.body_html
    assert message.body_text.startswith("Hi, the plain text version.")


# --- threading -----------------------------------------------------------------------------


def _outbound(conversation: Conversation, message_id: str) -> Message:
    return MessageFactory(conversation=conversation, outbound=True, external_id=message_id)


def _jane_conversation(**kwargs: Any) -> Conversation:
    customer = CustomerFactory(emails=None)
    customer.emails.create(email="jane.doe@customer.example", is_primary=True)
    return ConversationFactory(customer=customer, **kwargs)


def test_a_reply_joins_its_conversation_by_in_reply_to(receive: Receive) -> None:
    conversation = _jane_conversation()
    _outbound(conversation, "<outbound-abc123@acme.example>")
    message = receive(eml("quoted_plain.eml")).message
    assert message is not None and message.conversation == conversation
    assert Conversation.objects.count() == 1


def test_a_reply_joins_by_references(receive: Receive) -> None:
    conversation = _jane_conversation()
    our_id = new_message_id("acme.example")
    _outbound(conversation, our_id)
    raw = build(message_id="<r-2@customer.example>", references=f"<unknown@x.example> {our_id}")
    message = receive(raw).message
    assert message is not None and message.conversation == conversation


def test_a_reply_joins_by_a_reply_address_token(receive: Receive, channel: EmailChannel) -> None:
    conversation = _jane_conversation()
    address = reply_address(channel, conversation)
    assert address.startswith("support+") and address.endswith("@acme.example")
    message = receive(build(to=address, message_id="<r-3@customer.example>")).message
    assert message is not None and message.conversation == conversation


def test_it_never_threads_by_subject_alone(receive: Receive) -> None:
    conversation = _jane_conversation(name="Where is my order?")
    MessageFactory(conversation=conversation, subject="Where is my order?")
    message = receive(build(subject="Re: Where is my order?")).message
    assert message is not None and message.conversation != conversation


def test_a_forged_in_reply_to_from_a_stranger_opens_their_own_conversation(receive: Receive) -> None:
    conversation = _jane_conversation()
    _outbound(conversation, "<outbound-abc123@acme.example>")
    raw = build(sender="Mallory <mallory@evil.example>", in_reply_to="<outbound-abc123@acme.example>")
    message = receive(raw).message
    assert message is not None
    assert message.conversation != conversation
    assert message.customer.primary_email == "mallory@evil.example"
    assert conversation.messages.filter(direction=Message.Direction.IN).count() == 0


def test_a_stolen_reply_token_does_not_let_a_stranger_in(receive: Receive, channel: EmailChannel) -> None:
    conversation = _jane_conversation()
    raw = build(sender="mallory@evil.example", to=reply_address(channel, conversation))
    message = receive(raw).message
    assert message is not None and message.conversation != conversation


def test_a_customer_reply_reopens_a_done_conversation(receive: Receive) -> None:
    conversation = _jane_conversation(status=Status.DONE)
    _outbound(conversation, "<outbound-abc123@acme.example>")
    receive(eml("quoted_plain.eml"))
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN


def test_a_customer_reply_wakes_a_conversation_snoozed_until_they_reply(receive: Receive) -> None:
    conversation = _jane_conversation(status=Status.SNOOZED, snooze_until_customer_replies=True)
    _outbound(conversation, "<outbound-abc123@acme.example>")
    receive(eml("quoted_plain.eml"))
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN


# --- idempotency ---------------------------------------------------------------------------


def test_the_same_message_twice_makes_one_message(receive: Receive) -> None:
    first = receive(eml("plain.eml"))
    second = receive(eml("plain.eml"))
    assert first.status == InboundEmail.Status.PROCESSED
    assert second.status == InboundEmail.Status.IGNORED
    assert second.failure_reason.startswith("Duplicate")
    assert second.message == first.message
    assert Message.objects.count() == 1


def test_processing_twice_is_a_no_op(receive: Receive) -> None:
    inbound = receive(eml("plain.eml"))
    again = services.inbound_process(inbound_email_id=inbound.pk)
    assert (again.status, again.attempts) == (InboundEmail.Status.PROCESSED, 1)
    assert Message.objects.count() == 1


def test_a_message_without_message_id_is_keyed_by_its_content(receive: Receive) -> None:
    first = receive(eml("no_message_id.eml"))
    assert first.dedup_key.startswith("sha256:")
    assert first.message is not None and first.message.external_id == first.dedup_key
    assert receive(eml("no_message_id.eml")).status == InboundEmail.Status.IGNORED
    assert Message.objects.count() == 1


def test_the_same_message_to_two_addresses_is_filed_once(receive: Receive) -> None:
    other = services.email_channel_create(actor=None, address="sales@acme.example")[0]
    receive(eml("plain.eml"))
    assert receive(eml("plain.eml"), to=other).status == InboundEmail.Status.IGNORED
    assert Message.objects.count() == 1


# --- loops and bounces ---------------------------------------------------------------------


def test_an_auto_reply_is_threaded_and_flagged(receive: Receive) -> None:
    inbound = receive(eml("auto_reply.eml"))
    assert inbound.status == InboundEmail.Status.PROCESSED
    assert inbound.is_auto_generated
    assert inbound.auto_reason == "Auto-Submitted: auto-replied"
    assert inbound.message is not None


@override_settings()
def test_a_loop_of_auto_replies_is_set_aside(receive: Receive, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("messaging.conf.AUTO_LOOP_LIMIT", 3)
    results = [
        receive(build(message_id=f"<ooo-{i}@customer.example>", headers={"Auto-Submitted": "auto-replied"}))
        for i in range(5)
    ]
    assert [r.status for r in results] == ["processed"] * 3 + ["ignored"] * 2
    assert "Auto-reply loop" in results[-1].failure_reason
    assert Message.objects.count() == 3


def test_a_bounce_marks_our_message_failed_instead_of_opening_a_conversation(receive: Receive) -> None:
    conversation = _jane_conversation()
    sent = _outbound(conversation, "<outbound-abc123@acme.example>")
    inbound = receive(eml("dsn.eml"))
    assert inbound.status == InboundEmail.Status.PROCESSED
    sent.refresh_from_db()
    assert sent.delivery_status == Message.DeliveryStatus.FAILED
    assert "5.1.1" in sent.failure_reason and "User unknown" in sent.failure_reason
    assert inbound.message == sent
    assert Conversation.objects.count() == 1
    event = conversation.events.get(kind=ConversationEvent.Kind.MESSAGE, data__delivery_status="failed")
    assert event.data["message_id"] == sent.pk and "User unknown" in event.data["reason"]
    assert not Customer.objects.filter(emails__email__iexact="mailer-daemon@mx.customer.example").exists()


def test_a_bounce_delivered_twice_is_applied_once(receive: Receive) -> None:
    _outbound(_jane_conversation(), "<outbound-abc123@acme.example>")
    assert receive(eml("dsn.eml")).status == InboundEmail.Status.PROCESSED
    second = receive(eml("dsn.eml"))
    assert second.status == InboundEmail.Status.IGNORED
    assert second.failure_reason.startswith("Duplicate")


def test_a_bounce_for_mail_we_did_not_send_is_ignored(receive: Receive) -> None:
    inbound = receive(eml("dsn.eml"))
    assert inbound.status == InboundEmail.Status.IGNORED
    assert inbound.failure_reason.startswith("Bounce for a message we did not send")
    assert Conversation.objects.count() == 0


# --- bad input -----------------------------------------------------------------------------


def test_a_message_without_from_is_kept_as_failed(receive: Receive) -> None:
    inbound = receive(eml("no_from.eml"))
    assert inbound.status == InboundEmail.Status.FAILED
    assert (
        inbound.failure_reason == "The message has no From address, so there is no customer to file it under."
    )
    assert Conversation.objects.count() == 0


def test_a_30_mb_message_is_kept_but_not_processed(receive: Receive) -> None:
    raw = build(body="x" * (30 * 1024 * 1024))
    inbound = receive(raw)
    assert inbound.status == InboundEmail.Status.FAILED
    assert "more than the 25.0 MB that can be processed" in inbound.failure_reason
    assert inbound.size == len(raw)
    assert Message.objects.count() == 0


@pytest.mark.parametrize(
    "name", ["malformed_mime.eml", "nested_deep.eml", "unknown_charset.eml", "latin1_undeclared.eml"]
)
def test_bad_mime_is_processed_safely(receive: Receive, name: str) -> None:
    inbound = receive(eml(name))
    assert inbound.status == InboundEmail.Status.PROCESSED, inbound.failure_reason
    assert inbound.message is not None


def test_an_invalid_from_address_fails_with_a_reason(receive: Receive) -> None:
    inbound = receive(build(sender="Nobody <not an address@@x>"))
    assert inbound.status == InboundEmail.Status.FAILED
    assert Customer.objects.count() == 0


def test_an_unexpected_error_keeps_the_message_as_failed(
    receive: Receive, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(services, "customer_for_sender", broken)
    inbound = receive(eml("plain.eml"))
    assert inbound.status == InboundEmail.Status.FAILED
    assert inbound.failure_reason == "Processing failed: RuntimeError: database hiccup"
    assert Conversation.objects.count() == 0


def test_retry_processes_a_failed_message_after_a_fix(
    channel: EmailChannel, django_capture_on_commit_callbacks: Any
) -> None:
    with override_settings(INBOUND_EMAIL_MAX_BYTES=100):
        inbound = services.inbound_store(
            channel=channel, raw=eml("plain.eml"), source="import", enqueue=False
        )
        inbound = services.inbound_process(inbound_email_id=inbound.pk)
    assert inbound.status == InboundEmail.Status.FAILED
    with django_capture_on_commit_callbacks(execute=True):
        services.inbound_retry(actor=None, inbound=inbound)
    inbound.refresh_from_db()
    assert (inbound.status, inbound.attempts, inbound.failure_reason) == (
        InboundEmail.Status.PROCESSED,
        2,
        "",
    )


def test_attachments_are_linked_to_the_message(receive: Receive) -> None:
    receive(eml("related_inline.eml"))
    assert Attachment.objects.filter(message__isnull=False, uploaded_by=None).count() == 2


def test_pending_mail_left_behind_is_queued_again(
    channel: EmailChannel, django_capture_on_commit_callbacks: Any
) -> None:
    stale = services.inbound_store(channel=channel, raw=eml("plain.eml"), source="smtp", enqueue=False)
    fresh = services.inbound_store(channel=channel, raw=eml("auto_reply.eml"), source="smtp", enqueue=False)
    InboundEmail.objects.filter(pk=stale.pk).update(received_at=timezone.now() - datetime.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.inbound_requeue_stale() == 1
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert (stale.status, fresh.status) == ("processed", "pending")


def test_a_broker_outage_does_not_lose_a_stored_message(
    channel: EmailChannel, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def down(*args: Any) -> None:
        raise ConnectionError("broker down")

    monkeypatch.setattr("messaging.tasks.inbound_process.delay", down)
    with django_capture_on_commit_callbacks(execute=True):
        inbound = services.inbound_store(channel=channel, raw=eml("plain.eml"), source="hook")
    inbound.refresh_from_db()
    assert inbound.status == InboundEmail.Status.PENDING
