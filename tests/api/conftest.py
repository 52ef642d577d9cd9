"""Helpers for the REST API tests: keys made through the service, requests with a Bearer key."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client

from accounts.models import PermissionSet, User
from api.models import ApiKey
from api.services import api_key_create

MakeKey = Callable[..., tuple[ApiKey, str]]
ApiGet = Callable[..., HttpResponse]


@pytest.fixture
def make_key(owner: User) -> MakeKey:
    """make_key("User") -> (api_key, full_key): a key with the named permission sets."""

    def make(*set_names: str, name: str = "Order sync", **kwargs: Any) -> tuple[ApiKey, str]:
        sets = PermissionSet.objects.filter(name__in=set_names or ["User"])
        return api_key_create(actor=owner, name=name, permission_sets=sets, **kwargs)

    return make


@pytest.fixture
def api_get() -> ApiGet:
    def get(path: str, key: str | None = None, method: str = "get", **extra: Any) -> HttpResponse:
        headers = {"Authorization": f"Bearer {key}"} if key is not None else {}
        response: HttpResponse = getattr(Client(), method)(path, headers=headers, **extra)
        return response

    return get
