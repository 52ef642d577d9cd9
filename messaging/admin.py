"""Inbound email in the Django admin: read-only (changes go through Settings > Channels > Email)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from messaging.models import InboundEmail


@admin.register(InboundEmail)
class InboundEmailAdmin(admin.ModelAdmin):
    list_display = ["received_at", "channel", "source", "from_address", "subject", "status", "attempts"]
    list_filter = ["status", "source", "is_auto_generated", "channel"]
    search_fields = ["from_address", "subject", "message_id_header"]
    list_select_related = ["channel"]
    readonly_fields = [f.name for f in InboundEmail._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
