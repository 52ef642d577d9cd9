"""Shortcuts in a real browser: an admin creates a shortcut with a snippet, a dateFormat, an
ifCond and a tag action; an agent types # in a reply, picks it, sees the rendered text, sends
it, and the tag is on the conversation."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from conversations.models import ConversationTag, Message, Tag
from conversations.services.conversations import conversation_create
from customers.services import customer_create
from shortcuts import services
from shortcuts.models import Shortcut
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

MESSAGE = (
    "Hi {{customer.firstName}}, [[sn.sorry]] "
    '{{#ifCond customer.custom.billingTier "==" "Diamond"}}Priority shipping for you.'
    "{{else}}Standard shipping.{{/ifCond}} "
    'Booked for {{dateFormat customer.custom.reservationDateAt format="ll"}}.'
)


def test_an_admin_builds_a_shortcut_and_an_agent_applies_it_with_hash(page: Any) -> None:
    owner = UserFactory(email="owner@example.com", display_name="Olivia Owner", is_owner=True, sets=["Admin"])
    UserFactory(email="agent@example.com", display_name="Alex Agent", sets=["User"])
    customer = customer_create(
        actor=owner,
        first_name="Jane",
        last_name="Doe",
        emails=[("jane@example.com", "home")],
        custom={"billingTier": "Diamond", "reservationDateAt": "2019-01-18T17:00:00Z"},
    )
    conversation = conversation_create(actor=owner, customer=customer, name="Late parcel", channel="email")
    Tag.objects.create(name="VIP", color=Tag.Color.GREEN)
    services.snippet_create(actor=None, name="sorry", texts={"en": "Sorry for the wait."})

    # The admin: Settings > Workspace > Shortcuts > Add Shortcut, then the Edit Shortcut page.
    sign_in(page, "owner@example.com", PASSWORD)
    page.goto("/settings/workspace/shortcuts/")
    page.get_by_role("link", name="Add Shortcut").click()
    page.get_by_label("Name").fill("order_update")
    page.get_by_label("Publicly: everyone in the workspace").check()
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", name="Edit Shortcut order_update")).to_be_visible()
    page.get_by_role("textbox", name="Message").press_sequentially(MESSAGE)
    # The actions start hidden behind Add Optional Fields.
    tags_field = page.get_by_label("Conversation Tags", exact=True)
    expect(tags_field).to_be_hidden()
    page.get_by_label("Add Optional Fields").select_option(label="Conversation Tags")
    expect(tags_field).to_be_visible()
    tags_field.select_option(label="VIP")
    page.get_by_role("button", name="Save Changes").click()
    expect(page.get_by_text("Shortcut “order_update” is saved.")).to_be_visible()
    shortcut = Shortcut.objects.get(name="order_update")
    assert list(shortcut.add_tags.values_list("name", flat=True)) == ["VIP"]
    assert shortcut.snippet_names == ["sorry"]
    page.get_by_label("User menu").click()
    page.get_by_role("menuitem", name="Sign out").click()

    # The agent types # and part of the name in the reply, and picks it with Enter.
    sign_in(page, "agent@example.com", PASSWORD)
    page.goto(conversation.get_absolute_url())
    editor = page.locator("#reply-editor").get_by_role("textbox", name="Message")
    editor.click()
    editor.press_sequentially("#order")
    menu = page.get_by_role("listbox", name="Shortcuts")
    expect(menu.get_by_role("option")).to_have_count(1)
    expect(menu.get_by_role("option").first).to_contain_text("#order_update")
    editor.press("Enter")
    expect(editor).to_contain_text(
        "Hi Jane, Sorry for the wait. Priority shipping for you. Booked for Jan 18, 2019."
    )
    expect(editor).not_to_contain_text("#order")
    expect(page.get_by_role("status")).to_contain_text("Applied order_update: Tag: VIP.")
    # The tag action happened at once, and the conversation's panes caught up.
    expect(page.locator("#conversation-tags").get_by_role("listitem").filter(has_text="VIP")).to_be_visible()
    assert set(
        ConversationTag.objects.filter(conversation=conversation).values_list("tag__name", flat=True)
    ) == {"VIP"}

    page.locator("#reply-editor").get_by_role("button", name="Send").click()
    feed = page.locator("#conversation-feed")
    expect(feed).to_contain_text("Priority shipping for you.")
    message = Message.objects.get(conversation=conversation)
    assert message.body_text.startswith("Hi Jane, Sorry for the wait. Priority shipping for you.")
    assert "{{" not in message.body_html and "[[" not in message.body_html


def test_insert_shortcut_opens_a_searchable_menu(page: Any) -> None:
    owner = UserFactory(email="owner@example.com", display_name="Olivia Owner", is_owner=True, sets=["Admin"])
    customer = customer_create(actor=owner, first_name="Jane", emails=[("jane@example.com", "home")])
    conversation = conversation_create(actor=owner, customer=customer, name="Question", channel="email")
    shortcut = services.shortcut_create(actor=owner, name="thanks", message="Thanks, {{customer.firstName}}!")
    services.shortcut_create(actor=owner, name="goodbye", message="Bye")
    assert shortcut.pk

    sign_in(page, "owner@example.com", PASSWORD)
    page.goto(conversation.get_absolute_url())
    page.locator("#reply-editor").get_by_role("button", name="Insert Shortcut").click()
    search = page.get_by_role("searchbox", name="Search shortcuts")
    expect(search).to_be_focused()
    search.press_sequentially("than")
    menu = page.get_by_role("listbox", name="Shortcuts")
    expect(menu.get_by_role("option")).to_have_count(1)
    search.press("Enter")
    editor = page.locator("#reply-editor").get_by_role("textbox", name="Message")
    expect(editor).to_contain_text("Thanks, Jane!")


def test_the_reply_and_note_templates_fill_a_new_reply_and_note(page: Any) -> None:
    owner = UserFactory(email="owner@example.com", display_name="Olivia Owner", is_owner=True, sets=["Admin"])
    customer = customer_create(actor=owner, first_name="Jane", emails=[("jane@example.com", "home")])
    conversation = conversation_create(actor=owner, customer=customer, name="Question", channel="email")
    reply = services.shortcut_create(actor=owner, name="hello", message="Hi {{customer.firstName}},")
    note = services.shortcut_create(actor=owner, name="callback", message="Callback number:")
    services.shortcut_defaults_update(actor=owner, reply_template=reply, note_template=note)

    sign_in(page, "owner@example.com", PASSWORD)
    page.goto(conversation.get_absolute_url())
    editor = page.locator("#reply-editor").get_by_role("textbox", name="Message")
    expect(editor).to_have_text("Hi Jane,")
    page.locator("#reply-editor").get_by_role("radio", name="Note").check()
    expect(editor).to_have_text("Callback number:")
    page.locator("#reply-editor").get_by_role("radio", name="Email").check()
    expect(editor).to_have_text("Hi Jane,")


def test_hash_works_in_post_new_note_on_the_timeline(page: Any) -> None:
    owner = UserFactory(email="owner@example.com", display_name="Olivia Owner", is_owner=True, sets=["Admin"])
    customer = customer_create(
        actor=owner, first_name="Jane", last_name="Doe", emails=[("jane@example.com", "home")]
    )
    services.shortcut_create(
        actor=owner, name="callback", message="Call {{customer.firstName}} back tomorrow."
    )

    sign_in(page, "owner@example.com", PASSWORD)
    page.goto(customer.get_absolute_url() + "?add=note")
    form = page.locator("form#post-new-note")
    expect(form.get_by_role("heading", name="Post New Note")).to_be_visible()
    area = form.locator(".rich-area")
    area.click()
    page.keyboard.type("#callb")
    expect(page.get_by_role("listbox", name="Shortcuts").get_by_role("option")).to_have_count(1)
    page.keyboard.press("Enter")
    expect(area).to_have_text("Call Jane back tomorrow.")
