"""Reads for Settings > Workspace > Conversation Status."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404

from conversations.models import SubStatus


def sub_status_list_for_settings(*, status: str) -> QuerySet[SubStatus]:
    """One tab's sub statuses. Not paginated: the service holds each tab to 50 rows."""
    return SubStatus.objects.filter(status=status, is_deleted=False).order_by("position", "name", "id")


def sub_status_counts() -> dict[str, int]:
    rows = SubStatus.objects.filter(is_deleted=False).values("status").annotate(n=Count("id")).order_by()
    return {row["status"]: row["n"] for row in rows}


def access_sub_status_for_settings(sub_status_id: Any) -> SubStatus:
    """Deleted sub statuses are gone from Settings: they cannot be edited or turned back on."""
    sub_status = SubStatus.objects.filter(pk=sub_status_id, is_deleted=False).first()
    if sub_status is None:
        raise Http404
    return sub_status
