from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from accounts.models import PermissionSet, Team, User
from core.models import AuditEntry


def _labelled(label: str) -> forms.Select:
    """A select that screen readers can name although the filter bar shows no label."""
    return forms.Select(attrs={"aria-label": label})


class UserFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    user_type = django_filters.ChoiceFilter(choices=User.UserType.choices, empty_label="All types")
    status = django_filters.ChoiceFilter(
        choices=[("active", "Active"), ("inactive", "Deactivated")],
        method="by_status",
        empty_label="Any status",
    )
    team = django_filters.ModelChoiceFilter(
        queryset=Team.objects.all(), field_name="teams", empty_label="Any team"
    )
    permission_set = django_filters.ModelChoiceFilter(
        queryset=PermissionSet.objects.all(), field_name="permission_sets", empty_label="Any permission set"
    )

    class Meta:
        model = User
        fields: list[str] = []

    def search(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        return queryset.filter(Q(display_name__icontains=value) | Q(email__icontains=value))

    def by_status(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        return queryset.filter(is_active=(value == "active"))


OBJECT_TYPE_CHOICES = [
    ("accounts.user", "User"),
    ("accounts.team", "Team"),
    ("accounts.permissionset", "Permission set"),
]


class AuditEntryFilter(django_filters.FilterSet):
    actor = django_filters.ModelChoiceFilter(queryset=User.objects.all(), label="User", empty_label="Anyone")
    object_type = django_filters.ChoiceFilter(
        choices=OBJECT_TYPE_CHOICES, label="Object", empty_label="Any object"
    )
    action = django_filters.ChoiceFilter(choices=AuditEntry.Action.choices, empty_label="Any change")
    date_from = django_filters.DateFilter(
        field_name="created_at",
        lookup_expr="date__gte",
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        field_name="created_at",
        lookup_expr="date__lte",
        label="To",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = AuditEntry
        fields: list[str] = []
