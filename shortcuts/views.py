"""Settings > Workspace > Shortcuts, and Settings > Administration > Snippets and Localization."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import capability_required
from accounts.capabilities import Capability
from accounts.types import AuthedRequest
from core.forms import apply_errors
from core.paginate import paginate, query_without_page
from shortcuts import services
from shortcuts.forms import (
    CategoryForm,
    CategoryRenameForm,
    LocalizationForm,
    ShareAccessForm,
    ShortcutDefaultsForm,
    ShortcutForm,
    SnippetForm,
)
from shortcuts.models import ShortcutDefaults, Snippet
from shortcuts.selectors import (
    NO_USES,
    CategoryNode,
    access_shortcut,
    access_shortcut_category,
    access_snippet,
    category_tree,
    category_with_descendants,
    localization_get,
    shortcut_list_for_settings,
    snippet_list_for_settings,
    snippet_rows,
    snippet_texts,
    snippet_uses,
)

SNIPPETS = (Capability.SETTINGS_ACCESS, Capability.MANAGE_SHORTCUTS)
SHORTCUTS = SNIPPETS
LOCALIZATION = (Capability.SETTINGS_ACCESS, Capability.MANAGE_WORKSPACE)


@capability_required(*SNIPPETS)
@require_GET
def snippet_list(request: AuthedRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    localization = localization_get()
    page = paginate(request, snippet_list_for_settings(query=query))
    rows = snippet_rows(page.object_list, localization)
    uses = snippet_uses(user=request.user, names=[row.snippet.name for row in rows])
    context = {
        "page": page,
        "rows": [replace(row, uses=uses.get(row.snippet.name.lower(), NO_USES)) for row in rows],
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
            apply_errors(form, error)
        else:
            return redirect("shortcuts:snippet_list")
    uses = None
    if snippet is not None:
        uses = snippet_uses(user=request.user, names=[snippet.name]).get(snippet.name.lower(), NO_USES)
    context = {"form": form, "snippet": snippet, "uses": uses, "settings_active": "snippets"}
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
            apply_errors(form, error)
        else:
            messages.success(request, "Localization settings are saved.")
            return redirect("shortcuts:localization")
    context = {"form": form, "settings_active": "localization"}
    return render(request, "shortcuts/localization.html", context)


# --- Settings > Workspace > Shortcuts ------------------------------------------------------


def _category_filter(request: AuthedRequest, tree: list[CategoryNode]) -> tuple[str, list[int] | None]:
    """The chosen category (as typed) and the ids it covers; an unknown one filters nothing."""
    raw = request.GET.get("category", "")
    known = {str(node.category.pk): node.category.pk for node in tree}
    if raw not in known:
        return "", None
    return raw, category_with_descendants(tree, known[raw])


@capability_required(*SHORTCUTS)
@require_GET
def shortcut_list(request: AuthedRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    tree = category_tree()
    category, category_ids = _category_filter(request, tree)
    shortcuts = shortcut_list_for_settings(user=request.user, query=query, category_ids=category_ids)
    page = paginate(request, shortcuts)
    context = {
        "page": page,
        "shortcuts": page.object_list,
        "q": query,
        "category": category,
        "tree": tree,
        "filtered": bool(query.strip() or category),
        "query": query_without_page(request),
        "settings_active": "shortcuts",
    }
    template = "shortcuts/shortcut_list.html"
    return render(request, f"{template}#shortcut-list" if request.htmx else template, context)


@capability_required(*SHORTCUTS)
@require_http_methods(["GET", "POST"])
def shortcut_create(request: AuthedRequest) -> HttpResponse:
    """Add Shortcut asks for the name and Share Access, then opens the Edit Shortcut page."""
    form = ShareAccessForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            shortcut = services.shortcut_create(actor=request.user, **form.service_kwargs())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Shortcut “{shortcut.name}” is created. Add its message.")
            return redirect("shortcuts:shortcut_edit", shortcut_id=shortcut.pk)
    return render(request, "shortcuts/shortcut_create.html", {"form": form, "settings_active": "shortcuts"})


@capability_required(*SHORTCUTS)
@require_http_methods(["GET", "POST"])
def shortcut_edit(request: AuthedRequest, shortcut_id: int) -> HttpResponse:
    shortcut = access_shortcut(request.user, shortcut_id)
    tree = category_tree()
    initial = {
        "name": shortcut.name,
        "share": shortcut.share,
        "teams": list(shortcut.limited_teams.all()),
        "users": list(shortcut.limited_users.all()),
        "category": shortcut.category_id or "",
        "message": shortcut.message_html,
        "body_format": "html",
        "subject": shortcut.subject,
        "tags": list(shortcut.add_tags.all()),
        "queue": shortcut.queue_id,
        "status": shortcut.status,
        "assign_user": shortcut.assign_user_id,
        "assign_team": shortcut.assign_team_id,
        "custom_fields": "\n".join(f"{key} = {value}" for key, value in shortcut.custom_fields.items()),
        "email_template": shortcut.email_template_id or "",
    }
    if request.method == "POST":
        form = ShortcutForm(request.POST, request.FILES, initial=initial, shortcut=shortcut, tree=tree)
        if form.is_valid():
            try:
                shortcut = services.shortcut_update(
                    actor=request.user, shortcut=shortcut, **form.service_kwargs()
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, f"Shortcut “{shortcut.name}” is saved.")
                return redirect("shortcuts:shortcut_edit", shortcut_id=shortcut.pk)
    else:
        form = ShortcutForm(initial=initial, shortcut=shortcut, tree=tree)
    context = {
        "form": form,
        "shortcut": shortcut,
        "attachments": list(shortcut.attachments.all()),
        "settings_active": "shortcuts",
        # The Done-plus-message warning asks for confirmation: show the box that gives it.
        "ask_confirm_done": form.has_error("status", code="done_with_message"),
    }
    return render(request, "shortcuts/shortcut_form.html", context)


@capability_required(*SHORTCUTS)
@require_http_methods(["GET", "POST"])
def shortcut_delete(request: AuthedRequest, shortcut_id: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes."""
    shortcut = access_shortcut(request.user, shortcut_id)
    if request.method == "POST":
        services.shortcut_delete(actor=request.user, shortcut=shortcut)
        messages.success(request, f"Shortcut “{shortcut.name}” is deleted.")
        return redirect("shortcuts:shortcut_list")
    context = {"shortcut": shortcut, "settings_active": "shortcuts"}
    return render(request, "shortcuts/shortcut_delete.html", context)


def _categories_page(request: AuthedRequest, form: CategoryForm, tree: list[CategoryNode]) -> HttpResponse:
    context = {"form": form, "tree": tree, "settings_active": "shortcuts"}
    return render(request, "shortcuts/shortcut_categories.html", context)


@capability_required(*SHORTCUTS)
@require_http_methods(["GET", "POST"])
def category_list(request: AuthedRequest) -> HttpResponse:
    """The categories, and (POST) adding one under an optional parent."""
    tree = category_tree()
    form = CategoryForm(request.POST if request.method == "POST" else None, tree=tree)
    if request.method == "POST" and form.is_valid():
        try:
            category = services.category_create(
                actor=request.user, name=form.cleaned_data["name"], parent=form.chosen_parent()
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"Category “{category.name}” is added.")
            return redirect("shortcuts:category_list")
    return _categories_page(request, form, tree)


@capability_required(*SHORTCUTS)
@require_POST
def category_rename(request: AuthedRequest, category_id: int) -> HttpResponse:
    category = access_shortcut_category(request.user, category_id)
    form = CategoryRenameForm(request.POST)
    if form.is_valid():
        try:
            services.category_rename(actor=request.user, category=category, name=form.cleaned_data["name"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Category renamed to “{form.cleaned_data['name'].strip()}”.")
    else:
        messages.error(request, "Enter a name of at most 64 characters.")
    return redirect("shortcuts:category_list")


@capability_required(*SHORTCUTS)
@require_POST
def category_delete(request: AuthedRequest, category_id: int) -> HttpResponse:
    category = access_shortcut_category(request.user, category_id)
    try:
        services.category_delete(actor=request.user, category=category)
    except ValidationError as error:
        messages.error(request, f"“{category.name}” is not deleted: {' '.join(error.messages)}")
    else:
        messages.success(request, f"Category “{category.name}” is deleted.")
    return redirect("shortcuts:category_list")


@capability_required(*SHORTCUTS)
@require_http_methods(["GET", "POST"])
def shortcut_defaults(request: AuthedRequest) -> HttpResponse:
    """The Defaults tab: the Reply Template and the Note Template."""
    current = ShortcutDefaults.load()
    initial = {"reply_template": current.reply_template_id, "note_template": current.note_template_id}
    form = ShortcutDefaultsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.shortcut_defaults_update(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "The shortcut defaults are saved.")
            return redirect("shortcuts:shortcut_defaults")
    return render(request, "shortcuts/shortcut_defaults.html", {"form": form, "settings_active": "shortcuts"})
