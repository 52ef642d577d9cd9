"""Tags: at most 20 on a conversation, names up to 64 characters, unique ignoring case.

Tags are never deleted: deactivated, a tag can be neither added nor removed, and still shows.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from accounts.capabilities import Capability
from accounts.models import User
from conversations.models import (
    MAX_TAGS_PER_CONVERSATION,
    TAG_NAME_MAX,
    Conversation,
    ConversationEvent,
    ConversationTag,
    Tag,
)
from conversations.services.events import lock_conversation, record_event
from core.audit import audit_record, snapshot
from core.models import AuditEntry


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "Give the tag a name."})
    if len(name) > TAG_NAME_MAX:
        raise ValidationError(
            {"name": f"The tag name can't exceed {TAG_NAME_MAX} characters ({len(name)} typed)."}
        )
    return name


def _check_color(color: str) -> str:
    if color not in Tag.Color.values:
        raise ValidationError({"color": "Choose one of the predefined tag colours."})
    return color


def _name_taken(name: str) -> ValidationError:
    return ValidationError({"name": f"A tag named “{name}” already exists."})


def _require_update(actor: User) -> None:
    if Capability.UPDATE_CUSTOMERS not in actor.capabilities:
        raise PermissionDenied("This needs the “Update customers and conversations” permission.")


def _require_manage(actor: User) -> None:
    if Capability.MANAGE_WORKSPACE not in actor.capabilities:
        raise PermissionDenied("Tags are managed by admins (“Configure the workspace”).")


@transaction.atomic
def tag_create(*, actor: User, name: str, color: str = Tag.Color.BLUE) -> Tag:
    """Create a tag (agents create them from Add Tag, so no settings permission is needed)."""
    _require_update(actor)
    name = _clean_name(name)
    color = _check_color(color)
    if Tag.objects.filter(name__iexact=name).exists():
        raise _name_taken(name)
    try:
        # Two people creating the same name at once: the unique index decides, the loser is told.
        with transaction.atomic():
            tag = Tag.objects.create(name=name, color=color)
    except IntegrityError:
        raise _name_taken(name) from None
    audit_record(
        actor=actor, action=AuditEntry.Action.CREATE, target=tag, after=snapshot(tag, ["name", "color"])
    )
    return tag


@transaction.atomic
def tag_update(*, actor: User, tag: Tag, name: str, color: str) -> Tag:
    """Rename or recolour: every conversation with the tag shows the new name at once.

    Locks the tag row, so two admins editing it cannot interleave.
    """
    _require_manage(actor)
    tag = Tag.objects.select_for_update().get(pk=tag.pk)
    before = snapshot(tag, ["name", "color"])
    name = _clean_name(name)
    color = _check_color(color)
    if Tag.objects.filter(name__iexact=name).exclude(pk=tag.pk).exists():
        raise _name_taken(name)
    tag.name, tag.color = name, color
    try:
        with transaction.atomic():
            tag.save(update_fields=["name", "color"])
    except IntegrityError:
        raise _name_taken(name) from None
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=tag,
        before=before,
        after=snapshot(tag, ["name", "color"]),
    )
    return tag


@transaction.atomic
def tag_set_active(*, actor: User, tag: Tag, active: bool) -> Tag:
    """Deactivate or reactivate (tags are never deleted). Locks the tag row."""
    _require_manage(actor)
    tag = Tag.objects.select_for_update().get(pk=tag.pk)
    if tag.is_active == active:
        return tag
    tag.is_active = active
    tag.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.REACTIVATE if active else AuditEntry.Action.DEACTIVATE,
        target=tag,
        before={"is_active": not active},
        after={"is_active": active},
    )
    return tag


@transaction.atomic
def conversation_add_tag(*, actor: User, conversation: Conversation, tag: Tag) -> Conversation:
    """Apply a tag.

    Locks the conversation (SELECT ... FOR UPDATE) before counting its tags, so two agents
    adding at the same moment cannot take it past 20 together.
    """
    _require_update(actor)
    conversation = lock_conversation(conversation)
    # Re-read: the tag may have been deactivated since the caller loaded it.
    tag = Tag.objects.get(pk=tag.pk)
    if not tag.is_active:
        raise ValidationError({"tag": f"The tag “{tag}” is deactivated: it can't be added."})
    links = ConversationTag.objects.filter(conversation=conversation)
    if links.filter(tag=tag).exists():
        return conversation
    if links.count() >= MAX_TAGS_PER_CONVERSATION:
        limit = MAX_TAGS_PER_CONVERSATION
        raise ValidationError(
            {"tag": f"A conversation can have at most {limit} tags. Remove one to add “{tag}”."}
        )
    ConversationTag.objects.create(conversation=conversation, tag=tag, added_by=actor)
    record_event(
        conversation=conversation, actor=actor, kind=ConversationEvent.Kind.TAG_ADDED, data={"tag": tag.name}
    )
    return conversation


@transaction.atomic
def conversation_add_new_tag(
    *, actor: User, conversation: Conversation, name: str
) -> tuple[Conversation, Tag]:
    """Tab in Add Tag: use the tag of that name (ignoring case) or create it, then apply it.

    Nothing is created when the tag cannot be applied (the 21st tag): the transaction rolls back.
    """
    _require_update(actor)
    clean = _clean_name(name)
    tag = Tag.objects.filter(name__iexact=clean).first()
    if tag is None:
        try:
            with transaction.atomic():
                tag = tag_create(actor=actor, name=clean)
        except ValidationError:
            # Someone created it between our look-up and our insert: use theirs.
            tag = Tag.objects.filter(name__iexact=clean).first()
            if tag is None:
                raise
    return conversation_add_tag(actor=actor, conversation=conversation, tag=tag), tag


@transaction.atomic
def conversation_remove_tag(*, actor: User, conversation: Conversation, tag: Tag) -> Conversation:
    """Remove a tag (not a deactivated one: its history stays). Locks the conversation."""
    _require_update(actor)
    conversation = lock_conversation(conversation)
    tag = Tag.objects.get(pk=tag.pk)
    if not tag.is_active:
        raise ValidationError({"tag": f"The tag “{tag}” is deactivated: it can't be removed."})
    deleted, _ = ConversationTag.objects.filter(conversation=conversation, tag=tag).delete()
    if deleted:
        record_event(
            conversation=conversation,
            actor=actor,
            kind=ConversationEvent.Kind.TAG_REMOVED,
            data={"tag": tag.name},
        )
    return conversation
