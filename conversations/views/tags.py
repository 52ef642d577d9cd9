"""Tags: the Add Tag card on a conversation, and Settings > Workspace > Tags.

Conversation actions answer htmx with the fresh `#conversation-tags` card and a
`conversationChanged` event (the feed and the inbox listen for it); without JavaScript they
redirect, or show the whole page again with the message and what was typed.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from accounts.access import capability_required
from accounts.capabilities import Capability
from accounts.types import AuthedRequest
from conversations.forms import TagAddForm, TagForm
from conversations.models import Conversation, Tag
from conversations.selectors import (
    access_conversation,
    access_customer,
    access_tag_for_settings,
    tag_links_for_conversation,
    tag_list_for_settings,
    tag_list_for_suggestions,
)
from conversations.services import tags as services
from conversations.views.customers import page_context
from core.forms import apply_errors
from core.paginate import paginate, query_without_page


def _form_error(form: forms.Form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


# --- the tag card on a conversation ---------------------------------------------------------


def _card(
    request: AuthedRequest,
    conversation: Conversation,
    *,
    error: str = "",
    typed: str = "",
    refocus: bool = False,
) -> HttpResponse:
    """The answer to every tag action on a conversation."""
    if not request.htmx:
        if not error:
            return redirect(conversation)
        # Without JavaScript: the page again, with the message and what was typed.
        customer = access_customer(request.user, conversation.customer_id)
        context = page_context(request, customer, conversation, tag_error=error, tag_typed=typed)
        return render(request, "conversations/timeline.html", context)
    context = {
        "conversation": conversation,
        "tag_links": tag_links_for_conversation(conversation),
        "can_update": Capability.UPDATE_CUSTOMERS in request.user.capabilities,
        "tag_error": error,
        "tag_typed": typed,
        "tag_refocus": refocus,
    }
    response = render(request, "conversations/_tags.html#conversation-tags", context)
    if error:  # 200 on purpose: htmx does not swap 4xx by default
        return response
    return trigger_client_event(response, "conversationChanged", {"id": conversation.pk})


@login_required
@require_GET
def tag_suggest(request: AuthedRequest, conversation_id: int) -> HttpResponse:
    conversation = access_conversation(request.user, conversation_id, write=True)
    suggestions = tag_list_for_suggestions(conversation=conversation, query=request.GET.get("q", ""))
    context = {"conversation": conversation, "suggestions": suggestions.tags, "hint": suggestions.hint}
    return render(request, "conversations/_tags.html#tag-suggestions", context)


@login_required
@require_POST
def tag_add(request: AuthedRequest, conversation_id: int) -> HttpResponse:
    conversation = access_conversation(request.user, conversation_id, write=True)
    typed = request.POST.get("name", "")
    form = TagAddForm(request.POST)
    if not form.is_valid():
        return _card(request, conversation, error=_form_error(form), typed=typed)
    tag = form.cleaned_data["tag"]
    try:
        if tag is not None:
            services.conversation_add_tag(actor=request.user, conversation=conversation, tag=tag)
        else:
            services.conversation_add_new_tag(
                actor=request.user, conversation=conversation, name=form.cleaned_data["name"]
            )
    except ValidationError as error:
        return _card(request, conversation, error=" ".join(error.messages), typed=typed)
    return _card(request, conversation, refocus=True)


@login_required
@require_POST
def tag_remove(request: AuthedRequest, conversation_id: int, tag_id: int) -> HttpResponse:
    conversation = access_conversation(request.user, conversation_id, write=True)
    tag = Tag.objects.filter(pk=tag_id).first()
    if tag is None:
        raise Http404
    try:
        services.conversation_remove_tag(actor=request.user, conversation=conversation, tag=tag)
    except ValidationError as error:
        return _card(request, conversation, error=" ".join(error.messages))
    return _card(request, conversation)


# --- Settings > Workspace > Tags ----------------------------------------------------------

SETTINGS = (Capability.SETTINGS_ACCESS, Capability.MANAGE_WORKSPACE)


def _settings_page(
    request: AuthedRequest,
    *,
    add_form: TagForm | None = None,
    editing: Tag | None = None,
    edit_form: TagForm | None = None,
) -> HttpResponse:
    context: dict[str, Any] = {"settings_active": "tags", "editing_tag": editing, "edit_form": edit_form}
    if editing is None:
        context.update(
            {
                "page": paginate(request, tag_list_for_settings()),
                "query": query_without_page(request),
                "add_form": add_form or TagForm(prefix="new"),
            }
        )
    return render(request, "conversations/settings_tags.html", context)


def _edit_form(tag: Tag, data: Any = None) -> TagForm:
    return TagForm(data, prefix=f"tag-{tag.pk}", initial={"name": tag.name, "color": tag.color})


def _row(request: AuthedRequest, tag: Tag, *, error: str = "", event: bool = False) -> HttpResponse:
    tag = access_tag_for_settings(tag.pk)
    response = render(request, "conversations/settings_tags.html#tag-row", {"tag": tag, "row_error": error})
    if event:
        return trigger_client_event(response, "tagChanged", {"id": tag.pk, "active": tag.is_active})
    return response


@capability_required(*SETTINGS)
@require_GET
def settings_tags(request: AuthedRequest) -> HttpResponse:
    return _settings_page(request)


@capability_required(*SETTINGS)
@require_POST
def settings_tag_create(request: AuthedRequest) -> HttpResponse:
    form = TagForm(request.POST, prefix="new")
    if form.is_valid():
        try:
            tag = services.tag_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Tag “{tag}” is created.")
            return redirect("conversations:settings_tags")
    return _settings_page(request, add_form=form)


@capability_required(*SETTINGS)
@require_GET
def settings_tag_row(request: AuthedRequest, tag_id: int) -> HttpResponse:
    """One row of the list as it reads (Cancel in the inline editor)."""
    tag = access_tag_for_settings(tag_id)
    if not request.htmx:
        return redirect("conversations:settings_tags")
    return _row(request, tag)


@capability_required(*SETTINGS)
@require_http_methods(["GET", "POST"])
def settings_tag_edit(request: AuthedRequest, tag_id: int) -> HttpResponse:
    """Edit: the name and the Tag Color, inline in the list (htmx) or on a page of its own."""
    tag = access_tag_for_settings(tag_id)
    form = _edit_form(tag, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            tag = services.tag_update(actor=request.user, tag=tag, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if not request.htmx:
                messages.success(request, f"Tag “{tag}” is saved.")
                return redirect("conversations:settings_tags")
            return _row(request, tag, event=True)
    if not request.htmx:
        return _settings_page(request, editing=tag, edit_form=form)
    context = {"tag": tag, "edit_form": form}
    return render(request, "conversations/settings_tags.html#tag-edit-row", context)


@capability_required(*SETTINGS)
@require_POST
def settings_tag_set_active(request: AuthedRequest, tag_id: int, active: bool) -> HttpResponse:
    """The toggle: a deactivated tag can be neither added nor removed, and still shows."""
    tag = access_tag_for_settings(tag_id)
    tag = services.tag_set_active(actor=request.user, tag=tag, active=active)
    if not request.htmx:
        state = "active again" if tag.is_active else "deactivated"
        messages.success(request, f"Tag “{tag}” is {state}.")
        return redirect("conversations:settings_tags")
    return _row(request, tag, event=True)
