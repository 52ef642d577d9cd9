"""Settings > Workspace > Conversation Status: sub statuses and the note default."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max

from accounts.capabilities import Capability
from accounts.models import User
from conversations.models import MAX_SUB_STATUSES_PER_STATUS, Status, SubStatus, WorkspaceSettings
from core.audit import audit_record, snapshot
from core.db import advisory_xact_lock
from core.models import AuditEntry

SUB_STATUS_FIELDS = ["status", "name", "description", "is_active"]
SUB_STATUS_NAME_MAX = 64
DESCRIPTION_MAX = 255


def _require(actor: User) -> None:
    if Capability.MANAGE_WORKSPACE not in actor.capabilities:
        raise PermissionDenied("This needs the “Configure the workspace” permission.")


def _clean(name: str, status: str, exclude_pk: int | None = None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "Give the sub status a name."})
    if len(name) > SUB_STATUS_NAME_MAX:
        limit = SUB_STATUS_NAME_MAX
        raise ValidationError(
            {"name": f"A sub status name can be at most {limit} characters ({len(name)} typed)."}
        )
    clash = SubStatus.objects.filter(status=status, name__iexact=name, is_deleted=False)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"name": f"{Status(status).label} already has a sub status named “{name}”."})
    return name


def _clean_description(description: str) -> str:
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        typed = len(description)
        raise ValidationError(
            {"description": f"A description can be at most {DESCRIPTION_MAX} characters ({typed} typed)."}
        )
    return description


@transaction.atomic
def sub_status_create(*, actor: User, status: str, name: str, description: str = "") -> SubStatus:
    """Add Sub Status: at most 50 for each of Open, Snoozed and Done.

    An advisory lock per main status serialises creations, so two admins cannot make the 51st.
    """
    _require(actor)
    if status not in Status.values:
        raise ValidationError({"status": "Choose Open, Snoozed or Done."})
    advisory_xact_lock(f"conversations.sub_status_create.{status}")
    if SubStatus.objects.filter(status=status, is_deleted=False).count() >= MAX_SUB_STATUSES_PER_STATUS:
        limit = MAX_SUB_STATUSES_PER_STATUS
        raise ValidationError(
            f"{Status(status).label} already has {limit} sub statuses, the most it can have."
        )
    name = _clean(name, status)
    description = _clean_description(description)
    position = (SubStatus.objects.filter(status=status).aggregate(m=Max("position"))["m"] or 0) + 1
    sub_status = SubStatus.objects.create(
        status=status, name=name, description=description, position=position
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=sub_status,
        after=snapshot(sub_status, SUB_STATUS_FIELDS),
    )
    return sub_status


@transaction.atomic
def sub_status_update(*, actor: User, sub_status: SubStatus, name: str, description: str = "") -> SubStatus:
    """Rename: every conversation with the sub status shows the new name. Locks the row."""
    _require(actor)
    sub_status = SubStatus.objects.select_for_update().get(pk=sub_status.pk)
    if sub_status.is_deleted:
        raise ValidationError("A deleted sub status cannot be changed.")
    before = snapshot(sub_status, SUB_STATUS_FIELDS)
    sub_status.name = _clean(name, sub_status.status, exclude_pk=sub_status.pk)
    sub_status.description = _clean_description(description)
    sub_status.save(update_fields=["name", "description"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=sub_status,
        before=before,
        after=snapshot(sub_status, SUB_STATUS_FIELDS),
    )
    return sub_status


@transaction.atomic
def sub_status_set_active(*, actor: User, sub_status: SubStatus, active: bool) -> SubStatus:
    """The toggle: off, agents can no longer choose it; on again, they can. Locks the row."""
    _require(actor)
    sub_status = SubStatus.objects.select_for_update().get(pk=sub_status.pk)
    if sub_status.is_deleted:
        raise ValidationError("A deleted sub status cannot be turned back on.")
    if sub_status.is_active != active:
        sub_status.is_active = active
        sub_status.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action=AuditEntry.Action.REACTIVATE if active else AuditEntry.Action.DEACTIVATE,
            target=sub_status,
            before={"is_active": not active},
            after={"is_active": active},
        )
    return sub_status


@transaction.atomic
def sub_status_delete(*, actor: User, sub_status: SubStatus) -> SubStatus:
    """Delete: conversations keep it, no conversation can get it any more, and it cannot come back."""
    _require(actor)
    sub_status = SubStatus.objects.select_for_update().get(pk=sub_status.pk)
    if not sub_status.is_deleted:
        sub_status.is_deleted, sub_status.is_active = True, False
        sub_status.save(update_fields=["is_deleted", "is_active"])
        audit_record(
            actor=actor,
            action=AuditEntry.Action.DELETE,
            target=sub_status,
            before=snapshot(sub_status, SUB_STATUS_FIELDS),
        )
    return sub_status


@transaction.atomic
def workspace_set_notes_done_by_default(*, actor: User, enabled: bool) -> WorkspaceSettings:
    """Set Notes as Done by Default (Settings > Workspace > Conversation Status > Done)."""
    _require(actor)
    settings_row = WorkspaceSettings.objects.select_for_update().get(pk=WorkspaceSettings.load().pk)
    if settings_row.notes_done_by_default != enabled:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            target=settings_row,
            before={"notes_done_by_default": settings_row.notes_done_by_default},
            after={"notes_done_by_default": enabled},
        )
        settings_row.notes_done_by_default = enabled
        settings_row.save(update_fields=["notes_done_by_default"])
    return settings_row
