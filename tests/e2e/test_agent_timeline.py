"""The agent flow of the timeline issue, in a real browser: inbox, conversation, details."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from conversations.models import Conversation, Message, SubStatus, Tag
from conversations.services.conversations import conversation_create
from conversations.services.messages import message_receive
from customers.services import customer_create
from tests.e2e.conftest import settled, sign_in
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def conversation() -> Conversation:
    owner = UserFactory(email="owner@example.com", display_name="Olivia Owner", is_owner=True, sets=["Admin"])
    customer = customer_create(actor=owner, name="Jane Doe", emails=[("jane@example.org", "home")])
    conversation = conversation_create(actor=owner, customer=customer, name="", channel="email")
    message_receive(
        conversation=conversation,
        channel="email",
        subject="Where is my order?",
        body_text="Hello, order 1234 has not arrived.",
        from_address="jane@example.org",
    )
    SubStatus.objects.create(status="open", name="Escalated")
    return conversation


def test_an_agent_works_a_conversation_from_the_inbox(
    page: Any, second_page: Any, conversation: Conversation
) -> None:
    """The issue's flow, start to end; the teammate watches from a browser of their own."""
    UserFactory(email="agent@example.com", display_name="Alex Agent", sets=["User"])
    UserFactory(email="sam@example.com", display_name="Sam Support", sets=["User"])
    Tag.objects.create(name="VIP", color=Tag.Color.PURPLE)
    sign_in(second_page, "sam@example.com", PASSWORD)
    sign_in(page, "agent@example.com", PASSWORD)

    page.get_by_role("link", name="Inbox").click()
    expect(page.get_by_text("Nothing is assigned to you here.")).to_be_visible()
    page.get_by_role("link", name="All open").click()
    row = page.locator("[data-row]", has_text="Jane Doe")
    expect(row).to_contain_text("Hello, order 1234 has not arrived.")

    # Keyboard: j selects the first row, Enter opens it.
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Customer Profile")).to_be_visible()
    expect(page.locator("#conversation-feed")).to_contain_text("order 1234 has not arrived")

    details = page.locator("#details-card .detail-row")  # the card's fields, not the Edit window
    page.get_by_role("button", name="Assign to me").click()
    expect(page.get_by_role("combobox", name="Assigned User")).to_have_value("Alex Agent")
    expect(page.get_by_role("button", name="Assign to me")).to_have_count(0)
    settled(page)  # each change swaps in a fresh card: the next change goes to its fields

    details.get_by_label("Priority").select_option(label="Highest")
    expect(page.locator("#conversation-header")).to_contain_text("Highest priority")
    settled(page)

    details.get_by_label("Sub status").select_option(label="Escalated")
    expect(page.locator("#conversation-header")).to_contain_text("Escalated")
    settled(page)

    name = details.get_by_label("Conversation Name")
    name.fill("Order 1234 missing")
    name.press("Enter")
    expect(page.locator("#conversation-header h2")).to_have_text("Order 1234 missing")
    expect(page.locator("#timeline-list")).to_contain_text("Order 1234 missing")
    settled(page)

    # An existing tag from the suggestions, then a new one created with Tab.
    add_tag = page.get_by_role("combobox", name="Add Tag")
    add_tag.click()
    add_tag.press_sequentially("VI")
    page.get_by_role("listbox", name="Existing tags").get_by_role("option", name="VIP").click()
    tags = page.locator("#conversation-tags")
    expect(tags.get_by_role("listitem").filter(has_text="VIP")).to_be_visible()
    expect(add_tag).to_be_focused()  # the fresh card keeps the cursor in Add Tag
    settled(page)
    add_tag.press_sequentially("Late delivery")
    add_tag.press("Tab")
    expect(tags.get_by_role("listitem").filter(has_text="Late delivery")).to_be_visible()
    settled(page)

    # A note mentioning a teammate, who sees it arrive without reloading.
    page.get_by_label("Note", exact=True).check()
    page.locator("#reply-editor .rich-area").click()
    page.keyboard.type("Can you chase the carrier, @Sa")
    page.keyboard.press("Tab")
    expect(page.locator("#reply-editor .rich-area .mention")).to_have_text("@Sam Support")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#conversation-feed .note .mention")).to_have_text("@Sam Support")
    expect(second_page.locator("#notification-popup .toast")).to_contain_text(
        "Alex Agent mentioned you in", timeout=7_000
    )
    expect(second_page.locator("#notification-badge")).to_have_text("1")
    settled(page)

    # A reply goes out (Celery runs eagerly under test: it is sent at once); the draft is cleared.
    page.get_by_label("Email", exact=True).check()
    page.locator(".rich-area").click()
    page.keyboard.type("We are on it.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#conversation-feed")).to_contain_text("We are on it.")
    expect(page.locator("#conversation-feed .delivery-sent")).to_have_count(1)
    settled(page)

    page.get_by_role("button", name="Done").click()
    expect(page.locator("#conversation-header")).to_contain_text("Done")
    settled(page)
    page.get_by_role("button", name="Reopen").click()
    expect(page.locator("#conversation-header")).to_contain_text("Open")

    conversation.refresh_from_db()
    assert conversation.name == "Order 1234 missing"
    assert conversation.priority == 5
    assert conversation.sub_status is None  # reopening starts without a sub status
    assert list(conversation.assigned_users.values_list("email", flat=True)) == ["agent@example.com"]
    assert (
        Message.objects.filter(conversation=conversation, direction="out", delivery_status="sent").count()
        == 1
    )


def test_a_new_inbound_message_appears_without_a_reload(page: Any, conversation: Conversation) -> None:
    UserFactory(email="agent@example.com", display_name="Alex Agent", sets=["User"])
    sign_in(page, "agent@example.com", PASSWORD)
    page.goto(conversation.get_absolute_url())
    expect(page.locator("#conversation-feed")).to_contain_text("order 1234 has not arrived")

    message_receive(
        conversation=conversation, channel="email", body_text="Any news?", from_address="jane@example.org"
    )
    expect(page.locator("#conversation-feed")).to_contain_text("Any news?", timeout=7_000)

    page.goto("/inbox/?view=open")
    expect(page.locator("#inbox-list")).to_contain_text("Any news?")
    message_receive(
        conversation=conversation, channel="email", body_text="Hello again", from_address="jane@example.org"
    )
    expect(page.locator("#inbox-list")).to_contain_text("Hello again", timeout=7_000)
