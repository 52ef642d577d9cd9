"""Messages on a conversation: outbound replies from the editor, inbound ones from channels."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.capabilities import Capability
from accounts.models import User
from conversations.models import (
    ATTACHMENT_MAX_FILE,
    ATTACHMENT_MAX_TOTAL,
    Attachment,
    Channel,
    Conversation,
    ConversationEvent,
    Message,
    Status,
)
from conversations.services.conversations import touch_activity
from conversations.services.events import lock_conversation, record_event
from conversations.signals import message_queued
from core.sanitize import html_to_text, sanitize_editor_html, sanitize_html

OUTBOUND_CHANNELS = [Channel.EMAIL, Channel.SMS, Channel.CHAT]


def check_attachments(files: Sequence[UploadedFile], *, per_file: int | None, total: int) -> None:
    """The seed's limits: 5 MB per file (messages) and 9.5 MB in all."""
    errors = []
    if per_file is not None:
        errors += [
            f"“{f.name}” is larger than 5 MB, the most a file can be."
            for f in files
            if (f.size or 0) > per_file
        ]
    if sum(f.size or 0 for f in files) > total:
        errors.append("The attachments add up to more than 9.5 MB, the most a message can carry.")
    if errors:
        raise ValidationError({"attachments": errors})


def save_attachments(
    files: Sequence[UploadedFile],
    *,
    uploaded_by: User | None,
    message: Message | None = None,
    note: object = None,
) -> list[Attachment]:
    saved = []
    for f in files:
        attachment = Attachment(
            message=message,
            note=note,  # type: ignore[misc]
            filename=(f.name or "attachment")[:255],
            content_type=(f.content_type or "application/octet-stream")[:255],
            size=f.size or 0,
            uploaded_by=uploaded_by,
        )
        attachment.file.save(f.name or "attachment", f, save=False)
        attachment.save()
        saved.append(attachment)
    return saved


@transaction.atomic
def message_send(
    *,
    actor: User,
    conversation: Conversation,
    channel: str,
    body_html: str,
    subject: str = "",
    to: Sequence[str] = (),
    cc: Sequence[str] = (),
    from_address: str = "",
    attachments: Sequence[UploadedFile] = (),
    channel_options: dict[str, object] | None = None,
) -> Message:
    """Store an outbound reply as "queued" and hand it to its channel once committed.
    ``channel_options`` are the agent's choices for the channel (an email template), kept on
    the message for whenever it is delivered."""
    if Capability.SEND_MESSAGES not in actor.capabilities:
        raise PermissionDenied("This needs the “Send messages” permission.")
    if channel not in OUTBOUND_CHANNELS:
        raise ValidationError({"channel": "Choose Email, SMS or Chat."})
    clean_html = sanitize_editor_html(body_html)
    text = html_to_text(clean_html)
    if not text and not attachments:
        raise ValidationError({"body": "Write a message before sending."})
    if channel == Channel.SMS and attachments:
        raise ValidationError({"attachments": "SMS messages cannot carry attachments here."})
    check_attachments(attachments, per_file=ATTACHMENT_MAX_FILE, total=ATTACHMENT_MAX_TOTAL)
    conversation = lock_conversation(conversation)
    customer = conversation.customer
    recipients = list(to) or (
        [customer.primary_email] if channel == Channel.EMAIL and customer.primary_email else []
    )
    if channel == Channel.EMAIL and not recipients:
        raise ValidationError({"to": "This customer has no email address: add one to their profile first."})
    now = timezone.now()
    message = Message.objects.create(
        conversation=conversation,
        customer=customer,
        direction=Message.Direction.OUT,
        channel=channel,
        subject=subject[:998],
        body_html=clean_html,
        body_text=text,
        from_address=from_address,
        to=recipients,
        cc=list(cc),
        delivery_status=Message.DeliveryStatus.QUEUED,
        channel_options=dict(channel_options or {}),
        author=actor,
        created_at=now,
    )
    save_attachments(attachments, uploaded_by=actor, message=message)
    conversation.message_count += 1
    conversation.preview = text[:255] or conversation.preview
    conversation.save(update_fields=["message_count", "preview"])
    touch_activity(conversation=conversation, at=now, channel=channel, direction="out")
    record_event(
        conversation=conversation,
        actor=actor,
        kind=ConversationEvent.Kind.MESSAGE,
        data={"message_id": message.pk, "direction": "out", "channel": channel},
    )
    message_id = message.pk
    transaction.on_commit(lambda: message_queued.send(sender=Message, message_id=message_id, channel=channel))
    return message


@transaction.atomic
def message_receive(
    *,
    conversation: Conversation,
    channel: str,
    body_text: str = "",
    body_html: str = "",
    subject: str = "",
    from_address: str = "",
    to: Sequence[str] = (),
    cc: Sequence[str] = (),
    external_id: str = "",
    received_at: datetime.datetime | None = None,
) -> Message:
    """Record an inbound message; a customer reply reopens a Done conversation and wakes a snoozed one."""
    conversation = lock_conversation(conversation)
    clean_html = sanitize_html(body_html) if body_html else ""
    text = body_text or html_to_text(clean_html)
    at = received_at or timezone.now()
    message = Message.objects.create(
        conversation=conversation,
        customer=conversation.customer,
        direction=Message.Direction.IN,
        channel=channel,
        subject=subject[:998],
        body_text=text,
        body_html=clean_html,
        from_address=from_address,
        to=list(to),
        cc=list(cc),
        delivery_status=Message.DeliveryStatus.RECEIVED,
        external_id=external_id,
        created_at=at,
    )
    conversation.message_count += 1
    conversation.preview = text[:255] or conversation.preview
    conversation.save(update_fields=["message_count", "preview"])
    touch_activity(conversation=conversation, at=at, channel=channel, direction="in")
    record_event(
        conversation=conversation,
        actor=None,
        kind=ConversationEvent.Kind.MESSAGE,
        data={"message_id": message.pk, "direction": "in", "channel": channel},
    )
    wakes = conversation.status == Status.DONE or (
        conversation.status == Status.SNOOZED and conversation.snooze_until_customer_replies
    )
    if wakes:
        from conversations.services.conversations import conversation_reopen

        conversation_reopen(actor=None, conversation=conversation)
    return message
