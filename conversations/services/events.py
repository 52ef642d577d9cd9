from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from conversations.models import Conversation, ConversationEvent, MergedConversation
from conversations.signals import conversation_changed


def record_event(
    *, conversation: Conversation, actor: Any, kind: str, data: dict[str, Any] | None = None
) -> ConversationEvent:
    """Write one ConversationEvent and bump the conversation's update time."""
    now = timezone.now()
    event = ConversationEvent.objects.create(
        conversation=conversation,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        kind=kind,
        data=data or {},
        created_at=now,
    )
    Conversation.objects.filter(pk=conversation.pk).update(updated_at=now)
    conversation_id = conversation.pk
    transaction.on_commit(
        lambda: conversation_changed.send(sender=Conversation, conversation_id=conversation_id, kind=kind)
    )
    return event


def lock_conversation(conversation: Conversation | int) -> Conversation:
    """Re-read a conversation under SELECT ... FOR UPDATE (conversation before its children).

    A conversation merged away in the meantime (say, while an email for it waited for the
    lock) resolves to the one it was merged into, so nothing lands in a conversation that no
    longer exists. Raises Conversation.DoesNotExist when neither is there.
    """
    pk = conversation if isinstance(conversation, int) else conversation.pk
    rows = Conversation.objects.select_for_update(of=("self",))
    found = rows.filter(pk=pk).first()
    if found is None:
        into = MergedConversation.objects.filter(pk=pk).values_list("into_id", flat=True).first()
        if into is None:
            raise Conversation.DoesNotExist(f"Conversation {pk} does not exist.")
        found = rows.get(pk=into)
    return found
