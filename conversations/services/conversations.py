"""Conversation Details: priority, assignment, queue, name, status, sub status, snooze, pinning.

Every service locks the conversation row, changes it, and records a ConversationEvent.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.capabilities import Capability
from accounts.models import Team, User
from conversations.models import (
    Channel,
    Conversation,
    ConversationEvent,
    Priority,
    Queue,
    Status,
    SubStatus,
)
from conversations.services.events import lock_conversation, record_event
from customers.models import Customer

Kind = ConversationEvent.Kind


def _require(user: User, capability: str) -> None:
    if capability not in user.capabilities:
        raise PermissionDenied(f"This needs the “{Capability(capability).label}” permission.")


@transaction.atomic
def conversation_create(
    *,
    actor: User | None,
    customer: Customer,
    name: str = "",
    channel: str | None = None,
    status: str = Status.OPEN,
    is_note: bool = False,
) -> Conversation:
    now = timezone.now()
    conversation = Conversation.objects.create(
        customer=customer,
        name=name.strip()[:255],
        status=status,
        channels=[channel] if channel else [],
        is_note=is_note,
        created_by=actor,
        created_at=now,
        updated_at=now,
        last_activity_at=now,
    )
    record_event(conversation=conversation, actor=actor, kind=Kind.CREATED, data={"status": status})
    Customer.objects.filter(pk=customer.pk).update(last_activity_at=now)
    return conversation


@transaction.atomic
def conversation_set_priority(*, actor: User, conversation: Conversation, priority: int) -> Conversation:
    _require(actor, Capability.UPDATE_CUSTOMERS)
    if priority not in Priority.values:
        raise ValidationError({"priority": "Choose a priority from Lowest to Highest."})
    conversation = lock_conversation(conversation)
    before = conversation.priority
    if before == priority:
        return conversation
    conversation.priority = priority
    conversation.save(update_fields=["priority"])
    record_event(
        conversation=conversation,
        actor=actor,
        kind=Kind.PRIORITY,
        data={"before": Priority(before).label, "after": Priority(priority).label},
    )
    return conversation


def _assignment_state(conversation: Conversation) -> dict[str, list[str]]:
    return {
        "users": sorted(conversation.assigned_users.values_list("display_name", flat=True)),
        "teams": sorted(conversation.assigned_teams.values_list("name", flat=True)),
    }


@transaction.atomic
def conversation_assign(
    *,
    actor: User,
    conversation: Conversation,
    users: Iterable[User] | None = None,
    teams: Iterable[Team] | None = None,
) -> Conversation:
    """Set the assigned users and/or teams (None leaves that side as it is)."""
    _require(actor, Capability.UPDATE_CUSTOMERS)
    conversation = lock_conversation(conversation)
    before = _assignment_state(conversation)
    new_users: list[User] = []
    if users is not None:
        new_users = [u for u in users if u.is_active]
        added = {u.pk for u in new_users} - set(conversation.assigned_users.values_list("pk", flat=True))
        conversation.assigned_users.set(new_users)
    else:
        added = set()
    if teams is not None:
        conversation.assigned_teams.set(list(teams))
    after = _assignment_state(conversation)
    if before != after:
        record_event(
            conversation=conversation,
            actor=actor,
            kind=Kind.ASSIGNED,
            data={"before": before, "after": after},
        )
        _notify_assigned(actor=actor, conversation=conversation, user_ids=added)
    return conversation


def _notify_assigned(*, actor: User, conversation: Conversation, user_ids: set[int]) -> None:
    from conversations.services.notifications import notify_users

    recipients = [pk for pk in user_ids if pk != actor.pk]
    if recipients:
        notify_users(
            kind="assigned",
            actor=actor,
            conversation=conversation,
            user_ids=recipients,
            text=f"{actor} assigned “{conversation.display_name}” to you",
        )


@transaction.atomic
def conversation_assign_to_me(*, actor: User, conversation: Conversation) -> Conversation:
    """Assign to me: the actor becomes the assigned user."""
    return conversation_assign(actor=actor, conversation=conversation, users=[actor])


@transaction.atomic
def conversation_transfer(*, actor: User, conversation: Conversation, queue: Queue | None) -> Conversation:
    """Transfer to a different queue. As the seed says, this unassigns the user."""
    _require(actor, Capability.UPDATE_CUSTOMERS)
    conversation = lock_conversation(conversation)
    before_queue = str(conversation.queue) if conversation.queue_id else None
    if queue is not None and not queue.is_active:
        raise ValidationError({"queue": f"The queue “{queue}” is turned off."})
    had_users = _assignment_state(conversation)
    if conversation.queue_id == (queue.pk if queue else None) and not had_users["users"]:
        return conversation
    conversation.queue = queue
    conversation.save(update_fields=["queue"])
    conversation.assigned_users.clear()
    record_event(
        conversation=conversation,
        actor=actor,
        kind=Kind.QUEUE,
        data={
            "before": before_queue,
            "after": str(queue) if queue else None,
            "unassigned": had_users["users"],
        },
    )
    return conversation


@transaction.atomic
def conversation_rename(*, actor: User, conversation: Conversation, name: str) -> Conversation:
    _require(actor, Capability.UPDATE_CUSTOMERS)
    name = name.strip()
    if len(name) > 255:
        raise ValidationError({"name": "A conversation name can be at most 255 characters."})
    conversation = lock_conversation(conversation)
    before = conversation.name
    if before == name:
        return conversation
    conversation.name = name
    conversation.save(update_fields=["name"])
    record_event(
        conversation=conversation, actor=actor, kind=Kind.RENAMED, data={"before": before, "after": name}
    )
    return conversation


def _check_sub_status(sub_status: SubStatus | None, status: str) -> None:
    if sub_status is None:
        return
    if not sub_status.is_usable:
        raise ValidationError({"sub_status": f"The sub status “{sub_status}” is turned off."})
    if sub_status.status != status:
        belongs, wanted = Status(sub_status.status).label, Status(status).label
        raise ValidationError({"sub_status": f"“{sub_status}” is a sub status of {belongs}, not {wanted}."})


@transaction.atomic
def conversation_set_sub_status(
    *, actor: User, conversation: Conversation, sub_status: SubStatus | None
) -> Conversation:
    _require(actor, Capability.UPDATE_CUSTOMERS)
    conversation = lock_conversation(conversation)
    _check_sub_status(sub_status, conversation.status)
    if conversation.sub_status_id == (sub_status.pk if sub_status else None):
        return conversation
    before = str(conversation.sub_status) if conversation.sub_status_id else None
    conversation.sub_status = sub_status
    conversation.save(update_fields=["sub_status"])
    record_event(
        conversation=conversation,
        actor=actor,
        kind=Kind.SUB_STATUS,
        data={"before": before, "after": str(sub_status) if sub_status else None},
    )
    return conversation


@transaction.atomic
def conversation_update_attributes(
    *, actor: User, conversation: Conversation, name: str, priority: int, sub_status: SubStatus | None
) -> Conversation:
    """The Conversation Attributes window: all three change, or (on an error) none does."""
    conversation = conversation_rename(actor=actor, conversation=conversation, name=name)
    conversation = conversation_set_priority(actor=actor, conversation=conversation, priority=priority)
    return conversation_set_sub_status(actor=actor, conversation=conversation, sub_status=sub_status)


CUSTOM_KEY_MAX_LENGTH = 64
CUSTOM_VALUE_MAX_LENGTH = 1000


@transaction.atomic
def conversation_set_custom(
    *, actor: User, conversation: Conversation, values: dict[str, object]
) -> Conversation:
    """Set some custom attributes (the others stay); one event lists what changed."""
    _require(actor, Capability.UPDATE_CUSTOMERS)
    for key, value in values.items():
        if not key or len(key) > CUSTOM_KEY_MAX_LENGTH or key.startswith("__"):
            raise ValidationError({"custom": f"“{key[:80]}” is not a valid attribute name."})
        if isinstance(value, str) and len(value) > CUSTOM_VALUE_MAX_LENGTH:
            raise ValidationError(
                {"custom": f"The value of “{key}” is longer than {CUSTOM_VALUE_MAX_LENGTH:,} characters."}
            )
    conversation = lock_conversation(conversation)
    current = conversation.custom if isinstance(conversation.custom, dict) else {}
    changed = {key: value for key, value in values.items() if current.get(key) != value}
    if not changed:
        return conversation
    conversation.custom = {**current, **changed}
    conversation.save(update_fields=["custom"])
    record_event(
        conversation=conversation,
        actor=actor,
        kind=Kind.ATTRIBUTES,
        data={
            "before": {key: current.get(key) for key in changed},
            "after": ", ".join(f"{key}: {value}" for key, value in changed.items()),
            "custom": changed,
        },
    )
    return conversation


def _set_status(
    *,
    actor: User | None,
    conversation: Conversation,
    status: str,
    sub_status: SubStatus | None = None,
    snooze_until: datetime.datetime | None = None,
    until_customer_replies: bool = False,
) -> Conversation:
    _check_sub_status(sub_status, status)
    before = {"status": conversation.status, "sub_status": str(conversation.sub_status or "") or None}
    conversation.status = status
    conversation.sub_status = sub_status
    conversation.snooze_until = snooze_until
    conversation.snooze_until_customer_replies = until_customer_replies
    conversation.save(update_fields=["status", "sub_status", "snooze_until", "snooze_until_customer_replies"])
    after: dict[str, Any] = {"status": status, "sub_status": str(sub_status) if sub_status else None}
    if snooze_until:
        after["snooze_until"] = snooze_until.isoformat()
    if until_customer_replies:
        after["until_customer_replies"] = True
    record_event(
        conversation=conversation, actor=actor, kind=Kind.STATUS, data={"before": before, "after": after}
    )
    return conversation


@transaction.atomic
def conversation_snooze(
    *,
    actor: User,
    conversation: Conversation,
    until: datetime.datetime | None = None,
    until_customer_replies: bool = False,
    sub_status: SubStatus | None = None,
) -> Conversation:
    """Snooze until a time, or until the customer replies (at least one of them)."""
    _require(actor, Capability.UPDATE_CUSTOMERS)
    if until is None and not until_customer_replies:
        raise ValidationError(
            {"until": "Choose when the conversation wakes up, or “Until the customer replies”."}
        )
    if until is not None and until <= timezone.now():
        raise ValidationError({"until": "Choose a time in the future."})
    conversation = lock_conversation(conversation)
    return _set_status(
        actor=actor,
        conversation=conversation,
        status=Status.SNOOZED,
        sub_status=sub_status,
        snooze_until=until,
        until_customer_replies=until_customer_replies,
    )


@transaction.atomic
def conversation_done(
    *, actor: User, conversation: Conversation, sub_status: SubStatus | None = None
) -> Conversation:
    _require(actor, Capability.UPDATE_CUSTOMERS)
    conversation = lock_conversation(conversation)
    if conversation.status == Status.DONE and conversation.sub_status_id == (
        sub_status.pk if sub_status else None
    ):
        return conversation  # already so: no event that changes nothing
    return _set_status(actor=actor, conversation=conversation, status=Status.DONE, sub_status=sub_status)


@transaction.atomic
def conversation_reopen(
    *, actor: User | None, conversation: Conversation, sub_status: SubStatus | None = None
) -> Conversation:
    """Back to Open: by an agent, by a customer reply (actor None) or when a snooze ends."""
    if actor is not None:
        _require(actor, Capability.UPDATE_CUSTOMERS)
    conversation = lock_conversation(conversation)
    if conversation.status == Status.OPEN:
        return conversation
    return _set_status(actor=actor, conversation=conversation, status=Status.OPEN, sub_status=sub_status)


@transaction.atomic
def conversation_wake_snoozed(*, now: datetime.datetime | None = None) -> int:
    """Reopen every conversation whose snooze time has passed (Celery beat, every minute)."""
    now = now or timezone.now()
    woken = 0
    due = (
        Conversation.objects.select_for_update(skip_locked=True)
        .filter(status=Status.SNOOZED, snooze_until__lte=now)
        .order_by("snooze_until")[:500]
    )
    for conversation in due:
        _set_status(actor=None, conversation=conversation, status=Status.OPEN)
        woken += 1
    return woken


@transaction.atomic
def conversation_set_pinned(*, actor: User, conversation: Conversation, pinned: bool) -> Conversation:
    """Timeline Pinning: a pinned conversation stays at the top of the customer's timeline."""
    _require(actor, Capability.UPDATE_CUSTOMERS)
    conversation = lock_conversation(conversation)
    if bool(conversation.pinned_at) == pinned:
        return conversation
    conversation.pinned_at = timezone.now() if pinned else None
    conversation.save(update_fields=["pinned_at"])
    record_event(conversation=conversation, actor=actor, kind=Kind.PINNED if pinned else Kind.UNPINNED)
    return conversation


def touch_activity(
    *, conversation: Conversation, at: datetime.datetime, channel: str | None, direction: str | None
) -> None:
    """Bump counters and times after a message or note (the caller holds the row lock)."""
    fields = ["last_activity_at", "updated_at"]
    conversation.last_activity_at = max(conversation.last_activity_at, at)
    conversation.updated_at = timezone.now()
    if channel and channel != Channel.NOTE and channel not in conversation.channels:
        conversation.channels = [*conversation.channels, channel]
        fields.append("channels")
    if direction == "in":
        conversation.first_message_in_at = conversation.first_message_in_at or at
        conversation.last_message_in_at = at
        fields += ["first_message_in_at", "last_message_in_at"]
    elif direction == "out":
        conversation.first_message_out_at = conversation.first_message_out_at or at
        conversation.last_message_out_at = at
        fields += ["first_message_out_at", "last_message_out_at"]
    conversation.save(update_fields=fields)
    Customer.objects.filter(pk=conversation.customer_id).update(last_activity_at=at)
