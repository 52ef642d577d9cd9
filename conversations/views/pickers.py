"""Search-as-you-type pickers: the pages never list every user of a large organisation."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.types import AuthedRequest
from conversations.selectors import user_suggestions


@login_required
@require_GET
def user_suggest(request: AuthedRequest) -> HttpResponse:
    empty = request.GET.get("empty", "")[:40]
    context = {"users": user_suggestions(query=request.GET.get("q", "")), "empty": empty}
    return render(request, "components/user_picker.html#picker-options", context)
