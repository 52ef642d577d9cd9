"""Reads for Linked Conversations: the card, the link window's search, and the API's refs."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from accounts.models import User
from conversations.models import MAX_LINKS_SHOWN, Conversation, ConversationLink, MergedConversation, Message
from conversations.selectors.conversations import access_conversation
from customers.models import CustomerEmail


@dataclass(frozen=True)
class LinkedCard:
    conversations: list[Conversation]  # the first 20 (the UI's limit), oldest link first
    total: int  # all of them: a merge may keep more than 20


def linked_conversation_refs(conversation: Conversation) -> list[dict[str, str]]:
    """``[{"id", "customer"}]`` for every link, in the order they were made (the API's shape)."""
    rows = (
        ConversationLink.objects.filter(conversation=conversation)
        .order_by("created_at", "id")
        .values_list("linked_id", "linked__customer_id")
    )
    return [{"id": str(linked_id), "customer": str(customer_id)} for linked_id, customer_id in rows]


def linked_card(conversation: Conversation, *, limit: int = MAX_LINKS_SHOWN) -> LinkedCard:
    """The Linked Conversations card: one query, and a count only when there are more than shown."""
    rows = list(
        ConversationLink.objects.filter(conversation=conversation)
        .select_related("linked", "linked__customer")
        .order_by("created_at", "id")[: limit + 1]
    )
    total = len(rows)
    if total > limit:
        total = ConversationLink.objects.filter(conversation=conversation).count()
    return LinkedCard([row.linked for row in rows[:limit]], total)


QUICK_RANGES = (
    ("today", "Today"),
    ("yesterday", "Yesterday"),
    ("last_7_days", "Last 7 days"),
    ("last_30_days", "Last 30 days"),
    ("this_month", "This month"),
    ("last_month", "Last month"),
)


def quick_range(name: str, today: datetime.date) -> tuple[datetime.date, datetime.date] | None:
    """The first and last day (inclusive) of a Quick Date Range, in the user's calendar."""
    if name == "today":
        return today, today
    if name == "yesterday":
        day = today - datetime.timedelta(days=1)
        return day, day
    if name == "last_7_days":
        return today - datetime.timedelta(days=6), today
    if name == "last_30_days":
        return today - datetime.timedelta(days=29), today
    if name == "this_month":
        return today.replace(day=1), today
    if name == "last_month":
        last = today.replace(day=1) - datetime.timedelta(days=1)
        return last.replace(day=1), last
    return None


@dataclass(frozen=True)
class LinkSearch:
    q: str = ""
    updated_from: datetime.date | None = None
    updated_to: datetime.date | None = None
    customer: str = ""
    status: str = ""


def link_candidates(
    *, user: User, conversation: Conversation, search: LinkSearch, tz: Any
) -> QuerySet[Conversation]:
    """Conversations ``user`` can see to link with ``conversation``: the search term in the
    name/subject or a message body, last updated within the dates (the user's days), of a
    customer (name or email) and a status. Newest update first; the current one left out."""
    candidates = Conversation.objects.visible_to(user).exclude(pk=conversation.pk)
    if search.q:
        in_messages = Message.objects.filter(conversation=OuterRef("pk")).filter(
            Q(subject__icontains=search.q) | Q(body_text__icontains=search.q)
        )
        candidates = candidates.filter(Q(name__icontains=search.q) | Exists(in_messages))
    if search.updated_from:
        start = datetime.datetime.combine(search.updated_from, datetime.time.min, tzinfo=tz)
        candidates = candidates.filter(updated_at__gte=start)
    if search.updated_to:
        end = datetime.datetime.combine(
            search.updated_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
        )
        candidates = candidates.filter(updated_at__lt=end)
    if search.customer:
        who = CustomerEmail.objects.filter(customer=OuterRef("customer_id"), email__icontains=search.customer)
        candidates = candidates.filter(
            Q(customer__name__icontains=search.customer)
            | Q(customer__first_name__icontains=search.customer)
            | Q(customer__last_name__icontains=search.customer)
            | Exists(who)
        )
    if search.status:
        candidates = candidates.filter(status=search.status)
    return candidates.select_related("customer").order_by("-updated_at", "-pk")


def linked_ids(conversation: Conversation) -> set[int]:
    return set(ConversationLink.objects.filter(conversation=conversation).values_list("linked_id", flat=True))


def merged_into(conversation_id: object) -> int | None:
    """Where a merged-away conversation went; None when no conversation of that id was merged."""
    try:
        pk = int(str(conversation_id))
    except ValueError:
        return None
    return MergedConversation.objects.filter(pk=pk).values_list("into_id", flat=True).first()


def merge_candidates(conversation: Conversation) -> list[Conversation]:
    """Customer Options > Merge Conversation: the other conversations on the customer's
    timeline, most recently active first."""
    return list(
        Conversation.objects.filter(customer_id=conversation.customer_id)
        .exclude(pk=conversation.pk)
        .order_by("-last_activity_at", "-pk")[:200]
    )


def access_message(user: User, message_id: object, *, write: bool = False) -> Message:
    """A message in a conversation ``user`` can see: 404 for missing and not-yours alike."""
    try:
        pk = int(str(message_id))
    except ValueError:
        raise Http404 from None
    message = Message.objects.select_related("conversation", "customer", "author").filter(pk=pk).first()
    if message is None:
        raise Http404
    access_conversation(user, message.conversation_id, write=write)
    return message
