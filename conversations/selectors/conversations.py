"""Reads for the inbox, the customer timeline and the conversation view.

`access_*` return the object or raise Http404 (missing and not-yours look the same), and
raise PermissionDenied when it is visible but the user may not change it.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Exists, JSONField, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects
from django.db.models.expressions import RawSQL
from django.http import Http404

from accounts.capabilities import Capability
from accounts.models import Team, User
from conversations.models import (
    Attachment,
    Conversation,
    ConversationEvent,
    ConversationTag,
    Message,
    Note,
    Notification,
    Queue,
    Status,
    SubStatus,
    Tag,
)
from core.db import CompiledQuery
from core.models import AuditEntry
from customers.models import Customer, CustomerEmail, CustomerPhone


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def _accessible_conversations(user: User, conversation_id: Any) -> QuerySet[Conversation]:
    return (
        Conversation.objects.visible_to(user)
        .select_related("customer", "customer__company", "queue", "sub_status")
        .filter(pk=_int(conversation_id))
    )


def _checked(user: User, conversation: Conversation | None, *, write: bool) -> Conversation:
    if conversation is None:
        raise Http404
    if write and Capability.UPDATE_CUSTOMERS not in user.capabilities:
        raise PermissionDenied("This needs the “Update customers and conversations” permission.")
    return conversation


def access_conversation(user: User, conversation_id: Any, *, write: bool = False) -> Conversation:
    return _checked(user, _accessible_conversations(user, conversation_id).first(), write=write)


# The assigned users and teams and the tags of the outer conversation row, as one JSON value.
# Written in SQL because the ORM's ArraySubquery/JSONObject version cost more to build and
# compile on every request (~2 ms) than the three queries it replaced; this one ~0.5 ms.
# Each list is in the order of the related manager it stands for (the models' Meta.ordering).
_DETAILS_SQL = """
SELECT jsonb_build_object(
  'users', COALESCE((
    SELECT jsonb_agg(jsonb_build_object('id', u.id, 'display_name', u.display_name, 'email', u.email)
                     ORDER BY u.display_name, u.email)
    FROM {user} u JOIN {assigned_users} a ON a.user_id = u.id
    WHERE a.conversation_id = {conversation}.id), '[]'),
  'teams', COALESCE((
    SELECT jsonb_agg(jsonb_build_object('id', t.id, 'name', t.name) ORDER BY t.name)
    FROM {team} t JOIN {assigned_teams} a ON a.team_id = t.id
    WHERE a.conversation_id = {conversation}.id), '[]'),
  'tags', COALESCE((
    SELECT jsonb_agg(jsonb_build_object(
             'id', l.id, 'tag_id', g.id, 'name', g.name, 'color', g.color, 'is_active', g.is_active)
           ORDER BY l.added_at, l.id)
    FROM {link} l JOIN {tag} g ON g.id = l.tag_id
    WHERE l.conversation_id = {conversation}.id), '[]'))
"""


# The customer's emails and phones, for the conversation page's header and Customer Profile
# card (two queries fewer there), in the related managers' order (Meta.ordering).
_CONTACTS_SQL = """
SELECT jsonb_build_object(
  'emails', COALESCE((
    SELECT jsonb_agg(
             jsonb_build_object('id', e.id, 'email', e.email, 'type', e.type, 'is_primary', e.is_primary)
             ORDER BY e.is_primary DESC, e.id)
    FROM {email} e WHERE e.customer_id = {conversation}.customer_id), '[]'),
  'phones', COALESCE((
    SELECT jsonb_agg(jsonb_build_object('id', p.id, 'phone', p.phone, 'type', p.type) ORDER BY p.id)
    FROM {phone} p WHERE p.customer_id = {conversation}.customer_id), '[]'))
"""


def _tables() -> dict[str, str]:
    tables = {
        "conversation": Conversation._meta.db_table,
        "user": User._meta.db_table,
        "assigned_users": Conversation.assigned_users.through._meta.db_table,
        "team": Team._meta.db_table,
        "assigned_teams": Conversation.assigned_teams.through._meta.db_table,
        "link": ConversationTag._meta.db_table,
        "tag": Tag._meta.db_table,
        "email": CustomerEmail._meta.db_table,
        "phone": CustomerPhone._meta.db_table,
        "notification": Notification._meta.db_table,
    }
    return {name: f'"{table}"' for name, table in tables.items()}


@functools.cache
def _with_tables(sql: str) -> str:
    return sql.format(**_tables())


def _json_sql(sql: str) -> RawSQL:
    return RawSQL(_with_tables(sql), [], output_field=JSONField())  # noqa: S611 (table names only)


def _set_prefetched(instance: Any, name: str, objects: list[Any]) -> None:
    """Fill `instance.<name>.all()` with `objects`, as `prefetch_related` would have."""
    queryset = getattr(instance, name).get_queryset()
    queryset._result_cache = objects
    queryset._prefetch_done = True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = queryset


def access_conversation_with_details(
    user: User, conversation_id: Any, *, customer_contacts: bool = False
) -> Conversation:
    """`access_conversation`, plus what the conversation header and the details card list,
    read in the same query (three queries fewer on every conversation view): the assigned
    users and teams and the tags, as plain lists `assigned_user_list`, `assigned_team_list`
    and `tag_link_list`. The objects carry only the fields those templates print (and
    `str()` uses). With `customer_contacts`, the customer's `emails` and `phones` come in the
    same query too, as if prefetched."""
    queryset = _accessible_conversations(user, conversation_id).annotate(details=_json_sql(_DETAILS_SQL))
    if customer_contacts:
        queryset = queryset.annotate(contacts=_json_sql(_CONTACTS_SQL))
    conversation = _checked(user, queryset.first(), write=False)
    found = cast(Any, conversation)  # `details` and the lists are not model fields
    found.assigned_user_list = [User(**row) for row in found.details["users"]]
    found.assigned_team_list = [Team(**row) for row in found.details["teams"]]
    found.tag_link_list = [
        ConversationTag(
            id=row["id"],
            conversation=conversation,
            tag=Tag(id=row["tag_id"], name=row["name"], color=row["color"], is_active=row["is_active"]),
        )
        for row in found.details["tags"]
    ]
    if customer_contacts:
        customer = conversation.customer
        emails = [CustomerEmail(customer=customer, **row) for row in found.contacts["emails"]]
        phones = [CustomerPhone(customer=customer, **row) for row in found.contacts["phones"]]
        _set_prefetched(customer, "emails", emails)
        _set_prefetched(customer, "phones", phones)
    return conversation


def customers_visible_to(user: User) -> QuerySet[Customer]:
    if Capability.VIEW_ALL_CONVERSATIONS in user.capabilities:
        return Customer.objects.all()
    visible = Conversation.objects.visible_to(user).filter(customer=OuterRef("pk"))
    return Customer.objects.filter(Exists(visible))


def access_customer(user: User, customer_id: Any, *, write: bool = False) -> Customer:
    pk = _int(customer_id)
    customer = (
        customers_visible_to(user)
        .select_related("company")
        .prefetch_related("emails", "phones")
        .filter(pk=pk)
        .first()
    )
    if customer is None:
        raise Http404
    if write and Capability.UPDATE_CUSTOMERS not in user.capabilities:
        raise PermissionDenied("This needs the “Update customers and conversations” permission.")
    return customer


def access_attachment(user: User, attachment_id: Any) -> Attachment:
    attachment = Attachment.objects.select_related("message", "note").filter(pk=_int(attachment_id)).first()
    if attachment is None:
        raise Http404
    parent = attachment.message or attachment.note
    if parent is None:  # the database constraint says this cannot happen
        raise Http404
    conversation_id = parent.conversation_id
    access_conversation(user, conversation_id)
    return attachment


# --- the inbox -----------------------------------------------------------------------------

INBOX_VIEWS = {
    "mine": "Mine",
    "teams": "My teams",
    "open": "All open",
    "snoozed": "Snoozed",
    "done": "Done",
}
SORTS = {
    "activity": ("Last activity", ["-last_activity_at", "-id"]),
    "priority": ("Priority", ["-priority", "-last_activity_at", "-id"]),
    "created": ("Created", ["-created_at", "-id"]),
}


@dataclass
class InboxFilters:
    view: str = "mine"
    sort: str = "activity"
    status: str = ""
    priority: int | None = None
    tag: int | None = None
    assignee: int | None = None
    assignee_error: str = ""  # a name typed in the assignee picker without JavaScript that fits no one
    assignee_typed: str = ""

    @classmethod
    def from_params(cls, params: Any, *, with_emails: bool = False) -> InboxFilters:
        def as_int(name: str) -> int | None:
            value = params.get(name) or ""
            return int(value) if value.isdigit() else None

        view = params.get("view") if params.get("view") in INBOX_VIEWS else "mine"
        sort = params.get("sort") if params.get("sort") in SORTS else "activity"
        status = params.get("status") if params.get("status") in Status.values else ""
        filters = cls(view, sort, status, as_int("priority"), as_int("tag"), as_int("assignee"))
        if "assignee_lookup" in params:  # the picker without JavaScript
            typed = params.get("assignee_lookup") or ""
            try:
                filters.assignee = user_for_typed_text(
                    current=params.get("assignee"), text=typed, with_emails=with_emails
                )
            except ValidationError as error:
                filters.assignee_error, filters.assignee_typed = error.messages[0], typed
        return filters


def conversation_list_for_inbox(*, user: User, filters: InboxFilters) -> QuerySet[Conversation]:
    queryset = Conversation.objects.visible_to(user).filter(is_spam=False)
    if filters.view == "mine":
        queryset = queryset.filter(assigned_users=user)
        queryset = queryset.filter(status=filters.status or Status.OPEN)
    elif filters.view == "teams":
        team_ids = list(user.teams.values_list("id", flat=True))
        queryset = queryset.filter(assigned_teams__in=team_ids).filter(status=filters.status or Status.OPEN)
    else:
        queryset = queryset.filter(status=filters.status or filters.view)
    if filters.priority:
        queryset = queryset.filter(priority=filters.priority)
    if filters.tag:
        queryset = queryset.filter(tag_links__tag_id=filters.tag)
    if filters.assignee:
        queryset = queryset.filter(assigned_users=filters.assignee)
    if filters.view == "teams":
        queryset = queryset.distinct()
    return with_list_relations(queryset.order_by(*SORTS[filters.sort][1]))


ROW_FIELDS = [
    "id",
    "name",
    "preview",
    "status",
    "priority",
    "last_activity_at",
    "created_at",
    "customer__id",
    "customer__name",
    "customer__first_name",
    "customer__last_name",
    "sub_status__id",
    "sub_status__name",
]


def with_list_relations(queryset: QuerySet[Conversation]) -> QuerySet[Conversation]:
    """What an inbox row shows, in one query: only the columns it prints, and the assignees,
    teams and tags as `details` (`{"users": [{"id", "display_name", "email"}], "teams":
    [{"id", "name"}], "tags": [{"id", "tag_id", "name", "color", "is_active"}]}`, each in
    its related manager's order), read with the row: three prefetch queries fewer."""
    queryset = queryset.select_related("customer", "sub_status").only(*ROW_FIELDS)
    return queryset.annotate(details=_json_sql(_DETAILS_SQL))


def inbox_filter_choices(*, filters: InboxFilters) -> dict[str, Any]:
    """The tag filter's options, and the chosen assignee (the assignee picker searches the rest)."""
    assignee = (
        User.objects.filter(pk=filters.assignee).only("id", "display_name").first()
        if filters.assignee
        else None
    )
    return {"tags": Tag.objects.filter(is_active=True).only("id", "name", "color"), "assignee": assignee}


# --- the customer timeline and the conversation view ------------------------------------------


def timeline_conversations(*, user: User, customer: Customer) -> list[Conversation]:
    """The customer's conversations: pinned ones first, then newest first (Timeline Pinning)."""
    queryset = Conversation.objects.visible_to(user).filter(customer=customer)
    queryset = queryset.order_by("pinned_at", "-created_at", "-id")  # NULLs last for ascending in PostgreSQL
    # A timeline entry shows name, status, sub status and date: no assignees or tags to fetch.
    fields = ["id", "name", "preview", "status", "sub_status__name", "is_note", "pinned_at", "created_at"]
    conversations = list(queryset.select_related("sub_status").only(*fields)[:200])
    pinned = sorted((c for c in conversations if c.pinned_at), key=lambda c: c.pinned_at, reverse=True)  # type: ignore[arg-type, return-value]
    rest = [c for c in conversations if not c.pinned_at]
    return pinned + rest


CUSTOMER_EVENTS_SHOWN = 50

# Compiled once per process (core.db.CompiledQuery): every timeline and conversation view reads it.
_customer_events = CompiledQuery(
    lambda customer_id: AuditEntry.objects.for_object(Customer(pk=customer_id)).only(
        "id", "created_at", "actor_label", "action"
    )[:CUSTOMER_EVENTS_SHOWN]
)


def customer_events(*, customer: Customer) -> list[AuditEntry]:
    """The customer's own changes, for the timeline, newest first: who (the label kept on
    the entry), what and when; not the before and after values."""
    return _customer_events(customer.pk)


@dataclass
class TimelineEntry:
    kind: str  # "conversation" or "event"
    at: datetime.datetime
    obj: Any
    url: str = ""  # a conversation's page, filled in by the view


def timeline_entries(*, conversations: list[Conversation], events: list[AuditEntry]) -> list[TimelineEntry]:
    """The timeline in one list: pinned conversations on top, then conversations and the
    customer's own events together, newest first."""
    pinned = [TimelineEntry("conversation", c.created_at, c) for c in conversations if c.pinned_at]
    rest = [TimelineEntry("conversation", c.created_at, c) for c in conversations if not c.pinned_at]
    rest += [TimelineEntry("event", e.created_at, e) for e in events]
    rest.sort(key=lambda entry: entry.at, reverse=True)
    return pinned + rest


@dataclass
class FeedItem:
    kind: str  # "message", "note" or "event"
    at: datetime.datetime
    obj: Any


# The kinds of event the feed shows between messages and notes.
FEED_EVENTS = (
    ConversationEvent.Kind.STATUS,
    ConversationEvent.Kind.ASSIGNED,
    ConversationEvent.Kind.QUEUE,
    ConversationEvent.Kind.PRIORITY,
    ConversationEvent.Kind.RENAMED,
    ConversationEvent.Kind.SUB_STATUS,
    ConversationEvent.Kind.TAG_ADDED,
    ConversationEvent.Kind.TAG_REMOVED,
    ConversationEvent.Kind.NOTE_UPDATED,
    ConversationEvent.Kind.NOTE_DELETED,
    ConversationEvent.Kind.ATTRIBUTES,
    ConversationEvent.Kind.LINKED,
    ConversationEvent.Kind.UNLINKED,
    ConversationEvent.Kind.MERGED,
    ConversationEvent.Kind.MOVED,
    ConversationEvent.Kind.MESSAGE_MOVED,
    ConversationEvent.Kind.REDACTED,
    ConversationEvent.Kind.FORWARDED,
)

# The feed's three reads, compiled once per process (core.db.CompiledQuery): the feed is
# read on every conversation view and every 5-second poll.
_feed_messages = CompiledQuery(
    lambda conversation_id: Message.objects.filter(conversation_id=conversation_id).annotate(
        has_attachments=Exists(Attachment.objects.filter(message=OuterRef("pk")))
    )
)
_feed_notes = CompiledQuery(
    lambda conversation_id: Note.objects.filter(conversation_id=conversation_id).annotate(
        has_attachments=Exists(Attachment.objects.filter(note=OuterRef("pk")))
    )
)
_feed_events = CompiledQuery(
    lambda conversation_id: ConversationEvent.objects.filter(
        conversation_id=conversation_id, kind__in=FEED_EVENTS
    )
)


def conversation_feed(*, conversation: Conversation) -> list[FeedItem]:
    """Messages, notes and events of a conversation, interleaved in time order."""
    # The rows carry `has_attachments` (the annotation), and get `_attachment_list`.
    messages: list[Any] = _feed_messages(conversation.pk)
    notes: list[Any] = _feed_notes(conversation.pk)
    # Most messages carry no file: fetch attachments only for those that do (often no query).
    for rows in (messages, notes):
        with_files = [row for row in rows if row.has_attachments]
        for row in rows:
            if not row.has_attachments:
                row._attachment_list = []
        if with_files:
            prefetch_related_objects(with_files, Prefetch("attachments", to_attr="_attachment_list"))
    events = _feed_events(conversation.pk)
    _attach_people(conversation, messages, notes, events)
    items = [FeedItem("message", m.created_at, m) for m in messages]
    items += [FeedItem("note", n.created_at, n) for n in notes]
    items += [FeedItem("event", e.created_at, e) for e in events]
    order = {"message": 0, "note": 1, "event": 2}
    items.sort(key=lambda item: (item.at, order[item.kind], item.obj.pk))
    return items


def _attach_people(
    conversation: Conversation,
    messages: Sequence[Message],
    notes: Sequence[Note],
    events: Sequence[ConversationEvent],
) -> None:
    """The feed's authors, note assignees and event actors in one query for all three lists
    (joining the user table into each query cost more than the rows it saved), and each
    message's customer, which is nearly always the conversation's own (already loaded)."""
    user_ids = {m.author_id for m in messages} | {e.actor_id for e in events}
    user_ids |= {n.author_id for n in notes} | {n.assigned_user_id for n in notes}
    user_ids.discard(None)
    users = User.objects.in_bulk(user_ids) if user_ids else {}
    other_ids = {m.customer_id for m in messages} - {conversation.customer_id}
    customers = Customer.objects.in_bulk(other_ids) if other_ids else {}
    if any(m.customer_id == conversation.customer_id for m in messages):
        customers[conversation.customer_id] = conversation.customer
    for message in messages:
        message.author = users.get(message.author_id) if message.author_id else None
        if message.customer_id in customers:  # else (a race with a delete) it loads if shown
            message.customer = customers[message.customer_id]
    for note in notes:
        note.author = users.get(note.author_id) if note.author_id else None
        note.assigned_user = users.get(note.assigned_user_id) if note.assigned_user_id else None
    for event in events:
        event.actor = users.get(event.actor_id) if event.actor_id else None


@dataclass(frozen=True)
class Choice:
    """One option of a Conversation Details drop-down (what the template needs, no model)."""

    pk: int
    name: str
    status: str = ""


WORKSPACE_CHOICES_KEY = "conversations:workspace-choices"


def workspace_choices() -> dict[str, list[Choice]]:
    """The usable sub statuses, the active queues and the teams: the same for every
    conversation and rarely changed, so they come from the cache; `conversations.apps`
    drops the entry whenever a SubStatus, Queue or Team is saved or deleted."""
    cached = cache.get(WORKSPACE_CHOICES_KEY)
    if cached is not None:
        return cast(dict[str, list[Choice]], cached)
    usable = SubStatus.objects.filter(is_active=True, is_deleted=False).order_by("status", "position", "name")
    choices = {
        "sub_statuses": [Choice(s.pk, s.name, s.status) for s in usable],
        "queues": [Choice(q.pk, q.name) for q in Queue.objects.filter(is_active=True).order_by("name")],
        "teams": [Choice(t.pk, t.name) for t in Team.objects.only("id", "name").order_by("name")],
    }
    cache.set(WORKSPACE_CHOICES_KEY, choices, timeout=3600)
    return choices


def details_choices(*, conversation: Conversation) -> dict[str, Any]:
    """What the Conversation Details card offers."""
    choices = workspace_choices()
    sub_statuses = [s for s in choices["sub_statuses"] if s.status == conversation.status]
    return {
        "sub_statuses": sub_statuses,
        "sub_status_ids": {s.pk for s in sub_statuses},
        "snooze_sub_statuses": [s for s in choices["sub_statuses"] if s.status == Status.SNOOZED],
        "queues": choices["queues"],
        "teams": choices["teams"],
    }


def customer_list(*, user: User, query: str = "") -> QuerySet[Customer]:
    queryset = customers_visible_to(user)
    query = query.strip()
    if query:
        email_match = CustomerEmail.objects.filter(customer=OuterRef("pk"), email__icontains=query)
        queryset = queryset.filter(
            Q(name__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(Exists(email_match))
        )
    return queryset.select_related("company").prefetch_related("emails").order_by("-last_activity_at", "-id")


def notification_badge_counts(user: User) -> tuple[int, int]:
    """The user's unread notifications and their highest notification id (where the pop-up's
    polling starts), in one query. Every page's chrome asks, so it is plain SQL: the ORM's
    aggregate() cost ~0.7 ms to build per page, the query itself ~0.1 ms."""
    with connection.cursor() as cursor:
        cursor.execute(_with_tables(_BADGE_SQL), [user.pk])
        unread, last_id = cursor.fetchone()
    return int(unread), int(last_id or 0)


_BADGE_SQL = """
SELECT count(*) FILTER (WHERE read_at IS NULL), max(id) FROM {notification} WHERE recipient_id = %s
"""


def user_for_typed_text(*, current: Any, text: str, with_emails: bool) -> int | None:
    """What a user picker means without JavaScript, where the agent types in its search box
    and submits: the chosen id (`current`) while the box still shows that user, else the one
    active user the text names (an exact name or, `with_emails`, an exact address first;
    else the only name that contains it). An empty box means nobody. ValidationError names
    the problem when no user, or several, match."""
    text = " ".join(text.split())[:255]
    current_id = int(current) if str(current or "").isdigit() else None
    if current_id is not None:
        shown = User.objects.filter(pk=current_id, is_active=True).only("id", "display_name", "email").first()
        if shown is not None and text in {str(shown), shown.display_name}:
            return current_id
    if not text:
        return None
    active = User.objects.filter(is_active=True)
    exact = Q(display_name__iexact=text)
    if with_emails:
        exact |= Q(email__iexact=text)
    for condition in (exact, Q(display_name__icontains=text)):
        ids = list(active.filter(condition).values_list("id", flat=True)[:2])
        if len(ids) == 1:
            return int(ids[0])
        if ids:
            more = "their email address" if with_emails else "more of the name"
            raise ValidationError(f"Several users match “{text}”: type {more}.")
    raise ValidationError(f"No active user matches “{text}”.")


def user_suggestions(*, query: str, limit: int = 8, with_emails: bool = True) -> list[User]:
    """Active users whose name (or, `with_emails`, email) contains the query: the user
    picker's options."""
    queryset = User.objects.filter(is_active=True).only("id", "display_name", "email")
    query = query.strip()
    if query:
        by_name = Q(display_name__icontains=query)
        queryset = queryset.filter(by_name | Q(email__icontains=query) if with_emails else by_name)
    return list(queryset.order_by("display_name", "id")[:limit])
