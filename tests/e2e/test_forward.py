"""Forward Conversation in a real browser: Conversation Options > Forward Conversation, a From
address, two To addresses, an introductory message and a file; the mail goes out with the
transcript, and the timeline records who forwarded, to whom, and the message on hover."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from conversations.models import Attachment
from conversations.services.conversations import conversation_create
from conversations.services.messages import message_receive
from customers.services import customer_create
from messaging import services_outbound
from tests.e2e.conftest import settled, sign_in
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_agent_forwards_a_conversation(page: Any) -> None:
    owner = UserFactory(email="owner@example.com", display_name="Olivia Owner", is_owner=True, sets=["Admin"])
    brand = services_outbound.brand_create(actor=None, name="Acme")
    services_outbound.sender_address_create(actor=None, brand=brand, email="support@acme.example")
    customer = customer_create(actor=owner, name="Jane Doe", emails=[("jane@customer.example", "home")])
    conversation = conversation_create(actor=owner, customer=customer, name="Broken lamp", channel="email")
    message = message_receive(
        conversation=conversation, channel="email", body_text="The lamp arrived broken."
    )
    Attachment.objects.create(
        message=message, file=SimpleUploadedFile("lamp.jpg", b"jpeg"), filename="lamp.jpg", size=4
    )

    sign_in(page, "owner@example.com", PASSWORD)
    page.goto(conversation.get_absolute_url())
    page.get_by_text("Conversation Options").click()
    page.get_by_role("menuitem", name="Forward Conversation").click()
    window = page.get_by_role("dialog")
    expect(window.get_by_label("Introductory message")).to_be_visible()
    settled(page)
    window.get_by_role("textbox", name="To", exact=True).fill("supplier@vendor.example, qa@vendor.example")
    window.get_by_label("Introductory message").fill("Can you replace this lamp?")
    window.get_by_label("lamp.jpg").check()
    window.get_by_role("button", name="Forward").click()

    expect(
        page.get_by_text("The conversation is forwarded to supplier@vendor.example, qa@vendor.example.")
    ).to_be_visible()
    event = page.locator("#conversation-feed .feed-event").filter(has_text="forwarded")
    expect(event).to_contain_text("supplier@vendor.example, qa@vendor.example")
    expect(event.locator("span")).to_have_attribute(
        "title", "Introductory message: Can you replace this lamp?"
    )
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["supplier@vendor.example", "qa@vendor.example"]
    assert "The lamp arrived broken." in sent.body and "Can you replace this lamp?" in sent.body
    assert [a[0] for a in sent.attachments] == ["lamp.jpg"]
