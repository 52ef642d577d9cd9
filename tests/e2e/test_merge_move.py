"""Merge and Move in a real browser, driven by the seed's labels: Customer Options > Merge
Conversation > select > Merge > Confirm Merge; Conversation Options > Move Conversation > the
customer's name > Continue > Confirm Move."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from playwright.sync_api import expect

from conversations.models import Conversation, Message
from conversations.services.conversations import conversation_create
from conversations.services.messages import message_receive
from customers.services import customer_create
from tests.e2e.conftest import settled, sign_in
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
T0 = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)


def test_merge_a_conversation_into_another_of_the_same_customer(page: Any) -> None:
    owner = UserFactory(email="owner@example.com", display_name="Olivia Owner", is_owner=True, sets=["Admin"])
    ann = customer_create(actor=owner, name="Ann Apple", emails=[("ann@example.com", "home")])
    apple = conversation_create(actor=owner, customer=ann, name="Apple", channel="email")
    banana = conversation_create(actor=owner, customer=ann, name="Banana", channel="email")
    message_receive(conversation=apple, channel="email", body_text="First, by email", received_at=T0)
    message_receive(
        conversation=banana,
        channel="email",
        body_text="Second, again",
        received_at=T0 + datetime.timedelta(hours=1),
    )

    sign_in(page, "owner@example.com", PASSWORD)
    page.goto(banana.get_absolute_url())
    page.get_by_text("Customer Options").click()
    page.get_by_role("menuitem", name="Merge Conversation").click()
    window = page.get_by_role("dialog")
    expect(window.get_by_role("radio", name="Apple")).to_be_visible()
    settled(page)
    window.get_by_role("radio", name="Apple").check()
    window.get_by_role("button", name="Merge").click()
    expect(window).to_contain_text("This is permanent and can't be undone.")
    expect(window).to_contain_text("1 message and 0 notes")
    window.get_by_role("button", name="Confirm Merge").click()

    expect(page).to_have_url(f"{page.url.split('/conversations/')[0]}{apple.get_absolute_url()}")
    expect(page.get_by_text("Merged “Banana” into this conversation.")).to_be_visible()
    feed = page.locator("#conversation-feed")
    expect(feed).to_contain_text("Second, again")
    texts = feed.locator(".message").all_inner_texts()
    assert texts and "First, by email" in texts[0] and "Second, again" in texts[-1]
    assert not Conversation.objects.filter(pk=banana.pk).exists()
    assert Message.objects.filter(conversation=apple).count() == 2

    # The merged-away conversation sends whoever opens it to the result.
    page.goto(banana.get_absolute_url())
    expect(page.get_by_text("The conversation you opened was merged into this one.")).to_be_visible()


def test_move_a_conversation_to_another_customer(page: Any) -> None:
    owner = UserFactory(email="owner@example.com", display_name="Olivia Owner", is_owner=True, sets=["Admin"])
    ann = customer_create(actor=owner, name="Ann Apple", emails=[("ann@example.com", "home")])
    bob = customer_create(actor=owner, name="Bob Banana", emails=[("bob@example.com", "home")])
    wrong = conversation_create(actor=owner, customer=ann, name="Bob's order", channel="email")

    sign_in(page, "owner@example.com", PASSWORD)
    page.goto(wrong.get_absolute_url())
    page.get_by_text("Conversation Options").click()
    page.get_by_role("menuitem", name="Move Conversation").click()
    window = page.get_by_role("dialog")
    expect(window.get_by_label("Customer's name")).to_be_visible()
    settled(page)
    window.get_by_label("Customer's name").press_sequentially("Bob")
    window.get_by_role("radio", name="Bob Banana").check()
    window.get_by_role("button", name="Continue").click()
    expect(window).to_contain_text("from Ann Apple's timeline to Bob Banana's")
    window.get_by_role("button", name="Confirm Move").click()
    expect(page.get_by_text("Moved to Bob Banana's timeline.")).to_be_visible()
    expect(page.get_by_role("heading", name="Bob Banana", level=1)).to_be_visible()
    assert Conversation.objects.get(pk=wrong.pk).customer == bob
