"""Reads for the settings screens; each starts from what the actor may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from accounts.access import require_capability
from accounts.capabilities import Capability
from accounts.filters import AuditEntryFilter, UserFilter
from accounts.models import PermissionSet, Team, User
from core.models import AuditEntry


def user_list_for_settings(*, actor: User, params: Any) -> UserFilter:
    require_capability(actor, Capability.MANAGE_USERS)
    queryset = User.objects.prefetch_related(
        Prefetch("teams", queryset=Team.objects.only("id", "name")),
        Prefetch("permission_sets", queryset=PermissionSet.objects.only("id", "name", "is_default")),
    ).distinct()
    return UserFilter(params, queryset=queryset)


def team_list_for_settings(*, actor: User) -> QuerySet[Team]:
    require_capability(actor, Capability.MANAGE_USERS)
    return (
        Team.objects.annotate(member_count=Count("members", distinct=True))
        .prefetch_related(Prefetch("permission_sets", queryset=PermissionSet.objects.only("id", "name")))
        .order_by("name", "pk")
    )


def permission_set_list_for_settings(*, actor: User) -> QuerySet[PermissionSet]:
    require_capability(actor, Capability.MANAGE_PERMISSION_SETS)
    return PermissionSet.objects.annotate(
        user_count=Count("users", distinct=True), team_count=Count("teams", distinct=True)
    ).order_by("-is_default", "name")


def audit_entry_list(*, actor: User, params: Any) -> AuditEntryFilter:
    require_capability(actor, Capability.VIEW_AUDIT_LOG)
    return AuditEntryFilter(params, queryset=AuditEntry.objects.select_related("actor"))


def user_capability_summary(*, user: User) -> list[tuple[str, bool]]:
    """Every capability with whether the user has it: the home page's "What you can do"."""
    return [(label, value in user.capabilities) for value, label in Capability.choices]
