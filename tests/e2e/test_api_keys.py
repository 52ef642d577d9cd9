"""API keys in a real browser: an admin adds a key in Settings > Security > API Keys, sees it
once, copies it, and a program then reads a conversation with it; after Revoke it no longer
works."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from playwright.sync_api import expect

from api.models import ApiKey
from conversations.services.conversations import conversation_create
from customers.services import customer_create
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_admin_adds_an_api_key_that_then_reads_a_conversation(page: Any, live_server: Any) -> None:
    owner = UserFactory(email="owner@example.com", display_name="Olivia Owner", is_owner=True, sets=["Admin"])
    customer = customer_create(actor=owner, name="Jane Doe", emails=[("jane@example.com", "home")])
    conversation = conversation_create(
        actor=owner, customer=customer, name="Parcel never arrived", channel="email"
    )
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)

    sign_in(page, "owner@example.com", PASSWORD)
    page.goto("/settings/")
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="API Keys").click()
    expect(page.get_by_role("heading", name="API Keys", level=1)).to_be_visible()
    expect(page.get_by_text("No API keys yet.")).to_be_visible()

    page.get_by_role("link", name="Add API Key").click()
    page.get_by_label("Name").fill("Order sync")
    page.get_by_label("User", exact=True).check()
    page.get_by_role("button", name="Create API Key").click()

    # Shown once, with a Copy button.
    expect(page.get_by_role("heading", name="API key created")).to_be_visible()
    expect(page.get_by_text("Copy this key now: it is shown only this once.")).to_be_visible()
    field = page.get_by_label("API key “Order sync”")
    full_key = field.input_value()
    assert full_key.startswith("kc_")
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == full_key

    # The list shows its prefix, never the key.
    page.get_by_role("link", name="Done").click()
    row = page.get_by_role("row").filter(has_text="Order sync")
    api_key = ApiKey.objects.get()
    expect(row).to_contain_text(f"kc_{api_key.prefix}…")
    expect(row).to_contain_text("Active")
    assert full_key not in page.content()

    # A program reads the conversation with the key (no cookies: a separate HTTP client).
    endpoint = f"{live_server.url}/v1/conversations/{conversation.pk}"
    response = requests.get(endpoint, headers={"Authorization": f"Bearer {full_key}"}, timeout=10)
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["id"] == str(conversation.pk)
    assert data["attributes"]["name"] == "Parcel never arrived"
    assert data["attributes"]["linkedConversations"] == []
    assert data["relationships"]["customer"]["data"] == {"type": "customer", "id": str(customer.pk)}

    # Revoke, after the confirmation: the key stops working at once.
    page.reload()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke Order sync").click()
    expect(page.get_by_text("is revoked: it no longer works.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Order sync")).to_contain_text("Revoked")
    response = requests.get(endpoint, headers={"Authorization": f"Bearer {full_key}"}, timeout=10)
    assert response.status_code == 401
    assert response.json()["errors"][0]["detail"] == "The API key was revoked."
