"""Settings > Administration > Snippets and Localization."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import capability_required
from accounts.capabilities import Capability
from accounts.types import AuthedRequest
from core.paginate import paginate, query_without_page
from shortcuts import services
from shortcuts.forms import LocalizationForm, SnippetForm
from shortcuts.models import Snippet
from shortcuts.selectors import (
    access_snippet,
    localization_get,
    snippet_list_for_settings,
    snippet_rows,
    snippet_texts,
)

SNIPPETS = (Capability.SETTINGS_ACCESS, Capability.MANAGE_SHORTCUTS)
LOCALIZATION = (Capability.SETTINGS_ACCESS, Capability.MANAGE_WORKSPACE)


def _apply_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@capability_required(*SNIPPETS)
@require_GET
def snippet_list(request: AuthedRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    localization = localization_get()
    page = paginate(request, snippet_list_for_settings(query=query))
    context = {
        "page": page,
        "rows": snippet_rows(page.object_list, localization),
        "q": query,
        "query": query_without_page(request),
        "settings_active": "snippets",
    }
    template = "shortcuts/snippet_list.html"
    return render(request, f"{template}#snippet-list" if request.htmx else template, context)


def _snippet_form_view(request: AuthedRequest, snippet: Snippet | None) -> HttpResponse:
    localization = localization_get()
    initial: dict[str, Any] = {}
    if snippet is not None:
        initial = {"name": snippet.name, "description": snippet.description}
        initial |= {services.text_key(code): text for code, text in snippet_texts(snippet).items()}
    data = request.POST if request.method == "POST" else None
    form = SnippetForm(data, initial=initial, localization=localization)
    if request.method == "POST" and form.is_valid():
        try:
            if snippet is None:
                snippet = services.snippet_create(actor=request.user, **form.service_kwargs())
                messages.success(request, f"Snippet “{snippet.reference}” is created.")
            else:
                snippet = services.snippet_update(
                    actor=request.user, snippet=snippet, **form.service_kwargs()
                )
                messages.success(request, f"Snippet “{snippet.reference}” is saved.")
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return redirect("shortcuts:snippet_list")
    context = {"form": form, "snippet": snippet, "settings_active": "snippets"}
    return render(request, "shortcuts/snippet_form.html", context)


@capability_required(*SNIPPETS)
@require_http_methods(["GET", "POST"])
def snippet_create(request: AuthedRequest) -> HttpResponse:
    return _snippet_form_view(request, None)


@capability_required(*SNIPPETS)
@require_http_methods(["GET", "POST"])
def snippet_edit(request: AuthedRequest, snippet_id: int) -> HttpResponse:
    return _snippet_form_view(request, access_snippet(request.user, snippet_id))


@capability_required(*SNIPPETS)
@require_http_methods(["GET", "POST"])
def snippet_delete(request: AuthedRequest, snippet_id: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes."""
    snippet = access_snippet(request.user, snippet_id)
    if request.method == "POST":
        services.snippet_delete(actor=request.user, snippet=snippet)
        messages.success(request, f"Snippet “{snippet.reference}” is deleted.")
        return redirect("shortcuts:snippet_list")
    context = {"snippet": snippet, "settings_active": "snippets"}
    return render(request, "shortcuts/snippet_delete.html", context)


@capability_required(*LOCALIZATION)
@require_http_methods(["GET", "POST"])
def localization(request: AuthedRequest) -> HttpResponse:
    current = localization_get()
    initial = {"default_language": current.default_language, "enabled_languages": current.enabled_languages}
    form = LocalizationForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.localization_update(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Localization settings are saved.")
            return redirect("shortcuts:localization")
    context = {"form": form, "settings_active": "localization"}
    return render(request, "shortcuts/localization.html", context)
