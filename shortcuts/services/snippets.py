"""Writes for localization and snippets; each is audited and runs in one transaction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from core.audit import audit_record, snapshot
from core.models import AuditEntry
from shortcuts.models import (
    SNIPPET_NAME_MAX_LENGTH,
    SNIPPET_TEXT_MAX_LENGTH,
    LocalizationSettings,
    Snippet,
    SnippetTranslation,
    language_choices,
    language_label,
    validate_snippet_name,
)


def text_key(language: str) -> str:
    """The error key (and form field name) of one language's text."""
    return f"text_{language}"


# --- Localization -----------------------------------------------------------------------


@transaction.atomic
def localization_update(
    *, actor: Any, default_language: str, enabled_languages: list[str]
) -> LocalizationSettings:
    """Locks the single settings row, so two admins saving at once do not interleave."""
    known = [code for code, _ in language_choices()]
    errors: dict[str, list[str]] = {}
    unknown = [code for code in enabled_languages if code not in known]
    if unknown:
        errors["enabled_languages"] = [f"Unknown language: {', '.join(unknown)}."]
    elif not enabled_languages:
        errors["enabled_languages"] = ["Enable at least one language."]
    if default_language not in known:
        errors["default_language"] = ["Choose a default language."]
    elif enabled_languages and default_language not in enabled_languages:
        errors["default_language"] = [
            f"The default language, {language_label(default_language)}, must be one of the enabled languages."
        ]
    if errors:
        raise ValidationError(errors)
    LocalizationSettings.load()
    settings = LocalizationSettings.objects.select_for_update().get(pk=1)
    fields = ["default_language", "enabled_languages"]
    before = snapshot(settings, fields)
    settings.default_language = default_language
    settings.enabled_languages = [code for code in known if code in enabled_languages]
    settings.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=settings,
        before=before,
        after=snapshot(settings, fields),
    )
    return settings


# --- Snippets ----------------------------------------------------------------------------


def _validate(*, name: str, texts: dict[str, str], exclude_pk: int | None) -> dict[str, str]:
    """The name rules and one text per enabled language; returns the non-blank texts by language."""
    localization = LocalizationSettings.load()
    errors: dict[str, list[str]] = {}
    name = name.strip()
    if not name:
        errors["name"] = ["Enter a name."]
    elif len(name) > SNIPPET_NAME_MAX_LENGTH:
        errors["name"] = [f"Use at most {SNIPPET_NAME_MAX_LENGTH} characters."]
    else:
        try:
            validate_snippet_name(name)
        except ValidationError as error:
            errors["name"] = error.messages
        else:
            others = Snippet.objects.filter(name__iexact=name)
            clash = (others if exclude_pk is None else others.exclude(pk=exclude_pk)).first()
            if clash is not None:
                errors["name"] = [f"A snippet named {clash.reference} already exists."]
    kept: dict[str, str] = {}
    for language in localization.languages_in_order:
        text = (texts.get(language) or "").strip()
        if len(text) > SNIPPET_TEXT_MAX_LENGTH:
            errors[text_key(language)] = [f"Use at most {SNIPPET_TEXT_MAX_LENGTH:,} characters."]
        elif text:
            kept[language] = text
        elif language == localization.default_language:
            errors[text_key(language)] = [
                f"Enter the text in {language_label(language)}, the default language."
            ]
    if errors:
        raise ValidationError(errors)
    return kept


def _snapshot(snippet: Snippet) -> dict[str, Any]:
    return {
        **snapshot(snippet, ["name", "description"]),
        "texts": dict(snippet.translations.values_list("language", "text")),
    }


@transaction.atomic
def snippet_create(*, actor: Any, name: str, description: str = "", texts: dict[str, str]) -> Snippet:
    kept = _validate(name=name, texts=texts, exclude_pk=None)
    snippet = Snippet.objects.create(name=name.strip(), description=description.strip())
    SnippetTranslation.objects.bulk_create(
        SnippetTranslation(snippet=snippet, language=language, text=text) for language, text in kept.items()
    )
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, target=snippet, after=_snapshot(snippet))
    return snippet


@transaction.atomic
def snippet_update(
    *, actor: Any, snippet: Snippet, name: str, description: str = "", texts: dict[str, str]
) -> Snippet:
    """Sets the texts of the enabled languages (a blank one is removed); texts in languages that
    are no longer enabled are kept, so enabling the language again brings them back."""
    snippet = Snippet.objects.select_for_update(of=("self",)).get(pk=snippet.pk)
    kept = _validate(name=name, texts=texts, exclude_pk=snippet.pk)
    before = _snapshot(snippet)
    snippet.name = name.strip()
    snippet.description = description.strip()
    snippet.save()
    enabled = LocalizationSettings.load().languages_in_order
    snippet.translations.filter(language__in=[code for code in enabled if code not in kept]).delete()
    for language, text in kept.items():
        SnippetTranslation.objects.update_or_create(
            snippet=snippet, language=language, defaults={"text": text}
        )
    audit_record(
        actor=actor, action=AuditEntry.Action.UPDATE, target=snippet, before=before, after=_snapshot(snippet)
    )
    return snippet


@transaction.atomic
def snippet_delete(*, actor: Any, snippet: Snippet) -> None:
    # Nothing refers to snippets by row yet (shortcuts will, by name, when they arrive).
    before = _snapshot(snippet)
    audit_record(actor=actor, action=AuditEntry.Action.DELETE, target=snippet, before=before)
    snippet.delete()
