"""Writes for shortcut categories and shortcuts; each is audited and runs in one transaction."""

from __future__ import annotations

import html
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from accounts.models import Team, User
from conversations.models import MAX_TAGS_PER_CONVERSATION, Queue, Tag
from conversations.reply_options import template_choices
from core.audit import audit_record, snapshot
from core.files import delete_files_on_commit
from core.models import AuditEntry
from core.sanitize import html_to_text, sanitize_editor_html, text_to_html
from shortcuts.models import (
    CATEGORY_MAX_DEPTH,
    CATEGORY_NAME_MAX_LENGTH,
    SHORTCUT_NAME_MAX_LENGTH,
    Shortcut,
    ShortcutAttachment,
    ShortcutCategory,
    ShortcutDefaults,
    ShortcutStatus,
)
from shortcuts.template_language import TemplateSyntaxError, compile_template

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


# --- Actions (Add Optional Fields) ----------------------------------------------------------

CUSTOM_FIELD_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}\Z")
CUSTOM_FIELDS_MAX = 20
CUSTOM_FIELD_VALUE_MAX_LENGTH = 1000
DONE_WITH_MESSAGE_WARNING = (
    "This shortcut sets the status to Done and also sends a message. Applying it closes the "
    "conversation at once, so the message may never be sent: don't combine marking the "
    "conversation Done and sending a message in the same shortcut. Remove one of them, or "
    "tick “Save anyway” to keep both."
)


@dataclass(frozen=True)
class ShortcutActions:
    """What applying the shortcut changes on the conversation; empty values change nothing."""

    subject: str = ""
    tags: Sequence[Tag] = ()
    queue: Queue | None = None
    status: str = ""
    assign_user: User | None = None
    assign_team: Team | None = None
    custom_fields: Mapping[str, str] = field(default_factory=dict)
    email_template: int | None = None


def _validate_actions(actions: ShortcutActions) -> None:
    errors: dict[str, list[str]] = {}
    if len(actions.subject) > 255:
        errors["subject"] = ["Use at most 255 characters."]
    else:
        try:
            compile_template(actions.subject)
        except TemplateSyntaxError as error:
            errors["subject"] = [f"Line {error.line}, column {error.column}: {error.message}"]
    if len(actions.tags) > MAX_TAGS_PER_CONVERSATION:
        errors["tags"] = [f"A conversation can have at most {MAX_TAGS_PER_CONVERSATION} tags."]
    inactive = [tag.name for tag in actions.tags if not tag.is_active]
    if inactive:
        errors["tags"] = [f"“{name}” is deactivated: it can't be added." for name in inactive]
    if actions.queue is not None and not actions.queue.is_active:
        errors["queue"] = [f"The queue “{actions.queue}” is turned off."]
    if actions.status and actions.status not in ShortcutStatus.values:
        errors["status"] = ["Choose Open, Snoozed until the customer replies, or Done."]
    if actions.assign_user is not None and not actions.assign_user.is_active:
        errors["assign_user"] = [f"{actions.assign_user} is deactivated."]
    if actions.email_template is not None and str(actions.email_template) not in dict(template_choices()):
        errors["email_template"] = ["That email template no longer exists: choose another."]
    if len(actions.custom_fields) > CUSTOM_FIELDS_MAX:
        errors["custom_fields"] = [f"Set at most {CUSTOM_FIELDS_MAX} custom fields."]
    for key, value in actions.custom_fields.items():
        if not CUSTOM_FIELD_NAME_RE.match(key):
            errors.setdefault("custom_fields", []).append(
                f"“{key[:80]}” is not a field name: start with a letter, then letters, digits or _."
            )
        elif len(value) > CUSTOM_FIELD_VALUE_MAX_LENGTH:
            errors.setdefault("custom_fields", []).append(
                f"The value of {key} is longer than {CUSTOM_FIELD_VALUE_MAX_LENGTH:,} characters."
            )
    if errors:
        raise ValidationError(errors)


def _set_actions(shortcut: Shortcut, actions: ShortcutActions) -> None:
    shortcut.subject = actions.subject.strip()
    shortcut.queue = actions.queue
    shortcut.status = actions.status
    shortcut.assign_user = actions.assign_user
    shortcut.assign_team = actions.assign_team
    shortcut.custom_fields = dict(actions.custom_fields)
    shortcut.email_template_id = actions.email_template


def _sends_message(message: str, message_format: str, attachment_count: int) -> bool:
    text = html_to_text(message) if message_format == "html" else message
    return bool(text.strip()) or attachment_count > 0


def _shortcut_snapshot(shortcut: Shortcut) -> dict[str, Any]:
    return {
        **snapshot(
            shortcut,
            [
                "name",
                "share",
                "category",
                "message_html",
                "subject",
                "queue",
                "status",
                "assign_user",
                "assign_team",
                "custom_fields",
            ],
        ),  # fmt: skip
        "tags": sorted(t.name for t in shortcut.add_tags.all()),
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
    shortcut.snippet_names = _snippet_names(shortcut)
    shortcut.refresh_search_text()
    shortcut.save(update_fields=["snippet_names", "search_text"])
    _set_share(shortcut, teams=teams, users=users)
    audit_record(
        actor=actor, action=AuditEntry.Action.CREATE, target=shortcut, after=_shortcut_snapshot(shortcut)
    )
    return shortcut


def _snippet_names(shortcut: Shortcut) -> list[str]:
    """The snippets used in its name and message (both compile: they were validated)."""
    names: list[str] = []
    for source in (shortcut.name, shortcut.message_html, shortcut.subject):
        try:
            names += [n for n in compile_template(source).snippet_names if n not in names]
        except TemplateSyntaxError:
            continue
    return names


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
    actions: ShortcutActions | None = None,
    confirm_done_with_message: bool = False,
) -> Shortcut:
    """Locks the shortcut row so two editors saving at once do not interleave their attachments.
    The message is compiled as typed, so the line and column of an error match the editor.

    ``actions`` None keeps the actions as they are. Setting the status to Done while the
    shortcut also sends a message is refused (code "done_with_message") unless confirmed.
    """
    shortcut = Shortcut.objects.select_for_update(of=("self",)).get(pk=shortcut.pk)
    removed = {a.pk for a in remove_attachments}
    kept = [a for a in shortcut.attachments.all() if a.pk not in removed]
    errors: dict[str, list[str]] = {}
    for check in (
        lambda: _validate_shortcut_name(name=name, exclude_pk=shortcut.pk),
        lambda: _validate_share(share=share, teams=teams, users=users),
        lambda: _compile_message(message),
        lambda: _check_attachments(new=new_attachments, kept=kept),
        lambda: _validate_actions(actions) if actions is not None else None,
    ):
        try:
            check()
        except ValidationError as error:
            errors |= error.message_dict
    status = actions.status if actions is not None else shortcut.status
    if (
        not errors
        and status == ShortcutStatus.DONE
        and not confirm_done_with_message
        and _sends_message(message, message_format, len(kept) + len(new_attachments))
    ):
        raise ValidationError(
            {"status": ValidationError(DONE_WITH_MESSAGE_WARNING, code="done_with_message")}
        )
    if errors:
        raise ValidationError(errors)
    before = _shortcut_snapshot(shortcut)
    shortcut.name = name.strip()
    shortcut.share = share
    shortcut.category = category
    shortcut.message_html = _message_html(message, message_format)
    if actions is not None:
        _set_actions(shortcut, actions)
    shortcut.snippet_names = _snippet_names(shortcut)
    shortcut.refresh_search_text()
    shortcut.save()
    _set_share(shortcut, teams=teams, users=users)
    if actions is not None:
        shortcut.add_tags.set(list(actions.tags))
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
    delete_files_on_commit(ShortcutAttachment._meta.get_field("file").storage, names)


# --- Defaults (Reply Template, Note Template) -----------------------------------------------


def _check_default(shortcut: Shortcut | None) -> list[str]:
    if shortcut is None:
        return []
    if shortcut.share != Shortcut.Share.PUBLIC:
        return [
            f"“{shortcut.name}” is not public: a default reaches every agent, so choose a public shortcut."
        ]
    if shortcut.has_actions or shortcut.add_tags.exists():
        return [
            f"“{shortcut.name}” changes the conversation when applied: a default applies as soon as an "
            "agent starts a reply or a note, so choose a shortcut with text only."
        ]
    return []


@transaction.atomic
def shortcut_defaults_update(
    *, actor: Any, reply_template: Shortcut | None, note_template: Shortcut | None
) -> ShortcutDefaults:
    """Set the Defaults tab. Only public shortcuts without actions: the seed warns that a
    default applying, say, Done would close every conversation an agent replies to."""
    errors = {
        key: messages
        for key, messages in (
            ("reply_template", _check_default(reply_template)),
            ("note_template", _check_default(note_template)),
        )
        if messages
    }
    if errors:
        raise ValidationError(errors)
    ShortcutDefaults.load()
    defaults = ShortcutDefaults.objects.select_for_update().get(pk=1)
    fields = ["reply_template", "note_template"]
    before = snapshot(defaults, fields)
    defaults.reply_template = reply_template
    defaults.note_template = note_template
    defaults.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=defaults,
        before=before,
        after=snapshot(defaults, fields),
    )
    return defaults
