"""The reply editor's From, and Retry on a failed outbound email in the feed."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import User
from conversations.models import Message
from conversations.reply_options import sender_choices
from messaging import services_outbound
from messaging.models_outbound import OutboundDelivery
from tests.conversations.factories import ConversationFactory, MessageFactory
from tests.messaging.outbound_helpers import ACME, make_brand, make_thread, queued

pytestmark = pytest.mark.django_db

ClientFor = Callable[[User], Client]
HTMX = {"HTTP_HX_REQUEST": "true"}


def _reply_url(conversation: Any) -> str:
    return reverse("conversations:reply", args=[conversation.pk])


def _retry_url(message: Message) -> str:
    return reverse("messaging:message_retry", args=[message.pk])


def _failed(**kwargs: Any) -> Message:
    kwargs.setdefault("external_id", "<first-try@acme.example>")
    message = queued(make_thread(), **kwargs)
    message.delivery_status = Message.DeliveryStatus.FAILED
    message.failure_reason = "The mail server answered 554 rejected"
    message.save()
    OutboundDelivery.objects.create(message=message, state="failed", attempts=1)
    return message


class TestFromChoices:
    def test_without_brands_the_default_from_email_is_the_only_choice(self, settings: Any) -> None:
        settings.DEFAULT_FROM_EMAIL = "Support <support@example.com>"
        assert sender_choices() == [("support@example.com", "Support <support@example.com>")]

    def test_the_default_brands_default_address_comes_first(self) -> None:
        other = services_outbound.brand_create(actor=None, name="Beta")
        services_outbound.sender_address_create(actor=None, brand=other, email="hi@beta.example")
        make_brand()
        default = services_outbound.brand_create(actor=None, name="Zed", is_default=True)
        services_outbound.sender_address_create(actor=None, brand=default, email="b@zed.example")
        services_outbound.sender_address_create(
            actor=None, brand=default, email="a@zed.example", display_name="Zed Help", is_default=True
        )
        assert [value for value, _ in sender_choices()] == [
            "a@zed.example",
            "b@zed.example",
            ACME,
            "hi@beta.example",
        ]
        assert sender_choices()[0][1] == "Zed Help <a@zed.example>"


class TestReplyEditor:
    def test_it_shows_the_from_select_for_email(self, client_for: ClientFor, agent: User) -> None:
        make_brand()
        conversation = ConversationFactory()
        html = client_for(agent).get(conversation.get_absolute_url()).content.decode()
        editor = html[html.index('id="reply-editor"') :]
        assert 'class="reply-from" data-channels="email"' in editor
        assert '<select name="from_address"' in editor
        assert "Acme Support &lt;support@acme.example&gt;" in editor

    def test_it_sends_from_the_chosen_address(self, client_for: ClientFor, agent: User) -> None:
        make_brand()
        brand = services_outbound.brand_create(actor=None, name="Beta")
        services_outbound.sender_address_create(actor=None, brand=brand, email="hi@beta.example")
        conversation = ConversationFactory()
        response = client_for(agent).post(
            _reply_url(conversation),
            {"channel": "email", "body": "Hello", "from_address": "hi@beta.example"},
            **HTMX,
        )
        assert response.status_code == 200
        assert conversation.messages.get().from_address == "hi@beta.example"

    def test_it_uses_the_default_address_when_none_is_chosen(
        self, client_for: ClientFor, agent: User
    ) -> None:
        make_brand()
        conversation = ConversationFactory()
        client_for(agent).post(_reply_url(conversation), {"channel": "email", "body": "Hello"}, **HTMX)
        assert conversation.messages.get().from_address == ACME

    def test_it_refuses_an_address_that_is_not_ours(self, client_for: ClientFor, agent: User) -> None:
        make_brand()
        conversation = ConversationFactory()
        response = client_for(agent).post(
            _reply_url(conversation),
            {"channel": "email", "body": "My typed reply", "from_address": "ceo@evil.example"},
            **HTMX,
        )
        html = response.content.decode()
        assert "Select a valid choice." in html
        assert "My typed reply" in html
        assert not conversation.messages.exists()

    def test_a_note_has_no_from(self, client_for: ClientFor, agent: User) -> None:
        make_brand()
        conversation = ConversationFactory()
        client_for(agent).post(
            _reply_url(conversation), {"channel": "chat", "body": "Hi", "from_address": ACME}
        )
        assert conversation.messages.get().from_address == ""


class TestRetry:
    def test_the_feed_shows_the_reason_and_a_retry_button(self, client_for: ClientFor, agent: User) -> None:
        message = _failed()
        html = client_for(agent).get(message.conversation.get_absolute_url()).content.decode()
        article = html[html.index(f'id="message-{message.pk}"') :]
        article = article[: article.index("</article>")]
        assert "Failed: The mail server answered 554 rejected" in article
        assert f'action="{_retry_url(message)}"' in article

    def test_a_sent_message_has_no_retry_button(self, client_for: ClientFor, agent: User) -> None:
        message = queued(make_thread(), delivery_status=Message.DeliveryStatus.SENT)
        html = client_for(agent).get(message.conversation.get_absolute_url()).content.decode()
        assert _retry_url(message) not in html

    def test_it_sends_the_failed_email_again(
        self, client_for: ClientFor, agent: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        message = _failed()
        external_id = message.external_id
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(agent).post(_retry_url(message))
        assert response.status_code == 302
        message.refresh_from_db()
        assert (message.delivery_status, message.failure_reason) == (Message.DeliveryStatus.SENT, "")
        assert len(mail.outbox) == 1
        assert message.external_id == external_id  # the same Message-ID: one message, wherever it arrived

    def test_it_answers_htmx_with_the_message_and_an_event(
        self, client_for: ClientFor, agent: User, django_capture_on_commit_callbacks: Any
    ) -> None:
        message = _failed()
        with django_capture_on_commit_callbacks(execute=False):
            response = client_for(agent).post(_retry_url(message), **HTMX)
        html = response.content.decode()
        assert html.lstrip().startswith(
            f'<article class="feed-item message message-out" id="message-{message.pk}"'
        )
        assert "<html" not in html
        assert "Queued" in html
        assert json.loads(response["HX-Trigger"]) == {"messageQueued": {"id": message.conversation_id}}

    def test_it_refuses_a_message_that_did_not_fail(self, client_for: ClientFor, agent: User) -> None:
        message = queued(make_thread(), delivery_status=Message.DeliveryStatus.SENT)
        response = client_for(agent).post(_retry_url(message), **HTMX)
        assert "Only a failed email can be sent again." in response.content.decode()
        message.refresh_from_db()
        assert message.delivery_status == Message.DeliveryStatus.SENT

    def test_it_refuses_while_the_email_is_being_sent(self, client_for: ClientFor, agent: User) -> None:
        message = _failed()
        OutboundDelivery.objects.filter(message=message).update(state="sending")
        response = client_for(agent).post(_retry_url(message), **HTMX)
        assert "This email is being sent right now." in response.content.decode()

    def test_it_is_404_for_an_outsider(self, client_for: ClientFor, outsider: User) -> None:
        message = _failed()
        assert client_for(outsider).post(_retry_url(message)).status_code == 404
        message.refresh_from_db()
        assert message.delivery_status == Message.DeliveryStatus.FAILED

    def test_it_is_404_for_a_missing_message(self, client_for: ClientFor, agent: User) -> None:
        assert client_for(agent).post(reverse("messaging:message_retry", args=[999999])).status_code == 404

    def test_it_needs_the_send_messages_permission(self, client_for: ClientFor, manager: User) -> None:
        message = _failed()
        manager.permission_sets.clear()
        from tests.factories import PermissionSetFactory

        viewer = PermissionSetFactory(capabilities=["view_all_conversations", "update_customers"])
        manager.permission_sets.add(viewer)
        response = client_for(manager).post(_retry_url(message))
        assert response.status_code == 403

    def test_it_only_answers_post(self, client_for: ClientFor, agent: User) -> None:
        message = _failed()
        assert client_for(agent).get(_retry_url(message)).status_code == 405

    def test_an_inbound_message_cannot_be_retried(self, client_for: ClientFor, agent: User) -> None:
        message = MessageFactory(delivery_status=Message.DeliveryStatus.FAILED)
        response = client_for(agent).post(_retry_url(message), **HTMX)
        assert "Only a failed email can be sent again." in response.content.decode()
