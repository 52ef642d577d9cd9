"""Using shortcuts in the reply editor: the menu (typing # or Insert Shortcut), applying one,
and downloading a shortcut's attachment."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from accounts.types import AuthedRequest
from conversations.selectors import access_conversation, access_customer
from shortcuts.models import ShortcutDefaults
from shortcuts.selectors import access_shortcut_for_use, shortcut_attachment_for, shortcut_menu
from shortcuts.services.applying import render_message, shortcut_apply
from shortcuts.template_language import TemplateError


@login_required
@require_GET
def menu(request: AuthedRequest, conversation_id: int) -> HttpResponse:
    """The shortcut menu for a conversation's reply editor, narrowed by ?q=."""
    conversation = access_conversation(request.user, conversation_id)
    query = request.GET.get("q", "")
    items = shortcut_menu(user=request.user, query=query)
    context = {"items": items, "q": query.strip().lstrip("#"), "conversation": conversation}
    return render(request, "shortcuts/shortcut_menu.html", context)


@login_required
@require_GET
def customer_menu(request: AuthedRequest, customer_id: int) -> HttpResponse:
    """The same menu for Post New Note on a customer's timeline (no conversation yet)."""
    customer = access_customer(request.user, customer_id)
    query = request.GET.get("q", "")
    items = shortcut_menu(user=request.user, query=query)
    context = {"items": items, "q": query.strip().lstrip("#"), "customer": customer}
    return render(request, "shortcuts/shortcut_menu.html", context)


@login_required
@require_POST
def insert_for_customer(request: AuthedRequest, customer_id: int, shortcut_id: int) -> JsonResponse:
    """Post New Note: the shortcut's message rendered for the customer. There is no
    conversation yet for its actions and files, so none are applied, and the agent is told."""
    shortcut = access_shortcut_for_use(request.user, shortcut_id)
    customer = access_customer(request.user, customer_id)
    try:
        rendered = render_message(shortcut, user=request.user, customer=customer)
    except TemplateError as error:
        return JsonResponse({"error": f"“{shortcut.name}” was not inserted: {error}"}, status=400)
    left = shortcut.has_actions or bool(shortcut.add_tags.all()) or bool(shortcut.attachments.all())
    return JsonResponse(
        {
            "html": rendered.html,
            "unknown": rendered.unknown,
            "changes": [],
            "attachments": [],
            "picked": [],
            "skipped": "Its actions and files apply in a conversation's reply editor, not here."
            if left
            else "",
        }
    )


@login_required
@require_POST
def apply(request: AuthedRequest, conversation_id: int, shortcut_id: int) -> JsonResponse:
    """Apply a shortcut: its actions happen now, its rendered message and attachments go back
    to the editor as JSON. A refused action (400) changes nothing."""
    shortcut = access_shortcut_for_use(request.user, shortcut_id)
    has_actions = shortcut.has_actions or bool(shortcut.add_tags.all())
    conversation = access_conversation(request.user, conversation_id, write=has_actions)
    try:
        applied = shortcut_apply(actor=request.user, shortcut=shortcut, conversation=conversation)
    except (ValidationError, PermissionDenied, TemplateError) as error:
        messages = error.messages if isinstance(error, ValidationError) else [str(error)]
        return JsonResponse({"error": f"“{shortcut.name}” was not applied: {' '.join(messages)}"}, status=400)
    return JsonResponse(
        {
            "html": applied.html,
            "language": applied.language,
            "unknown": applied.unknown,
            "changes": applied.changes,
            "picked": applied.notes,
            "email_template": applied.email_template,
            "attachments": [
                {"ref": f"shortcut:{a.pk}", "filename": a.filename, "size": a.size}
                for a in applied.attachments
            ],
        }
    )


@login_required
@require_GET
def attachment_download(request: AuthedRequest, attachment_id: int) -> FileResponse:
    """A shortcut's file, for whoever may use (or manage) the shortcut; always a download."""
    attachment = shortcut_attachment_for(request.user, attachment_id)
    if attachment is None:
        raise Http404
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_GET
def defaults(request: AuthedRequest) -> JsonResponse:
    """The Reply Template and Note Template, rendered for ?conversation= (the reply editor) or
    ?customer= (Post New Note on the timeline). Nothing is applied: defaults are text only."""
    conversation_id = request.GET.get("conversation")
    customer_id = request.GET.get("customer")
    conversation = access_conversation(request.user, conversation_id) if conversation_id else None
    customer = access_customer(request.user, customer_id) if customer_id and not conversation_id else None
    if conversation is None and customer is None:
        raise Http404
    chosen = ShortcutDefaults.objects.select_related("reply_template", "note_template").filter(pk=1).first()
    answer: dict[str, str] = {"reply": "", "note": ""}
    if chosen is not None:
        for kind, shortcut in (("reply", chosen.reply_template), ("note", chosen.note_template)):
            if shortcut is not None:
                try:
                    rendered = render_message(
                        shortcut, user=request.user, conversation=conversation, customer=customer
                    )
                except TemplateError:
                    continue  # a default that can't render leaves the editor empty
                answer[kind] = rendered.html
    return JsonResponse(answer)
