"""Notes (Post New Note, More options: Edit note, Delete note), @mention suggestions, and
Notifications (the sidebar page, the pop-up's poll, mark as read)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from accounts.access import capability_required, require_capability
from accounts.capabilities import Capability
from accounts.types import AuthedRequest
from conversations.forms import NoteForm, PostNewNoteForm
from conversations.models import Conversation, Note, Notification
from conversations.selectors import access_customer, access_note, mention_candidates, notifications_for
from conversations.services import notes as note_services
from conversations.services.notifications import notification_mark_read
from conversations.views.customers import new_note_status, page_context
from core.forms import apply_errors
from core.paginate import paginate, query_without_page
from customers.models import Customer

POPUP_TOASTS = 3


# --- input shapes ------------------------------------------------------------------------------


def _note_url(note: Note) -> str:
    return reverse("conversations:conversation_detail", args=[note.conversation_id]) + f"#note-{note.pk}"


# --- Post New Note (timeline) ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def timeline_note_create(request: AuthedRequest, customer_id: int) -> HttpResponse:
    """Post New Note: a note conversation for the customer, Done by default.

    The form's URL carries ?add=note so that the timeline page, re-rendered on an error,
    shows the form again with what was typed.
    """
    customer = access_customer(request.user, customer_id)
    require_capability(request.user, Capability.ADD_NOTES)
    form = PostNewNoteForm(
        request.POST or None, request.FILES or None, auto_id="post-new-note-%s", viewer=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            note = note_services.timeline_note_create(
                actor=request.user,
                customer=customer,
                body_html=form.body_html(),
                assigned_user=form.cleaned_data["assigned_user"],
                attachments=form.cleaned_data["attachments"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, "Your note is posted.")
            if Conversation.objects.visible_to(request.user).filter(pk=note.conversation_id).exists():
                return redirect(note.conversation)
            return redirect(customer)  # e.g. a collaborator who is not brought into it
    context = {"note_form": form, "note_status": _new_note_status()}
    if request.htmx and request.method == "GET":
        context["customer"] = customer
        return render(request, "conversations/_post_new_note.html#post-new-note", context)
    return render(request, "conversations/timeline.html", page_context(request, customer, None, **context))


def _new_note_status() -> str:
    return new_note_status()


# --- one note: show, Edit note, Delete note ----------------------------------------------------


def _render_note(request: AuthedRequest, note: Note, form: NoteForm | None = None) -> HttpResponse:
    context = {"note": note, "editing_note_id": note.pk if form is not None else None, "note_edit_form": form}
    return render(request, "conversations/_note.html#note", context)


def _note_page(request: AuthedRequest, note: Note, form: NoteForm) -> HttpResponse:
    """Without JavaScript: the conversation page with this note in edit mode."""
    customer: Customer = access_customer(request.user, note.conversation.customer_id)
    context = page_context(request, customer, note.conversation, editing_note_id=note.pk, note_edit_form=form)
    return render(request, "conversations/timeline.html", context)


@login_required
@require_GET
def note_detail(request: AuthedRequest, note_id: int) -> HttpResponse:
    """The note as the feed shows it (Cancel in the edit form swaps back to this)."""
    note = access_note(request.user, note_id)
    if not request.htmx:
        return redirect(_note_url(note))
    return _render_note(request, note)


@login_required
@require_http_methods(["GET", "POST"])
def note_update(request: AuthedRequest, note_id: int) -> HttpResponse:
    note = access_note(request.user, note_id, write=True)
    if request.method == "GET":
        form = NoteForm(initial={"body": note.body_html, "body_format": "html"})
        return _render_note(request, note, form) if request.htmx else _note_page(request, note, form)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            note_services.note_update(actor=request.user, note=note, body_html=form.body_html())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if not request.htmx:
                messages.success(request, "The note is updated.")
                return redirect(_note_url(note))
            note = access_note(request.user, note.pk)
            return trigger_client_event(_render_note(request, note), "noteUpdated", {"id": note.pk})
    # 200 on purpose: htmx does not swap 4xx by default, and the form must come back as typed.
    return _render_note(request, note, form) if request.htmx else _note_page(request, note, form)


@login_required
@require_POST
def note_delete(request: AuthedRequest, note_id: int) -> HttpResponse:
    note = access_note(request.user, note_id, write=True)
    conversation = note.conversation
    note_services.note_delete(actor=request.user, note=note)
    if not request.htmx:
        messages.success(request, "The note is deleted.")
        return redirect(conversation)
    # An empty answer: the outerHTML swap removes the note from the feed.
    return trigger_client_event(HttpResponse(""), "noteDeleted", {"id": note_id})


# --- @mentions ---------------------------------------------------------------------------------


@capability_required(Capability.ADD_NOTES)
@require_GET
def mention_suggest(request: AuthedRequest) -> JsonResponse:
    """Up to 8 active users and teams for the editor's mention list (JSON: the script builds the
    list with textContent, so no server HTML is ever parsed into the editor)."""
    query = request.GET.get("q", "").strip()[:60]
    with_emails = request.user.sees_colleague_emails
    return JsonResponse({"results": mention_candidates(query=query, with_emails=with_emails)})


# --- Notifications -----------------------------------------------------------------------------


@login_required
@require_GET
def notification_list(request: AuthedRequest) -> HttpResponse:
    page = paginate(request, notifications_for(request.user))
    context = {"page": page, "query": query_without_page(request), "nav_active": "notifications"}
    if request.htmx and not request.htmx.boosted:
        return render(request, "conversations/notifications.html#notification-list", context)
    return render(request, "conversations/notifications.html", context)


@login_required
@require_POST
def notifications_read(request: AuthedRequest) -> HttpResponse:
    """Mark all as read."""
    changed = notification_mark_read(user=request.user)
    if not request.htmx:
        messages.success(request, "All notifications are marked as read.")
        return redirect("conversations:notifications")
    page = paginate(request, notifications_for(request.user))
    context = {"page": page, "query": "", "nav_active": "notifications", "oob": True}
    response = render(request, "conversations/notifications.html#notification-list", context)
    response.content += render(
        request, "conversations/notifications.html#notification-badge", context
    ).content
    return trigger_client_event(response, "notificationsRead", {"count": changed})


@login_required
@require_GET
def notification_open(request: AuthedRequest, pk: int) -> HttpResponse:
    """Following a notification's link marks it read, then goes to the conversation (and note)."""
    notification = Notification.objects.filter(recipient=request.user, pk=pk).first()
    if notification is None:
        raise Http404
    notification_mark_read(user=request.user, notification_ids=[notification.pk])
    url = reverse("conversations:conversation_detail", args=[notification.conversation_id])
    return redirect(url + (f"#note-{notification.note_id}" if notification.note_id else ""))


@require_GET
def notification_poll(request: AuthedRequest) -> HttpResponse:
    """The in-app pop-up, polled every few seconds: notifications newer than the highest id the
    page has shown (`since`), as toast cards, plus the nav badge out of band.

    204 when there is nothing new (htmx then leaves the pop-up as it is), and for a signed-out
    session: a redirect to the sign-in page must never be swapped into the pop-up.
    """
    user = request.user
    since = request.GET.get("since", "")
    if not user.is_authenticated or not user.notify_desktop or not since.isdigit():
        return HttpResponse(status=204)
    fresh = list(
        notifications_for(user)
        .filter(pk__gt=int(since), read_at__isnull=True)
        .order_by("-id")[: POPUP_TOASTS + 1]
    )
    if not fresh:
        return HttpResponse(status=204)
    context = {
        "toasts": fresh[:POPUP_TOASTS],
        "more": len(fresh) > POPUP_TOASTS,
        "since": fresh[0].pk,
        "oob": True,
    }
    response = render(request, "conversations/notifications.html#notification-toasts", context)
    response.content += render(
        request, "conversations/notifications.html#notification-badge", context
    ).content
    return trigger_client_event(response, "notificationsReceived", {"count": len(fresh)})
