"""Users, teams and permission sets are changed in the app's Settings pages, which go
through services (owner protection, limits, the audit log). The Django admin shows them
read-only, for lookups, and links to the Settings page of each."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.models import Group
from django.http import HttpRequest
from django.utils.html import format_html

from accounts.models import PermissionSet, Team, User

# Access comes from permission sets, not Django's groups.
admin.site.unregister(Group)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Change in Settings")
    def settings_link(self, obj: Any) -> str:
        return format_html('<a href="{}">Open in Settings</a>', obj.get_absolute_url())


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ["email", "display_name", "user_type", "is_active", "is_owner", "settings_link"]
    list_filter = ["user_type", "is_active"]
    search_fields = ["email", "display_name"]
    exclude = ["password"]


@admin.register(Team)
class TeamAdmin(ReadOnlyAdmin):
    list_display = ["name", "description", "settings_link"]
    search_fields = ["name"]


@admin.register(PermissionSet)
class PermissionSetAdmin(ReadOnlyAdmin):
    list_display = ["name", "is_default", "description", "settings_link"]
