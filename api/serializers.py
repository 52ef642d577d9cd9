"""Kustomer's JSON shapes for our rows (https://developer.kustomer.com, REST API v1).

Attribute names follow Kustomer's conversation object wherever our model holds the data;
ids are strings, times ISO 8601 in UTC with a "Z" and milliseconds, as Kustomer writes them.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse

from conversations.models import Conversation, Status


def iso(value: datetime.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(datetime.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def ref(kind: str, pk: object) -> dict[str, str]:
    return {"type": kind, "id": str(pk)}


def _message_time(value: datetime.datetime | None) -> dict[str, str | None] | None:
    # Kustomer's firstMessageIn/lastMessageOut/... are objects about that message; we keep
    # only its time.
    return None if value is None else {"sentAt": iso(value)}


def _snooze(conversation: Conversation) -> dict[str, Any] | None:
    if conversation.status != Status.SNOOZED:
        return None
    # "Until the customer replies" has no time: Kustomer's snooze then carries none either.
    return {"status": "scheduled", "time": iso(conversation.snooze_until)}


def conversation_resource(conversation: Any, linked: list[dict[str, str]]) -> dict[str, Any]:
    """``{"type": "conversation", "id", "attributes", "relationships", "links"}``.

    `conversation` comes from `access_conversation_with_details` (its `assigned_user_list`,
    `assigned_team_list` and `tag_link_list` are read with it); `linked` is
    `linked_conversation_refs(conversation)`.
    """
    user_ids = [str(user.pk) for user in conversation.assigned_user_list]
    team_ids = [str(team.pk) for team in conversation.assigned_team_list]
    tag_ids = [str(link.tag_id) for link in conversation.tag_link_list]
    attributes = {
        "name": conversation.name,
        "channels": list(conversation.channels),
        "status": conversation.status,
        "subStatus": str(conversation.sub_status_id) if conversation.sub_status_id else None,
        "priority": conversation.priority,
        "preview": conversation.preview,
        "spam": conversation.is_spam,
        "assignedUsers": user_ids,
        "assignedTeams": team_ids,
        "queue": {"id": str(conversation.queue_id)} if conversation.queue_id else None,
        "tags": tag_ids,
        "custom": conversation.custom or {},
        "messageCount": conversation.message_count,
        "noteCount": conversation.note_count,
        "firstMessageIn": _message_time(conversation.first_message_in_at),
        "firstMessageOut": _message_time(conversation.first_message_out_at),
        "lastMessageIn": _message_time(conversation.last_message_in_at),
        "lastMessageOut": _message_time(conversation.last_message_out_at),
        "snooze": _snooze(conversation),
        "createdAt": iso(conversation.created_at),
        "updatedAt": iso(conversation.updated_at),
        "lastActivityAt": iso(conversation.last_activity_at),
        "linkedConversations": linked,
    }
    relationships = {
        "customer": {"data": ref("customer", conversation.customer_id)},
        "assignedUsers": {"data": [ref("user", pk) for pk in user_ids]},
        "assignedTeams": {"data": [ref("team", pk) for pk in team_ids]},
        "queue": {"data": ref("queue", conversation.queue_id) if conversation.queue_id else None},
        "tags": {"data": [ref("tag", pk) for pk in tag_ids]},
        "createdBy": {
            "data": ref("user", conversation.created_by_id) if conversation.created_by_id else None
        },
    }
    return {
        "type": "conversation",
        "id": str(conversation.pk),
        "attributes": attributes,
        "relationships": relationships,
        "links": {"self": reverse("api:conversation_detail", args=[conversation.pk])},
    }
