"""@mentions in a real browser: an agent mentions a teammate in a note; the teammate, signed
in elsewhere, gets the pop-up and the badge without reloading, and finds it in Notifications."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.models import User
from conversations.models import Conversation, Note, Notification
from conversations.services.conversations import conversation_create
from customers.models import Customer
from customers.services import customer_create
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def owner() -> User:
    return UserFactory(email="owner@example.com", display_name="Olivia Owner", is_owner=True, sets=["Admin"])


@pytest.fixture
def customer(owner: User) -> Customer:
    UserFactory(email="agent@example.com", display_name="Alex Agent", sets=["User"])
    UserFactory(email="sam@example.com", display_name="Sam Support", sets=["User"])
    return customer_create(actor=owner, name="Jane Doe", emails=[("jane@example.org", "home")])


@pytest.fixture
def conversation(owner: User, customer: Customer) -> Conversation:
    return conversation_create(actor=owner, customer=customer, name="Refund for Jane", channel="email")


def test_a_mentioned_teammate_sees_the_pop_up_the_badge_and_the_notification(
    page: Any, second_page: Any, conversation: Conversation
) -> None:
    # Sam is signed in and looking at the home page.
    sign_in(second_page, "sam@example.com", PASSWORD)
    expect(second_page.locator("#notification-badge")).to_be_hidden()

    # Alex opens the conversation, picks Note, and mentions Sam with @Sa + Tab.
    sign_in(page, "agent@example.com", PASSWORD)
    page.goto(conversation.get_absolute_url())
    page.get_by_label("Note", exact=True).check()
    page.locator("#reply-editor .rich-area").click()
    page.keyboard.type("Could you check this, @Sa")
    expect(page.get_by_role("listbox").get_by_role("option", name=re.compile("Sam Support"))).to_be_visible()
    page.keyboard.press("Tab")
    mention = page.locator("#reply-editor .rich-area .mention")
    expect(mention).to_have_text("@Sam Support")
    expect(mention).to_have_attribute("contenteditable", "false")
    page.keyboard.type("thanks!")
    page.get_by_role("button", name="Send").click()

    posted = page.locator("#conversation-feed .note .mention")
    expect(posted).to_have_text("@Sam Support")
    note = Note.objects.get()
    assert note.body_text == "Could you check this, @Sam Support thanks!"
    assert [u.email for u in note.mentioned_users.all()] == ["sam@example.com"]

    # Sam gets the pop-up and the badge without reloading (the pop-up polls every 5 s).
    toast = second_page.locator("#notification-popup .toast")
    expect(toast).to_contain_text("Alex Agent mentioned you in", timeout=7_000)
    expect(second_page.locator("#notification-badge")).to_have_text("1")

    # ... and the notification under Notifications in the sidebar; opening it marks it read.
    second_page.get_by_role("link", name=re.compile(r"^Notifications")).click()
    row = second_page.locator(".notification-row.is-unread")
    expect(row).to_contain_text("Alex Agent mentioned you in")
    expect(row).to_contain_text("Could you check this, @Sam Support thanks!")
    row.get_by_role("link").click()
    expect(second_page.locator(f"#note-{note.pk}")).to_contain_text("@Sam Support")
    expect(second_page.locator("#notification-badge")).to_be_hidden()
    assert Notification.objects.get().read_at is not None


def test_the_at_button_mentions_a_team_and_backspace_removes_a_mention_whole(
    page: Any, owner: User, customer: Customer
) -> None:
    TeamFactory(name="Billing").members.add(owner)
    sign_in(page, "agent@example.com", PASSWORD)
    page.goto(customer.get_absolute_url() + "?add=note")

    form = page.locator("form#post-new-note")
    suggestions = page.get_by_role("listbox", name="Users and teams")
    expect(form.get_by_role("heading", name="Post New Note")).to_be_visible()
    area = form.locator(".rich-area")
    area.click()
    page.keyboard.type("Ask ")
    form.get_by_role("button", name="Mention a user or team").click()
    expect(suggestions.get_by_role("option", name=re.compile("Billing"))).to_be_visible()
    page.keyboard.type("Bil")
    expect(suggestions.get_by_role("option")).to_have_count(1)
    page.keyboard.press("Enter")
    expect(area.locator(".mention")).to_have_text("@Billing")

    # Backspace eats the space after the mention, then the whole mention at once.
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    expect(area.locator(".mention")).to_have_count(0)
    expect(area).to_have_text(re.compile(r"^Ask\s?$"))

    # Mention Sam with a click on the list, then post the note.
    page.keyboard.type(" @sam")
    suggestions.get_by_role("option", name=re.compile("Sam Support")).click()
    expect(area.locator(".mention")).to_have_text("@Sam Support")
    form.get_by_role("button", name="Create note").click()

    expect(page.locator("#conversation-feed .note .mention")).to_have_text("@Sam Support")
    note = Note.objects.get()
    assert note.conversation.status == "done"
    assert Notification.objects.get().recipient.email == "sam@example.com"
