from __future__ import annotations

from typing import Any, cast

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
from conversations.views.customers import conversation_url_maker
from core.paginate import paginate_window, query_without_page

PRIORITY_LABELS = dict(Priority.choices)
STATUS_LABELS = dict(Status.choices)
PREVIEW_CHARS = 120


@login_required
@require_GET
def inbox(request: AuthedRequest) -> HttpResponse:
    """Conversation lists (Mine, My teams, All open, Snoozed, Done); htmx polls the list every 5 s."""
    filters = InboxFilters.from_params(request.GET, with_emails=request.user.sees_colleague_emails)
    page = paginate_window(request, conversation_list_for_inbox(user=request.user, filters=filters))
    # What each row links to and who it is with, made here: a template loop per row per
    # list costs more than the row's query.
    url_for = conversation_url_maker()
    for row in page.object_list:
        shown = cast(Any, row)
        shown.page_url = url_for(row.pk)
        # The labels and the preview's cut, here rather than with get_FOO_display() and
        # |truncatechars in the row: 25 rows, three of each, every 5 seconds.
        shown.priority_label = PRIORITY_LABELS.get(row.priority, row.priority)
        shown.status_label = STATUS_LABELS.get(row.status, row.status)
        preview = row.preview
        shown.preview_text = preview if len(preview) <= PREVIEW_CHARS else preview[: PREVIEW_CHARS - 1] + "…"
        users, teams = shown.details["users"], shown.details["teams"]
        if users:
            shown.assignee_label = ", ".join(user["display_name"] for user in users)
        else:
            shown.assignee_label = ", ".join(team["name"] for team in teams) if teams else "Unassigned"
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
