"""Email templates in a real browser: an admin adds one in Settings › Administration › Email
Templates (with a snippet), sees the preview; an agent picks it for a reply, and the email goes
out wrapped in it, the snippet in the customer's language. (Celery runs eagerly in the live
server, with the locmem mail backend.)"""

from __future__ import annotations

from email import message_from_bytes
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import expect

from conversations.services.conversations import conversation_create
from customers.services import customer_create
from messaging.models_templates import EmailTemplate
from shortcuts import services as shortcut_services
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_admin_adds_a_template_and_a_reply_goes_out_in_it(page: Any) -> None:
    owner = UserFactory(email="owner@example.com", display_name="Olivia Owner", is_owner=True, sets=["Admin"])
    shortcut_services.localization_update(actor=None, default_language="en", enabled_languages=["en", "fr"])
    shortcut_services.snippet_create(actor=None, name="thanks", texts={"en": "Thank you", "fr": "Merci"})
    customer = customer_create(
        actor=owner, first_name="Jeanne", emails=[("jeanne@example.com", "home")], locale="fr"
    )
    conversation = conversation_create(actor=owner, customer=customer, name="Commande", channel="email")

    sign_in(page, "owner@example.com", PASSWORD)
    page.goto("/settings/administration/email-templates/")
    expect(page.get_by_text("No email templates yet.")).to_be_visible()
    page.get_by_role("link", name="Add Email Template").click()
    page.get_by_label("Name").fill("Branded")
    page.get_by_label("Body").fill('<div class="top">[[sn.thanks]], {{customer.firstName}}</div>{{message}}')
    page.get_by_role("button", name="Save Changes").click()
    expect(page.get_by_text("Email template “Branded” is saved.")).to_be_visible()
    preview = page.frame_locator("iframe.preview-frame")
    expect(preview.locator("body")).to_contain_text("This is where the agent's reply goes.")
    template = EmailTemplate.objects.get()
    assert template.is_default

    page.goto(conversation.get_absolute_url())
    reply = page.locator("#reply-editor")
    reply.get_by_role("radio", name="Email").check()
    expect(reply.get_by_label("Template")).to_have_value(str(template.pk))
    reply.locator(".rich-area").click()
    page.keyboard.type("Your order ships today.")
    reply.get_by_role("button", name="Send").click()
    expect(page.locator("#conversation-feed article.message-out")).to_contain_text("Your order ships today.")

    assert len(mail.outbox) == 1
    parsed = message_from_bytes(mail.outbox[0].message().as_bytes())
    html = (
        next(p for p in parsed.walk() if p.get_content_type() == "text/html")
        .get_payload(decode=True)
        .decode()
    )
    assert html.startswith('<div class="top">Merci, Jeanne</div>')
    assert "Your order ships today." in html
