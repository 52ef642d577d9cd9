"""Linked Conversations: linking creates the link in both directions, unlinking removes both,
and each end records an event. At most 20 links per conversation from the app (a merge may
keep more: the seed says those are preserved)."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from accounts.capabilities import Capability
from accounts.models import User
from conversations.models import MAX_LINKS_SHOWN, Conversation, ConversationEvent, ConversationLink
from conversations.services.conversations import _require
from conversations.services.events import record_event

Kind = ConversationEvent.Kind


def _lock(ids: set[int]) -> dict[int, Conversation]:
    """Lock every conversation involved, in id order, so two agents linking the same pair from
    opposite ends cannot deadlock, and counts read under the lock stay true."""
    rows = Conversation.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk")
    return {c.pk: c for c in rows}


@transaction.atomic
def conversation_link(
    *, actor: User, conversation: Conversation, others: Sequence[Conversation]
) -> list[Conversation]:
    """Link ``conversation`` with each of ``others`` (the caller checked the actor sees them all).

    All or nothing: a 21st link on either end is refused with a message naming the
    conversation, and nothing is linked. Links that already exist are left as they are.
    Returns the conversations newly linked.
    """
    _require(actor, Capability.UPDATE_CUSTOMERS)
    if any(other.pk == conversation.pk for other in others):
        raise ValidationError("A conversation can't be linked to itself.")
    wanted = {other.pk for other in others}
    if not wanted:
        raise ValidationError("Check at least one conversation to link.")
    locked = _lock(wanted | {conversation.pk})
    if conversation.pk not in locked or len(locked) != len(wanted) + 1:
        raise ValidationError("One of these conversations no longer exists.")
    existing = set(
        ConversationLink.objects.filter(conversation=conversation).values_list("linked_id", flat=True)
    )
    new_ids = sorted(wanted - existing)
    if len(existing) + len(new_ids) > MAX_LINKS_SHOWN:
        room = max(MAX_LINKS_SHOWN - len(existing), 0)
        raise ValidationError(
            f"A conversation can have at most {MAX_LINKS_SHOWN} linked conversations. "
            f"This one has {len(existing)}: check at most {room} more, or unlink some first."
        )
    counts = dict(
        ConversationLink.objects.filter(conversation_id__in=new_ids)
        .values_list("conversation_id")
        .annotate(n=Count("id"))
        .values_list("conversation_id", "n")
    )
    full = [locked[pk] for pk in new_ids if counts.get(pk, 0) >= MAX_LINKS_SHOWN]
    if full:
        names = ", ".join(f"“{c.display_name}”" for c in full)
        raise ValidationError(
            f"{names} already {'has' if len(full) == 1 else 'have'} {MAX_LINKS_SHOWN} linked conversations."
        )
    now = timezone.now()
    source = locked[conversation.pk]
    rows = []
    for pk in new_ids:
        rows.append(ConversationLink(conversation=source, linked_id=pk, created_by=actor, created_at=now))
        rows.append(ConversationLink(conversation_id=pk, linked=source, created_by=actor, created_at=now))
    ConversationLink.objects.bulk_create(rows)
    linked = [locked[pk] for pk in new_ids]
    for other in linked:
        record_event(
            conversation=source,
            actor=actor,
            kind=Kind.LINKED,
            data={"linked": other.pk, "after": other.display_name},
        )
        record_event(
            conversation=other,
            actor=actor,
            kind=Kind.LINKED,
            data={"linked": source.pk, "after": source.display_name},
        )
    return linked


@transaction.atomic
def conversation_unlink(*, actor: User, conversation: Conversation, other: Conversation) -> None:
    """Remove the link from both ends (nothing happens, and no event, when there is none)."""
    _require(actor, Capability.UPDATE_CUSTOMERS)
    locked = _lock({conversation.pk, other.pk})
    deleted, _ = ConversationLink.objects.filter(conversation=conversation, linked=other).delete()
    ConversationLink.objects.filter(conversation=other, linked=conversation).delete()
    if not deleted:
        return
    source, target = locked[conversation.pk], locked[other.pk]
    record_event(
        conversation=source,
        actor=actor,
        kind=Kind.UNLINKED,
        data={"linked": target.pk, "after": target.display_name},
    )
    record_event(
        conversation=target,
        actor=actor,
        kind=Kind.UNLINKED,
        data={"linked": source.pk, "after": source.display_name},
    )
