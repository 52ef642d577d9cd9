"""Conversation Details: each action answers htmx with the fresh details card, the header
out of band, and a `conversationChanged` event that the inbox and timeline listen for."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from accounts.types import AuthedRequest
from conversations.forms import (
    AssignForm,
    AttributesForm,
    PriorityForm,
    RenameForm,
    SnoozeForm,
    SubStatusForm,
    TransferForm,
    TypedUserMixin,
)
from conversations.models import Conversation
from conversations.selectors import access_conversation, access_conversation_with_details
from conversations.services import conversations as services
from conversations.views.customers import page_context


def _respond(request: AuthedRequest, conversation: Conversation, error: str = "") -> HttpResponse:
    conversation = access_conversation_with_details(request.user, conversation.pk)
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect(conversation)
    # Seeing the conversation means seeing its customer (as on the conversation page); the
    # fragments below show neither the customer's emails nor phones.
    context = page_context(request, conversation.customer, conversation, details_error=error, oob=True)
    response = render(request, "conversations/timeline.html#details-card", context)
    response.content += render(request, "conversations/timeline.html#conversation-header", context).content
    response.content += render(request, "conversations/timeline.html#timeline-list", context).content
    if error:
        return response
    return trigger_client_event(response, "conversationChanged", {"id": conversation.pk})


def _action(
    request: AuthedRequest,
    conversation_id: int,
    form_class: type[Form] | None,
    apply: Callable[[Conversation, dict[str, Any]], Any],
) -> HttpResponse:
    conversation = access_conversation(request.user, conversation_id, write=True)
    data: dict[str, Any] = {}
    if form_class is not None:
        if issubclass(form_class, TypedUserMixin):
            form: Form = form_class(request.POST, viewer=request.user)
        else:
            form = form_class(request.POST)
        if not form.is_valid():
            error = " ".join(str(e) for errors in form.errors.values() for e in errors)
            return _respond(request, conversation, error)
        data = form.cleaned_data
    try:
        apply(conversation, data)
    except ValidationError as error:
        return _respond(request, conversation, " ".join(error.messages))
    return _respond(request, conversation)


@login_required
@require_POST
def set_priority(request: AuthedRequest, conversation_id: int) -> HttpResponse:
    return _action(
        request,
        conversation_id,
        PriorityForm,
        lambda c, d: services.conversation_set_priority(
            actor=request.user, conversation=c, priority=d["priority"]
        ),
    )


@login_required
@require_POST
def assign(request: AuthedRequest, conversation_id: int) -> HttpResponse:
    def apply(conversation: Conversation, data: dict[str, Any]) -> Any:
        users = data["users"] if "users_present" in request.POST or "users" in request.POST else None
        teams = data["teams"] if "teams_present" in request.POST or "teams" in request.POST else None
        return services.conversation_assign(
            actor=request.user, conversation=conversation, users=users, teams=teams
        )

    return _action(request, conversation_id, AssignForm, apply)


@login_required
@require_POST
def assign_to_me(request: AuthedRequest, conversation_id: int) -> HttpResponse:
    return _action(
        request,
        conversation_id,
        None,
        lambda c, d: services.conversation_assign_to_me(actor=request.user, conversation=c),
    )


@login_required
@require_POST
def transfer(request: AuthedRequest, conversation_id: int) -> HttpResponse:
    return _action(
        request,
        conversation_id,
        TransferForm,
        lambda c, d: services.conversation_transfer(actor=request.user, conversation=c, queue=d["queue"]),
    )


@login_required
@require_POST
def rename(request: AuthedRequest, conversation_id: int) -> HttpResponse:
    return _action(
        request,
        conversation_id,
        RenameForm,
        lambda c, d: services.conversation_rename(actor=request.user, conversation=c, name=d["name"]),
    )


@login_required
@require_POST
def attributes(request: AuthedRequest, conversation_id: int) -> HttpResponse:
    """The Conversation Attributes window: name, priority and sub status in one save."""

    def apply(conversation: Conversation, data: dict[str, Any]) -> Any:
        return services.conversation_update_attributes(
            actor=request.user,
            conversation=conversation,
            name=data["name"],
            priority=data["priority"],
            sub_status=data["sub_status"],
        )

    return _action(request, conversation_id, AttributesForm, apply)


@login_required
@require_POST
def set_sub_status(request: AuthedRequest, conversation_id: int) -> HttpResponse:
    return _action(
        request,
        conversation_id,
        SubStatusForm,
        lambda c, d: services.conversation_set_sub_status(
            actor=request.user, conversation=c, sub_status=d["sub_status"]
        ),
    )


@login_required
@require_POST
def snooze(request: AuthedRequest, conversation_id: int) -> HttpResponse:
    return _action(
        request,
        conversation_id,
        SnoozeForm,
        lambda c, d: services.conversation_snooze(
            actor=request.user,
            conversation=c,
            until=d["until"],
            until_customer_replies=d["until_customer_replies"],
            sub_status=d["sub_status"],
        ),
    )


@login_required
@require_POST
def done(request: AuthedRequest, conversation_id: int) -> HttpResponse:
    return _action(
        request,
        conversation_id,
        None,
        lambda c, d: services.conversation_done(actor=request.user, conversation=c),
    )


@login_required
@require_POST
def reopen(request: AuthedRequest, conversation_id: int) -> HttpResponse:
    return _action(
        request,
        conversation_id,
        None,
        lambda c, d: services.conversation_reopen(actor=request.user, conversation=c),
    )


@login_required
@require_POST
def pin(request: AuthedRequest, conversation_id: int) -> HttpResponse:
    pinned = request.POST.get("pinned") == "1"
    return _action(
        request,
        conversation_id,
        None,
        lambda c, d: services.conversation_set_pinned(actor=request.user, conversation=c, pinned=pinned),
    )
