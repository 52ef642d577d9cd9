"""Snippets & Dynamic Text: the panel of the rich editors, as server-rendered fragments.

Two editors use it. The shortcut editor (Settings > Workspace > Shortcuts: Settings access and
Manage shortcuts) inserts tokens, ``{{customer.firstName}}`` and ``[[sn.name]]``, rendered
when the shortcut is applied. The reply editor of a conversation (whoever may see the
conversation, access_conversation decides) inserts values: Customer and Conversation dynamic
text rendered for this conversation, and a snippet's text in the customer's language; every
translation of the snippet comes with it, so switching its language needs no request.

Each editor has the whole panel (both tabs) and one list per tab for the search box.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts.access import capability_required
from accounts.capabilities import Capability
from accounts.types import AuthedRequest
from conversations.models import Conversation
from conversations.selectors import access_conversation
from shortcuts.context import recipient_language
from shortcuts.models import language_label
from shortcuts.selectors import (
    EDITOR_PANEL_SNIPPET_LIMIT,
    dynamic_text_for_editor,
    localization_get,
    snippet_list_for_editor,
)

SHORTCUTS = (Capability.SETTINGS_ACCESS, Capability.MANAGE_SHORTCUTS)
TEMPLATE = "shortcuts/editor_panel.html"
QUERY_MAX = 100


def _mode(conversation: Conversation | None) -> str:
    """What picking inserts: tokens (the shortcut editor) or this conversation's values."""
    return "template" if conversation is None else "values"


def _query(request: AuthedRequest) -> str:
    return request.GET.get("q", "")[:QUERY_MAX]


def _snippets_context(request: AuthedRequest, conversation: Conversation | None) -> dict[str, Any]:
    localization = localization_get()
    language = None
    if conversation is not None:
        language = recipient_language(conversation.customer, localization.default_language)
    query = _query(request)
    return {
        "snippets": snippet_list_for_editor(query=query, localization=localization, language=language),
        "snippet_limit": EDITOR_PANEL_SNIPPET_LIMIT,
        "snippets_q": query,
        "default_language_label": language_label(localization.default_language),
    }


def _dynamic_context(request: AuthedRequest, conversation: Conversation | None) -> dict[str, Any]:
    query = _query(request)
    groups = dynamic_text_for_editor(conversation=conversation, user=request.user, query=query)
    return {"dynamic_groups": groups, "dynamic_q": query}


def _urls(conversation: Conversation | None) -> dict[str, str]:
    if conversation is None:
        return {
            "snippets_url": reverse("shortcuts:shortcut_editor_panel_snippets"),
            "dynamic_url": reverse("shortcuts:shortcut_editor_panel_dynamic_text"),
        }
    return {
        "snippets_url": reverse("shortcuts:reply_editor_panel_snippets", args=[conversation.pk]),
        "dynamic_url": reverse("shortcuts:reply_editor_panel_dynamic_text", args=[conversation.pk]),
    }


def _panel(request: AuthedRequest, conversation: Conversation | None) -> HttpResponse:
    context = {
        "mode": _mode(conversation),
        "conversation": conversation,
        **_urls(conversation),
        **_snippets_context(request, conversation),
        **_dynamic_context(request, conversation),
    }
    return render(request, f"{TEMPLATE}#editor-panel", context)


def _snippets(request: AuthedRequest, conversation: Conversation | None) -> HttpResponse:
    context = {"mode": _mode(conversation), **_snippets_context(request, conversation)}
    return render(request, f"{TEMPLATE}#editor-panel-snippets", context)


def _dynamic(request: AuthedRequest, conversation: Conversation | None) -> HttpResponse:
    context = {"mode": _mode(conversation), **_dynamic_context(request, conversation)}
    return render(request, f"{TEMPLATE}#editor-panel-dynamic", context)


# --- the shortcut editor ---------------------------------------------------------------------


@capability_required(*SHORTCUTS)
@require_GET
def shortcut_panel(request: AuthedRequest) -> HttpResponse:
    return _panel(request, None)


@capability_required(*SHORTCUTS)
@require_GET
def shortcut_panel_snippets(request: AuthedRequest) -> HttpResponse:
    return _snippets(request, None)


@capability_required(*SHORTCUTS)
@require_GET
def shortcut_panel_dynamic_text(request: AuthedRequest) -> HttpResponse:
    return _dynamic(request, None)


# --- the reply editor of a conversation ------------------------------------------------------


@login_required
@require_GET
def reply_panel(request: AuthedRequest, conversation_id: int) -> HttpResponse:
    return _panel(request, access_conversation(request.user, conversation_id))


@login_required
@require_GET
def reply_panel_snippets(request: AuthedRequest, conversation_id: int) -> HttpResponse:
    return _snippets(request, access_conversation(request.user, conversation_id))


@login_required
@require_GET
def reply_panel_dynamic_text(request: AuthedRequest, conversation_id: int) -> HttpResponse:
    return _dynamic(request, access_conversation(request.user, conversation_id))
