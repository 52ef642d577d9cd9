"""Linked Conversations: the Insight Panel card, the Link Conversation window (search, Date
Range, Quick Date Ranges, Edit Filter, check boxes, Confirm Linking) and unlinking."""

from __future__ import annotations

import zoneinfo

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from accounts.capabilities import Capability
from accounts.types import AuthedRequest
from conversations.forms import LinkSearchForm
from conversations.models import MAX_LINKS_SHOWN, Conversation
from conversations.selectors import access_conversation, link_candidates, linked_card, linked_ids
from conversations.services.links import conversation_link, conversation_unlink
from core.paginate import paginate_window, query_without_page

TEMPLATE = "conversations/link_window.html"


def _tz(request: AuthedRequest) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(request.user.timezone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _card_context(request: AuthedRequest, conversation: Conversation, **extra: object) -> dict[str, object]:
    card = linked_card(conversation)
    ids = [c.pk for c in card.conversations]
    visible = set(
        Conversation.objects.visible_to(request.user).filter(pk__in=ids).values_list("pk", flat=True)
    )
    return {
        "conversation": conversation,
        "card": card,
        "visible_ids": visible,
        "can_link": Capability.UPDATE_CUSTOMERS in request.user.capabilities,
        "max_links": MAX_LINKS_SHOWN,
        **extra,
    }


@login_required
@require_GET
def card(request: AuthedRequest, conversation_id: int) -> HttpResponse:
    """The Linked Conversations card (loaded after the conversation view, and after changes)."""
    conversation = access_conversation(request.user, conversation_id)
    return render(request, "conversations/_linked_card.html", _card_context(request, conversation))


def _window(
    request: AuthedRequest,
    conversation: Conversation,
    *,
    checked: set[int],
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    tz = _tz(request)
    # Confirm Linking posts the search with the checks, so a refusal shows the same results.
    form = LinkSearchForm((request.POST if request.method == "POST" else request.GET) or None)
    search = form.search(timezone.localdate(timezone=tz))
    page = paginate_window(
        request, link_candidates(user=request.user, conversation=conversation, search=search, tz=tz), 20
    )
    context = {
        "conversation": conversation,
        "form": form,
        "page": page,
        "search": search,
        "already": linked_ids(conversation),
        "checked": checked,
        "error": error,
        "max_links": MAX_LINKS_SHOWN,
        "query": query_without_page(request),
    }
    target = request.headers.get("HX-Target", "")
    if request.htmx and target == "link-results":
        return render(request, f"{TEMPLATE}#link-results", context, status=status)
    if request.htmx:
        return render(request, f"{TEMPLATE}#link-window", context, status=status)
    return render(request, TEMPLATE, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def link(request: AuthedRequest, conversation_id: int) -> HttpResponse:
    """GET: the window. POST (Confirm Linking): link the checked conversations, all or none."""
    if request.method == "GET":
        conversation = access_conversation(request.user, conversation_id)
        # A new search keeps the boxes already checked (the search form sends them along).
        checked = {int(value) for value in request.GET.getlist("linked") if value.isdigit()}
        return _window(request, conversation, checked=checked)
    conversation = access_conversation(request.user, conversation_id, write=True)
    ids = {int(value) for value in request.POST.getlist("linked") if value.isdigit()}
    visible = list(Conversation.objects.visible_to(request.user).filter(pk__in=ids))
    try:
        if len(visible) != len(ids):
            # Missing and not-yours read the same: no hint of what exists.
            raise ValidationError("One of the checked conversations is not available. Search again.")
        linked = conversation_link(actor=request.user, conversation=conversation, others=visible)
    except ValidationError as error:
        response = _window(request, conversation, checked=ids, error=" ".join(error.messages))
        if request.htmx:  # the window stays open with the message, instead of replacing the card
            response["HX-Retarget"] = "#app-modal-body"
            response["HX-Reswap"] = "innerHTML"
        return response
    done = (
        f"Linked {len(linked)} conversation{'s' if len(linked) != 1 else ''}."
        if linked
        else "Already linked."
    )
    if not request.htmx:
        flash.success(request, done)
        return redirect(conversation)
    response = render(
        request,
        "conversations/_linked_card.html",
        _card_context(request, conversation, oob=True, notice=done),
    )
    return trigger_client_event(response, "conversationLinked", {"id": conversation.pk, "closeModal": True})


@login_required
@require_POST
def unlink(request: AuthedRequest, conversation_id: int, other_id: int) -> HttpResponse:
    conversation = access_conversation(request.user, conversation_id, write=True)
    other = access_conversation(request.user, other_id)
    conversation_unlink(actor=request.user, conversation=conversation, other=other)
    if not request.htmx:
        flash.success(request, "The conversations are unlinked.")
        return redirect(conversation)
    response = render(request, "conversations/_linked_card.html", _card_context(request, conversation))
    return trigger_client_event(response, "conversationLinked", {"id": conversation.pk})
