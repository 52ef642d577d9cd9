from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from core.models import AuditEntry


class SettingsManagedAdmin(admin.ModelAdmin):
    """Read-only in the Django admin: the object is changed in the app's Settings pages, which
    go through services (limits, the audit log). Each row links to its Settings page."""

    settings_url_name = ""  # a URL name without arguments; else the object's get_absolute_url()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Change in Settings")
    def settings_link(self, obj: Any) -> str:
        url = reverse(self.settings_url_name) if self.settings_url_name else obj.get_absolute_url()
        return format_html('<a href="{}">Open in Settings</a>', url)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log is only ever written by services."""

    list_display = ["created_at", "actor_label", "action", "object_type", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_repr", "actor_label"]
    date_hierarchy = "created_at"
    list_select_related = ["actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
