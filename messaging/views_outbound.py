"""Settings > Administration > Brands, and Retry on a failed outbound email."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from accounts.access import capability_required
from accounts.capabilities import Capability
from accounts.types import AuthedRequest
from conversations.selectors import access_message
from core.forms import apply_errors
from core.paginate import paginate, query_without_page
from messaging import services_outbound as services
from messaging.forms_outbound import BrandForm, SenderAddressForm
from messaging.selectors_outbound import access_brand, access_sender_address, brand_list_for_settings

BRAND_SETTINGS = (Capability.SETTINGS_ACCESS, Capability.MANAGE_WORKSPACE)


@capability_required(*BRAND_SETTINGS)
@require_GET
def brand_list(request: AuthedRequest) -> HttpResponse:
    page = paginate(request, brand_list_for_settings(user=request.user))
    context = {
        "page": page,
        "brands": page.object_list,
        "query": query_without_page(request),
        "settings_active": "brands",
    }
    return render(request, "messaging/brand_list.html", context)


@capability_required(*BRAND_SETTINGS)
@require_http_methods(["GET", "POST"])
def brand_create(request: AuthedRequest) -> HttpResponse:
    form = BrandForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            brand = services.brand_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"“{brand.name}” is added: now add the addresses it sends from.")
            return redirect("messaging:sender_address_create", brand.pk)
    context = {"form": form, "brand": None, "settings_active": "brands"}
    return render(request, "messaging/brand_form.html", context)


@capability_required(*BRAND_SETTINGS)
@require_http_methods(["GET", "POST"])
def brand_edit(request: AuthedRequest, brand_id: int) -> HttpResponse:
    brand = access_brand(request.user, brand_id)
    form = BrandForm.for_brand(brand, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            brand = services.brand_update(actor=request.user, brand=brand, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"“{brand.name}” is saved.")
            return redirect("messaging:brand_list")
    context = {"form": form, "brand": brand, "settings_active": "brands"}
    return render(request, "messaging/brand_form.html", context)


@capability_required(*BRAND_SETTINGS)
@require_POST
def brand_delete(request: AuthedRequest, brand_id: int) -> HttpResponse:
    brand = access_brand(request.user, brand_id)
    try:
        services.brand_delete(actor=request.user, brand=brand)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"“{brand.name}” is deleted.")
    return redirect("messaging:brand_list")


@capability_required(*BRAND_SETTINGS)
@require_http_methods(["GET", "POST"])
def sender_address_create(request: AuthedRequest, brand_id: int) -> HttpResponse:
    brand = access_brand(request.user, brand_id)
    form = SenderAddressForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            address = services.sender_address_create(actor=request.user, brand=brand, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{address.formatted} is added to {brand.name}.")
            return redirect("messaging:brand_list")
    context = {"form": form, "brand": brand, "address": None, "settings_active": "brands"}
    return render(request, "messaging/sender_address_form.html", context)


@capability_required(*BRAND_SETTINGS)
@require_http_methods(["GET", "POST"])
def sender_address_edit(request: AuthedRequest, address_id: int) -> HttpResponse:
    address = access_sender_address(request.user, address_id)
    form = SenderAddressForm.for_address(address, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            address = services.sender_address_update(actor=request.user, address=address, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{address.formatted} is saved.")
            return redirect("messaging:brand_list")
    context = {"form": form, "brand": address.brand, "address": address, "settings_active": "brands"}
    return render(request, "messaging/sender_address_form.html", context)


@capability_required(*BRAND_SETTINGS)
@require_POST
def sender_address_delete(request: AuthedRequest, address_id: int) -> HttpResponse:
    address = access_sender_address(request.user, address_id)
    try:
        services.sender_address_delete(actor=request.user, address=address)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{address.email} is deleted.")
    return redirect("messaging:brand_list")


@login_required
@require_POST
def message_retry(request: AuthedRequest, message_id: int) -> HttpResponse:
    """Retry on a failed outbound email in the feed: it goes back to queued and out again."""
    message = access_message(request.user, message_id, write=True)
    error = ""
    try:
        message = services.outbound_retry(actor=request.user, message=message)
    except PermissionDenied:
        raise
    except ValidationError as refused:
        error = " ".join(refused.messages)
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, "The email is queued to be sent again.")
        return redirect(message.conversation)
    message = access_message(request.user, message.pk)
    response = render(request, "conversations/_message.html", {"message": message, "retry_error": error})
    if error:
        return response
    return trigger_client_event(response, "messageQueued", {"id": message.conversation_id})
