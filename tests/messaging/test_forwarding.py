"""Forward Conversation: the To addresses, the transcript (every message with its time, never a
note, newest first unless the template reverses it), the attachments and their limit, the
event, sending once, and a reply to the forward starting a new conversation."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from email import message_from_bytes
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import User
from conversations.models import Attachment, Conversation, ConversationEvent, Message
from conversations.services.conversations import conversation_create
from conversations.services.messages import message_receive
from conversations.services.notes import note_create
from customers.services import customer_create
from messaging import email_templates
from messaging.forwarding import conversation_forward, forward_send, parse_recipients
from messaging.models import InboundEmail
from messaging.models_forward import ConversationForward
from messaging.outbound_mail import PermanentSendError, TransientSendError
from tests.messaging.conftest import build
from tests.messaging.outbound_helpers import ACME, make_brand

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User], Client]
HTMX = {"HX-Request": "true"}
T0 = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def conversation(admin_user: User) -> Conversation:
    make_brand()
    customer = customer_create(actor=admin_user, name="Jane Doe", emails=[("jane@customer.example", "home")])
    conversation = conversation_create(
        actor=admin_user, customer=customer, name="Broken lamp", channel="email"
    )
    first = message_receive(
        conversation=conversation, channel="email", body_text="The lamp is broken.", received_at=T0
    )
    Attachment.objects.create(
        message=first, file=SimpleUploadedFile("lamp.jpg", b"jpeg"), filename="lamp.jpg", size=4
    )
    message_receive(
        conversation=conversation,
        channel="email",
        body_text="Any news?",
        received_at=T0 + datetime.timedelta(hours=1),
    )
    note_create(actor=admin_user, conversation=conversation, body_html="<p>Internal: supplier fault</p>")
    return conversation


def forward(admin_user: User, conversation: Conversation, **kwargs: Any) -> ConversationForward:
    kwargs.setdefault("from_address", ACME)
    kwargs.setdefault("to", "supplier@vendor.example, qa@vendor.example")
    return conversation_forward(actor=admin_user, conversation=conversation, **kwargs)


def sent_email() -> Any:
    assert len(mail.outbox) == 1
    return message_from_bytes(mail.outbox[0].message().as_bytes())


def html_of(email: Any) -> str:
    return (
        next(p for p in email.walk() if p.get_content_type() == "text/html").get_payload(decode=True).decode()
    )


class TestRecipients:
    def test_several_addresses_each_checked(self) -> None:
        assert parse_recipients("a@x.example, B <b@y.example>; a@X.example") == ["a@x.example", "b@y.example"]
        with pytest.raises(ValidationError, match="“not-an-address” is not an email address."):
            parse_recipients("a@x.example, not-an-address")
        with pytest.raises(ValidationError, match="at least one address"):
            parse_recipients(" , ")
        with pytest.raises(ValidationError, match="at most 20"):
            parse_recipients(",".join(f"u{n}@x.example" for n in range(21)))


class TestForward:
    def test_the_transcript_newest_first_without_notes_and_the_event(
        self, admin_user: User, conversation: Conversation
    ) -> None:
        done = forward(admin_user, conversation, intro="Please check this lamp.")
        event = ConversationEvent.objects.get(conversation=conversation, kind="forwarded")
        assert event.actor == admin_user
        assert event.data["to"] == ["supplier@vendor.example", "qa@vendor.example"]
        assert event.data["intro"] == "Please check this lamp."
        forward_send(forward_id=done.pk)
        email = sent_email()
        assert email["Subject"] == "Fwd: Broken lamp"
        assert email["Message-ID"] == done.message_id_header
        html = html_of(email)
        assert (
            html.index("Please check this lamp.")
            < html.index("Any news?")
            < html.index("The lamp is broken.")
        )
        assert "supplier fault" not in html and "supplier fault" not in str(email)
        assert "Sun, 1 Mar 2026" in html
        done.refresh_from_db()
        assert done.state == "sent" and done.sent_at is not None

    def test_a_forwarding_template_can_list_the_oldest_first(
        self, admin_user: User, conversation: Conversation
    ) -> None:
        template = email_templates.email_template_create(
            actor=None,
            name="Oldest first",
            html="<main>{{message}}</main>",
            purpose="forward",
            oldest_first=True,
        )
        forward_send(forward_id=forward(admin_user, conversation, template=template).pk)
        html = html_of(sent_email())
        assert html.startswith("<main>") and html.index("The lamp is broken.") < html.index("Any news?")

    def test_only_files_exchanged_with_the_customer_within_9_5_mb(
        self, admin_user: User, conversation: Conversation
    ) -> None:
        photo = Attachment.objects.get(filename="lamp.jpg")
        note = note_create(actor=admin_user, conversation=conversation, body_html="<p>file</p>")
        note_file = Attachment.objects.create(
            note=note, file=SimpleUploadedFile("internal.pdf", b"x"), filename="internal.pdf", size=1
        )
        with pytest.raises(ValidationError, match="never a note"):
            forward(admin_user, conversation, attachments=[note_file])
        Attachment.objects.filter(pk=photo.pk).update(size=10 * 1024 * 1024)
        photo.refresh_from_db()
        with pytest.raises(ValidationError, match="more than 9.5 MB"):
            forward(admin_user, conversation, attachments=[photo])
        assert not ConversationForward.objects.exists()
        Attachment.objects.filter(pk=photo.pk).update(size=4)
        photo.refresh_from_db()
        forward_send(forward_id=forward(admin_user, conversation, attachments=[photo]).pk)
        assert [a[0] for a in mail.outbox[0].attachments] == ["lamp.jpg"]

    def test_a_from_address_not_ours_is_refused(self, admin_user: User, conversation: Conversation) -> None:
        with pytest.raises(ValidationError) as excinfo:
            forward(admin_user, conversation, from_address="ceo@elsewhere.example")
        assert excinfo.value.message_dict["from_address"] == ["Choose one of your organisation's addresses."]

    def test_it_is_sent_once(self, admin_user: User, conversation: Conversation) -> None:
        done = forward(admin_user, conversation)
        forward_send(forward_id=done.pk)
        assert forward_send(forward_id=done.pk) is None
        assert len(mail.outbox) == 1

    def test_transient_and_permanent_failures(self, admin_user: User, conversation: Conversation) -> None:
        done = forward(admin_user, conversation)
        transient = mock.patch("messaging.forwarding.deliver", side_effect=TransientSendError("try later"))
        with transient, pytest.raises(TransientSendError):
            forward_send(forward_id=done.pk)
        done.refresh_from_db()
        assert done.state == "queued"  # the task retries with backoff
        with mock.patch("messaging.forwarding.deliver", side_effect=PermanentSendError("550 no such user")):
            forward_send(forward_id=done.pk)
        done.refresh_from_db()
        assert (done.state, done.failure_reason) == ("failed", "550 no such user")

    def test_a_reply_to_the_forward_starts_a_new_conversation(
        self, admin_user: User, conversation: Conversation, receive: Callable[..., InboundEmail]
    ) -> None:
        done = forward(admin_user, conversation)
        forward_send(forward_id=done.pk)
        inbound = receive(
            build(
                sender="Supplier <supplier@vendor.example>",
                subject="Re: Fwd: Broken lamp",
                in_reply_to=done.message_id_header,
                references=done.message_id_header,
                message_id="<reply-1@vendor.example>",
            )
        )
        assert inbound.message is not None
        assert inbound.message.conversation_id != conversation.pk
        assert Message.objects.filter(conversation=conversation).count() == 2


class TestWindow:
    def test_the_window_and_forwarding(
        self, admin_user: User, conversation: Conversation, client_for: ClientFor
    ) -> None:
        client = client_for(admin_user)
        url = reverse("messaging:forward", args=[conversation.pk])
        window = client.get(url, headers=HTMX).content.decode()
        assert "Introductory message" in window and "lamp.jpg" in window and "Internal" not in window
        bad = client.post(url, {"from_address": ACME, "to": "nope", "intro": "Keep me"}, headers=HTMX)
        content = bad.content.decode()
        assert "“nope” is not an email address." in content and "Keep me" in content
        photo = Attachment.objects.get(filename="lamp.jpg")
        response = client.post(
            url,
            {"from_address": ACME, "to": "qa@vendor.example", "intro": "FYI", "attachments": [photo.pk]},
            headers=HTMX,
        )
        assert response["HX-Redirect"] == conversation.get_absolute_url()
        assert ConversationForward.objects.get().attachment_ids == [photo.pk]

    def test_outsiders_get_404(
        self, outsider: User, conversation: Conversation, client_for: ClientFor
    ) -> None:
        assert (
            client_for(outsider).get(reverse("messaging:forward", args=[conversation.pk])).status_code == 404
        )

    def test_without_send_permission_it_says_so(
        self, collaborator: User, admin_user: User, conversation: Conversation, client_for: ClientFor
    ) -> None:
        from conversations.services.conversations import conversation_assign

        conversation_assign(actor=admin_user, conversation=conversation, users=[collaborator])
        response = client_for(collaborator).post(
            reverse("messaging:forward", args=[conversation.pk]),
            {"from_address": ACME, "to": "qa@vendor.example"},
        )
        assert "Send messages" in response.content.decode()
        assert not ConversationForward.objects.exists()
