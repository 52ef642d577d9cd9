"""Personas and helpers shared by every test.

Personas: the Org Owner admin, a second admin, a manager, an agent (the User set), a
collaboration user, and an outsider: signed in but with no permission set at all.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from accounts.models import User
from tests.factories import PASSWORD, UserFactory


@pytest.fixture(autouse=True)
def _reset_axes(db: None) -> None:
    """Throttling state lives in the database; each test starts with none."""
    from axes.models import AccessAttempt, AccessFailureLog

    AccessAttempt.objects.all().delete()
    AccessFailureLog.objects.all().delete()


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """A test's rows are rolled back without signals: nothing it cached may outlive it."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def owner(db: None) -> User:
    return UserFactory(email="owner@example.com", display_name="Olivia Owner", is_owner=True, sets=["Admin"])


@pytest.fixture
def admin_user(db: None) -> User:
    return UserFactory(email="admin2@example.com", display_name="Adam Admin", sets=["Admin"])


@pytest.fixture
def manager(db: None) -> User:
    return UserFactory(email="manager@example.com", display_name="Mia Manager", sets=["Manager"])


@pytest.fixture
def agent(db: None) -> User:
    return UserFactory(email="agent@example.com", display_name="Alex Agent", sets=["User"])


@pytest.fixture
def collaborator(db: None) -> User:
    return UserFactory(
        email="collab@example.com",
        display_name="Casey Collab",
        user_type=User.UserType.COLLABORATION,
        sets=["Collaboration"],
    )


@pytest.fixture
def outsider(db: None) -> User:
    return UserFactory(email="outsider@example.com", display_name="Oscar Outsider")


@pytest.fixture
def client_for() -> Callable[[User], Client]:
    def make(user: User) -> Client:
        client = Client()
        client.force_login(user, backend="accounts.backends.EmailBackend")
        return client

    return make
