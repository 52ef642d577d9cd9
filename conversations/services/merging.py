"""Merge Conversation and Move Conversation: many rows change at once, so each runs in one
transaction that first locks every conversation involved, in id order.

A message arriving during a merge waits for the lock (message_receive locks its conversation)
and then follows the merged-away conversation to the result (lock_conversation resolves it):
every message ends up in exactly one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.capabilities import Capability
from accounts.models import User
from conversations.models import (
    MAX_TAGS_PER_CONVERSATION,
    Channel,
    Conversation,
    ConversationEvent,
    ConversationLink,
    ConversationTag,
    MergedConversation,
    Message,
    Note,
    Notification,
    Status,
)
from conversations.services.conversations import _require
from conversations.services.events import record_event
from conversations.signals import conversation_merged
from core.audit import audit_record
from core.models import AuditEntry
from customers.models import Customer

Kind = ConversationEvent.Kind
UNMOVABLE_CHANNELS = {Channel.CHAT: "Chat", "whatsapp": "WhatsApp"}


def _lock_pair(first: Conversation, second: Conversation) -> tuple[Conversation, Conversation]:
    """Lock both in id order. One that was merged away meanwhile is refused, not followed: the
    agent chose these two, and the result of the other merge may not be what they meant."""
    ids = sorted({first.pk, second.pk})
    rows = {
        c.pk: c
        for c in Conversation.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk")
    }
    for conversation in (first, second):
        if conversation.pk not in rows:
            merged = MergedConversation.objects.filter(pk=conversation.pk).first()
            if merged is not None:
                raise ValidationError(
                    f"“{merged.name or f'Conversation {merged.pk}'}” was just merged into another "
                    "conversation. Open it again and choose once more."
                )
            raise ValidationError("One of these conversations no longer exists.")
    return rows[first.pk], rows[second.pk]


# --- Merge -------------------------------------------------------------------------------------


@dataclass
class MergePlan:
    """What merging ``source`` into ``target`` will do: shown before the agent confirms, and
    then carried out by conversation_merge (computed again under the locks)."""

    source: Conversation
    target: Conversation
    status: str
    snoozed_until_customer_replies: bool
    taken: dict[str, Any] = field(default_factory=dict)  # attribute -> value from the source
    kept: dict[str, Any] = field(default_factory=dict)  # custom attribute -> target value kept
    tags_added: list[str] = field(default_factory=list)
    tags_left_out: list[str] = field(default_factory=list)
    messages: int = 0
    notes: int = 0
    links_added: int = 0
    next_channel: str = ""


def _check_merge(actor: User, source: Conversation, target: Conversation) -> None:
    _require(actor, Capability.MERGE_CONVERSATIONS)
    if source.pk == target.pk:
        raise ValidationError("A conversation can't be merged into itself. Choose another one.")
    if source.customer_id != target.customer_id:
        raise ValidationError("Only conversations on the same customer's timeline can be merged.")


def merge_plan(*, actor: User, source: Conversation, target: Conversation) -> MergePlan:
    """The seed's rules, exactly: a Done target with an Open or Snoozed source takes that status;
    an attribute set on the target keeps its value, an unset one takes the source's; tags are
    combined within 20; links of both are kept; the next reply goes out on the channel of the
    last message."""
    _check_merge(actor, source, target)
    status, until_replies = target.status, target.snooze_until_customer_replies
    taken: dict[str, Any] = {}
    if target.status == Status.DONE and source.status in (Status.OPEN, Status.SNOOZED):
        status, until_replies = source.status, source.snooze_until_customer_replies
        taken["status"] = source.get_status_display()
    if not target.name and source.name:
        taken["name"] = source.name
    if not target.queue_id and source.queue_id:
        taken["queue"] = str(source.queue)
    if not target.assigned_users.exists() and source.assigned_users.exists():
        taken["assigned users"] = ", ".join(u.display_name for u in source.assigned_users.all())
    if not target.assigned_teams.exists() and source.assigned_teams.exists():
        taken["assigned teams"] = ", ".join(t.name for t in source.assigned_teams.all())
    target_custom = target.custom if isinstance(target.custom, dict) else {}
    source_custom = source.custom if isinstance(source.custom, dict) else {}
    for key, value in source_custom.items():
        if target_custom.get(key) in (None, ""):
            taken[key] = value
    kept = {
        k: target_custom[k]
        for k, v in source_custom.items()
        if target_custom.get(k) not in (None, "") and v != target_custom[k]
    }
    target_tags = list(
        ConversationTag.objects.filter(conversation=target).values_list("tag__name", flat=True)
    )
    source_tags = [
        name
        for name in ConversationTag.objects.filter(conversation=source).values_list("tag__name", flat=True)
        if name not in target_tags
    ]
    room = max(MAX_TAGS_PER_CONVERSATION - len(target_tags), 0)
    target_links = set(
        ConversationLink.objects.filter(conversation=target).values_list("linked_id", flat=True)
    )
    source_links = set(
        ConversationLink.objects.filter(conversation=source).values_list("linked_id", flat=True)
    )
    last = (
        Message.objects.filter(conversation__in=[source, target])
        .order_by("-created_at", "-pk")
        .values_list("channel", flat=True)
        .first()
    )
    return MergePlan(
        source=source,
        target=target,
        status=status,
        snoozed_until_customer_replies=until_replies,
        taken=taken,
        kept=kept,
        tags_added=source_tags[:room],
        tags_left_out=source_tags[room:],
        messages=Message.objects.filter(conversation=source).count(),
        notes=Note.objects.filter(conversation=source).count(),
        links_added=len(source_links - target_links - {target.pk}),
        next_channel=last or "",
    )


@transaction.atomic
def conversation_merge(*, actor: User, source: Conversation, target: Conversation) -> MergePlan:
    """Merge ``source`` into ``target``, permanently. Returns what was done (the plan, made
    under the locks). The merged-away conversation leaves a MergedConversation record that
    sends anyone who opens it (and any email that threads into it) to the result."""
    _check_merge(actor, source, target)
    source, target = _lock_pair(source, target)
    plan = merge_plan(actor=actor, source=source, target=target)

    # Everything in the source moves, with its original timestamps.
    Message.objects.filter(conversation=source).update(conversation=target)
    Note.objects.filter(conversation=source).update(conversation=target)
    ConversationEvent.objects.filter(conversation=source).update(conversation=target)
    Notification.objects.filter(conversation=source).update(conversation=target)

    # Tags: combined within the limit.
    tag_ids = dict(ConversationTag.objects.filter(conversation=source).values_list("tag__name", "tag_id"))
    ConversationTag.objects.bulk_create(
        [
            ConversationTag(conversation=target, tag_id=tag_ids[name], added_by=actor)
            for name in plan.tags_added
        ]
    )

    # Links: those of both are kept (more than 20 too), never one to itself.
    target_links = set(
        ConversationLink.objects.filter(conversation=target).values_list("linked_id", flat=True)
    )
    moved = [
        pk
        for pk in ConversationLink.objects.filter(conversation=source).values_list("linked_id", flat=True)
        if pk != target.pk and pk not in target_links
    ]
    ConversationLink.objects.filter(conversation=target, linked=source).delete()
    ConversationLink.objects.filter(linked=source).delete()
    rows = []
    for pk in moved:
        rows += [
            ConversationLink(conversation=target, linked_id=pk, created_by=actor),
            ConversationLink(conversation_id=pk, linked=target, created_by=actor),
        ]
    ConversationLink.objects.bulk_create(rows, ignore_conflicts=True)

    # Attributes: set on the target stays; unset takes the source's.
    fields = ["status", "snooze_until", "snooze_until_customer_replies", "sub_status", "custom", "channels"]
    if target.status == Status.DONE and source.status in (Status.OPEN, Status.SNOOZED):
        target.status = source.status
        target.snooze_until = source.snooze_until
        target.snooze_until_customer_replies = source.snooze_until_customer_replies
        target.sub_status = source.sub_status
    if not target.name and source.name:
        target.name = source.name
        fields.append("name")
    if not target.queue_id and source.queue_id:
        target.queue_id = source.queue_id
        fields.append("queue")
    if not target.assigned_users.exists():
        target.assigned_users.set(list(source.assigned_users.all()))
    if not target.assigned_teams.exists():
        target.assigned_teams.set(list(source.assigned_teams.all()))
    source_custom = source.custom if isinstance(source.custom, dict) else {}
    target_custom = target.custom if isinstance(target.custom, dict) else {}
    target.custom = {
        **source_custom,
        **{k: v for k, v in target_custom.items() if v not in (None, "")},
    }
    target.channels = [*target.channels, *(c for c in source.channels if c not in target.channels)]

    # Counts and times: as though they had been one conversation from the start.
    target.message_count += source.message_count
    target.note_count += source.note_count
    for name, pick in (
        ("first_message_in_at", min),
        ("first_message_out_at", min),
        ("last_message_in_at", max),
        ("last_message_out_at", max),
        ("last_activity_at", max),
        ("created_at", min),
    ):
        values = [v for v in (getattr(target, name), getattr(source, name)) if v is not None]
        setattr(target, name, pick(values) if values else None)
        fields.append(name)
    latest = (
        Message.objects.filter(conversation=target)
        .order_by("-created_at", "-pk")
        .values_list("body_text", flat=True)
        .first()
    )
    if latest:
        target.preview = latest[:255]
    fields += ["message_count", "note_count", "preview"]
    target.save(update_fields=fields)

    # What is left of the source: a redirect, also for older merges that pointed at it.
    MergedConversation.objects.filter(into=source).update(into=target)
    MergedConversation.objects.create(
        id=source.pk,
        into=target,
        customer_id=source.customer_id,
        name=source.display_name[:255],
        merged_by=actor,
    )
    source_label, source_pk = source.display_name, source.pk
    # Higher apps (the email channel's reply addresses, ...) move what they keep for the source.
    conversation_merged.send(sender=Conversation, source_id=source_pk, target_id=target.pk)
    source.delete()
    record_event(
        conversation=target,
        actor=actor,
        kind=Kind.MERGED,
        data={
            "source": source_pk,
            "after": source_label,
            "messages": plan.messages,
            "notes": plan.notes,
            "tags_left_out": plan.tags_left_out,
        },
    )
    plan.target = target
    return plan


# --- Move --------------------------------------------------------------------------------------


def _check_move(actor: User, conversation: Conversation, customer: Customer) -> None:
    _require(actor, Capability.UPDATE_CUSTOMERS)
    for channel, label in UNMOVABLE_CHANNELS.items():
        if channel in conversation.channels:
            raise ValidationError(f"{label} conversations can't be moved to another customer.")
    if conversation.customer_id == customer.pk:
        raise ValidationError(f"This conversation is already on {customer.display_name}'s timeline.")


@transaction.atomic
def conversation_move(*, actor: User, conversation: Conversation, customer: Customer) -> Conversation:
    """Move a conversation, with everything in it, to another customer's timeline. Timestamps
    stay as they were, so it takes its place in time there; it can be moved back the same way."""
    rows = Conversation.objects.select_for_update(of=("self",)).filter(pk=conversation.pk)
    locked = rows.select_related("customer").first()
    if locked is None:
        raise ValidationError("This conversation no longer exists (it may have been merged).")
    _check_move(actor, locked, customer)
    old = locked.customer
    locked.customer = customer
    locked.save(update_fields=["customer"])
    Message.objects.filter(conversation=locked).update(customer=customer)
    record_event(
        conversation=locked,
        actor=actor,
        kind=Kind.MOVED,
        data={"before": old.display_name, "after": customer.display_name, "from": old.pk, "to": customer.pk},
    )
    label = locked.display_name
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=old,
        before={"conversation": label},
        after={"conversation": f"moved to {customer.display_name}"},
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=customer,
        before={"conversation": f"on {old.display_name}'s timeline"},
        after={"conversation": f"{label} moved here"},
    )
    for who in (old, customer):
        latest = (
            Conversation.objects.filter(customer=who)
            .order_by("-last_activity_at")
            .values_list("last_activity_at", flat=True)
            .first()
        )
        if latest is not None:
            Customer.objects.filter(pk=who.pk, last_activity_at__lt=latest).update(last_activity_at=latest)
    return locked
