"""The Snooze menu and the Conversation Attributes window load when opened (issue #3, page
latency): opening them in a real browser fetches the form, and the form works."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from conversations.models import Conversation, Status, SubStatus
from conversations.services.conversations import conversation_create
from customers.services import customer_create
from tests.e2e.conftest import settled, sign_in
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def conversation() -> Conversation:
    owner = UserFactory(email="owner@example.com", display_name="Olivia Owner", is_owner=True, sets=["Admin"])
    customer = customer_create(actor=owner, name="Jane Doe", emails=[("jane@example.org", "home")])
    SubStatus.objects.create(status="snoozed", name="Waiting on customer")
    SubStatus.objects.create(status="open", name="Escalated")
    return conversation_create(actor=owner, customer=customer, name="Order 1234", channel="email")


def test_an_agent_snoozes_from_the_menu_that_loads_when_opened(page: Any, conversation: Conversation) -> None:
    UserFactory(email="agent@example.com", display_name="Alex Agent", sets=["User"])
    sign_in(page, "agent@example.com", PASSWORD)
    page.goto(conversation.get_absolute_url())
    expect(page.locator("#snooze-until")).to_have_count(0)

    page.get_by_text("Snooze", exact=True).click()
    expect(page.locator("#snooze-until")).to_be_visible()
    settled(page)
    page.locator("#snooze-until").fill("2099-01-15T09:30")
    page.locator("#snooze-sub-status").select_option(label="Waiting on customer")
    page.get_by_role("button", name="Snooze Conversation").click()
    expect(page.locator("#conversation-header")).to_contain_text("Snoozed")
    conversation.refresh_from_db()
    assert conversation.status == Status.SNOOZED
    assert conversation.sub_status is not None and conversation.sub_status.name == "Waiting on customer"


def test_an_agent_edits_the_attributes_in_the_window_that_loads_when_opened(
    page: Any, conversation: Conversation
) -> None:
    UserFactory(email="agent@example.com", display_name="Alex Agent", sets=["User"])
    sign_in(page, "agent@example.com", PASSWORD)
    page.goto(conversation.get_absolute_url())
    window = page.get_by_role("form", name="Conversation Attributes")
    expect(window).to_have_count(0)

    page.locator("#details-card summary", has_text="Edit").click()
    expect(window.get_by_label("Conversation Name")).to_be_visible()
    settled(page)
    window.get_by_label("Conversation Name").fill("Order 1234 missing")
    window.get_by_label("Priority").select_option(label="Highest")
    window.get_by_label("Sub status").select_option(label="Escalated")
    window.get_by_role("button", name="Save Changes").click()
    expect(page.locator("#conversation-header h2")).to_have_text("Order 1234 missing")
    expect(page.locator("#conversation-header")).to_contain_text("Highest priority")
    expect(page.locator("#conversation-header")).to_contain_text("Escalated")
