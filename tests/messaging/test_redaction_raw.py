"""Redaction reaches the raw email copy: the text is blocked out in the stored .eml (text and
HTML parts, base64 or quoted-printable), or the copy is deleted when it can't be rewritten."""

from __future__ import annotations

import base64
from collections.abc import Callable

import pytest

from accounts.models import User
from conversations.redaction import BLOCK, html_text
from conversations.services.message_ops import message_redact
from messaging.models import InboundEmail
from messaging.redaction import scrub_raw
from tests.messaging.conftest import build

pytestmark = pytest.mark.django_db
CARD = "4111 1111 1111 1111"


def raw_bytes(inbound: InboundEmail) -> bytes:
    inbound.refresh_from_db()
    with inbound.raw.open("rb") as handle:
        return handle.read()


def test_a_committed_redaction_rewrites_the_raw_copy(
    admin_user: User, receive: Callable[..., InboundEmail], django_capture_on_commit_callbacks: object
) -> None:
    inbound = receive(build(body=f"My card is {CARD}, thanks", subject="Card"))
    message = inbound.message
    assert message is not None
    text = message.body_text if not message.body_html else html_text(message.body_html)
    start = text.index(CARD)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        message_redact(actor=admin_user, message=message, spans=[(start, len(CARD), CARD)])
    raw = raw_bytes(inbound)
    assert CARD.encode() not in raw
    assert BLOCK.encode() in raw or base64.b64encode(BLOCK.encode()) in raw or b"=E2=96=88" in raw


def test_encoded_parts_are_rewritten_too() -> None:
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"] = "a@example.com"
    message["Subject"] = f"card {CARD}"
    message.set_content(f"plain {CARD}", cte="base64")
    message.add_alternative(f"<p>html {CARD}</p>", subtype="html", cte="quoted-printable")
    rewritten = scrub_raw(message.as_bytes(), [CARD])
    assert rewritten is not None
    import email
    from email import policy

    parsed = email.message_from_bytes(rewritten, policy=policy.default)
    parts = [part.get_content() for part in parsed.walk() if part.get_content_maintype() == "text"]
    assert all(CARD not in part for part in parts) and all(BLOCK * len(CARD) in part for part in parts)
    assert CARD not in str(parsed["Subject"])


def test_a_copy_that_cannot_be_rewritten_is_deleted(
    admin_user: User,
    receive: Callable[..., InboundEmail],
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: object,
) -> None:
    inbound = receive(build(body=f"card {CARD}"))
    message = inbound.message
    assert message is not None
    monkeypatch.setattr("messaging.redaction.scrub_raw", lambda raw, pieces: None)
    start = message.body_text.index(CARD)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        message_redact(actor=admin_user, message=message, spans=[(start, len(CARD), CARD)])
    inbound.refresh_from_db()
    assert not inbound.raw
    assert inbound.failure_reason == "The raw copy was deleted after a redaction."
