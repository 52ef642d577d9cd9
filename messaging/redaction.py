"""Redaction reaches the raw email copy: when text is redacted from a message, the raw RFC 5322
bytes we kept for it are rewritten with that text blocked out in every text part; when the
copy can't be rewritten with certainty, it is deleted (the stored message stays)."""

from __future__ import annotations

import email
import logging
from email import policy
from email.message import EmailMessage
from functools import partial
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction

from conversations.redaction import scrub
from conversations.signals import message_redacted
from messaging.models import InboundEmail

log = logging.getLogger(__name__)


def scrub_raw(raw: bytes, pieces: list[str]) -> bytes | None:
    """The raw message with ``pieces`` blocked out in its text parts and headers; None when
    some piece is still there afterwards (then the copy must go)."""
    try:
        message = email.message_from_bytes(raw, policy=policy.default)
        if not isinstance(message, EmailMessage):
            return None
        for part in message.walk():
            if part.is_multipart() or part.get_content_maintype() != "text":
                continue
            content = part.get_content()
            cleaned = scrub(content, pieces)
            if cleaned != content:
                part.set_content(cleaned, subtype=part.get_content_subtype(), charset="utf-8")
        for name in ("Subject",):
            value = message.get(name)
            if value is not None and scrub(str(value), pieces) != str(value):
                del message[name]
                message[name] = scrub(str(value), pieces)
        rewritten = message.as_bytes(policy=policy.SMTP)
    except Exception:  # a message we parsed once may still defeat a rewrite: drop the copy
        log.warning("could not rewrite a raw email for a redaction", exc_info=True)
        return None
    check = email.message_from_bytes(rewritten, policy=policy.default)
    text = " ".join(
        str(part.get_content())
        for part in check.walk()
        if not part.is_multipart() and part.get_content_maintype() == "text"
    )
    if any(piece.strip() and piece in text for piece in pieces):
        return None
    return rewritten


def redact_raw_copies(*, message_id: int, removed: list[str], **_: Any) -> None:
    """Receiver of conversations.signals.message_redacted (sent after the redaction commits)."""
    for inbound in InboundEmail.objects.filter(message_id=message_id).exclude(raw=""):
        with transaction.atomic():
            inbound = InboundEmail.objects.select_for_update().get(pk=inbound.pk)
            old_name = inbound.raw.name
            with inbound.raw.open("rb") as handle:
                raw = handle.read()
            rewritten = scrub_raw(raw, removed)
            storage = inbound.raw.storage
            inbound.subject = scrub(inbound.subject, removed)
            if rewritten is None:
                inbound.raw = ""  # the copy is gone; the row stays
                inbound.failure_reason = "The raw copy was deleted after a redaction."
                inbound.save(update_fields=["raw", "failure_reason", "subject"])
            else:
                inbound.raw.save(f"{inbound.pk}.eml", ContentFile(rewritten), save=False)
                inbound.save(update_fields=["raw", "subject"])
            transaction.on_commit(partial(storage.delete, old_name))


def connect() -> None:
    message_redacted.connect(redact_raw_copies, dispatch_uid="messaging.redact_raw_copies")
