from __future__ import annotations

import os
import uuid
from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from customers.models import Customer

TAG_NAME_MAX = 64
MAX_TAGS_PER_CONVERSATION = 20
MAX_MENTIONS_PER_NOTE = 20
MAX_SUB_STATUSES_PER_STATUS = 50
ATTACHMENT_MAX_FILE = 5 * 1024 * 1024
ATTACHMENT_MAX_TOTAL = int(9.5 * 1024 * 1024)


class Status(models.TextChoices):
    OPEN = "open", "Open"
    SNOOZED = "snoozed", "Snoozed"
    DONE = "done", "Done"


class Priority(models.IntegerChoices):
    LOWEST = 1, "Lowest"
    LOW = 2, "Low"
    MEDIUM = 3, "Medium"
    HIGH = 4, "High"
    HIGHEST = 5, "Highest"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"
    CHAT = "chat", "Chat"
    WHATSAPP = "whatsapp", "WhatsApp"
    VOICE = "voice", "Voice"
    NOTE = "note", "Note"


class WorkspaceSettings(models.Model):
    """Workspace-wide switches (a single row, pk=1)."""

    notes_done_by_default = models.BooleanField(
        "Set Notes as Done by Default",
        default=True,
        help_text="Notes posted on a customer's timeline start as Done; turn off to start them Open.",
    )

    class Meta:
        verbose_name = verbose_name_plural = "workspace settings"

    def __str__(self) -> str:
        return "Workspace settings"

    @classmethod
    def load(cls) -> WorkspaceSettings:
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


class Queue(models.Model):
    """Where conversations wait for an agent. Routing rules and profiles come later."""

    name = models.CharField(max_length=100)
    description = models.CharField(max_length=255, blank=True)
    conversation_weight = models.PositiveSmallIntegerField(
        default=1, help_text="How much of an agent's capacity one conversation in this queue takes."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="queue_name_unique_ci")]

    def __str__(self) -> str:
        return self.name


class SubStatus(models.Model):
    """Settings > Workspace > Conversation Status: finer states under Open, Snoozed or Done."""

    status = models.CharField("Sub Status of", max_length=10, choices=Status.choices)
    name = models.CharField(max_length=64)
    description = models.CharField(max_length=255, blank=True)
    is_active = models.BooleanField(default=True)
    is_deleted = models.BooleanField(
        default=False,
        help_text="Deleted sub statuses stay on conversations that have them but are not offered.",
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["status", "position", "name"]
        verbose_name_plural = "sub statuses"
        constraints = [
            models.UniqueConstraint(
                Lower("name"), "status", condition=Q(is_deleted=False), name="sub_status_name_unique_ci"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_usable(self) -> bool:
        return self.is_active and not self.is_deleted


class Tag(models.Model):
    class Color(models.TextChoices):
        GRAY = "gray", "Gray"
        RED = "red", "Red"
        ORANGE = "orange", "Orange"
        YELLOW = "yellow", "Yellow"
        GREEN = "green", "Green"
        TEAL = "teal", "Teal"
        BLUE = "blue", "Blue"
        INDIGO = "indigo", "Indigo"
        PURPLE = "purple", "Purple"
        PINK = "pink", "Pink"

    name = models.CharField(max_length=TAG_NAME_MAX)
    color = models.CharField("Tag Color", max_length=10, choices=Color.choices, default=Color.BLUE)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="tag_name_unique_ci")]

    def __str__(self) -> str:
        return self.name


class ConversationQuerySet(models.QuerySet["Conversation"]):
    def visible_to(self, user: Any) -> ConversationQuerySet:
        """Everything for those who view all conversations; otherwise only what they were brought into."""
        from accounts.capabilities import Capability

        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if Capability.VIEW_ALL_CONVERSATIONS in user.capabilities:
            return self
        if Capability.ADD_NOTES in user.capabilities:
            if getattr(user, "pk", None) is None:  # no person (an API key): brought into nothing
                return self.none()
            team_ids = list(user.teams.values_list("id", flat=True))
            return self.filter(
                Q(assigned_users=user)
                | Q(notes__mentioned_users=user)
                | Q(notes__mentioned_teams__in=team_ids)
                | Q(notes__assigned_user=user)
                | Q(notes__author=user)
            ).distinct()
        return self.none()


class Conversation(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="conversations")
    name = models.CharField("Conversation Name", max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    sub_status = models.ForeignKey(
        SubStatus, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    snooze_until = models.DateTimeField(null=True, blank=True)
    snooze_until_customer_replies = models.BooleanField(default=False)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.MEDIUM)
    assigned_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="assigned_conversations"
    )
    assigned_teams = models.ManyToManyField(
        "accounts.Team", blank=True, related_name="assigned_conversations"
    )
    queue = models.ForeignKey(
        Queue, null=True, blank=True, on_delete=models.SET_NULL, related_name="conversations"
    )
    channels = ArrayField(models.CharField(max_length=20, choices=Channel.choices), default=list, blank=True)
    tags: models.ManyToManyField[Tag, ConversationTag] = models.ManyToManyField(
        Tag, through="ConversationTag", blank=True, related_name="conversations"
    )
    custom = models.JSONField(default=dict, blank=True)
    is_spam = models.BooleanField(default=False)
    is_note = models.BooleanField(default=False, help_text="Started with Post New Note on the timeline.")
    preview = models.CharField(max_length=255, blank=True)
    first_message_in_at = models.DateTimeField(null=True, blank=True)
    first_message_out_at = models.DateTimeField(null=True, blank=True)
    last_message_in_at = models.DateTimeField(null=True, blank=True)
    last_message_out_at = models.DateTimeField(null=True, blank=True)
    message_count = models.PositiveIntegerField(default=0)
    note_count = models.PositiveIntegerField(default=0)
    pinned_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    last_activity_at = models.DateTimeField(default=timezone.now)

    objects = ConversationQuerySet.as_manager()

    class Meta:
        ordering = ["-last_activity_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-last_activity_at", "-id"], name="conv_status_activity"),
            models.Index(fields=["status", "-priority", "-last_activity_at"], name="conv_status_priority"),
            models.Index(fields=["status", "-created_at"], name="conv_status_created"),
            models.Index(fields=["customer", "-created_at"], name="conv_customer_created"),
            models.Index(fields=["snooze_until"], condition=Q(status="snoozed"), name="conv_snoozed_until"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(priority__gte=1, priority__lte=5), name="conversation_priority_1_5"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("conversations:conversation_detail", args=[self.pk])

    @property
    def display_name(self) -> str:
        return self.name or self.preview[:80] or f"Conversation {self.pk}"


class ConversationTag(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="tag_links")
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="conversation_links")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [models.UniqueConstraint(fields=["conversation", "tag"], name="conversation_tag_once")]

    def __str__(self) -> str:
        return f"{self.tag_id} on {self.conversation_id}"


MAX_LINKS_SHOWN = 20  # the seed: "up to 20 linked conversations" in the app; merges may keep more


class ConversationLink(models.Model):
    """Linked Conversations: one row per direction, so a link shows on both conversations and
    each side reads its links with one indexed lookup. Services always write (and delete) both."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="link_rows")
    linked = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "linked"], name="conversation_link_once"),
            models.CheckConstraint(condition=~Q(conversation=F("linked")), name="conversation_link_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.conversation_id} ↔ {self.linked_id}"


class MergedConversation(models.Model):
    """What is left of a conversation merged into another: its old id, so a link to it (or an
    email threading into it) reaches the result. Merging is permanent."""

    id = models.BigIntegerField(primary_key=True)  # the merged-away conversation's id
    into = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="merged_from")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=255, blank=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.pk} → {self.into_id}"


class Message(models.Model):
    class Direction(models.TextChoices):
        IN = "in", "Inbound"
        OUT = "out", "Outbound"

    class DeliveryStatus(models.TextChoices):
        RECEIVED = "received", "Received"
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    subject = models.CharField(max_length=998, blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True, help_text="Sanitised with nh3 before it is stored.")
    from_address = models.CharField(max_length=320, blank=True)
    to = ArrayField(models.CharField(max_length=320), default=list, blank=True)
    cc = ArrayField(models.CharField(max_length=320), default=list, blank=True)
    delivery_status = models.CharField(max_length=10, choices=DeliveryStatus.choices)
    failure_reason = models.CharField(max_length=500, blank=True)
    external_id = models.CharField(max_length=998, blank=True)
    # What the agent chose for this message's channel (e.g. {"email_template": 3}); the
    # channel reads it when it delivers, also on a retry.
    channel_options = models.JSONField(default=dict, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["conversation", "created_at"], name="message_conversation_time")]
        constraints = [
            # A retried webhook or task cannot create a second message.
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=~Q(external_id=""),
                name="message_external_id_once",
            ),
        ]

    def __str__(self) -> str:
        return self.subject or self.body_text[:60]

    @property
    def attachment_list(self) -> list[Attachment]:
        """The attachments, from the feed's prefetch when it made one (see conversation_feed)."""
        preloaded = getattr(self, "_attachment_list", None)
        return preloaded if preloaded is not None else list(self.attachments.all())


class Note(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    body_html = models.TextField(help_text="Sanitised with nh3 before it is stored.")
    body_text = models.TextField(blank=True)
    mentioned_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="mentioned_in_notes"
    )
    mentioned_teams = models.ManyToManyField("accounts.Team", blank=True, related_name="mentioned_in_notes")
    assigned_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_notes",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["conversation", "created_at"], name="note_conversation_time")]

    def __str__(self) -> str:
        return self.body_text[:60]

    @property
    def attachment_list(self) -> list[Attachment]:
        """The attachments, from the feed's prefetch when it made one (see conversation_feed)."""
        preloaded = getattr(self, "_attachment_list", None)
        return preloaded if preloaded is not None else list(self.attachments.all())


def attachment_path(instance: Attachment, filename: str) -> str:
    # Unguessable, and the original name never reaches the file system.
    ext = os.path.splitext(filename)[1].lower()[:10]
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{ext}"


class Attachment(models.Model):
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    note = models.ForeignKey(
        Note, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=255)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=255, default="application/octet-stream")
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(message__isnull=False) & Q(note__isnull=True))
                | (Q(message__isnull=True) & Q(note__isnull=False)),
                name="attachment_has_one_parent",
            )
        ]

    def __str__(self) -> str:
        return self.filename

    def get_absolute_url(self) -> str:
        return reverse("conversations:attachment_download", args=[self.pk])


class ConversationEvent(models.Model):
    """Every change to a conversation: the timeline and the audit trail are built from these."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        MESSAGE = "message", "Message"
        NOTE = "note", "Note added"
        NOTE_UPDATED = "note_updated", "Note updated"
        NOTE_DELETED = "note_deleted", "Note deleted"
        STATUS = "status", "Status changed"
        SUB_STATUS = "sub_status", "Sub status changed"
        PRIORITY = "priority", "Priority changed"
        ASSIGNED = "assigned", "Assignment changed"
        QUEUE = "queue", "Queue changed"
        RENAMED = "renamed", "Renamed"
        TAG_ADDED = "tag_added", "Tag added"
        TAG_REMOVED = "tag_removed", "Tag removed"
        PINNED = "pinned", "Pinned"
        UNPINNED = "unpinned", "Unpinned"
        ATTRIBUTES = "attributes", "Attributes changed"
        LINKED = "linked", "Conversation linked"
        UNLINKED = "unlinked", "Conversation unlinked"
        MERGED = "merged", "Conversation merged in"
        MOVED = "moved", "Moved to another customer"
        MESSAGE_MOVED = "message_moved", "Message moved"
        REDACTED = "redacted", "Redacted"
        FORWARDED = "forwarded", "Forwarded"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["conversation", "created_at"], name="event_conversation_time")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.conversation_id}"


class Notification(models.Model):
    class Kind(models.TextChoices):
        MENTION = "mention", "Mentioned you"
        ASSIGNED = "assigned", "Assigned to you"
        NOTE_ASSIGNED = "note_assigned", "Assigned a note to you"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="notifications")
    note = models.ForeignKey(
        Note, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    text = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_time"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"),
        ]
        constraints = [
            # One notification per recipient per note: a team and a direct mention do not double up.
            models.UniqueConstraint(
                fields=["recipient", "note", "kind"],
                condition=Q(note__isnull=False),
                name="notification_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.recipient})"
