"""Settings > Workspace > Conversation Status: sub statuses under Open, Snoozed and Done, and
the Done tab's “Set Notes as Done by Default”.

Row actions (toggle, edit, delete) answer htmx with the fresh row and a `subStatusChanged`
event; everything works without JavaScript through redirects and full pages.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from accounts.access import capability_required
from accounts.capabilities import Capability
from accounts.types import AuthedRequest
from conversations.forms import SubStatusCreateForm, SubStatusEditForm
from conversations.models import MAX_SUB_STATUSES_PER_STATUS, Status, SubStatus, WorkspaceSettings
from conversations.selectors import (
    access_sub_status_for_settings,
    sub_status_counts,
    sub_status_list_for_settings,
)
from conversations.services import workspace as services
from core.forms import apply_errors

SETTINGS = (Capability.SETTINGS_ACCESS, Capability.MANAGE_WORKSPACE)
TEMPLATE = "conversations/settings_conversation_status.html"


def _tab(value: Any) -> str:
    return value if value in Status.values else Status.OPEN


def _tabs(current: str) -> list[dict[str, Any]]:
    counts = sub_status_counts()
    return [
        {"value": value, "label": label, "count": counts.get(value, 0), "current": value == current}
        for value, label in Status.choices
    ]


def _tab_url(tab: str) -> str:
    return reverse("conversations:settings_conversation_status") + f"?tab={tab}"


def _page(
    request: AuthedRequest, *, tab: str, add_form: SubStatusCreateForm | None = None, **extra: Any
) -> HttpResponse:
    context: dict[str, Any] = {
        "settings_active": "conversation_status",
        "tab": tab,
        "tab_label": Status(tab).label,
        "tabs": _tabs(tab),
        "limit": MAX_SUB_STATUSES_PER_STATUS,
        "sub_statuses": list(sub_status_list_for_settings(status=tab)),
        "add_form": add_form or SubStatusCreateForm(initial={"status": tab}),
        "workspace": WorkspaceSettings.load() if tab == Status.DONE else None,
    }
    context.update(extra)
    return render(request, TEMPLATE, context)


def _row(request: AuthedRequest, sub_status: SubStatus, *, error: str = "") -> HttpResponse:
    context = {"s": sub_status, "row_error": error}
    response = render(request, f"{TEMPLATE}#sub-status-row", context)
    if error:
        return response
    payload = {"id": sub_status.pk, "active": sub_status.is_active}
    return trigger_client_event(response, "subStatusChanged", payload)


# --- views --------------------------------------------------------------------------------


@capability_required(*SETTINGS)
@require_GET
def settings_conversation_status(request: AuthedRequest) -> HttpResponse:
    return _page(request, tab=_tab(request.GET.get("tab")))


@capability_required(*SETTINGS)
@require_POST
def settings_sub_status_create(request: AuthedRequest) -> HttpResponse:
    """Add Sub Status > Create. The 51st under one main status is refused with the form kept."""
    form = SubStatusCreateForm(request.POST)
    if form.is_valid():
        try:
            sub_status = services.sub_status_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, f"Sub status “{sub_status}” is created under {sub_status.get_status_display()}."
            )
            return redirect(_tab_url(sub_status.status))
    return _page(request, tab=_tab(request.POST.get("status")), add_form=form, add_open=True)


@capability_required(*SETTINGS)
@require_GET
def settings_sub_status_row(request: AuthedRequest, sub_status_id: int) -> HttpResponse:
    """One row as it reads (Cancel in the inline editor)."""
    sub_status = access_sub_status_for_settings(sub_status_id)
    if not request.htmx:
        return redirect(_tab_url(sub_status.status))
    return render(request, f"{TEMPLATE}#sub-status-row", {"s": sub_status})


@capability_required(*SETTINGS)
@require_http_methods(["GET", "POST"])
def settings_sub_status_edit(request: AuthedRequest, sub_status_id: int) -> HttpResponse:
    """Edit the name and description; every conversation with it shows the new name."""
    sub_status = access_sub_status_for_settings(sub_status_id)
    initial = {"name": sub_status.name, "description": sub_status.description}
    data = request.POST if request.method == "POST" else None
    form = SubStatusEditForm(data, initial=initial, prefix=f"sub-status-{sub_status.pk}")
    if request.method == "POST" and form.is_valid():
        try:
            sub_status = services.sub_status_update(
                actor=request.user, sub_status=sub_status, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if not request.htmx:
                messages.success(request, f"Sub status “{sub_status}” is saved.")
                return redirect(_tab_url(sub_status.status))
            return _row(request, sub_status)
    if not request.htmx:
        return _page(request, tab=sub_status.status, editing=sub_status, edit_form=form)
    return render(request, f"{TEMPLATE}#sub-status-edit-row", {"s": sub_status, "edit_form": form})


@capability_required(*SETTINGS)
@require_POST
def settings_sub_status_set_active(request: AuthedRequest, sub_status_id: int, active: bool) -> HttpResponse:
    """The toggle: off, agents can no longer choose it; on again, they can."""
    sub_status = access_sub_status_for_settings(sub_status_id)
    sub_status = services.sub_status_set_active(actor=request.user, sub_status=sub_status, active=active)
    if not request.htmx:
        state = "on" if sub_status.is_active else "off"
        messages.success(request, f"Sub status “{sub_status}” is turned {state}.")
        return redirect(_tab_url(sub_status.status))
    return _row(request, sub_status)


@capability_required(*SETTINGS)
@require_http_methods(["GET", "POST"])
def settings_sub_status_delete(request: AuthedRequest, sub_status_id: int) -> HttpResponse:
    """GET asks for confirmation (without JavaScript; htmx asks with hx-confirm); POST deletes."""
    sub_status = access_sub_status_for_settings(sub_status_id)
    if request.method == "GET":
        return _page(request, tab=sub_status.status, confirm_delete=sub_status)
    sub_status = services.sub_status_delete(actor=request.user, sub_status=sub_status)
    if not request.htmx:
        messages.success(request, f"Sub status “{sub_status}” is deleted.")
        return redirect(_tab_url(sub_status.status))
    # The row goes (an empty swap); the tab counts change out of band.
    context = {"tabs": _tabs(sub_status.status), "oob": True}
    response = render(request, f"{TEMPLATE}#status-tabs", context)
    return trigger_client_event(response, "subStatusDeleted", {"id": sub_status.pk})


@capability_required(*SETTINGS)
@require_POST
def settings_notes_default(request: AuthedRequest) -> HttpResponse:
    """Set Notes as Done by Default, on the Done tab."""
    enabled = request.POST.get("enabled") == "1"
    workspace = services.workspace_set_notes_done_by_default(actor=request.user, enabled=enabled)
    if not request.htmx:
        state = "Done" if workspace.notes_done_by_default else "Open"
        messages.success(request, f"New notes now start as {state}.")
        return redirect(_tab_url(Status.DONE))
    response = render(request, f"{TEMPLATE}#notes-default", {"workspace": workspace})
    payload = {"notesDoneByDefault": workspace.notes_done_by_default}
    return trigger_client_event(response, "workspaceSettingsChanged", payload)
