"""Settings > Security > API Keys: list, Add API Key (the key is shown once), Revoke."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import capability_required
from accounts.capabilities import Capability
from accounts.types import AuthedRequest
from api import services
from api.forms import ApiKeyForm
from api.selectors import access_api_key, api_key_list_for_settings
from core.paginate import paginate

NEEDS = (Capability.SETTINGS_ACCESS, Capability.MANAGE_API_KEYS)


@capability_required(*NEEDS)
def api_key_list(request: AuthedRequest) -> HttpResponse:
    page = paginate(request, api_key_list_for_settings(actor=request.user))
    return render(request, "api/api_key_list.html", {"page": page, "settings_active": "api_keys"})


@capability_required(*NEEDS)
@require_http_methods(["GET", "POST"])
@never_cache  # the answer to the POST holds the full key: no cache may keep it
def api_key_create(request: AuthedRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            api_key, full_key = services.api_key_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                permission_sets=form.cleaned_data["permission_sets"],
                expires_at=form.expires_at,
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error("expires_on" if field == "expires_at" else field, errors)
        else:
            # Shown here, in the answer to the POST, and nowhere else: the key is not put in
            # the session or a message, whose storage would keep it.
            context = {
                "api_key": api_key,
                "full_key": full_key,
                "curl_url": request.build_absolute_uri(reverse("api:conversation_detail", args=[1])),
                "settings_active": "api_keys",
            }
            return render(request, "api/api_key_created.html", context)
    return render(request, "api/api_key_form.html", {"form": form, "settings_active": "api_keys"})


@capability_required(*NEEDS)
@require_POST
def api_key_revoke(request: AuthedRequest, api_key_id: int) -> HttpResponse:
    api_key = access_api_key(request.user, api_key_id)
    services.api_key_revoke(actor=request.user, api_key=api_key)
    messages.success(request, f"The API key “{api_key.name}” is revoked: it no longer works.")
    return redirect("api_keys:api_key_list")
