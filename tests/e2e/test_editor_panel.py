"""Snippets & Dynamic Text in a real browser: an agent inserts the customer's first name and a
snippet into a reply, switches the snippet's language, and sends exactly what the editor shows;
an admin inserts tokens in the shortcut editor, where stored tokens are highlighted too."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from accounts.models import User
from conversations.models import Conversation, Message
from conversations.services.conversations import conversation_create
from customers.services import customer_create
from shortcuts import services
from shortcuts.models import Shortcut
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def owner() -> User:
    return UserFactory(email="owner@example.com", display_name="Olivia Owner", is_owner=True, sets=["Admin"])


@pytest.fixture
def conversation(owner: User) -> Conversation:
    UserFactory(email="agent@example.com", display_name="Alex Agent", sets=["User"])
    services.localization_update(actor=None, default_language="en", enabled_languages=["en", "fr", "de"])
    services.snippet_create(
        actor=None,
        name="order_issue",
        texts={"en": "Sorry for the delay.", "fr": "Désolé pour le retard.", "de": "Entschuldigung."},
    )
    services.snippet_create(actor=None, name="greeting", texts={"en": "Hello"})
    customer = customer_create(
        actor=owner, first_name="Jane", last_name="Doe", emails=[("jane@example.org", "home")], locale="de"
    )
    return conversation_create(actor=owner, customer=customer, name="Late order", channel="email")


def test_an_agent_inserts_dynamic_text_and_a_translated_snippet_and_sends_them(
    page: Any, conversation: Conversation
) -> None:
    sign_in(page, "agent@example.com", PASSWORD)
    page.goto(conversation.get_absolute_url())
    page.get_by_label("Email", exact=True).check()
    area = page.locator("#reply-editor .rich-area")
    area.click()
    page.keyboard.type("Hi ")

    # Dynamic Text: only Customer and Conversation on the timeline; the value goes in, in blue.
    button = page.get_by_role("button", name="Snippets & Dynamic Text")
    button.click()
    panel = page.get_by_role("dialog", name="Snippets & Dynamic Text")
    expect(page.get_by_role("searchbox", name="Search snippets")).to_be_focused()
    panel.get_by_role("tab", name="Dynamic Text").click()
    expect(panel.get_by_role("option", name="Customer First Name")).to_be_visible()
    expect(panel.get_by_text("Current User")).to_have_count(0)
    search = panel.get_by_role("searchbox", name="Search dynamic text")
    expect(search).to_be_focused()
    search.press_sequentially("first name")
    expect(panel.locator("#editor-panel-dynamic [role=option]")).to_have_count(1)
    search.press("Enter")
    expect(panel).to_have_count(0)
    expect(area.locator(".dt-token")).to_have_text("Jane")
    page.keyboard.type(", ")

    # Esc closes the panel and puts the caret back where it was.
    button.click()
    expect(page.get_by_role("searchbox", name="Search snippets")).to_be_focused()
    page.keyboard.press("Escape")
    expect(panel).to_have_count(0)
    expect(area).to_be_focused()

    # Snippets: in the customer's language (German), highlighted in purple until edited.
    button.click()
    search = page.get_by_role("searchbox", name="Search snippets")
    search.press_sequentially("sn.order")
    expect(panel.locator("#editor-panel-snippets [role=option]")).to_have_count(1)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    snippet = area.locator(".sn-token")
    expect(snippet).to_have_text("Entschuldigung.")

    # ... and its language is switched from the drop-down.
    snippet.click()
    page.get_by_label("Snippet language").select_option("fr")
    expect(snippet).to_have_text("Désolé pour le retard.")
    expect(area).to_be_focused()
    # ... or from the keyboard: Alt+Down beside it, the arrow keys, Esc back to the text.
    page.keyboard.press("Alt+ArrowDown")
    language = page.get_by_label("Snippet language")
    expect(language).to_be_focused()
    expect(language).to_have_value("fr")
    page.keyboard.press("Escape")
    expect(language).to_have_count(0)
    expect(area).to_be_focused()
    expect(area).to_have_text("Hi Jane, Désolé pour le retard.")

    page.get_by_role("button", name="Send").click()
    sent = page.locator("#conversation-feed")
    expect(sent).to_contain_text("Hi Jane, Désolé pour le retard.")
    message = Message.objects.get(conversation=conversation, direction="out")
    assert message.body_text == "Hi Jane, Désolé pour le retard."
    assert "token" not in message.body_html
    assert "\u200b" not in message.body_html


def test_editing_a_snippet_removes_its_highlight(page: Any, conversation: Conversation) -> None:
    sign_in(page, "agent@example.com", PASSWORD)
    page.goto(conversation.get_absolute_url())
    area = page.locator("#reply-editor .rich-area")
    area.click()
    page.get_by_role("button", name="Snippets & Dynamic Text").click()
    search = page.get_by_role("searchbox", name="Search snippets")
    search.press_sequentially("greeting")
    expect(page.locator("#editor-panel-snippets [role=option]")).to_have_count(1)
    search.press("Enter")
    expect(area.locator(".sn-token")).to_have_text("Hello")
    # The caret into the snippet's text, and a letter typed: the text is the agent's own now.
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.keyboard.type("X")
    expect(area.locator(".sn-token")).to_have_count(0)
    expect(area).to_contain_text("X")
    expect(area).to_contain_text("Hel")


def test_an_admin_inserts_tokens_in_the_shortcut_editor(
    page: Any, owner: User, conversation: Conversation
) -> None:
    shortcut = services.shortcut_create(
        actor=owner, name="late_order", message="<p>Dear {{customer.firstName}}, [[sn.greeting]]</p>"
    )
    sign_in(page, "owner@example.com", PASSWORD)
    page.goto(f"/settings/workspace/shortcuts/{shortcut.pk}/")
    area = page.locator("#field-message .rich-area")
    # The stored tokens are highlighted.
    expect(area.locator(".dt-token")).to_have_text("{{customer.firstName}}")
    expect(area.locator(".sn-token")).to_have_text("[[sn.greeting]]")

    area.click()
    page.keyboard.press("End")
    page.keyboard.type(" ")
    page.get_by_role("button", name="Snippets & Dynamic Text").click()
    panel = page.get_by_role("dialog", name="Snippets & Dynamic Text")
    panel.get_by_role("tab", name="Dynamic Text").click()
    expect(panel.get_by_text("Current User Display Name")).to_be_visible()
    search = panel.get_by_role("searchbox", name="Search dynamic text")
    search.press_sequentially("display name")
    expect(panel.locator("#editor-panel-dynamic [role=option]")).to_have_count(1)
    search.press("Enter")
    expect(area.locator(".dt-token").last).to_have_text("{{currentUser.displayName}}")
    page.get_by_role("button", name="Snippets & Dynamic Text").click()
    search = page.get_by_role("searchbox", name="Search snippets")
    search.press_sequentially("order")
    expect(page.locator("#editor-panel-snippets [role=option]")).to_have_count(1)
    search.press("Enter")
    expect(area.locator(".sn-token").last).to_have_text("[[sn.order_issue]]")
    page.get_by_role("button", name="Save Changes").click()
    expect(page.get_by_text("is saved")).to_be_visible()

    shortcut = Shortcut.objects.get(pk=shortcut.pk)
    # The stored message is the typed text: the tokens, without their highlights (a typed
    # space before a span is the browser's &nbsp;).
    assert shortcut.message_html.replace("&nbsp;", " ") == (
        "<p>Dear {{customer.firstName}}, [[sn.greeting]] {{currentUser.displayName}}[[sn.order_issue]]</p>"
    )
    assert shortcut.snippet_names == ["greeting", "order_issue"]


def test_an_empty_value_inserts_nothing_and_says_so(page: Any, conversation: Conversation) -> None:
    sign_in(page, "agent@example.com", PASSWORD)
    page.goto(conversation.get_absolute_url())
    area = page.locator("#reply-editor .rich-area")
    area.click()
    page.get_by_role("button", name="Snippets & Dynamic Text").click()
    panel = page.get_by_role("dialog", name="Snippets & Dynamic Text")
    panel.get_by_role("tab", name="Dynamic Text").click()
    panel.get_by_role("option", name="Customer Phone Number").click()
    expect(panel.get_by_role("status")).to_have_text("No value for this customer")
    expect(area.locator(".dt-token")).to_have_count(0)
    page.keyboard.press("Escape")
    expect(panel).to_have_count(0)
    expect(area).to_be_focused()
