"""Search-as-you-type pickers: the pages never list every user of a large organisation."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.capabilities import Capability
from accounts.types import AuthedRequest
from conversations.selectors import user_suggestions

# The pickers choose an assignee (details card, inbox filter) or a note's assignee: whoever
# may do none of that has no reason to list the organisation's users.
PICKER_CAPABILITIES: frozenset[str] = frozenset(
    {Capability.UPDATE_CUSTOMERS, Capability.ADD_NOTES, Capability.VIEW_ALL_CONVERSATIONS}
)


@login_required
@require_GET
def user_suggest(request: AuthedRequest) -> HttpResponse:
    if not PICKER_CAPABILITIES & request.user.capabilities:
        raise PermissionDenied("Choosing users needs a permission to work on conversations.")
    empty = request.GET.get("empty", "")[:40]
    with_emails = request.user.sees_colleague_emails
    # The search box posts itself as `<field>_lookup` (components/user_picker.html).
    typed = next((str(value) for key, value in request.GET.items() if key.endswith("_lookup")), "")
    users = user_suggestions(query=str(request.GET.get("q", typed))[:100], with_emails=with_emails)
    context = {"users": users, "empty": empty, "with_emails": with_emails}
    return render(request, "components/user_picker.html#picker-options", context)
