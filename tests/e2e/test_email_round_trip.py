"""The email channel end to end in a real browser: a customer's email arrives through the
hook and shows in the inbox without a reload; the agent replies; the reply goes out with our
Message-ID and the threading headers; the customer's answer to it threads into the same
conversation and shows without a reload. (The live server runs Celery eagerly with the locmem
mail backend; the SMTP round trip with a real worker is in tests/integration/.)"""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

import pytest
import requests
from django.core import mail
from playwright.sync_api import expect

from conversations.models import Conversation, Message
from messaging import services, services_outbound
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _mail(*, message_id: str, subject: str, text: str, in_reply_to: str = "") -> bytes:
    message = EmailMessage()
    message["From"] = "Jane Doe <jane@customer.example>"
    message["To"] = "support@acme.example"
    message["Subject"] = subject
    message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    message.set_content(text)
    return message.as_bytes()


def test_email_in_reply_out_answer_threads(page: Any, live_server: Any) -> None:
    UserFactory(email="agent@example.com", display_name="Alex Agent", sets=["User"])
    _, secret = services.email_channel_create(actor=None, address="support@acme.example")
    brand = services_outbound.brand_create(actor=None, name="Acme")
    services_outbound.sender_address_create(actor=None, brand=brand, email="support@acme.example")
    hook = f"{live_server.url}/hooks/email/inbound"
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "message/rfc822"}

    sign_in(page, "agent@example.com", PASSWORD)
    page.goto("/inbox/?view=open")
    first = _mail(
        message_id="<q-1@customer.example>", subject="Lamp arrived broken", text="Can I get a new one?"
    )
    assert requests.post(hook, data=first, headers=headers, timeout=10).status_code == 202
    expect(page.locator("#inbox-list")).to_contain_text("Lamp arrived broken", timeout=15_000)

    conversation = Conversation.objects.get()
    page.locator("#inbox-list").get_by_text("Lamp arrived broken").click()
    expect(page.locator("#conversation-feed")).to_contain_text("Can I get a new one?")
    page.locator("#reply-editor").get_by_role("radio", name="Email").check()
    page.locator("#reply-editor .rich-area").click()
    page.keyboard.type("A new lamp is on its way.")
    page.locator("#reply-editor").get_by_role("button", name="Send").click()
    expect(page.locator("#conversation-feed article.message-out .delivery")).to_have_text("Sent")

    assert len(mail.outbox) == 1
    sent = mail.outbox[0].message()
    ours = Message.objects.get(direction="out").external_id
    assert sent["Message-ID"] == ours
    assert sent["In-Reply-To"] == "<q-1@customer.example>"
    assert sent["References"] == "<q-1@customer.example>"
    assert sent["Subject"] == "Re: Lamp arrived broken"
    assert sent["To"] == "jane@customer.example"

    answer = _mail(
        message_id="<q-2@customer.example>",
        subject="Re: Lamp arrived broken",
        text="Thank you!",
        in_reply_to=ours,
    )
    assert requests.post(hook, data=answer, headers=headers, timeout=10).status_code == 202
    expect(page.locator("#conversation-feed")).to_contain_text("Thank you!", timeout=15_000)
    assert Conversation.objects.count() == 1
    assert Message.objects.filter(conversation=conversation).count() == 3
