"""An agent answers an email in a real browser, choosing the From address among the Brands'.

The live server runs Celery eagerly (settings_test) with Django's locmem mail backend, so the
reply is delivered into django.core.mail.outbox during the request; the SMTP round trip with
a real worker and an SMTP server is tests/integration/test_outbound_email_through_worker.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import expect

from conversations.models import Conversation, Message
from conversations.services.conversations import conversation_create
from conversations.services.messages import message_receive
from customers.services import customer_create
from messaging import services_outbound
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def conversation() -> Conversation:
    customer = customer_create(actor=None, name="Jane Doe", emails=[("jane@example.org", "home")])
    conversation = conversation_create(actor=None, customer=customer, name="", channel="email")
    message_receive(
        conversation=conversation,
        channel="email",
        subject="Where is my order?",
        body_text="Hello, order 1234 has not arrived.",
        from_address="jane@example.org",
        external_id="<order-1234@example.org>",
    )
    acme = services_outbound.brand_create(actor=None, name="Acme")
    services_outbound.sender_address_create(actor=None, brand=acme, email="support@acme.example")
    outdoor = services_outbound.brand_create(actor=None, name="Acme Outdoor")
    services_outbound.sender_address_create(
        actor=None, brand=outdoor, email="hello@outdoor.example", display_name="Outdoor Team"
    )
    return conversation


def test_an_agent_replies_by_email_from_a_chosen_address(page: Any, conversation: Conversation) -> None:
    UserFactory(email="agent@example.com", display_name="Alex Agent", sets=["User"])
    sign_in(page, "agent@example.com", PASSWORD)
    page.goto(conversation.get_absolute_url())

    page.get_by_label("Email", exact=True).check()
    sender = page.get_by_label("From", exact=True)
    expect(sender).to_be_visible()
    expect(sender).to_have_value("support@acme.example")  # the default brand's default address
    sender.select_option(label="Outdoor Team <hello@outdoor.example>")
    page.locator("#reply-editor .rich-area").click()
    page.keyboard.type("It left our warehouse this morning.")
    page.get_by_role("button", name="Send").click()

    reply = page.locator("#conversation-feed article.message-out")
    expect(reply).to_contain_text("It left our warehouse this morning.")
    expect(reply.locator(".delivery")).to_have_text("Sent")

    assert len(mail.outbox) == 1
    email = mail.outbox[0].message()
    message = Message.objects.get(direction="out")
    assert email["From"] == "Outdoor Team <hello@outdoor.example>"
    assert email["To"] == "jane@example.org"
    assert email["Subject"] == "Re: Where is my order?"
    assert email["In-Reply-To"] == "<order-1234@example.org>"
    assert email["Message-ID"] == message.external_id
    assert message.from_address == "hello@outdoor.example"

    # Switching to a note hides the From select (it is for email only).
    page.get_by_label("Note", exact=True).check()
    expect(page.get_by_label("From", exact=True)).to_be_hidden()


def test_an_agent_retries_a_failed_email(page: Any, conversation: Conversation) -> None:
    UserFactory(email="agent@example.com", display_name="Alex Agent", sets=["User"])
    failed = Message.objects.create(
        conversation=conversation,
        customer=conversation.customer,
        direction=Message.Direction.OUT,
        channel="email",
        body_text="Your refund is on its way.",
        to=["jane@example.org"],
        from_address="support@acme.example",
        delivery_status=Message.DeliveryStatus.FAILED,
        failure_reason="Could not reach the mail server: Connection refused",
    )
    sign_in(page, "agent@example.com", PASSWORD)
    page.goto(conversation.get_absolute_url())
    article = page.locator(f"#message-{failed.pk}")
    expect(article.locator(".delivery")).to_have_text(
        "Failed: Could not reach the mail server: Connection refused"
    )
    article.get_by_role("button", name="Retry").click()
    expect(page.locator(f"#message-{failed.pk} .delivery")).to_have_text("Sent")
    expect(page.locator(f"#message-{failed.pk}").get_by_role("button", name="Retry")).to_have_count(0)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["jane@example.org"]
