"""Mail leaves through the real path: request -> broker -> Celery worker -> SMTP on loopback."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import User

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_password_reset_mail_is_delivered_by_the_worker(
    client: Client, agent: User, smtp_server: Any, celery_worker: Any
) -> None:
    response = client.post(reverse("accounts:password_reset"), {"email": agent.email})
    assert response.status_code == 302
    messages = smtp_server.wait_for(1)
    assert len(messages) == 1
    mail = messages[0]
    assert mail["To"] == agent.email
    assert mail["Subject"] == "Reset your Kustomer Clone password"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert "/password-reset/" in mail.get_payload(decode=True).decode()


def test_an_invitation_is_delivered_by_the_worker(owner: User, smtp_server: Any, celery_worker: Any) -> None:
    services.user_create(actor=owner, email="invitee@example.com", display_name="Ivy Invitee")
    messages = smtp_server.wait_for(1)
    assert [m["To"] for m in messages] == ["invitee@example.com"]
    assert "Choose your password" in messages[0].get_payload(decode=True).decode()
