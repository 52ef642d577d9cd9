"""Users, teams and permission sets are changed in the app's Settings pages, which go
through services (owner protection, limits, the audit log). The Django admin shows them
read-only, for lookups, and links to the Settings page of each."""

from django.contrib import admin
from django.contrib.auth.models import Group

from accounts.models import PermissionSet, Team, User
from core.admin import SettingsManagedAdmin

# Access comes from permission sets, not Django's groups.
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(SettingsManagedAdmin):
    list_display = ["email", "display_name", "user_type", "is_active", "is_owner", "settings_link"]
    list_filter = ["user_type", "is_active"]
    search_fields = ["email", "display_name"]
    exclude = ["password"]


@admin.register(Team)
class TeamAdmin(SettingsManagedAdmin):
    list_display = ["name", "description", "settings_link"]
    search_fields = ["name"]


@admin.register(PermissionSet)
class PermissionSetAdmin(SettingsManagedAdmin):
    list_display = ["name", "is_default", "description", "settings_link"]
