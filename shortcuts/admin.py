"""Shortcuts change in Settings > Workspace, snippets and localization in Settings >
Administration (through audited services); the Django admin shows them read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core.admin import SettingsManagedAdmin
from shortcuts.models import LocalizationSettings, Shortcut, ShortcutCategory, Snippet, SnippetTranslation


class SnippetTranslationInline(admin.TabularInline):
    model = SnippetTranslation
    fields = ["language", "text"]
    readonly_fields = ["language", "text"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Snippet)
class SnippetAdmin(SettingsManagedAdmin):
    settings_url_name = "shortcuts:snippet_list"
    list_display = ["name", "description", "updated_at", "settings_link"]
    search_fields = ["name"]
    inlines = [SnippetTranslationInline]


@admin.register(LocalizationSettings)
class LocalizationSettingsAdmin(SettingsManagedAdmin):
    settings_url_name = "shortcuts:localization"
    list_display = ["__str__", "default_language", "enabled_languages", "settings_link"]


@admin.register(ShortcutCategory)
class ShortcutCategoryAdmin(SettingsManagedAdmin):
    settings_url_name = "shortcuts:category_list"
    list_display = ["name", "parent", "settings_link"]
    search_fields = ["name"]


@admin.register(Shortcut)
class ShortcutAdmin(SettingsManagedAdmin):
    """Read-only like the rest; private shortcuts show here too, as the admin site is for staff."""

    settings_url_name = "shortcuts:shortcut_list"
    list_display = ["name", "share", "category", "owner", "updated_at", "settings_link"]
    list_filter = ["share"]
    search_fields = ["name"]
