"""REST API v1 (Kustomer-compatible): /v1/... answered in JSON, authenticated by API key."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from api.auth import ApiKeyPrincipal, AuthenticationFailed, authenticate
from api.responses import data_response, error_response
from api.selectors import conversation_for_api
from api.serializers import conversation_resource

ApiView = Callable[..., HttpResponse]


def api_view(*methods: str) -> Callable[[ApiView], ApiView]:
    """Authenticate by `Authorization: Bearer <key>` (401), then the method (405), then the view
    with the key's principal; Http404 and PermissionDenied from the access funnel become
    Kustomer's error JSON. 404 covers missing and not-visible alike."""
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())

    def decorator(view: ApiView) -> ApiView:
        # csrf_exempt: these views read no cookie and no session, only the Authorization
        # header, which a browser never adds to a cross-site request on its own: a forged
        # request carries no credentials, so there is nothing for a CSRF token to protect.
        @csrf_exempt
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                principal = authenticate(request)
            except AuthenticationFailed as failure:
                return error_response(401, failure.code, failure.title, failure.detail)
            response: HttpResponse
            if request.method not in allowed:
                response = error_response(
                    405,
                    "method_not_allowed",
                    "Method Not Allowed",
                    f"{request.method} is not supported here.",
                )
                response["Allow"] = ", ".join(sorted(allowed))
                return response
            try:
                response = view(request, principal, *args, **kwargs)
            except Http404:
                return error_response(
                    404, "not_found", "Not Found", "No such resource, or not visible to this key."
                )
            except PermissionDenied as denied:
                return error_response(403, "forbidden", "Forbidden", str(denied))
            response["Cache-Control"] = "no-store"
            return response

        return wrapped

    return decorator


@api_view("GET")
def conversation_detail(
    request: HttpRequest, principal: ApiKeyPrincipal, conversation_id: str
) -> HttpResponse:
    conversation, linked = conversation_for_api(principal, conversation_id)
    return data_response(conversation_resource(conversation, linked))


@csrf_exempt
def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Any other /v1/ address: JSON, not the HTML 404 page."""
    return error_response(404, "not_found", "Not Found", "There is no such API endpoint.")
