"""Tags: the Add Tag card on a conversation, and Settings > Workspace > Tags.

Conversation actions answer htmx with the fresh `#conversation-tags` card and a
`conversationChanged` event (the feed and the inbox listen for it); without JavaScript they
redirect, or show the whole page again with the message and what was typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Case, Count, IntegerField, QuerySet, Value, When
from django.db.models.functions import Lower
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from accounts.access import capability_required
from accounts.capabilities import Capability
from conversations.models import TAG_NAME_MAX, Conversation, ConversationTag, Tag
from conversations.selectors import access_conversation, access_customer
from conversations.services import tags as services
from conversations.views.customers import apply_errors, page_context
from core.paginate import paginate, query_without_page
from core.types import AuthedRequest

SUGGESTION_LIMIT = 10

# --- reads --------------------------------------------------------------------------------
# These belong with the other selectors; they live here until conversations/selectors.py
# takes them (that module has another owner at the moment). They are the only queries.


def tag_links_for_conversation(conversation: Conversation) -> list[ConversationTag]:
    return list(ConversationTag.objects.filter(conversation=conversation).select_related("tag"))


@dataclass
class TagSuggestions:
    query: str = ""
    tags: list[Tag] = field(default_factory=list)
    hint: str = ""


def tag_list_for_suggestions(*, conversation: Conversation, query: str) -> TagSuggestions:
    """Active tags not on the conversation, names starting with the query first; and what Tab would do."""
    query = " ".join(query.split())[: TAG_NAME_MAX * 2]
    tags = Tag.objects.filter(is_active=True).exclude(conversation_links__conversation=conversation)
    if query:
        starts = Case(
            When(name__istartswith=query, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        tags = tags.filter(name__icontains=query).annotate(starts=starts).order_by("starts", Lower("name"))
    else:
        tags = tags.order_by(Lower("name"))
    result = TagSuggestions(query=query, tags=list(tags[:SUGGESTION_LIMIT]))
    if query:
        same = Tag.objects.filter(name__iexact=query).first()
        if same is None:
            result.hint = f"Press Tab to create “{query}”."
        elif not same.is_active:
            result.hint = f"“{same.name}” is deactivated: it can't be added."
        elif same not in result.tags:
            result.hint = f"“{same.name}” is already on this conversation."
    return result


def tag_list_for_settings() -> QuerySet[Tag]:
    """Every tag, active or not, with how many conversations carry it (one query per page)."""
    return Tag.objects.annotate(conversation_count=Count("conversation_links")).order_by(Lower("name"), "id")


def access_tag_for_settings(tag_id: Any) -> Tag:
    """Callers have checked MANAGE_WORKSPACE (the decorator); every tag is theirs to manage."""
    tag = tag_list_for_settings().filter(pk=tag_id).first()
    if tag is None:
        raise Http404
    return tag


# --- forms --------------------------------------------------------------------------------


class TagAddForm(forms.Form):
    """Add Tag: a tag picked from the suggestions (`tag`), or a typed name (`name`, Tab or Enter)."""

    tag = forms.ModelChoiceField(
        queryset=Tag.objects.all(),
        required=False,
        error_messages={"invalid_choice": "That tag no longer exists."},
    )
    # The service checks the length, so the message is the seed's, not Django's.
    name = forms.CharField(required=False, max_length=TAG_NAME_MAX * 10)


class TagForm(forms.Form):
    name = forms.CharField(label="Name", widget=forms.TextInput(attrs={"maxlength": TAG_NAME_MAX}))
    color = forms.ChoiceField(label="Tag Color", choices=Tag.Color.choices, initial=Tag.Color.BLUE)


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
