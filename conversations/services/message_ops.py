"""Message options: Move Message (to another conversation of the same customer, or a new one)
and Message Redaction (of messages and notes), each atomic, each with its events."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from accounts.capabilities import Capability
from accounts.models import User
from conversations.models import Channel, Conversation, ConversationEvent, Message, Note
from conversations.redaction import (
    RedactionError,
    check_spans,
    html_text,
    normalize_text,
    redact_html,
    redact_text,
    scrub,
)
from conversations.services.conversations import _require
from conversations.services.events import record_event
from conversations.signals import message_redacted
from core.sanitize import html_to_text

Kind = ConversationEvent.Kind


def refresh_message_facts(conversation: Conversation) -> None:
    """Recount what a conversation derives from its messages (after some left or arrived)."""
    messages = Message.objects.filter(conversation=conversation)
    inbound = messages.filter(direction=Message.Direction.IN).aggregate(
        first=Min("created_at"), last=Max("created_at")
    )
    outbound = messages.filter(direction=Message.Direction.OUT).aggregate(
        first=Min("created_at"), last=Max("created_at")
    )
    latest = messages.order_by("-created_at", "-pk").values_list("body_text", flat=True).first()
    conversation.message_count = messages.count()
    conversation.first_message_in_at, conversation.last_message_in_at = inbound["first"], inbound["last"]
    conversation.first_message_out_at, conversation.last_message_out_at = outbound["first"], outbound["last"]
    conversation.preview = (latest or "")[:255]
    channels = set(messages.values_list("channel", flat=True).distinct())
    conversation.channels = [c for c in conversation.channels if c in channels] + sorted(
        channels - set(conversation.channels)
    )
    conversation.save(
        update_fields=[
            "message_count",
            "first_message_in_at",
            "last_message_in_at",
            "first_message_out_at",
            "last_message_out_at",
            "preview",
            "channels",
        ]
    )


@transaction.atomic
def message_move(*, actor: User, message: Message, target: Conversation | None) -> Conversation:
    """Move a message to ``target`` (a conversation on the same customer's timeline) or, with
    None, to a new conversation. Its timestamp stays; both conversations record it."""
    _require(actor, Capability.UPDATE_CUSTOMERS)
    message = Message.objects.select_related("conversation").get(pk=message.pk)
    source = message.conversation
    if target is not None and target.pk == source.pk:
        raise ValidationError("The message is already in this conversation. Choose another one.")
    if target is not None and target.customer_id != source.customer_id:
        raise ValidationError("A message can only move to a conversation on the same customer's timeline.")
    if target is None:
        now = timezone.now()
        target = Conversation.objects.create(
            customer_id=source.customer_id,
            name=(message.subject or "")[:255],
            channels=[message.channel] if message.channel != Channel.NOTE else [],
            created_by=actor,
            created_at=message.created_at,
            updated_at=now,
            last_activity_at=message.created_at,
        )
        record_event(conversation=target, actor=actor, kind=Kind.CREATED, data={"status": target.status})
    ids = sorted({source.pk, target.pk})
    locked = {
        c.pk: c
        for c in Conversation.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk")
    }
    if len(locked) != len(ids):
        raise ValidationError("That conversation no longer exists (it may have been merged).")
    source, target = locked[source.pk], locked[target.pk]
    # Re-read under the locks: a merge may have moved the message meanwhile.
    if not Message.objects.filter(pk=message.pk, conversation=source).update(conversation=target):
        raise ValidationError("The message was moved or merged meanwhile. Reload the conversation.")
    for conversation in (source, target):
        refresh_message_facts(conversation)
    target.last_activity_at = max(target.last_activity_at, message.created_at)
    target.save(update_fields=["last_activity_at"])
    record_event(
        conversation=source,
        actor=actor,
        kind=Kind.MESSAGE_MOVED,
        data={"message_id": message.pk, "to": target.pk, "after": f"to {target.display_name}"},
    )
    record_event(
        conversation=target,
        actor=actor,
        kind=Kind.MESSAGE_MOVED,
        data={"message_id": message.pk, "from": source.pk, "after": f"from {source.display_name}"},
    )
    return target


def _spans(text: str, spans: list[tuple[int, int, str]]) -> Any:
    try:
        return check_spans(text, spans)
    except RedactionError as error:
        raise ValidationError(str(error)) from None


def _record_redaction(*, actor: User, conversation: Conversation, what: dict[str, Any], spans: Any) -> None:
    """Who, when and where (positions and lengths); never the removed text."""
    record_event(
        conversation=conversation,
        actor=actor,
        kind=Kind.REDACTED,
        data={**what, "ranges": [[s.start, s.length] for s in spans]},
    )


@transaction.atomic
def message_redact(*, actor: User, message: Message, spans: list[tuple[int, int, str]]) -> Message:
    """Commit Redaction: the text is blocked out in the stored bodies, the conversation's
    preview, and (through ``message_redacted``) the raw email copy kept by the email channel."""
    _require(actor, Capability.REDACT_MESSAGES)
    conversation = Conversation.objects.select_for_update(of=("self",)).get(pk=message.conversation_id)
    message = Message.objects.select_for_update(of=("self",)).get(pk=message.pk)
    if message.body_html:
        checked = _spans(html_text(message.body_html), spans)
        message.body_html, removed = redact_html(message.body_html, checked)
        # The plain-text copy (an email's text part, or one made from the HTML) may lay the
        # text out differently: every occurrence of what was removed is blocked out there.
        message.body_text = (
            scrub(message.body_text, removed) if message.body_text else html_to_text(message.body_html)
        )
    else:
        checked = _spans(normalize_text(message.body_text), spans)
        message.body_text, removed = redact_text(message.body_text, checked)
    message.save(update_fields=["body_html", "body_text"])
    conversation.preview = scrub(conversation.preview, removed)
    conversation.save(update_fields=["preview"])
    _record_redaction(actor=actor, conversation=conversation, what={"message_id": message.pk}, spans=checked)
    message_id, pieces = message.pk, removed
    transaction.on_commit(
        lambda: message_redacted.send(sender=Message, message_id=message_id, removed=pieces)
    )
    return message


@transaction.atomic
def note_redact(*, actor: User, note: Note, spans: list[tuple[int, int, str]]) -> Note:
    """The same for a note; its earlier versions kept in "note updated" events are scrubbed too,
    and a notification email still waiting reads the redacted note when it is sent."""
    _require(actor, Capability.REDACT_MESSAGES)
    conversation = Conversation.objects.select_for_update(of=("self",)).get(pk=note.conversation_id)
    note = Note.objects.select_for_update(of=("self",)).get(pk=note.pk)
    checked = _spans(html_text(note.body_html), spans)
    note.body_html, removed = redact_html(note.body_html, checked)
    note.body_text = html_to_text(note.body_html)
    note.save(update_fields=["body_html", "body_text"])
    events = ConversationEvent.objects.filter(
        conversation=conversation, kind=Kind.NOTE_UPDATED, data__note_id=note.pk
    )
    for event in events:
        data = dict(event.data)
        for key in ("before", "after"):
            if isinstance(data.get(key), str):
                data[key] = scrub(data[key], removed)
        if data != event.data:
            ConversationEvent.objects.filter(pk=event.pk).update(data=data)
    _record_redaction(actor=actor, conversation=conversation, what={"note_id": note.pk}, spans=checked)
    return note
