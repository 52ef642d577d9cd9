"""The reply editor (email, SMS, chat or a note) and attachment downloads."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from accounts.types import AuthedRequest
from conversations.attachment_sources import resolve_attachment_refs
from conversations.forms import ReplyForm
from conversations.models import Channel
from conversations.selectors import access_attachment, access_conversation, access_customer
from conversations.services.messages import message_send
from conversations.services.notes import note_create
from conversations.views.customers import page_context
from core.forms import apply_errors
from core.sanitize import sanitize_editor_html, text_to_html


def _with_clean_draft(form: ReplyForm) -> ReplyForm:
    """The draft comes back as typed, but cleaned: the editor puts it back as HTML."""
    if form.data.get("body_format") == "html" and form.data.get("body"):
        data = form.data.copy()  # type: ignore[attr-defined]  # a QueryDict: the posted form
        data["body"] = sanitize_editor_html(data["body"])
        form.data = data
    return form


@login_required
@require_POST
def reply(request: AuthedRequest, conversation_id: int) -> HttpResponse:
    """Send a reply or post a note. On a validation error the draft comes back as typed."""
    conversation = access_conversation(request.user, conversation_id)
    form = ReplyForm(request.POST, request.FILES, viewer=request.user)
    event = ""
    if form.is_valid():
        data = form.cleaned_data
        body = data["body"] if data["body_format"] == "html" else text_to_html(data["body"])
        try:
            refs = resolve_attachment_refs(request.user, data["attachment_refs"])
            files = [*data["attachments"], *(ref.open() for ref in refs)]
            if data["channel"] == Channel.NOTE:
                note_create(
                    actor=request.user,
                    conversation=conversation,
                    body_html=body,
                    assigned_user=data["assigned_user"],
                    attachments=files,
                )
                event = "noteAdded"
            else:
                message_send(
                    actor=request.user,
                    conversation=conversation,
                    channel=data["channel"],
                    subject=data["subject"],
                    body_html=body,
                    from_address=data["from_address"],
                    attachments=files,
                    channel_options=form.channel_options(),
                )
                event = "messageQueued"
        except ValidationError as error:
            apply_errors(form, error)
        except PermissionDenied as denied:
            form.add_error(None, str(denied))
    if not event:
        form = _with_clean_draft(form)
        # The files a shortcut attached stay with the draft (those still available).
        form.attached_refs = resolve_attachment_refs(  # type: ignore[attr-defined]
            request.user, request.POST.getlist("attachment_refs")[:50], strict=False
        )
    if not request.htmx:
        if event:
            flash.success(
                request, "Your note is posted." if event == "noteAdded" else "Your message is queued."
            )
            return redirect(conversation)
        customer = access_customer(request.user, conversation.customer_id)
        return render(
            request,
            "conversations/timeline.html",
            page_context(request, customer, conversation, reply_form=form),
        )
    customer = access_customer(request.user, conversation.customer_id)
    if event:
        sent = form.cleaned_data
        fresh = ReplyForm(
            initial={
                "channel": sent["channel"],
                "from_address": sent["from_address"],
                "email_template": sent.get("email_template") or "",
            }
        )
        context = page_context(request, customer, conversation, reply_form=fresh, oob=True)
        response = render(request, "conversations/timeline.html#reply-editor", context)
        response.content += render(request, "conversations/timeline.html#conversation-feed", context).content
        return trigger_client_event(response, event, {"id": conversation.pk})
    context = page_context(request, customer, conversation, reply_form=form)
    return render(request, "conversations/timeline.html#reply-editor", context)


@login_required
@require_GET
def attachment_download(request: AuthedRequest, attachment_id: int) -> FileResponse:
    """Only after an access check, always as a download, never sniffed into HTML."""
    attachment = access_attachment(request.user, attachment_id)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
