"""A merge keeps the email channel's threads: mail to the merged-away conversation's reply
address, or replying to its messages, reaches the result; its forwards move along."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from accounts.models import User
from conversations.models import Conversation
from conversations.services.conversations import conversation_create
from conversations.services.merging import conversation_merge
from conversations.services.messages import message_receive
from customers.services import customer_create
from messaging.ids import reply_address
from messaging.models import EmailChannel, InboundEmail, ReplyToken
from tests.messaging.conftest import build

pytestmark = pytest.mark.django_db


def test_mail_to_a_merged_away_conversation_reaches_the_result(
    admin_user: User, channel: EmailChannel, receive: Callable[..., InboundEmail]
) -> None:
    customer = customer_create(
        actor=admin_user, name="Jane Doe", emails=[("jane.doe@customer.example", "home")]
    )
    source = conversation_create(actor=admin_user, customer=customer, name="Source", channel="email")
    target = conversation_create(actor=admin_user, customer=customer, name="Target", channel="email")
    message_receive(
        conversation=source, channel="email", body_text="first", external_id="<src-1@customer.example>"
    )
    source_address = reply_address(channel, source)
    reply_address(channel, target)
    conversation_merge(actor=admin_user, source=Conversation.objects.get(pk=source.pk), target=target)
    assert ReplyToken.objects.filter(conversation=target).count() == 2

    by_token = receive(build(to=source_address, message_id="<t-1@customer.example>", subject="Hello again"))
    by_reference = receive(
        build(
            message_id="<t-2@customer.example>", in_reply_to="<src-1@customer.example>", subject="Re: Source"
        )
    )
    assert by_token.message is not None and by_token.message.conversation_id == target.pk
    assert by_reference.message is not None and by_reference.message.conversation_id == target.pk


def test_a_merge_keeps_the_forwards_of_the_merged_away_conversation(admin_user: User) -> None:
    from messaging.models_forward import ConversationForward

    customer = customer_create(actor=admin_user, name="Ann")
    source = conversation_create(actor=admin_user, customer=customer, name="Source")
    target = conversation_create(actor=admin_user, customer=customer, name="Target")
    forward = ConversationForward.objects.create(
        conversation=source, forwarded_by=admin_user, from_address="a@x.example", to=["b@y.example"],
        message_id_header="<f@x.example>",
    )  # fmt: skip
    conversation_merge(actor=admin_user, source=source, target=target)
    forward.refresh_from_db()
    assert forward.conversation_id == target.pk
