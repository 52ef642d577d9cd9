"""The user picker in a real browser: type, pick, and only the picked id is posted (the
search box is taken out of the form by the script; without it the server reads the box)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from conversations.services.conversations import conversation_create
from customers.services import customer_create
from tests.e2e.conftest import settled, sign_in
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_agent_assigns_a_colleague_with_the_picker(page: Any) -> None:
    agent = UserFactory(email="agent@example.com", display_name="Alex Agent", sets=["User"])
    sam = UserFactory(email="sam@example.com", display_name="Sam Support", sets=["User"])
    UserFactory(email="sam.other@example.com", display_name="Sam Sales", sets=["User"])
    customer = customer_create(actor=agent, name="Jane Doe", emails=[("jane@example.org", "home")])
    conversation = conversation_create(actor=agent, customer=customer, name="Order 1234", channel="email")
    conversation.assigned_users.add(agent)

    sign_in(page, "agent@example.com", PASSWORD)
    page.goto(conversation.get_absolute_url())
    box = page.locator("#conversation-user")
    expect(box).to_have_value("Alex Agent")
    expect(box).to_have_attribute("form", "picker-search-only")  # not posted with the card's form
    box.fill("")
    box.press_sequentially("Sam")
    page.get_by_role("option", name="Sam Support").click()
    expect(page.locator("#details-card")).not_to_have_class("htmx-request")
    settled(page)
    expect(page.locator("#conversation-user")).to_have_value("Sam Support")
    assert list(conversation.assigned_users.all()) == [sam]
