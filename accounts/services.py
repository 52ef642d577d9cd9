"""Every write to users, teams, permission sets and preferences; each is audited."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.capabilities import ADMIN, COLLABORATION, DEFAULT_PERMISSION_SETS, Capability
from accounts.models import PermissionSet, Team, User
from core.audit import audit_record, snapshot
from core.db import advisory_xact_lock
from core.models import AuditEntry

USER_AUDIT_FIELDS = [
    "email",
    "display_name",
    "mobile",
    "timezone",
    "language",
    "user_type",
    "active_from",
    "active_until",
    "is_active",
]
PREFERENCE_FIELDS = [
    "display_name",
    "email_signature",
    "mobile",
    "timezone",
    "language",
    "notify_mentions_email",
    "notify_assignments_email",
    "notify_desktop",
]
TEAM_AUDIT_FIELDS = ["name", "description"]
PERMISSION_SET_AUDIT_FIELDS = ["name", "description", "capabilities"]


class OwnerProtected(PermissionDenied):
    """Raised when a change would delete, deactivate or demote the Org Owner."""


def _user_state(user: User) -> dict[str, Any]:
    state = snapshot(user, USER_AUDIT_FIELDS)
    if user.pk:
        state["permission_sets"] = sorted(user.permission_sets.values_list("name", flat=True))
        state["teams"] = sorted(user.teams.values_list("name", flat=True))
    return state


def _check_collaboration_sets(user_type: str, permission_sets: Iterable[PermissionSet]) -> None:
    if user_type != User.UserType.COLLABORATION:
        return
    names = {ps.name for ps in permission_sets}
    if names - {COLLABORATION}:
        raise ValidationError(
            {"permission_sets": "A Collaboration user can only have the Collaboration permission set."}
        )


def _check_seasonal(
    user_type: str, active_from: datetime.date | None, active_until: datetime.date | None
) -> None:
    if user_type == User.UserType.SEASONAL:
        errors = {}
        if not active_from:
            errors["active_from"] = "A seasonal user needs the first day of the season."
        if not active_until:
            errors["active_until"] = "A seasonal user needs the last day of the season."
        if errors:
            raise ValidationError(errors)
        if active_from and active_until and active_from > active_until:
            raise ValidationError({"active_until": "The last day must be on or after the first day."})


def _require_can_change(actor: User, user: User) -> None:
    # "The owner of your organization cannot be deleted or changed by any individual with lower permissions."
    if user.is_owner and actor.pk != user.pk:
        raise OwnerProtected("Only the Org Owner can change the Org Owner's account.")


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    email: str,
    display_name: str,
    user_type: str = User.UserType.FULL_TIME,
    permission_sets: Iterable[PermissionSet] = (),
    teams: Iterable[Team] = (),
    password: str | None = None,
    active_from: datetime.date | None = None,
    active_until: datetime.date | None = None,
    mobile: str = "",
    timezone: str = "UTC",
    language: str = "en",
) -> User:
    """Create a user. Without a password, they get an email to choose one (after commit)."""
    permission_sets = list(permission_sets)
    _check_collaboration_sets(user_type, permission_sets)
    _check_seasonal(user_type, active_from, active_until)
    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "A user with this email address already exists."})
    user = User(
        email=email,
        display_name=display_name.strip(),
        user_type=user_type,
        active_from=active_from if user_type == User.UserType.SEASONAL else None,
        active_until=active_until if user_type == User.UserType.SEASONAL else None,
        mobile=mobile,
        timezone=timezone,
        language=language,
    )
    user.set_password(password)  # None gives an unusable password until the invitation is used
    user.full_clean(exclude=["password"])
    user.save()
    user.permission_sets.set(permission_sets)
    user.teams.set(list(teams))
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, target=user, after=_user_state(user))
    if not password:
        from accounts.tasks import send_invitation

        send_invitation.delay_on_commit(user.pk)  # type: ignore[attr-defined]  # celery-types lags Celery 5.4
    return user


@transaction.atomic
def user_update(
    *,
    actor: User,
    user: User,
    permission_sets: Iterable[PermissionSet] | None = None,
    teams: Iterable[Team] | None = None,
    **fields: Any,
) -> User:
    """Change a user's profile, seat type, permission sets or teams. Locks the user row."""
    user = User.objects.select_for_update().get(pk=user.pk)
    _require_can_change(actor, user)
    before = _user_state(user)
    allowed = {
        "email",
        "display_name",
        "mobile",
        "timezone",
        "language",
        "user_type",
        "active_from",
        "active_until",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"user_update() got unexpected fields: {', '.join(sorted(unknown))}")
    if "email" in fields:
        fields["email"] = User.objects.normalize_email(fields["email"]).strip().lower()
        if User.objects.filter(email__iexact=fields["email"]).exclude(pk=user.pk).exists():
            raise ValidationError({"email": "A user with this email address already exists."})
    for name, value in fields.items():
        setattr(user, name, value)
    if user.user_type != User.UserType.SEASONAL:
        user.active_from = user.active_until = None
    _check_seasonal(user.user_type, user.active_from, user.active_until)
    new_sets = list(permission_sets) if permission_sets is not None else list(user.permission_sets.all())
    _check_collaboration_sets(user.user_type, new_sets)
    if user.is_owner:
        if user.user_type != User.UserType.FULL_TIME:
            raise OwnerProtected("The Org Owner must stay a full-time user.")
        if ADMIN not in {ps.name for ps in new_sets if ps.is_default}:
            raise OwnerProtected("The Org Owner cannot be demoted: keep the Admin permission set.")
    user.full_clean(exclude=["password"])
    user.save()
    if permission_sets is not None:
        user.permission_sets.set(new_sets)
    if teams is not None:
        user.teams.set(list(teams))
    audit_record(
        actor=actor, action=AuditEntry.Action.UPDATE, target=user, before=before, after=_user_state(user)
    )
    return user


@transaction.atomic
def user_deactivate(*, actor: User, user: User) -> User:
    """Deactivate: the user can no longer sign in, and their open sessions end.

    Sessions end on their next request: the authentication backend refuses inactive users
    when it loads the session's user (accounts.backends.EmailBackend).
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_owner:
        raise OwnerProtected("The Org Owner cannot be deactivated.")
    if user.pk == actor.pk:
        raise PermissionDenied("You cannot deactivate your own account.")
    if not user.is_active:
        return user
    user.is_active = False
    user.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.DEACTIVATE,
        target=user,
        before={"is_active": True},
        after={"is_active": False},
    )
    return user


@transaction.atomic
def user_reactivate(*, actor: User, user: User) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active:
        return user
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.REACTIVATE,
        target=user,
        before={"is_active": False},
        after={"is_active": True},
    )
    return user


@transaction.atomic
def user_set_password(*, actor: User | None, user: User, password: str) -> User:
    """Set a new password; every session of the user made with the old one ends.

    Django ties a session to a hash of the password, so sessions end on their next request
    by themselves; the caller keeps its own session with update_session_auth_hash.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if actor is not None and actor.pk != user.pk:
        _require_can_change(actor, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(actor=actor, action=AuditEntry.Action.PASSWORD, target=user)
    return user


@transaction.atomic
def user_update_preferences(*, user: User, **fields: Any) -> User:
    """Settings > Personal > Preferences: what a user changes about themselves."""
    unknown = set(fields) - set(PREFERENCE_FIELDS)
    if unknown:
        raise TypeError(f"Not a preference: {', '.join(sorted(unknown))}")
    user = User.objects.select_for_update().get(pk=user.pk)
    before = snapshot(user, PREFERENCE_FIELDS)
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(
        actor=user,
        action=AuditEntry.Action.UPDATE,
        target=user,
        before=before,
        after=snapshot(user, PREFERENCE_FIELDS),
    )
    return user


# --- teams ----------------------------------------------------------------------------


def _team_state(team: Team) -> dict[str, Any]:
    state = snapshot(team, TEAM_AUDIT_FIELDS)
    if team.pk:
        state["members"] = sorted(team.members.values_list("email", flat=True))
        state["permission_sets"] = sorted(team.permission_sets.values_list("name", flat=True))
    return state


def _check_unique_name(model: type[Team] | type[PermissionSet], name: str, exclude_pk: int | None) -> None:
    others = model.objects.filter(name__iexact=name)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if others.exists():
        raise ValidationError({"name": f"A {model._meta.verbose_name} named “{name}” already exists."})


@transaction.atomic
def team_create(
    *,
    actor: User,
    name: str,
    description: str = "",
    members: Iterable[User] = (),
    permission_sets: Iterable[PermissionSet] = (),
) -> Team:
    name = name.strip()
    _check_unique_name(Team, name, None)
    team = Team(name=name, description=description)
    team.full_clean()
    team.save()
    team.members.set(list(members))
    team.permission_sets.set(list(permission_sets))
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, target=team, after=_team_state(team))
    return team


@transaction.atomic
def team_update(
    *,
    actor: User,
    team: Team,
    name: str,
    description: str = "",
    members: Iterable[User] | None = None,
    permission_sets: Iterable[PermissionSet] | None = None,
) -> Team:
    team = Team.objects.select_for_update().get(pk=team.pk)
    before = _team_state(team)
    name = name.strip()
    _check_unique_name(Team, name, team.pk)
    team.name, team.description = name, description
    team.full_clean()
    team.save()
    if members is not None:
        team.members.set(list(members))
    if permission_sets is not None:
        team.permission_sets.set(list(permission_sets))
    audit_record(
        actor=actor, action=AuditEntry.Action.UPDATE, target=team, before=before, after=_team_state(team)
    )
    return team


@transaction.atomic
def team_delete(*, actor: User, team: Team) -> None:
    team = Team.objects.select_for_update().get(pk=team.pk)
    before = _team_state(team)
    audit_record(actor=actor, action=AuditEntry.Action.DELETE, target=team, before=before)
    team.delete()


# --- permission sets --------------------------------------------------------------------


def _clean_capabilities(capabilities: Iterable[str]) -> list[str]:
    chosen = set(capabilities)
    unknown = chosen - set(Capability.values)
    if unknown:
        raise ValidationError({"capabilities": f"Unknown capabilities: {', '.join(sorted(unknown))}."})
    return [c for c in Capability.values if c in chosen]


@transaction.atomic
def permission_set_create(
    *, actor: User, name: str, description: str = "", capabilities: Iterable[str] = ()
) -> PermissionSet:
    """Create a custom set. At most MAX_CUSTOM_PERMISSION_SETS exist; the check is serialised."""
    advisory_xact_lock("accounts.permission_set_create")
    limit = settings.MAX_CUSTOM_PERMISSION_SETS
    if PermissionSet.objects.custom().count() >= limit:
        raise ValidationError(
            f"Your organization already has {limit} custom permission sets, the most it can have. "
            "Delete one you no longer use, or edit an existing one."
        )
    name = name.strip()
    _check_unique_name(PermissionSet, name, None)
    permission_set = PermissionSet(
        name=name, description=description, capabilities=_clean_capabilities(capabilities)
    )
    permission_set.full_clean()
    permission_set.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        target=permission_set,
        after=snapshot(permission_set, PERMISSION_SET_AUDIT_FIELDS),
    )
    return permission_set


@transaction.atomic
def permission_set_update(
    *,
    actor: User,
    permission_set: PermissionSet,
    name: str,
    description: str = "",
    capabilities: Iterable[str] = (),
) -> PermissionSet:
    permission_set = PermissionSet.objects.select_for_update().get(pk=permission_set.pk)
    if permission_set.is_default:
        raise PermissionDenied("Default permission sets cannot be changed.")
    before = snapshot(permission_set, PERMISSION_SET_AUDIT_FIELDS)
    name = name.strip()
    _check_unique_name(PermissionSet, name, permission_set.pk)
    permission_set.name = name
    permission_set.description = description
    permission_set.capabilities = _clean_capabilities(capabilities)
    permission_set.full_clean()
    permission_set.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=permission_set,
        before=before,
        after=snapshot(permission_set, PERMISSION_SET_AUDIT_FIELDS),
    )
    return permission_set


@transaction.atomic
def permission_set_delete(*, actor: User, permission_set: PermissionSet) -> None:
    permission_set = PermissionSet.objects.select_for_update().get(pk=permission_set.pk)
    if permission_set.is_default:
        raise PermissionDenied("Default permission sets cannot be deleted.")
    users = permission_set.users.count()
    teams = permission_set.teams.count()
    if users or teams:
        raise ValidationError(
            f"“{permission_set.name}” is still given to {users} user(s) and {teams} team(s). "
            "Give them another permission set first."
        )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.DELETE,
        target=permission_set,
        before=snapshot(permission_set, PERMISSION_SET_AUDIT_FIELDS),
    )
    permission_set.delete()


def permission_set_sync_defaults(*, using: str = "default") -> None:
    """Create the default sets and bring their capabilities in line with the code."""
    for name, (description, capabilities) in DEFAULT_PERMISSION_SETS.items():
        ordered = [c for c in Capability.values if c in capabilities]
        obj, created = PermissionSet.objects.using(using).get_or_create(
            name=name, is_default=True, defaults={"description": description, "capabilities": ordered}
        )
        if not created and (obj.capabilities != ordered or obj.description != description):
            obj.capabilities, obj.description = ordered, description
            obj.save(using=using, update_fields=["capabilities", "description", "updated_at"])
