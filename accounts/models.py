from __future__ import annotations

import datetime
import zoneinfo
from functools import cached_property
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone as dj_timezone

from accounts.capabilities import COLLABORATION, Capability, admin_capability_for
from core.models import TimeStampedModel

TIMEZONE_CHOICES = [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a known time zone.")


class PermissionSetQuerySet(models.QuerySet["PermissionSet"]):
    def custom(self) -> PermissionSetQuerySet:
        return self.filter(is_default=False)

    def defaults(self) -> PermissionSetQuerySet:
        return self.filter(is_default=True)


class PermissionSet(TimeStampedModel):
    """What users and teams can see and do: a named bundle of capabilities."""

    name = models.CharField(max_length=64)
    description = models.CharField(max_length=255, blank=True)
    is_default = models.BooleanField(
        default=False, editable=False, help_text="Default sets come with the product and cannot be changed."
    )
    capabilities = ArrayField(
        models.CharField(max_length=40, choices=Capability.choices), default=list, blank=True
    )

    objects = PermissionSetQuerySet.as_manager()

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="permission_set_name_unique_ci")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:permission_set_edit", args=[self.pk])

    @property
    def capability_labels(self) -> list[str]:
        return [Capability(c).label for c in Capability.values if c in self.capabilities]


# Every capability the user's sets and their teams' sets grant, computed with the user row
# itself, so the request that loads the signed-in user needs no second query for them.
_GRANTED_CAPABILITIES_SQL = """
    SELECT coalesce(array_agg(DISTINCT granted.capability), '{}')
    FROM (
        SELECT unnest(ps.capabilities) AS capability
        FROM accounts_permissionset ps
        WHERE ps.id IN (
            SELECT ups.permissionset_id FROM accounts_user_permission_sets ups
            WHERE ups.user_id = accounts_user.id
        ) OR ps.id IN (
            SELECT tps.permissionset_id FROM accounts_team_permission_sets tps
            JOIN accounts_team_members tm ON tm.team_id = tps.team_id
            WHERE tm.user_id = accounts_user.id
        )
    ) AS granted
"""


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def with_capabilities(self) -> models.QuerySet[User]:
        sql = RawSQL(_GRANTED_CAPABILITIES_SQL, [])  # noqa: S611 (a constant: no input reaches it)
        return self.get_queryset().annotate(granted_capabilities=sql)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("Users need an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        """`manage.py createsuperuser`: an administrator, and the Org Owner if there is none yet."""
        extra.setdefault("display_name", email.split("@")[0])
        extra.setdefault("is_owner", not self.filter(is_owner=True).exists())
        user = self.create_user(email, password, **extra)
        admin_set = PermissionSet.objects.filter(is_default=True, name="Admin").first()
        if admin_set:
            user.permission_sets.add(admin_set)
        return user


class User(AbstractBaseUser):
    """A person who signs in: an agent, a manager, an admin, or a collaborator."""

    class UserType(models.TextChoices):
        FULL_TIME = "full_time", "Full-time"
        COLLABORATION = "collaboration", "Collaboration"
        SEASONAL = "seasonal", "Seasonal"

    email = models.EmailField("email address", max_length=254, unique=True)
    display_name = models.CharField(max_length=100)
    email_signature = models.TextField(blank=True, max_length=2000)
    mobile = models.CharField(max_length=32, blank=True)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    language = models.CharField(max_length=10, choices=settings.LANGUAGES, default="en")
    user_type = models.CharField(max_length=20, choices=UserType.choices, default=UserType.FULL_TIME)
    active_from = models.DateField(
        null=True, blank=True, help_text="Seasonal users: first day they can sign in."
    )
    active_until = models.DateField(
        null=True, blank=True, help_text="Seasonal users: last day they can sign in."
    )
    is_active = models.BooleanField(default=True)
    is_owner = models.BooleanField(default=False, editable=False)
    permission_sets = models.ManyToManyField(PermissionSet, blank=True, related_name="users")
    date_joined = models.DateTimeField(default=dj_timezone.now)

    # Notification settings (Settings > Personal > Preferences).
    notify_mentions_email = models.BooleanField("Email me when I am @mentioned", default=True)
    notify_assignments_email = models.BooleanField(
        "Email me when a conversation is assigned to me", default=False
    )
    notify_desktop = models.BooleanField("Show desktop notifications", default=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        ordering = ["display_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
            models.UniqueConstraint(
                fields=["is_owner"], condition=models.Q(is_owner=True), name="one_org_owner"
            ),
            models.CheckConstraint(
                condition=~models.Q(user_type="seasonal")
                | (models.Q(active_from__isnull=False) & models.Q(active_until__isnull=False)),
                name="seasonal_user_has_dates",
            ),
            models.CheckConstraint(
                condition=models.Q(active_from__isnull=True)
                | models.Q(active_until__isnull=True)
                | models.Q(active_from__lte=models.F("active_until")),
                name="seasonal_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_absolute_url(self) -> str:
        return reverse("accounts:user_edit", args=[self.pk])

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name.split(" ")[0] if self.display_name else self.email

    # --- who may sign in -------------------------------------------------------------

    def local_today(self) -> datetime.date:
        return dj_timezone.now().astimezone(zoneinfo.ZoneInfo(self.timezone or "UTC")).date()

    def is_within_active_dates(self, today: datetime.date | None = None) -> bool:
        """Seasonal seats are usable only between their dates, inclusive, in the user's time zone."""
        if self.user_type != self.UserType.SEASONAL:
            return True
        today = today or self.local_today()
        if self.active_from and today < self.active_from:
            return False
        return not (self.active_until and today > self.active_until)

    @property
    def can_sign_in(self) -> bool:
        return self.is_active and self.is_within_active_dates()

    @property
    def sees_colleague_emails(self) -> bool:
        """Whether pickers and the mention list show (and search) other users' addresses.

        A Collaboration seat is for people who "do not need full access" (the glossary):
        they pick and mention colleagues by name only."""
        return self.user_type != self.UserType.COLLABORATION

    # --- capabilities ----------------------------------------------------------------

    @cached_property
    def capabilities(self) -> frozenset[str]:
        """Everything this user may do: the union of their sets and their teams' sets.

        The Org Owner has every capability. A Collaboration user is held to the
        Collaboration set whatever their teams grant: that is what the seat type buys.
        """
        if not self.is_active or self.pk is None:
            return frozenset()
        if self.is_owner:
            return frozenset(Capability.values)
        preloaded = getattr(self, "granted_capabilities", None)  # UserManager.with_capabilities()
        if preloaded is not None:
            granted = set(preloaded)
        else:
            sets = PermissionSet.objects.filter(
                models.Q(users=self) | models.Q(teams__members=self)
            ).distinct()
            granted = {cap for caps in sets.values_list("capabilities", flat=True) for cap in caps}
        if self.user_type == self.UserType.COLLABORATION:
            allowed = PermissionSet.objects.filter(is_default=True, name=COLLABORATION).values_list(
                "capabilities", flat=True
            )
            ceiling = {cap for caps in allowed for cap in caps}
            granted &= ceiling
        return frozenset(granted)

    def has_capability(self, capability: str) -> bool:
        return capability in self.capabilities

    # --- what Django's admin and auth machinery ask ----------------------------------

    @property
    def is_staff(self) -> bool:
        return self.has_capability(Capability.SETTINGS_ACCESS)

    @property
    def is_superuser(self) -> bool:
        return self.is_owner

    def has_perm(self, perm: str, obj: object = None) -> bool:
        app_label = perm.split(".", 1)[0]
        return self.is_staff and self.has_capability(admin_capability_for(app_label))

    def has_perms(self, perm_list: Any, obj: object = None) -> bool:
        return all(self.has_perm(p, obj) for p in perm_list)

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_staff and self.has_capability(admin_capability_for(app_label))


class Team(TimeStampedModel):
    """A group of users by skill or department; its permission sets apply to every member."""

    name = models.CharField(max_length=100)
    description = models.CharField(max_length=255, blank=True)
    members = models.ManyToManyField(User, blank=True, related_name="teams")
    permission_sets = models.ManyToManyField(PermissionSet, blank=True, related_name="teams")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="team_name_unique_ci")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:team_edit", args=[self.pk])
