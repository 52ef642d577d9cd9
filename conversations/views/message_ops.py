"""Message options (the ⋯ on a message): Show/Hide Message Details, Copy Link to Message (and
the permalink it copies), Move Message and Message Redaction; Redaction on notes too."""

from __future__ import annotations

import json

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts.capabilities import Capability
from accounts.types import AuthedRequest
from conversations.models import Conversation, Message
from conversations.selectors import access_conversation, access_message, access_note
from conversations.selectors.links import merge_candidates
from conversations.services.message_ops import message_move, message_redact, note_redact

MOVE = "conversations/message_move_window.html"


def _permalink(request: AuthedRequest, message: Message) -> str:
    return request.build_absolute_uri(reverse("conversations:message_permalink", args=[message.pk]))


@login_required
@require_GET
def permalink(request: AuthedRequest, message_id: int) -> HttpResponse:
    """Copy Link to Message leads here: the conversation, scrolled to the message, which is
    highlighted. Whoever may not see it gets the same 404 as for a missing message."""
    message = access_message(request.user, message_id)
    return redirect(f"{message.conversation.get_absolute_url()}#message-{message.pk}")


@login_required
@require_GET
def options(request: AuthedRequest, message_id: int) -> HttpResponse:
    """The menu's items, loaded when it first opens (the feed stays light)."""
    message = access_message(request.user, message_id)
    capabilities = request.user.capabilities
    context = {
        "message": message,
        "link": _permalink(request, message),
        "can_move": Capability.UPDATE_CUSTOMERS in capabilities,
        "can_redact": Capability.REDACT_MESSAGES in capabilities,
    }
    return render(request, "conversations/_message_options.html", context)


@login_required
@require_GET
def details(request: AuthedRequest, message_id: int) -> HttpResponse:
    """Show Message Details (sender and recipients, date, Message-ID); ?hide=1 hides them."""
    message = access_message(request.user, message_id)
    context = {"message": message, "hidden": request.GET.get("hide") == "1"}
    return render(request, "conversations/_message_details.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def move(request: AuthedRequest, message_id: int) -> HttpResponse:
    """Move Message: to a new conversation, or another one on the same customer's timeline."""
    message = access_message(request.user, message_id, write=True)
    context: dict[str, object] = {
        "message": message,
        "conversation": message.conversation,
        "candidates": merge_candidates(message.conversation),
    }
    if request.method == "POST":
        choice = request.POST.get("to", "")
        try:
            if choice == "new":
                target = None
            elif choice.isdigit():
                target = access_conversation(request.user, choice, write=True)
            else:
                raise ValidationError("Choose where the message goes.")
            moved_to = message_move(actor=request.user, message=message, target=target)
        except ValidationError as error:
            context["error"] = " ".join(error.messages)
        else:
            flash.success(request, "The message is moved to this conversation.")
            url = f"{moved_to.get_absolute_url()}#message-{message.pk}"
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    if request.htmx:
        response = render(request, f"{MOVE}#window", context)
        response["HX-Retarget"] = "#app-modal-body"
        response["HX-Reswap"] = "innerHTML"
        return response
    return render(request, MOVE, context)


def _ranges(request: AuthedRequest) -> list[tuple[int, int, str]]:
    """The highlighted ranges, posted as JSON: [[start, length, text], ...] (at most 50)."""
    try:
        raw = json.loads(request.POST.get("ranges") or "[]")
        ranges = [(int(start), int(length), str(text)) for start, length, text in raw][:50]
    except (ValueError, TypeError):
        raise ValidationError("Highlight the text to redact, then select Redact.") from None
    return ranges


@login_required
@require_POST
def redact_message(request: AuthedRequest, message_id: int) -> HttpResponse:
    """Commit Redaction on a message: answers the fresh message, or 400 with the reason."""
    message = access_message(request.user, message_id)
    try:
        message = message_redact(actor=request.user, message=message, spans=_ranges(request))
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=400)
    except PermissionDenied as denied:
        return JsonResponse({"error": str(denied)}, status=403)
    return render(request, "conversations/_message.html", {"message": message})


@login_required
@require_POST
def redact_note(request: AuthedRequest, note_id: int) -> HttpResponse:
    """Commit Redaction on a note."""
    note = access_note(request.user, note_id)
    conversation: Conversation = note.conversation
    try:
        note = note_redact(actor=request.user, note=note, spans=_ranges(request))
    except ValidationError as error:
        return JsonResponse({"error": " ".join(error.messages)}, status=400)
    except PermissionDenied as denied:
        return JsonResponse({"error": str(denied)}, status=403)
    context = {"note": note, "conversation": conversation}
    return render(request, "conversations/_note.html#note", context)
