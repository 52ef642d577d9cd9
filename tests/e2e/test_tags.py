"""Tags in a real browser: an agent adds an existing tag from the suggestions, creates one with
Tab, removes one with its X; an admin deactivates a tag in Settings > Workspace > Tags, and the
conversation keeps showing it, with no X."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from conversations.models import ConversationTag, Tag
from conversations.services.conversations import conversation_create
from customers.services import customer_create
from tests.e2e.conftest import settled, sign_in
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_agent_tags_a_conversation_and_an_admin_deactivates_a_tag(page: Any) -> None:
    owner = UserFactory(email="owner@example.com", display_name="Olivia Owner", is_owner=True, sets=["Admin"])
    UserFactory(email="agent@example.com", display_name="Alex Agent", sets=["User"])
    customer = customer_create(actor=owner, name="Jane Doe", emails=[("jane@example.com", "home")])
    conversation = conversation_create(
        actor=owner, customer=customer, name="Parcel never arrived", channel="email"
    )
    Tag.objects.create(name="Billing", color=Tag.Color.GREEN)
    Tag.objects.create(name="Shipping", color=Tag.Color.ORANGE)

    # The agent opens the conversation and picks an existing tag from the suggestions.
    sign_in(page, "agent@example.com", PASSWORD)
    page.goto(conversation.get_absolute_url())
    tags = page.locator("#conversation-tags")
    add_tag = page.get_by_role("combobox", name="Add Tag")
    add_tag.click()
    add_tag.press_sequentially("bil")
    suggestions = page.get_by_role("listbox", name="Existing tags")
    expect(suggestions.get_by_role("option")).to_have_count(1)
    suggestions.get_by_role("option", name="Billing").click()
    expect(tags.get_by_role("listitem").filter(has_text="Billing")).to_be_visible()
    expect(add_tag).to_be_focused()
    settled(page)  # the tag card is swapped for a fresh one: type into its wired-up field

    # A new name and Tab: the tag is created and applied.
    add_tag.press_sequentially("Angry customer")
    expect(page.get_by_text("Press Tab to create “Angry customer”.")).to_be_visible()
    add_tag.press("Tab")
    expect(tags.get_by_role("listitem").filter(has_text="Angry customer")).to_be_visible()
    expect(add_tag).to_have_value("")
    assert Tag.objects.filter(name="Angry customer", is_active=True).exists()
    settled(page)

    # Hover over a tag and select X to remove it.
    tags.get_by_role("listitem").filter(has_text="Billing").hover()
    page.get_by_role("button", name="Remove tag Billing").click()
    expect(tags.get_by_role("listitem").filter(has_text="Billing")).to_have_count(0)
    names = set(ConversationTag.objects.filter(conversation=conversation).values_list("tag__name", flat=True))
    assert names == {"Angry customer"}
    # The timeline records each change.
    expect(page.locator("#conversation-feed")).to_contain_text("tag removed: Billing")

    page.get_by_label("User menu").click()
    page.get_by_role("menuitem", name="Sign out").click()

    # The admin deactivates the new tag in Settings > Workspace > Tags.
    sign_in(page, "owner@example.com", PASSWORD)
    page.goto("/settings/workspace/tags/")
    expect(page.get_by_role("heading", name="Tags", level=1)).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Angry customer")
    expect(row).to_contain_text("1")  # one conversation carries it
    row.get_by_role("switch").click()
    expect(row).to_contain_text("Deactivated")
    expect(row.get_by_role("switch")).to_have_attribute("aria-checked", "false")
    assert Tag.objects.get(name="Angry customer").is_active is False

    # The conversation still shows it, and it can no longer be removed.
    page.goto(conversation.get_absolute_url())
    expect(tags.get_by_role("listitem").filter(has_text="Angry customer")).to_be_visible()
    expect(page.get_by_role("button", name="Remove tag Angry customer")).to_have_count(0)
