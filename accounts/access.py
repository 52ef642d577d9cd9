"""The one access layer: views (and, later, the API) ask here what a user may see and do.

`access_*` return the object or raise Http404 when it is missing or not the user's to see;
they raise PermissionDenied when it is visible but the user may not change it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from accounts.capabilities import Capability
from accounts.models import PermissionSet, Team, User

F = TypeVar("F", bound=Callable[..., Any])


def has_capability(user: Any, capability: str) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and capability in user.capabilities


def require_capability(user: Any, capability: str) -> None:
    if not has_capability(user, capability):
        raise PermissionDenied(f"This needs the “{Capability(capability).label}” permission.")


def capability_required(*capabilities: str) -> Callable[[F], F]:
    """Sign-in required, then every named capability; 403 for a signed-in user without them."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            for capability in capabilities:
                require_capability(request.user, capability)
            return view(request, *args, **kwargs)

        return cast(F, login_required(wrapped))

    return decorator


def _get_or_404(queryset: Any, pk: Any) -> Any:
    try:
        return queryset.get(pk=int(pk))
    except (ValueError, TypeError, queryset.model.DoesNotExist):
        raise Http404 from None


def access_user(actor: User, user_id: Any, *, write: bool = False) -> User:
    require_capability(actor, Capability.MANAGE_USERS)
    user = cast(User, _get_or_404(User.objects.all(), user_id))
    if write and user.is_owner and actor.pk != user.pk:
        raise PermissionDenied("Only the Org Owner can change the Org Owner's account.")
    return user


def access_team(actor: User, team_id: Any) -> Team:
    require_capability(actor, Capability.MANAGE_USERS)
    return cast(Team, _get_or_404(Team.objects.all(), team_id))


def access_permission_set(actor: User, permission_set_id: Any, *, write: bool = False) -> PermissionSet:
    require_capability(actor, Capability.MANAGE_PERMISSION_SETS)
    permission_set = cast(PermissionSet, _get_or_404(PermissionSet.objects.all(), permission_set_id))
    if write and permission_set.is_default:
        raise PermissionDenied("Default permission sets cannot be changed.")
    return permission_set
