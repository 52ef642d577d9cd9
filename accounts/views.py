from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from accounts import services
from accounts.access import access_permission_set, access_team, access_user, capability_required
from accounts.capabilities import Capability
from accounts.context_processors import settings_items
from accounts.forms import (
    PermissionSetForm,
    PreferencesForm,
    QueuedPasswordResetForm,
    SignInForm,
    TeamForm,
    UserCreateForm,
    UserForm,
)
from accounts.models import PermissionSet, Team, User
from accounts.selectors import (
    audit_entry_list,
    permission_set_list_for_settings,
    team_list_for_settings,
    user_capability_summary,
    user_list_for_settings,
)
from accounts.types import AuthedRequest
from core.paginate import paginate, query_without_page


def _apply_service_errors(form: Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, by field where it names one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# --- sign-in -----------------------------------------------------------------------------


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


sign_in = SignInView.as_view()
sign_out = auth_views.LogoutView.as_view()
password_reset = auth_views.PasswordResetView.as_view(
    form_class=QueuedPasswordResetForm,
    template_name="accounts/password_reset.html",
    email_template_name="accounts/email/password_reset.txt",
    subject_template_name="accounts/email/password_reset_subject.txt",
    success_url=reverse_lazy("accounts:password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="accounts/password_reset_confirm.html",
    success_url=reverse_lazy("accounts:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)


# --- the app shell -------------------------------------------------------------------------


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    user = request.user
    context = {
        "teams": user.teams.all(),
        "permission_sets": user.permission_sets.all(),
        "capabilities": user_capability_summary(user=user),
        "settings_links": [item for item in settings_items(user) if item.key != "preferences"],
    }
    return render(request, "accounts/home.html", context)


@login_required
def settings_index(request: AuthedRequest) -> HttpResponse:
    items = settings_items(request.user)
    # Preferences are everyone's; admins land on the first page they administer.
    target = items[1] if len(items) > 1 else items[0]
    return redirect(target.url)


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: AuthedRequest) -> HttpResponse:
    user = request.user
    form = PreferencesForm(request.POST or None, instance=user, prefix="prefs")
    password_form = PasswordChangeForm(user, prefix="pw")
    if request.method == "POST" and form.is_valid():
        services.user_update_preferences(user=user, **form.cleaned_data)
        messages.success(request, "Your preferences are saved.")
        return redirect("accounts:preferences")
    return render(
        request,
        "accounts/preferences.html",
        {"form": form, "password_form": password_form, "settings_active": "preferences"},
    )


@login_required
@require_POST
def password_change(request: AuthedRequest) -> HttpResponse:
    password_form = PasswordChangeForm(request.user, request.POST, prefix="pw")
    if password_form.is_valid():
        user = services.user_set_password(
            actor=request.user, user=request.user, password=password_form.cleaned_data["new_password1"]
        )
        # This session carries on; every other session of the user ends.
        update_session_auth_hash(request, user)
        messages.success(request, "Your password is changed. You were signed out everywhere else.")
        return redirect("accounts:preferences")
    form = PreferencesForm(instance=request.user, prefix="prefs")
    return render(
        request,
        "accounts/preferences.html",
        {"form": form, "password_form": password_form, "settings_active": "preferences"},
    )


# --- Settings > Users > Users -----------------------------------------------------------------


@capability_required(Capability.SETTINGS_ACCESS, Capability.MANAGE_USERS)
def user_list(request: AuthedRequest) -> HttpResponse:
    user_filter = user_list_for_settings(actor=request.user, params=request.GET)
    page = paginate(request, user_filter.qs)
    context = {
        "filter": user_filter,
        "page": page,
        "query": query_without_page(request),
        "settings_active": "users",
    }
    template = "accounts/user_list.html#user-list" if request.htmx and not request.htmx.boosted else None
    return render(request, template or "accounts/user_list.html", context)


@capability_required(Capability.SETTINGS_ACCESS, Capability.MANAGE_USERS)
@require_http_methods(["GET", "POST"])
def user_create(request: AuthedRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                actor=request.user,
                email=data["email"],
                display_name=data["display_name"],
                user_type=data["user_type"],
                active_from=data["active_from"],
                active_until=data["active_until"],
                mobile=data["mobile"],
                permission_sets=data["permission_sets"],
                teams=data["teams"],
                password=data["password"] or None,
            )
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            if data["password"]:
                messages.success(request, f"{user} can now sign in with the temporary password.")
            else:
                messages.success(request, f"{user} was invited by email to choose a password.")
            return redirect("accounts:user_list")
    return render(
        request, "accounts/user_form.html", {"form": form, "settings_active": "users", "creating": True}
    )


@capability_required(Capability.SETTINGS_ACCESS, Capability.MANAGE_USERS)
@require_http_methods(["GET", "POST"])
def user_edit(request: AuthedRequest, user_id: int) -> HttpResponse:
    target = access_user(request.user, user_id, write=request.method == "POST")
    initial = {
        "email": target.email,
        "display_name": target.display_name,
        "user_type": target.user_type,
        "active_from": target.active_from,
        "active_until": target.active_until,
        "mobile": target.mobile,
        "permission_sets": target.permission_sets.all(),
        "teams": target.teams.all(),
    }
    form = UserForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.user_update(
                actor=request.user,
                user=target,
                email=data["email"],
                display_name=data["display_name"],
                user_type=data["user_type"],
                active_from=data["active_from"],
                active_until=data["active_until"],
                mobile=data["mobile"],
                permission_sets=data["permission_sets"],
                teams=data["teams"],
            )
        except ValidationError as error:
            _apply_service_errors(form, error)
        except services.OwnerProtected as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{data['display_name']} is saved.")
            return redirect("accounts:user_list")
    context = {"form": form, "target": target, "settings_active": "users", "creating": False}
    return render(request, "accounts/user_form.html", context)


@capability_required(Capability.SETTINGS_ACCESS, Capability.MANAGE_USERS)
@require_POST
def user_set_active(request: AuthedRequest, user_id: int, active: bool) -> HttpResponse:
    target = access_user(request.user, user_id, write=True)
    error = ""
    try:
        if active:
            target = services.user_reactivate(actor=request.user, user=target)
        else:
            target = services.user_deactivate(actor=request.user, user=target)
    except PermissionDenied as denied:
        error = str(denied)
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, f"{target} is {'active' if target.is_active else 'deactivated'}.")
        return redirect("accounts:user_list")
    target = User.objects.prefetch_related("teams", "permission_sets").get(pk=target.pk)
    response = render(request, "accounts/user_list.html#user-row", {"u": target, "row_error": error})
    return trigger_client_event(response, "userChanged", {"id": target.pk, "active": target.is_active})


# --- Settings > Users > Teams -----------------------------------------------------------------


@capability_required(Capability.SETTINGS_ACCESS, Capability.MANAGE_USERS)
def team_list(request: AuthedRequest) -> HttpResponse:
    page = paginate(request, team_list_for_settings(actor=request.user))
    return render(request, "accounts/team_list.html", {"page": page, "settings_active": "teams"})


def _team_form_view(request: AuthedRequest, team: Team | None) -> HttpResponse:
    initial: dict[str, Any] = {}
    if team is not None:
        initial = {
            "name": team.name,
            "description": team.description,
            "members": team.members.all(),
            "permission_sets": team.permission_sets.all(),
        }
    form = TeamForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if team is None:
                team = services.team_create(actor=request.user, **form.cleaned_data)
                messages.success(request, f"Team “{team}” is created.")
            else:
                team = services.team_update(actor=request.user, team=team, **form.cleaned_data)
                messages.success(request, f"Team “{team}” is saved.")
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            return redirect("accounts:team_list")
    return render(
        request, "accounts/team_form.html", {"form": form, "team": team, "settings_active": "teams"}
    )


@capability_required(Capability.SETTINGS_ACCESS, Capability.MANAGE_USERS)
@require_http_methods(["GET", "POST"])
def team_create(request: AuthedRequest) -> HttpResponse:
    return _team_form_view(request, None)


@capability_required(Capability.SETTINGS_ACCESS, Capability.MANAGE_USERS)
@require_http_methods(["GET", "POST"])
def team_edit(request: AuthedRequest, team_id: int) -> HttpResponse:
    return _team_form_view(request, access_team(request.user, team_id))


@capability_required(Capability.SETTINGS_ACCESS, Capability.MANAGE_USERS)
@require_POST
def team_delete(request: AuthedRequest, team_id: int) -> HttpResponse:
    team = access_team(request.user, team_id)
    services.team_delete(actor=request.user, team=team)
    messages.success(request, f"Team “{team.name}” is deleted.")
    return redirect("accounts:team_list")


# --- Settings > Users > Permission Sets -----------------------------------------------------


@capability_required(Capability.SETTINGS_ACCESS, Capability.MANAGE_PERMISSION_SETS)
def permission_set_list(request: AuthedRequest) -> HttpResponse:
    sets = list(permission_set_list_for_settings(actor=request.user))
    context = {
        "default_sets": [s for s in sets if s.is_default],
        "custom_sets": [s for s in sets if not s.is_default],
        "custom_limit": settings.MAX_CUSTOM_PERMISSION_SETS,
        "settings_active": "permission_sets",
    }
    return render(request, "accounts/permission_set_list.html", context)


def _permission_set_form_view(request: AuthedRequest, permission_set: PermissionSet | None) -> HttpResponse:
    initial: dict[str, Any] = {}
    if permission_set is not None:
        initial = {
            "name": permission_set.name,
            "description": permission_set.description,
            "capabilities": permission_set.capabilities,
        }
    read_only = permission_set is not None and permission_set.is_default
    form = PermissionSetForm(request.POST or None, initial=initial)
    if request.method == "POST" and not read_only and form.is_valid():
        try:
            if permission_set is None:
                permission_set = services.permission_set_create(actor=request.user, **form.cleaned_data)
                messages.success(request, f"Permission set “{permission_set}” is created.")
            else:
                permission_set = services.permission_set_update(
                    actor=request.user, permission_set=permission_set, **form.cleaned_data
                )
                messages.success(request, f"Permission set “{permission_set}” is saved.")
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            return redirect("accounts:permission_set_list")
    if read_only:
        for field in form.fields.values():
            field.disabled = True
    context = {
        "form": form,
        "permission_set": permission_set,
        "read_only": read_only,
        "settings_active": "permission_sets",
    }
    return render(request, "accounts/permission_set_form.html", context)


@capability_required(Capability.SETTINGS_ACCESS, Capability.MANAGE_PERMISSION_SETS)
@require_http_methods(["GET", "POST"])
def permission_set_create(request: AuthedRequest) -> HttpResponse:
    return _permission_set_form_view(request, None)


@capability_required(Capability.SETTINGS_ACCESS, Capability.MANAGE_PERMISSION_SETS)
@require_http_methods(["GET", "POST"])
def permission_set_edit(request: AuthedRequest, permission_set_id: int) -> HttpResponse:
    permission_set = access_permission_set(request.user, permission_set_id, write=request.method == "POST")
    return _permission_set_form_view(request, permission_set)


@capability_required(Capability.SETTINGS_ACCESS, Capability.MANAGE_PERMISSION_SETS)
@require_POST
def permission_set_delete(request: AuthedRequest, permission_set_id: int) -> HttpResponse:
    permission_set = access_permission_set(request.user, permission_set_id, write=True)
    try:
        services.permission_set_delete(actor=request.user, permission_set=permission_set)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(permission_set.get_absolute_url())
    messages.success(request, f"Permission set “{permission_set.name}” is deleted.")
    return redirect(reverse("accounts:permission_set_list"))


# --- Settings > Security > Audit Log -----------------------------------------------------


@capability_required(Capability.SETTINGS_ACCESS, Capability.VIEW_AUDIT_LOG)
def audit_log(request: AuthedRequest) -> HttpResponse:
    entries = audit_entry_list(actor=request.user, params=request.GET)
    page = paginate(request, entries.qs, per_page=50)
    context = {
        "filter": entries,
        "page": page,
        "query": query_without_page(request),
        "settings_active": "audit_log",
    }
    template = "accounts/audit_log.html#audit-list" if request.htmx and not request.htmx.boosted else None
    return render(request, template or "accounts/audit_log.html", context)
