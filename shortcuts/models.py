"""Snippets (translated text inserted with ``[[sn.name]]``) and the workspace's languages."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower

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
