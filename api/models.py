"""API keys: how programs sign in to the REST API (`Authorization: Bearer <key>`)."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import PermissionSet

KEY_PREFIX_LENGTH = 8  # hex characters after "kc_": public, shown in Settings, the lookup index


class ApiKey(models.Model):
    """A named key that acts with its permission sets, never as a person: it keeps working
    whatever later happens to whoever made it, until it expires or is revoked.

    The full key (``kc_<prefix>_<secret>``) is shown once, when it is made; only its SHA-256
    is kept. A fast hash is enough here, unlike for passwords: the secret is 32 random bytes
    (256 bits) from `secrets`, so there is nothing to guess, and a slow KDF (PBKDF2, argon2)
    would only cost time on every API request without making a leaked hash any easier to use.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Revoked"

    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False, help_text="SHA-256 of the full key, hex.")
    permission_sets = models.ManyToManyField(PermissionSet, related_name="api_keys")
    expires_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.display_prefix})"

    @property
    def display_prefix(self) -> str:
        return f"kc_{self.prefix}…"

    def status_at(self, now: datetime.datetime | None = None) -> ApiKey.Status:
        moment = now or timezone.now()
        if self.revoked_at is not None:
            return ApiKey.Status.REVOKED
        if self.expires_at is not None and self.expires_at <= moment:
            return ApiKey.Status.EXPIRED
        return ApiKey.Status.ACTIVE

    @property
    def status(self) -> ApiKey.Status:
        return self.status_at()

    @property
    def status_label(self) -> str:
        return str(self.status.label)

    @property
    def is_active(self) -> bool:
        return self.status == ApiKey.Status.ACTIVE

    # --- the key itself ------------------------------------------------------------------

    @staticmethod
    def hash_secret(full_key: str) -> str:
        return hashlib.sha256(full_key.encode()).hexdigest()

    @staticmethod
    def generate() -> tuple[str, str]:
        """A new ``(prefix, full_key)``; the caller keeps the full key only long enough to show it."""
        prefix = secrets.token_hex(KEY_PREFIX_LENGTH // 2)
        return prefix, f"kc_{prefix}_{secrets.token_urlsafe(32)}"

    @staticmethod
    def prefix_of(full_key: str) -> str | None:
        """The public prefix of a well-formed key; None for anything else."""
        parts = full_key.split("_", 2)
        if len(parts) != 3 or parts[0] != "kc" or len(parts[1]) != KEY_PREFIX_LENGTH or not parts[2]:
            return None
        return parts[1]
