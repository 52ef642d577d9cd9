"""Settings > Channels > Email: addresses, secrets, and the Failed inbound list."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from core.models import AuditEntry
from messaging import services
from messaging.models import EmailChannel, InboundEmail
from tests.messaging.conftest import build, eml

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User], Client]


def _failed(channel: EmailChannel, n: int = 1) -> list[InboundEmail]:
    rows = []
    for i in range(n):
        inbound = services.inbound_store(
            channel=channel,
            raw=build(sender="", message_id=f"<nf-{i}@x.example>"),
            source="hook",
            enqueue=False,
        )
        rows.append(services.inbound_process(inbound_email_id=inbound.pk))
    return rows


def test_the_page_is_in_the_settings_menu(client_for: ClientFor, owner: User) -> None:
    response = client_for(owner).get(reverse("accounts:settings"), follow=True)
    assert reverse("messaging:email_channel_list") in response.content.decode()


def test_an_empty_list_says_what_to_do(client_for: ClientFor, owner: User) -> None:
    response = client_for(owner).get(reverse("messaging:email_channel_list"))
    assert response.status_code == 200
    assert "No inbound addresses yet." in response.content.decode()
    assert "Add the first inbound address" in response.content.decode()


def test_adding_an_address_shows_its_secret_once(client_for: ClientFor, owner: User) -> None:
    client = client_for(owner)
    response = client.post(
        reverse("messaging:email_channel_create"),
        {"address": "Help@Acme.example", "display_name": "Acme Help", "is_active": "on"},
    )
    assert response.status_code == 200
    channel = EmailChannel.objects.get()
    assert (channel.address, channel.display_name) == ("help@acme.example", "Acme Help")
    secret = response.context["secret"]
    assert secret in response.content.decode() and channel.check_secret(secret)
    assert response["Cache-Control"] == "no-store"
    assert (
        secret not in client.get(reverse("messaging:email_channel_edit", args=[channel.pk])).content.decode()
    )
    assert AuditEntry.objects.filter(object_type="messaging.emailchannel", action="create").exists()


def test_a_duplicate_address_is_a_form_error(
    client_for: ClientFor, owner: User, channel: EmailChannel
) -> None:
    response = client_for(owner).post(
        reverse("messaging:email_channel_create"), {"address": "SUPPORT@acme.example"}
    )
    assert response.status_code == 200
    assert "is already an inbound address" in response.content.decode()
    assert EmailChannel.objects.count() == 1


def test_editing_an_address(client_for: ClientFor, owner: User, channel: EmailChannel) -> None:
    url = reverse("messaging:email_channel_edit", args=[channel.pk])
    response = client_for(owner).post(url, {"address": channel.address, "display_name": "Acme Care"})
    assert response.status_code == 302
    channel.refresh_from_db()
    assert (channel.display_name, channel.is_active) == ("Acme Care", False)


def test_rotate_shows_a_new_secret_and_the_old_one_stops(
    client_for: ClientFor, owner: User, channel_secret: tuple[EmailChannel, str]
) -> None:
    channel, old = channel_secret
    response = client_for(owner).post(reverse("messaging:email_channel_rotate", args=[channel.pk]))
    assert response.status_code == 200
    new = response.context["secret"]
    channel.refresh_from_db()
    assert new != old and channel.check_secret(new) and not channel.check_secret(old)


def test_the_failed_list_shows_reason_sender_and_actions(
    client_for: ClientFor, owner: User, channel: EmailChannel
) -> None:
    row = _failed(channel)[0]
    services.inbound_process(
        inbound_email_id=services.inbound_store(
            channel=channel, raw=eml("plain.eml"), source="hook", enqueue=False
        ).pk
    )
    response = client_for(owner).get(reverse("messaging:inbound_failed_list"))
    body = response.content.decode()
    assert "no From address" in body
    assert reverse("messaging:inbound_raw", args=[row.pk]) in body
    assert reverse("messaging:inbound_retry", args=[row.pk]) in body
    assert "Where is my order" not in body  # processed mail is not listed


def test_the_failed_list_filters_with_htmx(client_for: ClientFor, owner: User, channel: EmailChannel) -> None:
    _failed(channel)
    response = client_for(owner).get(
        reverse("messaging:inbound_failed_list"), {"status": "ignored"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="inbound-failed-list">') and "<html" not in body
    assert "No failed or ignored mail matches this filter." in body


def test_an_empty_failed_list_says_so(client_for: ClientFor, owner: User, channel: EmailChannel) -> None:
    assert (
        "No failed inbound mail."
        in client_for(owner).get(reverse("messaging:inbound_failed_list")).content.decode()
    )


def test_the_failed_list_costs_the_same_queries_for_1_and_20_rows(
    client_for: ClientFor, owner: User, channel: EmailChannel
) -> None:
    client = client_for(owner)
    url = reverse("messaging:inbound_failed_list")
    _failed(channel, 1)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    other = services.email_channel_create(actor=None, address="other@acme.example")[0]
    for i in range(19):
        services.inbound_process(
            inbound_email_id=services.inbound_store(
                channel=other if i % 2 else channel,
                raw=build(sender="", message_id=f"<more-{i}@x.example>"),
                source="hook",
                enqueue=False,
            ).pk
        )
    with CaptureQueriesContext(connection) as twenty:
        response = client.get(url)
    assert len(response.context["rows"]) == 20
    assert len(one) == len(twenty)


def test_the_address_list_costs_the_same_queries_for_1_and_20_rows(
    client_for: ClientFor, owner: User
) -> None:
    client = client_for(owner)
    url = reverse("messaging:email_channel_list")
    services.email_channel_create(actor=None, address="a0@acme.example")
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for i in range(1, 20):
        services.email_channel_create(actor=None, address=f"a{i}@acme.example")
    with CaptureQueriesContext(connection) as twenty:
        response = client.get(url)
    assert len(response.context["channels"]) == 20
    assert len(one) == len(twenty)


def test_the_raw_message_downloads_as_eml(client_for: ClientFor, owner: User, channel: EmailChannel) -> None:
    row = _failed(channel)[0]
    response = client_for(owner).get(reverse("messaging:inbound_raw", args=[row.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "message/rfc822"
    assert b"".join(response.streaming_content).startswith(b"To: support@acme.example")


def test_retry_requeues_a_failed_message(
    client_for: ClientFor, owner: User, channel: EmailChannel, django_capture_on_commit_callbacks: Any
) -> None:
    row = _failed(channel)[0]
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(owner).post(reverse("messaging:inbound_retry", args=[row.pk]))
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", 2)  # still no From: failed again, tried twice


def test_retry_all_requeues_the_filtered_list(
    client_for: ClientFor, owner: User, channel: EmailChannel, django_capture_on_commit_callbacks: Any
) -> None:
    rows = _failed(channel, 3)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(owner).post(reverse("messaging:inbound_retry_all"), {"status": "failed"})
    assert response.status_code == 302
    assert [r.attempts for r in InboundEmail.objects.filter(pk__in=[r.pk for r in rows])] == [2, 2, 2]


@pytest.mark.parametrize("persona", ["outsider", "agent", "manager"])
def test_users_without_the_capability_get_403(
    client_for: ClientFor, channel: EmailChannel, persona: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)
    client = client_for(user)
    row = _failed(channel)[0]
    secret_hash = channel.secret_hash
    for method, url in [
        ("get", reverse("messaging:email_channel_list")),
        ("get", reverse("messaging:email_channel_create")),
        ("get", reverse("messaging:email_channel_edit", args=[channel.pk])),
        ("post", reverse("messaging:email_channel_rotate", args=[channel.pk])),
        ("get", reverse("messaging:inbound_failed_list")),
        ("get", reverse("messaging:inbound_raw", args=[row.pk])),
        ("post", reverse("messaging:inbound_retry", args=[row.pk])),
        ("post", reverse("messaging:inbound_retry_all")),
    ]:
        assert getattr(client, method)(url).status_code == 403, url
    channel.refresh_from_db()
    row.refresh_from_db()
    assert (channel.secret_hash, row.attempts) == (secret_hash, 1)


def test_signed_out_users_go_to_sign_in(client: Client, channel: EmailChannel) -> None:
    response = client.get(reverse("messaging:email_channel_list"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_missing_channel_is_404(client_for: ClientFor, owner: User) -> None:
    assert client_for(owner).get(reverse("messaging:email_channel_edit", args=[999])).status_code == 404


def test_the_address_list_counts_failed_mail(
    client_for: ClientFor, owner: User, channel: EmailChannel
) -> None:
    _failed(channel, 2)
    response = client_for(owner).get(reverse("messaging:email_channel_list"))
    assert response.context["channels"][0].failed_count == 2
    assert f"?channel={channel.pk}&amp;status=failed" in response.content.decode()
