"""Writes for API keys: create (the full key is returned once, never stored) and revoke."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.access import require_capability
from accounts.capabilities import Capability
from accounts.models import PermissionSet, User
from api.models import ApiKey
from core.audit import audit_record
from core.models import AuditEntry


def _state(api_key: ApiKey) -> dict[str, object]:
    # Never the secret, nor its hash: the audit log is read by more people than keys are.
    return {
        "name": api_key.name,
        "prefix": api_key.display_prefix,
        "permission_sets": sorted(ps.name for ps in api_key.permission_sets.all()),
        "expires_at": api_key.expires_at,
        "status": api_key.status_label,
    }


@transaction.atomic
def api_key_create(
    *,
    actor: User,
    name: str,
    permission_sets: Iterable[PermissionSet],
    expires_at: datetime.datetime | None = None,
) -> tuple[ApiKey, str]:
    """A new key and its full text, which the caller shows once: only its hash is kept."""
    require_capability(actor, Capability.MANAGE_API_KEYS)
    sets = list(permission_sets)
    errors: dict[str, str] = {}
    name = name.strip()
    if not name:
        errors["name"] = "Give the key a name that says what uses it."
    if not sets:
        errors["permission_sets"] = "Choose at least one permission set: a key can do only what they grant."
    else:
        beyond = sorted({cap for ps in sets for cap in ps.capabilities} - actor.capabilities)
        if beyond:
            labels = ", ".join(Capability(cap).label for cap in beyond)
            errors["permission_sets"] = f"A key cannot have more access than you: you lack {labels}."
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = "Choose an expiry date in the future."
    if errors:
        raise ValidationError(errors)
    prefix, full_key = ApiKey.generate()
    while ApiKey.objects.filter(prefix=prefix).exists():  # 2^32 prefixes: a clash is rare, never fatal
        prefix, full_key = ApiKey.generate()
    api_key = ApiKey.objects.create(
        name=name,
        prefix=prefix,
        secret_hash=ApiKey.hash_secret(full_key),
        expires_at=expires_at,
        created_by=actor,
    )
    api_key.permission_sets.set(sets)
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, target=api_key, after=_state(api_key))
    return api_key, full_key


@transaction.atomic
def api_key_revoke(*, actor: User, api_key: ApiKey) -> ApiKey:
    """Revoke at once: the next request with the key gets 401. Revoking twice changes nothing."""
    require_capability(actor, Capability.MANAGE_API_KEYS)
    now = timezone.now()
    # Conditional: of two admins revoking at once, one records it.
    if not ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=now):
        api_key.refresh_from_db()
        return api_key
    before = _state(api_key)
    api_key.refresh_from_db()
    audit_record(
        actor=actor, action=AuditEntry.Action.DEACTIVATE, target=api_key, before=before, after=_state(api_key)
    )
    return api_key
