"""Shortcuts (saved replies) with their categories and attachments, snippets (translated text
inserted with ``[[sn.name]]``) and the workspace's languages."""

from __future__ import annotations

import os
import uuid
from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef
from django.db.models.functions import Lower
from django.utils import timezone

SNIPPET_NAME_MAX_LENGTH = 64
SNIPPET_TEXT_MAX_LENGTH = 10_000
SNIPPET_NAME_MESSAGE = "Use only letters, digits and underscores (no spaces), e.g. org_order_issue."

validate_snippet_name = RegexValidator(r"^[A-Za-z0-9_]+\Z", SNIPPET_NAME_MESSAGE, code="invalid_name")


def language_choices() -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label in settings.LANGUAGES]


def language_label(code: str) -> str:
    return dict(language_choices()).get(code, code)


def _default_enabled() -> list[str]:
    return ["en"]


class LocalizationSettings(models.Model):
    """The workspace's languages (a single row, pk=1): snippets get one text per enabled language."""

    default_language = models.CharField(max_length=10, default="en")
    enabled_languages = ArrayField(models.CharField(max_length=10), default=_default_enabled)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "localization settings"

    def __str__(self) -> str:
        return "Localization settings"

    @classmethod
    def load(cls) -> LocalizationSettings:
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj

    @property
    def languages_in_order(self) -> list[str]:
        """The default language first, then the others in the order of settings.LANGUAGES."""
        others = [code for code, _ in language_choices() if code in self.enabled_languages]
        return [self.default_language, *[c for c in others if c != self.default_language]]


class Snippet(models.Model):
    name = models.CharField(
        max_length=SNIPPET_NAME_MAX_LENGTH,
        validators=[validate_snippet_name],
        help_text="Letters, digits and underscores; referenced in messages as sn.<name>.",
    )
    description = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = [Lower("name")]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="shortcuts_snippet_name_unique_ci"),
            models.CheckConstraint(
                condition=models.Q(name__regex=r"^[A-Za-z0-9_]+$"), name="shortcuts_snippet_name_chars"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"sn.{self.name}"


class SnippetTranslation(models.Model):
    snippet = models.ForeignKey(Snippet, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=10)
    text = models.TextField(max_length=SNIPPET_TEXT_MAX_LENGTH)

    class Meta:
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(fields=["snippet", "language"], name="shortcuts_translation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.snippet.reference} ({self.language})"


# --- Shortcuts ------------------------------------------------------------------------------

SHORTCUT_NAME_MAX_LENGTH = 64
CATEGORY_NAME_MAX_LENGTH = 64
CATEGORY_MAX_DEPTH = 3


class ShortcutCategory(models.Model):
    """A folder of shortcuts; categories nest (a parent holds subcategories), at most 3 deep."""

    name = models.CharField(max_length=CATEGORY_NAME_MAX_LENGTH)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "shortcut categories"
        ordering = [Lower("name")]
        constraints = [
            # NULL parents are distinct in a plain unique index, so top-level names get their own.
            models.UniqueConstraint(
                Lower("name"),
                condition=models.Q(parent__isnull=True),
                name="shortcuts_category_top_name_unique_ci",
            ),
            models.UniqueConstraint(
                Lower("name"),
                "parent",
                condition=models.Q(parent__isnull=False),
                name="shortcuts_category_name_unique_ci",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ShortcutQuerySet(models.QuerySet["Shortcut"]):
    def visible_to(self, user: Any) -> ShortcutQuerySet:
        """Public ones, the user's own private ones, and limited ones naming the user or one of
        the user's teams. Exists() rather than joins, so no row comes back twice."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        named_user = Shortcut.limited_users.through.objects.filter(shortcut=OuterRef("pk"), user=user)
        named_team = Shortcut.limited_teams.through.objects.filter(
            shortcut=OuterRef("pk"), team__members=user
        )
        return self.filter(
            models.Q(share=Shortcut.Share.PUBLIC)
            | models.Q(share=Shortcut.Share.PRIVATE, owner=user)
            | (models.Q(share=Shortcut.Share.LIMITED) & (Exists(named_user) | Exists(named_team)))
        )


class ShortcutStatus(models.TextChoices):
    """The statuses a shortcut can set (snoozing until a time needs a time: not offered)."""

    OPEN = "open", "Open"
    SNOOZED = "snoozed", "Snoozed until the customer replies"
    DONE = "done", "Done"


class Shortcut(models.Model):
    class Share(models.TextChoices):
        PUBLIC = "public", "Public"
        PRIVATE = "private", "Private"
        LIMITED = "limited", "Limited"

    name = models.CharField(max_length=SHORTCUT_NAME_MAX_LENGTH)
    message_html = models.TextField(blank=True)
    category = models.ForeignKey(
        ShortcutCategory, null=True, blank=True, on_delete=models.PROTECT, related_name="shortcuts"
    )
    share = models.CharField(max_length=10, choices=Share.choices, default=Share.PUBLIC)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_shortcuts",
    )
    limited_teams = models.ManyToManyField("accounts.Team", blank=True, related_name="shortcuts")
    limited_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="shared_shortcuts"
    )
    # The snippets its name and message use ([[sn.name]], lower case), kept in step on every
    # save so "which shortcuts use this snippet" is one indexed lookup.
    snippet_names = ArrayField(models.CharField(max_length=64), default=list, blank=True, editable=False)
    # What the # menu searches: the name and the message's plain text, lower case (kept in
    # step by the services; refresh_search_text()).
    search_text = models.TextField(blank=True, editable=False)

    # Actions, performed on the conversation when the shortcut is applied ("" / None: leave as is).
    subject = models.CharField(
        "Conversation Subject",
        max_length=255,
        blank=True,
        help_text="Creates or replaces the conversation's name; dynamic text and snippets work here.",
    )
    add_tags = models.ManyToManyField(
        "conversations.Tag", blank=True, related_name="+", verbose_name="Conversation Tags"
    )
    queue = models.ForeignKey(
        "conversations.Queue", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=ShortcutStatus.choices, blank=True)
    assign_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="Assigned User",
    )
    assign_team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="Assigned Team",
    )
    custom_fields = models.JSONField(
        default=dict, blank=True, help_text="Conversation custom attributes to set: {name: value}."
    )
    # Conversation Email Template: an email template's id (messaging owns them; shortcuts does
    # not import messaging, so no foreign key): applying picks it in the reply editor.
    email_template_id = models.PositiveIntegerField("Conversation Email Template", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ShortcutQuerySet.as_manager()

    class Meta:
        ordering = [Lower("name")]
        indexes = [
            GinIndex(fields=["snippet_names"], name="shortcuts_snippet_names_gin"),
            # The # menu's search (LIKE '%term%' on search_text), answered by a trigram index.
            GinIndex(fields=["search_text"], opclasses=["gin_trgm_ops"], name="shortcuts_search_trgm"),
        ]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="shortcuts_shortcut_name_unique_ci"),
            models.CheckConstraint(
                condition=models.Q(name__regex=r"^\S+$"), name="shortcuts_shortcut_no_spaces"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def refresh_search_text(self) -> None:
        from core.sanitize import html_to_text

        self.search_text = f"{self.name}\n{html_to_text(self.message_html)}".lower()

    @property
    def has_actions(self) -> bool:
        """Whether applying it changes the conversation (tags need a query: pass them in)."""
        return bool(
            self.subject or self.queue_id or self.status or self.assign_user_id or self.assign_team_id
            or self.custom_fields
        )  # fmt: skip


class ShortcutDefaults(models.Model):
    """The Defaults tab (a single row, pk=1): the shortcut every new reply starts with (Reply
    Template) and the one every new note starts with (Note Template)."""

    reply_template = models.ForeignKey(
        Shortcut,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="Reply Template",
    )
    note_template = models.ForeignKey(
        Shortcut,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="Note Template",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "shortcut defaults"

    def __str__(self) -> str:
        return "Shortcut defaults"

    @classmethod
    def load(cls) -> ShortcutDefaults:
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


def shortcut_attachment_path(instance: ShortcutAttachment, filename: str) -> str:
    # Unguessable, and the original name never reaches the file system.
    ext = os.path.splitext(filename)[1].lower()[:10]
    return f"shortcut-attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{ext}"


class ShortcutAttachment(models.Model):
    shortcut = models.ForeignKey(Shortcut, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=shortcut_attachment_path, max_length=255)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=255, default="application/octet-stream")
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename
