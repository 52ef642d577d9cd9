"""Message options in a real browser: Message Redaction (highlight > Redact > Commit
Redaction), Copy Link to Message and the highlighted message it opens, Show/Hide Message
Details, and Move Message to a new conversation."""

from __future__ import annotations

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
CARD = "4111 1111 1111 1111"

SELECT = """([selector, text]) => {
  const body = document.querySelector(selector);
  const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const at = node.data.indexOf(text);
    if (at >= 0) {
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + text.length);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      return true;
    }
  }
  return false;
}"""


def test_redact_link_details_and_move(page: Any) -> None:
    owner = UserFactory(email="owner@example.com", display_name="Olivia Owner", is_owner=True, sets=["Admin"])
    ann = customer_create(actor=owner, name="Ann Apple", emails=[("ann@example.com", "home")])
    conversation = conversation_create(actor=owner, customer=ann, name="Order", channel="email")
    card_message = message_receive(
        conversation=conversation,
        channel="email",
        body_html=f"<p>My card is <b>{CARD}</b>, thanks</p>",
        from_address="ann@example.com",
        external_id="<card@mail.example.com>",
    )
    stray = message_receive(conversation=conversation, channel="email", body_text="Also: a new question")

    sign_in(page, "owner@example.com", PASSWORD)
    page.goto(conversation.get_absolute_url())
    article = page.locator(f"#message-{card_message.pk}")

    # Show Message Details, then Hide Message Details.
    article.get_by_label("More Options").click()
    article.get_by_role("menuitem", name="Show Message Details").click()
    expect(article).to_contain_text("<card@mail.example.com>")
    article.get_by_role("link", name="Hide Message Details").click()
    expect(article).not_to_contain_text("<card@mail.example.com>")

    # Message Redaction: highlight, Redact (a preview), Commit Redaction (for good).
    article.get_by_label("More Options").click()
    article.get_by_role("menuitem", name="Message Redaction").click()
    assert page.evaluate(SELECT, [f"#message-{card_message.pk} [data-redactable]", CARD])
    article.get_by_role("button", name="Redact", exact=True).click()
    expect(article.locator("mark.redaction-preview")).to_have_count(1)
    article.get_by_role("button", name="Commit Redaction").click()
    expect(page.get_by_text("Redaction committed: the text is gone for good.")).to_be_visible()
    article = page.locator(f"#message-{card_message.pk}")
    expect(article).to_contain_text("█" * len(CARD))
    expect(article).not_to_contain_text("4111")
    card_message.refresh_from_db()
    assert "4111" not in card_message.body_html and "4111" not in card_message.body_text

    # Copy Link to Message: the link opens the conversation with the message highlighted.
    article.get_by_label("More Options").click()
    copy = article.get_by_role("menuitem", name="Copy Link to Message")
    link = copy.get_attribute("data-copy-link")
    copy.click()
    expect(page.get_by_text("Link to the message copied.")).to_be_visible()
    page.goto(link)
    expect(page.locator(f"#message-{card_message.pk}.is-linked")).to_be_visible()

    # Move Message to a new conversation.
    other = page.locator(f"#message-{stray.pk}")
    other.get_by_label("More Options").click()
    other.get_by_role("menuitem", name="Move Message").click()
    window = page.get_by_role("dialog")
    expect(window.get_by_role("radio", name="A new conversation")).to_be_visible()
    settled(page)
    window.get_by_role("radio", name="A new conversation").check()
    window.get_by_role("button", name="Move Message").click()
    expect(page.get_by_text("The message is moved to this conversation.")).to_be_visible()
    moved = Message.objects.get(pk=stray.pk)
    assert moved.conversation_id != conversation.pk
    assert Conversation.objects.get(pk=conversation.pk).message_count == 1
    expect(page.locator(f"#message-{stray.pk}.is-linked")).to_be_visible()
