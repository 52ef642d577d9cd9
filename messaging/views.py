"""The Email Hook, and Settings > Channels > Email (addresses, secrets, Failed inbound)."""

from __future__ import annotations

import tempfile

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import capability_required
from accounts.capabilities import Capability
from accounts.types import AuthedRequest
from core.forms import apply_errors
from core.paginate import paginate, query_without_page
from messaging import conf, services
from messaging.forms import EmailChannelForm
from messaging.models import EmailChannel, InboundEmail
from messaging.selectors import (
    FAILED_STATUSES,
    access_email_channel,
    access_inbound_email,
    email_channel_list_for_settings,
    inbound_list_failed,
)

EMAIL_SETTINGS = (Capability.SETTINGS_ACCESS, Capability.MANAGE_WORKSPACE)
CHUNK = 256 * 1024


# --- the Email Hook ------------------------------------------------------------------------


def _unauthorised(detail: str) -> JsonResponse:
    response = JsonResponse({"error": detail}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="email-hook"'
    return response


def _too_large(limit: int) -> JsonResponse:
    return JsonResponse({"error": f"The message is larger than {limit} bytes."}, status=413)


@csrf_exempt
@require_POST
def email_hook(request: HttpRequest) -> HttpResponse:
    """POST the raw RFC 5322 message as the body, with `Authorization: Bearer <channel secret>`.

    202 once the message is stored (it is processed by the inbound worker); 401 for a missing
    or wrong secret; 413 above INBOUND_EMAIL_STORE_MAX_BYTES; 400 for an empty body.
    """
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return _unauthorised("Send the channel secret as Authorization: Bearer <secret>.")
    channel = services.email_channel_for_secret(secret.strip())
    if channel is None:
        return _unauthorised("The secret does not match an active inbound address.")
    limit = conf.store_max_bytes()
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return _too_large(limit)
    # Streamed to a spooled file: a large message never sits in memory twice.
    with tempfile.SpooledTemporaryFile(max_size=1024 * 1024) as spool:
        size = 0
        while chunk := request.read(CHUNK):
            size += len(chunk)
            if size > limit:
                return _too_large(limit)
            spool.write(chunk)
        if not size:
            return JsonResponse({"error": "The body is empty: send the raw message."}, status=400)
        inbound = services.inbound_store(
            channel=channel,
            raw=spool,
            source=InboundEmail.Source.HOOK,
            envelope_to=request.GET.get("to", "")[:320],
            envelope_from=request.GET.get("from", "")[:320],
        )
    return JsonResponse({"id": inbound.pk, "status": inbound.status}, status=202)


# --- Settings > Channels > Email -----------------------------------------------------------


@capability_required(*EMAIL_SETTINGS)
@require_GET
def email_channel_list(request: AuthedRequest) -> HttpResponse:
    page = paginate(request, email_channel_list_for_settings(user=request.user))
    failed_total = InboundEmail.objects.filter(status=InboundEmail.Status.FAILED).count()
    context = {
        "page": page,
        "channels": page.object_list,
        "failed_total": failed_total,
        "query": query_without_page(request),
        "hook_path": "/hooks/email/inbound",
        "settings_active": "email_channels",
    }
    return render(request, "messaging/email_channel_list.html", context)


def _show_secret(request: AuthedRequest, channel: EmailChannel, secret: str, created: bool) -> HttpResponse:
    context = {
        "channel": channel,
        "secret": secret,
        "created": created,
        "hook_url": request.build_absolute_uri("/hooks/email/inbound"),
        "settings_active": "email_channels",
    }
    response = render(request, "messaging/email_channel_secret.html", context)
    response["Cache-Control"] = "no-store"
    return response


@capability_required(*EMAIL_SETTINGS)
@require_http_methods(["GET", "POST"])
def email_channel_create(request: AuthedRequest) -> HttpResponse:
    form = EmailChannelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            channel, secret = services.email_channel_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return _show_secret(request, channel, secret, created=True)
    context = {"form": form, "channel": None, "settings_active": "email_channels"}
    return render(request, "messaging/email_channel_form.html", context)


@capability_required(*EMAIL_SETTINGS)
@require_http_methods(["GET", "POST"])
def email_channel_edit(request: AuthedRequest, channel_id: int) -> HttpResponse:
    channel = access_email_channel(request.user, channel_id)
    form = EmailChannelForm.for_channel(channel, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            channel = services.email_channel_update(actor=request.user, channel=channel, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"“{channel.address}” is saved.")
            return redirect("messaging:email_channel_list")
    context = {"form": form, "channel": channel, "settings_active": "email_channels"}
    return render(request, "messaging/email_channel_form.html", context)


@capability_required(*EMAIL_SETTINGS)
@require_POST
def email_channel_rotate(request: AuthedRequest, channel_id: int) -> HttpResponse:
    channel = access_email_channel(request.user, channel_id)
    channel, secret = services.email_channel_rotate_secret(actor=request.user, channel=channel)
    return _show_secret(request, channel, secret, created=False)


@capability_required(*EMAIL_SETTINGS)
@require_GET
def inbound_failed_list(request: AuthedRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    channel_id = request.GET.get("channel", "")
    query = request.GET.get("q", "")
    rows = inbound_list_failed(user=request.user, status=status, channel_id=channel_id, query=query)
    page = paginate(request, rows)
    context = {
        "page": page,
        "rows": page.object_list,
        "status": status if status in FAILED_STATUSES else "",
        "statuses": FAILED_STATUSES,
        "channel": channel_id,
        "channels": list(EmailChannel.objects.order_by("address").values_list("pk", "address")),
        "q": query,
        "filtered": bool(status or channel_id or query.strip()),
        "query": query_without_page(request),
        "settings_active": "email_channels",
    }
    template = "messaging/inbound_failed_list.html"
    return render(request, f"{template}#inbound-failed-list" if request.htmx else template, context)


@capability_required(*EMAIL_SETTINGS)
@require_GET
def inbound_raw(request: AuthedRequest, inbound_id: int) -> FileResponse:
    """The message exactly as it arrived, as an .eml file."""
    inbound = access_inbound_email(request.user, inbound_id)
    return FileResponse(
        inbound.raw.open("rb"),
        as_attachment=True,
        filename=f"inbound-{inbound.pk}.eml",
        content_type="message/rfc822",
    )


@capability_required(*EMAIL_SETTINGS)
@require_POST
def inbound_retry(request: AuthedRequest, inbound_id: int) -> HttpResponse:
    inbound = access_inbound_email(request.user, inbound_id)
    inbound = services.inbound_retry(actor=request.user, inbound=inbound)
    messages.success(request, f"Inbound email {inbound.pk} is queued for processing again.")
    return redirect("messaging:inbound_failed_list")


@capability_required(*EMAIL_SETTINGS)
@require_POST
def inbound_retry_all(request: AuthedRequest) -> HttpResponse:
    """Retry every row of the filtered list (at most 1,000 at a time)."""
    rows = inbound_list_failed(
        user=request.user,
        status=request.POST.get("status", ""),
        channel_id=request.POST.get("channel", ""),
        query=request.POST.get("q", ""),
    )
    result = services.inbound_retry_many(
        actor=request.user, inbound_ids=rows.values_list("pk", flat=True)[:1000]
    )
    messages.success(request, f"{result.queued} inbound emails are queued for processing again.")
    return redirect("messaging:inbound_failed_list")
