"""Workspace configuration in the Django admin.

Tags, sub statuses and the workspace switches change in Settings > Workspace, through the
services that enforce the seed's limits and write the audit log; here they are read-only,
with a link to their Settings page. Queues have no Settings page yet, so they are edited
here, and each change is audited.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from conversations.models import Queue, SubStatus, Tag, WorkspaceSettings
from core.admin import SettingsManagedAdmin
from core.audit import audit_record, snapshot
from core.models import AuditEntry

QUEUE_FIELDS = ["name", "description", "conversation_weight", "is_active"]


@admin.register(Tag)
class TagAdmin(SettingsManagedAdmin):
    settings_url_name = "conversations:settings_tags"
    list_display = ["name", "color", "is_active", "conversation_count", "created_at", "settings_link"]
    list_filter = ["is_active", "color"]
    search_fields = ["name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tag]:
        return super().get_queryset(request).annotate(conversation_count=Count("conversation_links"))

    @admin.display(description="Conversations", ordering="conversation_count")
    def conversation_count(self, obj: Any) -> int:
        return int(obj.conversation_count)


@admin.register(SubStatus)
class SubStatusAdmin(SettingsManagedAdmin):
    settings_url_name = "conversations:settings_conversation_status"
    list_display = ["name", "status", "description", "is_active", "is_deleted", "position", "settings_link"]
    list_filter = ["status", "is_active", "is_deleted"]
    search_fields = ["name", "description"]


@admin.register(WorkspaceSettings)
class WorkspaceSettingsAdmin(SettingsManagedAdmin):
    settings_url_name = "conversations:settings_conversation_status"
    list_display = ["__str__", "notes_done_by_default", "settings_link"]


@admin.register(Queue)
class QueueAdmin(admin.ModelAdmin):
    list_display = ["name", "description", "conversation_weight", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Conversations point at their queue; deactivate a queue instead of deleting it.
        return False

    def save_model(self, request: HttpRequest, obj: Queue, form: ModelForm, change: bool) -> None:
        before = {}
        if change:
            before = snapshot(Queue.objects.get(pk=obj.pk), QUEUE_FIELDS)
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action=AuditEntry.Action.UPDATE if change else AuditEntry.Action.CREATE,
            target=obj,
            before=before,
            after=snapshot(obj, QUEUE_FIELDS),
        )
