from __future__ import annotations

from typing import Any

import factory

from accounts.models import PermissionSet, Team, User

PASSWORD = "correct-horse-battery"  # noqa: S105


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    display_name = factory.Sequence(lambda n: f"User {n}")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def sets(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        """UserFactory(sets=["Admin"]): permission sets by name."""
        if create and extracted:
            self.permission_sets.set(PermissionSet.objects.filter(name__in=extracted))


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")


class PermissionSetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PermissionSet

    name = factory.Sequence(lambda n: f"Custom set {n}")
    capabilities: list[str] = []
