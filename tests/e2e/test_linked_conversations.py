"""Linked Conversations in a real browser: + Link Conversation in the Insight Panel opens the
window; a search, a check box and Confirm Linking link the two; the link shows on both
conversations, opens with one click, and Unlink removes it from both."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from conversations.models import ConversationLink
from conversations.services.conversations import conversation_create
from conversations.services.messages import message_receive
from customers.services import customer_create
from tests.e2e.conftest import settled, sign_in
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_agent_links_two_guests_of_one_booking_and_unlinks_them(page: Any) -> None:
    owner = UserFactory(email="owner@example.com", display_name="Olivia Owner", is_owner=True, sets=["Admin"])
    UserFactory(email="agent@example.com", display_name="Alex Agent", sets=["User"])
    jenny_customer = customer_create(actor=owner, name="Jenny Hotel", emails=[("jenny@example.com", "home")])
    tom_customer = customer_create(actor=owner, name="Tom Guest", emails=[("tom@example.com", "home")])
    jenny = conversation_create(actor=owner, customer=jenny_customer, name="Jenny's Order", channel="email")
    tom = conversation_create(actor=owner, customer=tom_customer, name="Tom's Return", channel="email")
    message_receive(conversation=tom, channel="email", body_text="My booking is BK-7781, room 12.")
    conversation_create(actor=owner, customer=tom_customer, name="Unrelated question", channel="email")

    sign_in(page, "agent@example.com", PASSWORD)
    page.goto(jenny.get_absolute_url())
    card = page.locator("#linked-card")
    expect(card).to_contain_text("No linked conversations.")
    card.get_by_role("link", name="+ Link Conversation").click()
    window = page.get_by_role("dialog")
    expect(window.get_by_role("heading", name="Link Conversation")).to_be_visible()
    expect(window).to_contain_text("Jenny's Order")
    settled(page)
    window.get_by_label("Searches").fill("BK-7781")
    candidates = window.get_by_role("list", name="Conversations to link")
    expect(candidates.get_by_role("listitem")).to_have_count(1)
    candidates.get_by_role("checkbox").check()
    window.get_by_role("button", name="Confirm Linking").click()
    expect(window).to_be_hidden()
    expect(card.get_by_role("link", name="Tom's Return")).to_be_visible()
    assert ConversationLink.objects.filter(conversation=jenny, linked=tom).exists()

    # One click opens the linked conversation, which shows the link back.
    card.get_by_role("link", name="Tom's Return").click()
    expect(page).to_have_url(f"{page.url.split('/conversations/')[0]}{tom.get_absolute_url()}")
    card = page.locator("#linked-card")
    expect(card.get_by_role("link", name="Jenny's Order")).to_be_visible()

    # Conversation Options in the header opens the same window; Esc closes it.
    page.get_by_text("Conversation Options").click()
    page.get_by_role("menuitem", name="+ Link Conversation").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()

    # Unlink from the options next to the linked conversation: gone from both ends.
    card.get_by_label("Options for Jenny's Order").click()
    card.get_by_role("button", name="Unlink").click()
    expect(card).to_contain_text("No linked conversations.")
    assert not ConversationLink.objects.exists()
