"""POST /hooks/email/inbound: the channel secret in, 202 out; nothing stored without it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from messaging import services
from messaging.models import EmailChannel, InboundEmail
from tests.messaging.conftest import build, eml

pytestmark = pytest.mark.django_db
URL = "/hooks/email/inbound"


def _post(client: Client, body: bytes, auth: str | None) -> Any:
    headers = {"HTTP_AUTHORIZATION": auth} if auth is not None else {}
    return client.post(URL, data=body, content_type="message/rfc822", **headers)


def test_the_url_is_the_documented_one() -> None:
    assert reverse("messaging:email_hook") == URL


def test_it_accepts_a_message_with_the_right_secret(
    client: Client, channel_secret: tuple[EmailChannel, str], django_capture_on_commit_callbacks: Any
) -> None:
    channel, secret = channel_secret
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, eml("plain.eml"), f"Bearer {secret}")
    assert response.status_code == 202
    inbound = InboundEmail.objects.get()
    assert response.json() == {"id": inbound.pk, "status": "pending"}
    assert (inbound.channel, inbound.source, inbound.status) == (channel, "hook", "processed")
    assert inbound.raw.read() == eml("plain.eml")


@pytest.mark.parametrize(
    "auth", [None, "", "Bearer", "Basic abc", "Bearer kin_000000000000_wrong", "Bearer nope"]
)
def test_it_refuses_a_missing_or_wrong_secret(
    client: Client, channel_secret: tuple[EmailChannel, str], auth: str | None
) -> None:
    response = _post(client, eml("plain.eml"), auth)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not InboundEmail.objects.exists()


def test_a_secret_with_the_right_prefix_but_wrong_body_is_refused(
    client: Client, channel_secret: tuple[EmailChannel, str]
) -> None:
    _, secret = channel_secret
    assert _post(client, eml("plain.eml"), f"Bearer {secret[:-2]}xx").status_code == 401


def test_a_rotated_secret_stops_working(client: Client, channel_secret: tuple[EmailChannel, str]) -> None:
    channel, old = channel_secret
    _, new = services.email_channel_rotate_secret(actor=None, channel=channel)
    assert _post(client, eml("plain.eml"), f"Bearer {old}").status_code == 401
    assert _post(client, eml("plain.eml"), f"Bearer {new}").status_code == 202


def test_an_inactive_channel_refuses_mail(client: Client, channel_secret: tuple[EmailChannel, str]) -> None:
    channel, secret = channel_secret
    EmailChannel.objects.filter(pk=channel.pk).update(is_active=False)
    assert _post(client, eml("plain.eml"), f"Bearer {secret}").status_code == 401


def test_the_secret_is_stored_hashed(channel_secret: tuple[EmailChannel, str]) -> None:
    channel, secret = channel_secret
    channel.refresh_from_db()
    assert secret not in (channel.secret_hash, channel.secret_prefix)
    assert channel.check_secret(secret)


@override_settings(INBOUND_EMAIL_STORE_MAX_BYTES=2048)
def test_it_refuses_a_message_past_the_storage_limit(
    client: Client, channel_secret: tuple[EmailChannel, str]
) -> None:
    _, secret = channel_secret
    response = _post(client, b"Subject: big\r\n\r\n" + b"x" * 4096, f"Bearer {secret}")
    assert response.status_code == 413
    assert not InboundEmail.objects.exists()


def test_it_stores_a_message_larger_than_djangos_upload_limit(
    client: Client, channel_secret: tuple[EmailChannel, str]
) -> None:
    _, secret = channel_secret
    raw = build(body="y" * (4 * 1024 * 1024))
    assert _post(client, raw, f"Bearer {secret}").status_code == 202
    assert InboundEmail.objects.get().size == len(raw)


def test_it_refuses_an_empty_body(client: Client, channel_secret: tuple[EmailChannel, str]) -> None:
    _, secret = channel_secret
    assert _post(client, b"", f"Bearer {secret}").status_code == 400


def test_it_takes_post_only(client: Client) -> None:
    assert client.get(URL).status_code == 405
