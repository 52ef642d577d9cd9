"""Merge Conversation (Customer Options) and Move Conversation (Conversation Options): each a
window in two steps, a choice and then a confirmation that shows what will happen."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from accounts.capabilities import Capability
from accounts.types import AuthedRequest
from conversations.models import Conversation
from conversations.selectors import access_conversation, access_customer, customer_list
from conversations.selectors.links import merge_candidates
from conversations.services.merging import (
    UNMOVABLE_CHANNELS,
    conversation_merge,
    conversation_move,
    merge_plan,
)

MERGE = "conversations/merge_window.html"
MOVE = "conversations/move_window.html"


def _render(request: AuthedRequest, template: str, context: dict[str, object]) -> HttpResponse:
    if request.htmx:
        response = render(request, f"{template}#window", context)
        response["HX-Retarget"] = "#app-modal-body"
        response["HX-Reswap"] = "innerHTML"
        return response
    return render(request, template, context)


def _done(request: AuthedRequest, conversation: Conversation, message: str) -> HttpResponse:
    flash.success(request, message)
    if request.htmx:
        return HttpResponseClientRedirect(conversation.get_absolute_url())
    return redirect(conversation)


def _pick(request: AuthedRequest, name: str) -> str:
    return (request.POST.get(name) or request.GET.get(name) or "").strip()


@login_required
@require_http_methods(["GET", "POST"])
def merge(request: AuthedRequest, conversation_id: int) -> HttpResponse:
    """GET: the customer's other conversations; GET ?into=: the confirmation showing the result;
    POST: merge, permanently."""
    source = access_conversation(request.user, conversation_id, write=True)
    if Capability.MERGE_CONVERSATIONS not in request.user.capabilities:
        raise PermissionDenied("This needs the “Merge conversations” permission.")
    context: dict[str, object] = {"conversation": source, "candidates": merge_candidates(source)}
    into = _pick(request, "into")
    if into:
        target = access_conversation(request.user, into, write=True)
        try:
            if request.method == "POST":
                plan = conversation_merge(actor=request.user, source=source, target=target)
                left = (
                    f" Left out (20 tags at most): {', '.join(plan.tags_left_out)}."
                    if plan.tags_left_out
                    else ""
                )
                return _done(
                    request, plan.target, f"Merged “{source.display_name}” into this conversation.{left}"
                )
            context["plan"] = merge_plan(actor=request.user, source=source, target=target)
        except ValidationError as error:
            context["error"] = " ".join(error.messages)
    elif request.method == "POST":
        context["error"] = "Select the conversation to merge into."
    return _render(request, MERGE, context)


@login_required
@require_http_methods(["GET", "POST"])
def move(request: AuthedRequest, conversation_id: int) -> HttpResponse:
    """GET ?q=: customers to move to, with suggestions; GET ?customer=: Confirm Move; POST: move."""
    conversation = access_conversation(request.user, conversation_id, write=True)
    unmovable = next(
        (label for channel, label in UNMOVABLE_CHANNELS.items() if channel in conversation.channels), ""
    )
    query = _pick(request, "q")
    context: dict[str, object] = {"conversation": conversation, "q": query, "unmovable": unmovable}
    chosen = _pick(request, "customer")
    if chosen and not unmovable:
        customer = access_customer(request.user, chosen)
        context["customer"] = customer
        if request.method == "POST":
            try:
                moved = conversation_move(actor=request.user, conversation=conversation, customer=customer)
            except ValidationError as error:
                context["error"] = " ".join(error.messages)
            else:
                return _done(request, moved, f"Moved to {customer.display_name}'s timeline.")
    elif query and not unmovable:
        context["suggestions"] = list(
            customer_list(user=request.user, query=query).exclude(pk=conversation.customer_id)[:8]
        )
    if request.htmx and request.headers.get("HX-Target") == "move-suggestions":
        return render(request, f"{MOVE}#move-suggestions", context)
    return _render(request, MOVE, context)
