"""Messages: outbound replies (queued, sanitised, attachment limits, the on-commit signal) and
inbound ones (reopening Done, waking snoozed-until-reply)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from accounts.models import User
from conversations.models import (
    Attachment,
    Channel,
    Conversation,
    ConversationEvent,
    Message,
    Status,
)
from conversations.services import conversations as conversation_services
from conversations.services.messages import message_receive, message_send
from conversations.signals import message_queued
from customers.models import Customer
from tests.conversations.factories import ConversationFactory, CustomerFactory, SubStatusFactory

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
NOW = datetime.datetime(2025, 3, 10, 12, 0, tzinfo=datetime.UTC)


def _file(name: str, size: int, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"x" * size, content_type=content_type)


def _send(agent: User, conversation: Conversation, **kwargs: Any) -> Message:
    kwargs.setdefault("channel", Channel.EMAIL)
    kwargs.setdefault("body_html", "<p>Your refund is on its way.</p>")
    return message_send(actor=agent, conversation=conversation, **kwargs)


def _reload(conversation: Conversation) -> Conversation:
    return Conversation.objects.get(pk=conversation.pk)


class TestSend:
    def test_it_stores_an_outbound_reply_as_queued(self, agent: User) -> None:
        conversation = ConversationFactory()
        message = _send(agent, conversation, subject="Re: Refund")
        message.refresh_from_db()
        assert (message.direction, message.delivery_status, message.author) == (
            Message.Direction.OUT,
            Message.DeliveryStatus.QUEUED,
            agent,
        )
        assert message.subject == "Re: Refund"

    def test_it_sends_to_the_customers_primary_email_by_default(self, agent: User) -> None:
        conversation = ConversationFactory(customer=CustomerFactory(emails__email="jane@northwind.example"))
        message = _send(agent, conversation)
        assert Message.objects.get(pk=message.pk).to == ["jane@northwind.example"]

    def test_it_keeps_a_plain_text_copy(self, agent: User) -> None:
        message = _send(
            agent, ConversationFactory(), body_html="<p>Hello <strong>Jane</strong></p><p>Bye</p>"
        )
        assert Message.objects.get(pk=message.pk).body_text == "Hello Jane\nBye"

    def test_it_never_keeps_a_script(self, agent: User) -> None:
        message = _send(agent, ConversationFactory(), body_html="<p>Hi</p><script>alert('x')</script>")
        stored = Message.objects.get(pk=message.pk)
        assert "<script" not in stored.body_html
        assert "alert" not in stored.body_html
        assert stored.body_html == "<p>Hi</p>"

    def test_it_strips_event_handler_attributes(self, agent: User) -> None:
        message = _send(
            agent,
            ConversationFactory(),
            body_html='<p onclick="steal()">Hi</p><img src="x" onerror="steal()">'
            '<a href="javascript:steal()">x</a>',
        )
        stored = Message.objects.get(pk=message.pk).body_html
        assert "onerror" not in stored
        assert "onclick" not in stored
        assert "javascript:" not in stored

    def test_it_refuses_an_empty_message(self, agent: User) -> None:
        conversation = ConversationFactory()
        with pytest.raises(ValidationError, match="Write a message before sending."):
            _send(agent, conversation, body_html="<p> </p><script>x</script>")
        assert not Message.objects.exists()

    def test_it_accepts_a_file_of_exactly_5_mb(self, agent: User) -> None:
        message = _send(agent, ConversationFactory(), attachments=[_file("exact.pdf", 5 * MB)])
        assert message.attachments.get().size == 5 * MB

    def test_it_refuses_a_file_over_5_mb(self, agent: User) -> None:
        conversation = ConversationFactory()
        with pytest.raises(ValidationError) as caught:
            _send(agent, conversation, attachments=[_file("big.pdf", 5 * MB + 1)])
        assert caught.value.message_dict == {
            "attachments": ["“big.pdf” is larger than 5 MB, the most a file can be."]
        }
        assert not Message.objects.exists()
        assert not Attachment.objects.exists()

    def test_it_refuses_more_than_9_5_mb_in_all(self, agent: User) -> None:
        conversation = ConversationFactory()
        files = [_file("a.pdf", 4 * MB), _file("b.pdf", 4 * MB), _file("c.pdf", 2 * MB)]
        with pytest.raises(ValidationError) as caught:
            _send(agent, conversation, attachments=files)
        assert caught.value.message_dict == {
            "attachments": ["The attachments add up to more than 9.5 MB, the most a message can carry."]
        }
        assert not Message.objects.exists()

    def test_it_accepts_9_5_mb_in_all(self, agent: User) -> None:
        files = [_file("a.pdf", 5 * MB), _file("b.pdf", int(4.5 * MB))]
        message = _send(agent, ConversationFactory(), attachments=files)
        assert message.attachments.count() == 2

    def test_it_saves_the_attachments_with_their_names(self, agent: User) -> None:
        message = _send(agent, ConversationFactory(), attachments=[_file("receipt.pdf", 10)])
        attachment = Attachment.objects.get(message=message)
        assert (attachment.filename, attachment.size, attachment.content_type, attachment.uploaded_by) == (
            "receipt.pdf",
            10,
            "application/pdf",
            agent,
        )
        assert "receipt" not in attachment.file.name

    def test_it_refuses_email_to_a_customer_without_an_address(self, agent: User) -> None:
        conversation = ConversationFactory(customer=CustomerFactory(emails=None))
        with pytest.raises(ValidationError) as caught:
            _send(agent, conversation)
        assert caught.value.message_dict == {
            "to": ["This customer has no email address: add one to their profile first."]
        }
        assert not Message.objects.exists()

    def test_it_sends_sms_without_an_email_address(self, agent: User) -> None:
        conversation = ConversationFactory(customer=CustomerFactory(emails=None))
        message = _send(agent, conversation, channel=Channel.SMS, body_html="Your parcel ships today.")
        assert message.channel == Channel.SMS

    def test_it_refuses_attachments_on_sms(self, agent: User) -> None:
        conversation = ConversationFactory()
        with pytest.raises(ValidationError, match="SMS messages cannot carry attachments"):
            _send(agent, conversation, channel=Channel.SMS, attachments=[_file("a.pdf", 10)])
        assert not Message.objects.exists()

    @pytest.mark.parametrize("channel", [Channel.NOTE, Channel.VOICE, "fax"])
    def test_it_refuses_a_channel_it_cannot_send_on(self, agent: User, channel: str) -> None:
        with pytest.raises(ValidationError, match="Choose Email, SMS or Chat."):
            _send(agent, ConversationFactory(), channel=channel)
        assert not Message.objects.exists()

    def test_it_needs_the_send_messages_permission(self, collaborator: User) -> None:
        with pytest.raises(PermissionDenied):
            _send(collaborator, ConversationFactory())
        assert not Message.objects.exists()

    def test_it_counts_the_message_and_shows_it_as_the_preview(self, agent: User) -> None:
        conversation = ConversationFactory(message_count=2)
        _send(agent, conversation, body_html="<p>Refund issued</p>")
        conversation = _reload(conversation)
        assert (conversation.message_count, conversation.preview) == (3, "Refund issued")

    def test_it_bumps_the_activity_and_outbound_times(self, agent: User) -> None:
        conversation = ConversationFactory(
            customer=CustomerFactory(), created_at=NOW - datetime.timedelta(days=1), channels=[]
        )
        with time_machine.travel(NOW, tick=False):
            _send(agent, conversation)
        conversation = _reload(conversation)
        assert conversation.last_activity_at == NOW
        assert (conversation.first_message_out_at, conversation.last_message_out_at) == (NOW, NOW)
        assert conversation.channels == [Channel.EMAIL]
        assert Customer.objects.get(pk=conversation.customer_id).last_activity_at == NOW

    def test_it_records_a_message_event(self, agent: User) -> None:
        conversation = ConversationFactory()
        message = _send(agent, conversation)
        event = ConversationEvent.objects.get(conversation=conversation, kind=ConversationEvent.Kind.MESSAGE)
        assert event.actor == agent
        assert event.data == {"message_id": message.pk, "direction": "out", "channel": "email"}

    def test_it_announces_the_queued_message_only_after_commit(
        self, agent: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        received: list[dict[str, Any]] = []

        def receiver(sender: object, **kwargs: Any) -> None:
            received.append(kwargs)

        message_queued.connect(receiver, weak=False)
        try:
            with django_capture_on_commit_callbacks(execute=True):
                message = _send(agent, ConversationFactory(), channel=Channel.CHAT)
                assert received == []
        finally:
            message_queued.disconnect(receiver)
        assert [(r["message_id"], r["channel"]) for r in received] == [(message.pk, Channel.CHAT)]

    def test_it_announces_nothing_when_the_send_is_refused(
        self, agent: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        received: list[dict[str, Any]] = []

        def receiver(sender: object, **kwargs: Any) -> None:
            received.append(kwargs)

        message_queued.connect(receiver, weak=False)
        try:
            with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
                _send(agent, ConversationFactory(customer=CustomerFactory(emails=None)))
        finally:
            message_queued.disconnect(receiver)
        assert received == []


class TestReceive:
    def test_it_stores_an_inbound_message_as_received(self) -> None:
        conversation = ConversationFactory()
        message = message_receive(
            conversation=conversation,
            channel=Channel.EMAIL,
            body_text="Where is my order?",
            from_address="jane@northwind.example",
            external_id="<abc@mail.example>",
        )
        message.refresh_from_db()
        assert (message.direction, message.delivery_status, message.customer) == (
            Message.Direction.IN,
            Message.DeliveryStatus.RECEIVED,
            conversation.customer,
        )

    def test_it_sanitises_inbound_html(self) -> None:
        message = message_receive(
            conversation=ConversationFactory(),
            channel=Channel.EMAIL,
            body_html='<p>Hi</p><script>steal()</script><img src="cid:logo" onerror="steal()">',
        )
        stored = Message.objects.get(pk=message.pk)
        assert "<script" not in stored.body_html
        assert "onerror" not in stored.body_html
        assert stored.body_text == "Hi"

    def test_it_reopens_a_done_conversation(self) -> None:
        conversation = ConversationFactory(status=Status.DONE)
        message_receive(conversation=conversation, channel=Channel.EMAIL, body_text="It broke again.")
        assert _reload(conversation).status == Status.OPEN

    def test_it_records_the_reopening_without_an_actor(self) -> None:
        conversation = ConversationFactory(status=Status.DONE)
        message_receive(conversation=conversation, channel=Channel.EMAIL, body_text="It broke again.")
        event = ConversationEvent.objects.get(conversation=conversation, kind=ConversationEvent.Kind.STATUS)
        assert event.actor is None
        assert (event.data["before"]["status"], event.data["after"]["status"]) == ("done", "open")

    def test_it_wakes_a_conversation_snoozed_until_the_customer_replies(self, agent: User) -> None:
        conversation = ConversationFactory()
        waiting = SubStatusFactory(status=Status.SNOOZED, name="Waiting")
        conversation_services.conversation_snooze(
            actor=agent, conversation=conversation, until_customer_replies=True, sub_status=waiting
        )
        message_receive(conversation=conversation, channel=Channel.EMAIL, body_text="Here is the photo.")
        conversation = _reload(conversation)
        assert (conversation.status, conversation.sub_status) == (Status.OPEN, None)
        assert conversation.snooze_until_customer_replies is False

    def test_it_leaves_a_conversation_snoozed_until_a_time(self, agent: User) -> None:
        conversation = ConversationFactory()
        conversation_services.conversation_snooze(
            actor=agent,
            conversation=conversation,
            until=datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=2),
        )
        message_receive(conversation=conversation, channel=Channel.EMAIL, body_text="Thanks!")
        assert _reload(conversation).status == Status.SNOOZED

    def test_it_records_the_inbound_times_and_channel(self) -> None:
        conversation = ConversationFactory(channels=[Channel.EMAIL])
        message_receive(conversation=conversation, channel=Channel.SMS, body_text="Hi", received_at=NOW)
        conversation = _reload(conversation)
        assert (conversation.first_message_in_at, conversation.last_message_in_at) == (NOW, NOW)
        assert conversation.channels == [Channel.EMAIL, Channel.SMS]
        assert conversation.message_count == 1

    def test_it_refuses_a_second_message_with_the_same_external_id(self) -> None:
        conversation = ConversationFactory()
        message_receive(conversation=conversation, channel=Channel.EMAIL, body_text="Hi", external_id="<1@x>")
        with pytest.raises(IntegrityError), transaction.atomic():
            message_receive(
                conversation=conversation, channel=Channel.EMAIL, body_text="Hi", external_id="<1@x>"
            )
        assert Message.objects.count() == 1
