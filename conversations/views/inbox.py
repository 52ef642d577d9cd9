from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.types import AuthedRequest
from conversations.models import Priority, Status
from conversations.selectors import (
    INBOX_VIEWS,
    SORTS,
    InboxFilters,
    conversation_list_for_inbox,
    inbox_filter_choices,
)
from core.paginate import paginate_window, query_without_page


@login_required
@require_GET
def inbox(request: AuthedRequest) -> HttpResponse:
    """Conversation lists (Mine, My teams, All open, Snoozed, Done); htmx polls the list every 5 s."""
    filters = InboxFilters.from_params(request.GET)
    page = paginate_window(request, conversation_list_for_inbox(user=request.user, filters=filters))
    context = {
        "filters": filters,
        "page": page,
        "query": query_without_page(request),
        "views": INBOX_VIEWS,
        "sorts": {key: label for key, (label, _) in SORTS.items()},
        "statuses": Status.choices,
        "priorities": Priority.choices,
        "nav_active": "inbox",
        **inbox_filter_choices(filters=filters),
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "conversations/inbox.html#inbox-list", context)
    return render(request, "conversations/inbox.html", context)
