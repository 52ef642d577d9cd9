"""Who is calling the REST API: a Bearer key, and the principal it acts as.

Only the /v1/ views use this, through `api.views.api_view`. They read no session and no
cookie: a request is authenticated by its `Authorization: Bearer <key>` header alone.
"""

from __future__ import annotations

import datetime
import hmac
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import Team
from api.models import ApiKey

# last_used_at is a hint for people tidying up keys, not an access log: one write a minute
# per key at most, so a busy integration does not turn every read into a write.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)

_KEY_SETS = ApiKey.permission_sets.through._meta.db_table
# Every capability the key's permission sets grant, read with the key row itself.
_KEY_CAPABILITIES_SQL = f"""
    SELECT coalesce(array_agg(DISTINCT granted.capability), '{{}}')
    FROM (
        SELECT unnest(ps.capabilities) AS capability
        FROM accounts_permissionset ps
        JOIN {_KEY_SETS} kps ON kps.permissionset_id = ps.id
        WHERE kps.apikey_id = {ApiKey._meta.db_table}.id
    ) AS granted
"""  # noqa: S608 (table names from the models' own metadata: no input reaches it)

# Compared against when no key has the prefix, so a wrong prefix costs the same hash and
# comparison as a wrong secret.
_NO_KEY_HASH = "0" * 64


class ApiKeyPrincipal:
    """What an API key acts as: the union of its permission sets' capabilities, and no person.

    It answers what the access funnel asks of a user (`accounts.access.has_capability`,
    `Conversation.objects.visible_to`, `access_conversation`), so an API request sees what a
    user holding those sets sees, never more. It has no `pk`: a key is nobody, so it is never
    "brought into" a conversation by an assignment or a mention, and a query that would need
    its id fails closed instead of matching rows.
    """

    is_authenticated = True
    is_anonymous = False
    is_active = True

    def __init__(self, api_key: ApiKey, capabilities: frozenset[str]) -> None:
        self.api_key = api_key
        self.capabilities = capabilities

    def __str__(self) -> str:
        return f"API key {self.api_key}"

    @property
    def teams(self) -> QuerySet[Team]:
        return Team.objects.none()

    def has_capability(self, capability: str) -> bool:
        return capability in self.capabilities


class AuthenticationFailed(Exception):
    def __init__(self, code: str, title: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.title = title
        self.detail = detail


def _bearer_token(request: HttpRequest) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationFailed(
            "unauthorized", "Unauthorized", "Send an API key as `Authorization: Bearer <key>`."
        )
    return token.strip()


def _touch(api_key: ApiKey, now: datetime.datetime) -> None:
    """Record the use, at most once a minute: a conditional UPDATE, and none at all when the
    row just read says the key was used in the last minute."""
    stale = now - LAST_USED_RESOLUTION
    if api_key.last_used_at is not None and api_key.last_used_at > stale:
        return
    ApiKey.objects.filter(pk=api_key.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=stale)
    ).update(last_used_at=now)


def authenticate(request: HttpRequest) -> ApiKeyPrincipal:
    """The principal for the request's key (one query), or AuthenticationFailed."""
    token = _bearer_token(request)
    prefix = ApiKey.prefix_of(token)
    api_key: Any = None
    if prefix is not None:
        sql = RawSQL(_KEY_CAPABILITIES_SQL, [])  # noqa: S611 (a constant: no input reaches it)
        api_key = ApiKey.objects.annotate(granted_capabilities=sql).filter(prefix=prefix).first()
    expected = api_key.secret_hash if api_key is not None else _NO_KEY_HASH
    if not hmac.compare_digest(expected, ApiKey.hash_secret(token)) or api_key is None:
        raise AuthenticationFailed("unauthorized", "Unauthorized", "The API key is not valid.")
    now = timezone.now()
    status = api_key.status_at(now)
    if status == ApiKey.Status.REVOKED:
        raise AuthenticationFailed("unauthorized", "Unauthorized", "The API key was revoked.")
    if status == ApiKey.Status.EXPIRED:
        raise AuthenticationFailed("unauthorized", "Unauthorized", "The API key has expired.")
    _touch(api_key, now)
    return ApiKeyPrincipal(api_key, frozenset(api_key.granted_capabilities))
