"""Inbound email in a real browser: a customer's email, posted to the Email Hook while the agent
looks at the inbox, shows up without a reload; the reply then threads into the open
conversation, with its quote folded and its remote image loaded only when the agent asks."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from conversations.models import Conversation
from messaging import services
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _mail(*, message_id: str, subject: str, html: str, in_reply_to: str = "") -> bytes:
    message = EmailMessage()
    message["From"] = "Jane Doe <jane@customer.example>"
    message["To"] = "support@acme.example"
    message["Subject"] = subject
    message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    message.set_content("plain version")
    message.add_alternative(html, subtype="html")
    return message.as_bytes()


def test_a_customer_email_reaches_the_agent_without_a_reload(page: Any, live_server: Any) -> None:
    UserFactory(email="agent@example.com", display_name="Alex Agent", sets=["User"])
    _, secret = services.email_channel_create(actor=None, address="support@acme.example")
    hook = f"{live_server.url}/hooks/email/inbound"
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "message/rfc822"}

    sign_in(page, "agent@example.com", PASSWORD)
    page.goto("/inbox/?view=open")
    first = _mail(
        message_id="<first@customer.example>", subject="Parcel never arrived", html="<p>Where is it?</p>"
    )
    assert requests.post(hook, data=first, headers=headers, timeout=10).status_code == 202
    expect(page.locator("#inbox-list")).to_contain_text("Parcel never arrived", timeout=15_000)

    conversation = Conversation.objects.get()
    page.goto(conversation.get_absolute_url())
    image = f"{live_server.url}/static/favicon.svg"
    reply = _mail(
        message_id="<second@customer.example>",
        subject="Re: Parcel never arrived",
        in_reply_to="<first@customer.example>",
        html=f'<p>Found it, thanks!</p><p><img src="{image}" alt="logo"></p>'
        "<div>On Monday, Support wrote:</div><blockquote>We are looking into it.</blockquote>",
    )
    assert requests.post(hook, data=reply, headers=headers, timeout=10).status_code == 202
    feed = page.locator("#conversation-feed")
    expect(feed).to_contain_text("Found it, thanks!", timeout=15_000)
    assert Conversation.objects.count() == 1

    message = feed.locator("article.message").filter(has_text="Found it, thanks!")
    expect(message.get_by_text("We are looking into it.")).not_to_be_visible()
    message.get_by_text("Show quoted text").click()
    expect(message.get_by_text("We are looking into it.")).to_be_visible()

    logo = message.get_by_role("img", name="logo")
    assert logo.get_attribute("src") is None
    message.get_by_role("button", name="Show remote images").click()
    expect(logo).to_have_attribute("src", image)


def test_an_admin_adds_an_inbound_address_and_retries_a_failed_message(page: Any, live_server: Any) -> None:
    UserFactory(email="owner@example.com", display_name="Olivia Owner", is_owner=True, sets=["Admin"])
    sign_in(page, "owner@example.com", PASSWORD)
    page.goto("/settings/channels/email/")
    expect(page.get_by_text("No inbound addresses yet.")).to_be_visible()
    page.get_by_role("link", name="Add Inbound Address").click()
    page.get_by_label("Inbound address").fill("help@acme.example")
    page.get_by_label("Sender name").fill("Acme Help")
    page.get_by_role("button", name="Create").click()
    secret = page.get_by_label("Email Hook secret").input_value()
    assert secret.startswith("kin_")

    no_sender = (
        b"To: help@acme.example\r\nSubject: Who am I?\r\nMessage-ID: <anon@x.example>\r\n\r\nHello\r\n"
    )
    response = requests.post(
        f"{live_server.url}/hooks/email/inbound",
        data=no_sender,
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "message/rfc822"},
        timeout=10,
    )
    assert response.status_code == 202
    page.get_by_role("link", name="Done").click()
    page.get_by_role("link", name="Failed inbound").click()
    row = page.locator("#inbound-failed-list tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("no From address")
    with page.expect_download() as download:
        row.get_by_role("link", name="Download .eml").click()
    assert download.value.suggested_filename.endswith(".eml")
    row.get_by_role("button", name="Retry").click()
    expect(page.get_by_text("is queued for processing again")).to_be_visible()
    expect(row).to_contain_text("2 attempts")
