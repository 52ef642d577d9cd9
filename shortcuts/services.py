"""Writes for shortcuts, their categories, snippets and localization; each is audited and runs
in one transaction."""

from __future__ import annotations

import html
import os
import re
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from accounts.models import Team, User
from core.audit import audit_record, snapshot
from core.models import AuditEntry
from core.sanitize import sanitize_editor_html, text_to_html
from shortcuts.models import (
    CATEGORY_MAX_DEPTH,
    CATEGORY_NAME_MAX_LENGTH,
    SHORTCUT_NAME_MAX_LENGTH,
    SNIPPET_NAME_MAX_LENGTH,
    SNIPPET_TEXT_MAX_LENGTH,
    LocalizationSettings,
    Shortcut,
    ShortcutAttachment,
    ShortcutCategory,
    Snippet,
    SnippetTranslation,
    language_choices,
    language_label,
    validate_snippet_name,
)
from shortcuts.template_language import TemplateSyntaxError, compile_template


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


# --- Shortcut categories -----------------------------------------------------------------


def _category_depth(category: ShortcutCategory | None) -> int:
    """1 for a top-level category, 0 for none."""
    depth = 0
    while category is not None:
        depth += 1
        category = category.parent
    return depth


def _validate_category_name(*, name: str, parent: ShortcutCategory | None, exclude_pk: int | None) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": ["Enter a name."]})
    if len(name) > CATEGORY_NAME_MAX_LENGTH:
        raise ValidationError({"name": [f"Use at most {CATEGORY_NAME_MAX_LENGTH} characters."]})
    siblings = ShortcutCategory.objects.filter(parent=parent, name__iexact=name)
    if exclude_pk is not None:
        siblings = siblings.exclude(pk=exclude_pk)
    if siblings.exists():
        where = f"in “{parent.name}”" if parent is not None else "at the top level"
        raise ValidationError({"name": [f"A category named “{name}” already exists {where}."]})
    return name


@transaction.atomic
def category_create(*, actor: Any, name: str, parent: ShortcutCategory | None = None) -> ShortcutCategory:
    if _category_depth(parent) >= CATEGORY_MAX_DEPTH:
        raise ValidationError(
            {"parent": [f"Categories nest at most {CATEGORY_MAX_DEPTH} levels deep; choose a higher parent."]}
        )
    name = _validate_category_name(name=name, parent=parent, exclude_pk=None)
    category = ShortcutCategory.objects.create(name=name, parent=parent)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=category,
        after=snapshot(category, ["name", "parent"]),
    )
    return category


@transaction.atomic
def category_rename(*, actor: Any, category: ShortcutCategory, name: str) -> ShortcutCategory:
    category = ShortcutCategory.objects.select_for_update(of=("self",)).get(pk=category.pk)
    before = snapshot(category, ["name"])
    category.name = _validate_category_name(name=name, parent=category.parent, exclude_pk=category.pk)
    category.save(update_fields=["name"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=category,
        before=before,
        after=snapshot(category, ["name"]),
    )
    return category


@transaction.atomic
def category_delete(*, actor: Any, category: ShortcutCategory) -> None:
    """Refused while the category holds shortcuts or subcategories (the foreign keys PROTECT too);
    the lock stops a shortcut being filed into it between the check and the delete."""
    category = ShortcutCategory.objects.select_for_update(of=("self",)).get(pk=category.pk)
    if category.children.exists():
        raise ValidationError("Delete or move its subcategories first.")
    if category.shortcuts.exists():
        raise ValidationError("Move its shortcuts to another category first.")
    audit_record(
        actor=actor,
        action=AuditEntry.Action.DELETE,
        target=category,
        before=snapshot(category, ["name", "parent"]),
    )
    category.delete()


# --- Shortcuts ---------------------------------------------------------------------------

# The seed's list of attachment types, in its order.
SHORTCUT_ATTACHMENT_TYPES = (
    ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".zip", ".txt", ".mov", ".mp4", ".png", ".jpg",
)  # fmt: skip
SHORTCUT_ATTACHMENT_MAX_FILE = 5 * 1024 * 1024
SHORTCUT_ATTACHMENT_MAX_TOTAL = int(9.5 * 1024 * 1024)
SHORTCUT_NAME_SPACES_MESSAGE = "A shortcut name can't contain spaces."


def _validate_shortcut_name(*, name: str, exclude_pk: int | None) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": ["Enter a name."]})
    if any(ch.isspace() for ch in name):
        raise ValidationError({"name": [SHORTCUT_NAME_SPACES_MESSAGE]})
    if len(name) > SHORTCUT_NAME_MAX_LENGTH:
        raise ValidationError({"name": [f"Use at most {SHORTCUT_NAME_MAX_LENGTH} characters."]})
    others = Shortcut.objects.filter(name__iexact=name)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    clash = others.first()
    if clash is not None:
        raise ValidationError({"name": [f"A shortcut named “{clash.name}” already exists."]})
    return name


def _validate_share(*, share: str, teams: Sequence[Team], users: Sequence[User]) -> None:
    if share not in Shortcut.Share.values:
        raise ValidationError({"share": ["Choose who can use this shortcut."]})
    if share == Shortcut.Share.LIMITED and not teams and not users:
        raise ValidationError({"share": ["Choose at least one team or user to share this shortcut with."]})


def _set_share(shortcut: Shortcut, *, teams: Sequence[Team], users: Sequence[User]) -> None:
    """Teams and users only mean something for a limited shortcut; otherwise none are kept."""
    limited = shortcut.share == Shortcut.Share.LIMITED
    shortcut.limited_teams.set(teams if limited else [])
    shortcut.limited_users.set(users if limited else [])


def _compile_message(source: str) -> None:
    try:
        compile_template(source)
    except TemplateSyntaxError as error:
        raise ValidationError(
            {"message": [f"Line {error.line}, column {error.column}: {error.message}"]}
        ) from None


def _check_attachments(*, new: Sequence[UploadedFile], kept: Sequence[ShortcutAttachment]) -> None:
    """The seed's limits: the listed types only, 5 MB per file and 9.5 MB in total."""
    errors = []
    for f in new:
        if os.path.splitext(f.name or "")[1].lower() not in SHORTCUT_ATTACHMENT_TYPES:
            errors.append(f"“{f.name}” is not an allowed type; use {', '.join(SHORTCUT_ATTACHMENT_TYPES)}.")
        elif (f.size or 0) > SHORTCUT_ATTACHMENT_MAX_FILE:
            errors.append(f"“{f.name}” is larger than 5 MB, the most a file can be.")
    if sum(f.size or 0 for f in new) + sum(a.size for a in kept) > SHORTCUT_ATTACHMENT_MAX_TOTAL:
        errors.append("The attachments add up to more than 9.5 MB, the most a shortcut can carry.")
    if errors:
        raise ValidationError({"attachments": errors})


def _shortcut_snapshot(shortcut: Shortcut) -> dict[str, Any]:
    return {
        **snapshot(shortcut, ["name", "share", "category", "message_html"]),
        "teams": sorted(t.name for t in shortcut.limited_teams.all()),
        "users": sorted(u.email for u in shortcut.limited_users.all()),
        "attachments": [a.filename for a in shortcut.attachments.all()],
    }


@transaction.atomic
def shortcut_create(
    *,
    actor: Any,
    name: str,
    share: str = Shortcut.Share.PUBLIC,
    teams: Sequence[Team] = (),
    users: Sequence[User] = (),
    message: str = "",
    message_format: str = "html",
    category: ShortcutCategory | None = None,
) -> Shortcut:
    """The actor becomes the owner (who alone sees it while it is private)."""
    errors: dict[str, list[str]] = {}
    for check in (
        lambda: _validate_shortcut_name(name=name, exclude_pk=None),
        lambda: _validate_share(share=share, teams=teams, users=users),
        lambda: _compile_message(message),
    ):
        try:
            check()
        except ValidationError as error:
            errors |= error.message_dict
    if errors:
        raise ValidationError(errors)
    owner = actor if getattr(actor, "is_authenticated", False) else None
    shortcut = Shortcut.objects.create(
        name=name.strip(),
        share=share,
        owner=owner,
        category=category,
        message_html=_message_html(message, message_format),
    )
    _set_share(shortcut, teams=teams, users=users)
    audit_record(
        actor=actor, action=AuditEntry.Action.CREATE, target=shortcut, after=_shortcut_snapshot(shortcut)
    )
    return shortcut


_MUSTACHE = re.compile(r"\{\{.*?\}\}", re.DOTALL)


def _message_html(message: str, message_format: str) -> str:
    """The message as stored: sanitised HTML whose template tags still read as written.

    The cleaner (and the plain-text conversion) escape the template's own operators and
    quotes ({{#ifCond a ">=" "1"}} would become &gt;= and &quot;): inside {{ }} they are
    template syntax, never output, so they are put back; the result is compiled again.
    """
    clean = sanitize_editor_html(message if message_format == "html" else text_to_html(message))
    restored = _MUSTACHE.sub(lambda match: html.unescape(match.group(0)), clean)
    _compile_message(restored)
    return restored


@transaction.atomic
def shortcut_update(
    *,
    actor: Any,
    shortcut: Shortcut,
    name: str,
    share: str,
    teams: Sequence[Team] = (),
    users: Sequence[User] = (),
    category: ShortcutCategory | None = None,
    message: str = "",
    message_format: str = "html",
    new_attachments: Sequence[UploadedFile] = (),
    remove_attachments: Sequence[ShortcutAttachment] = (),
) -> Shortcut:
    """Locks the shortcut row so two editors saving at once do not interleave their attachments.
    The message is compiled as typed, so the line and column of an error match the editor."""
    shortcut = Shortcut.objects.select_for_update(of=("self",)).get(pk=shortcut.pk)
    removed = {a.pk for a in remove_attachments}
    kept = [a for a in shortcut.attachments.all() if a.pk not in removed]
    errors: dict[str, list[str]] = {}
    for check in (
        lambda: _validate_shortcut_name(name=name, exclude_pk=shortcut.pk),
        lambda: _validate_share(share=share, teams=teams, users=users),
        lambda: _compile_message(message),
        lambda: _check_attachments(new=new_attachments, kept=kept),
    ):
        try:
            check()
        except ValidationError as error:
            errors |= error.message_dict
    if errors:
        raise ValidationError(errors)
    before = _shortcut_snapshot(shortcut)
    shortcut.name = name.strip()
    shortcut.share = share
    shortcut.category = category
    shortcut.message_html = _message_html(message, message_format)
    shortcut.save()
    _set_share(shortcut, teams=teams, users=users)
    gone = shortcut.attachments.filter(pk__in=removed)
    _delete_files_on_commit([a.file.name for a in gone])
    gone.delete()
    for f in new_attachments:
        ShortcutAttachment.objects.create(
            shortcut=shortcut,
            file=f,
            filename=(f.name or "attachment")[:255],
            content_type=(getattr(f, "content_type", "") or "application/octet-stream")[:255],
            size=f.size or 0,
        )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=shortcut,
        before=before,
        after=_shortcut_snapshot(shortcut),
    )
    return shortcut


@transaction.atomic
def shortcut_delete(*, actor: Any, shortcut: Shortcut) -> None:
    audit_record(
        actor=actor, action=AuditEntry.Action.DELETE, target=shortcut, before=_shortcut_snapshot(shortcut)
    )
    _delete_files_on_commit([a.file.name for a in shortcut.attachments.all()])
    shortcut.delete()


def _delete_files_on_commit(names: list[str]) -> None:
    """After commit: a rolled-back change keeps its files."""
    storage = ShortcutAttachment._meta.get_field("file").storage

    def delete_files() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete_files)
