"""Kustomer's response shapes: `{"data": ...}` for a resource, `{"errors": [...]}` for a failure."""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse


def data_response(data: dict[str, Any], status: int = 200) -> JsonResponse:
    return JsonResponse({"data": data}, status=status)


def error_response(status: int, code: str, title: str, detail: str = "") -> JsonResponse:
    error: dict[str, Any] = {"status": status, "code": code, "title": title}
    if detail:
        error["detail"] = detail
    response = JsonResponse({"errors": [error]}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response
