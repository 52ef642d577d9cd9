"""The Django admin, gated like every other Settings page.

A signed-in user without Settings access gets 403 instead of Django's "log in as someone
else" page, and the admin's own login form is replaced by the app's sign-in (which has the
throttling and the seasonal-seat rules).
"""

from __future__ import annotations

from functools import update_wrapper
from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse


class KustomerAdminSite(admin.AdminSite):
    site_header = "Kustomer Clone administration"
    site_title = "Kustomer Clone admin"
    index_title = "Configuration"

    def admin_view(self, view: Any, cacheable: bool = False) -> Any:
        inner = super().admin_view(view, cacheable)

        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied("The Django admin needs the “Settings access” permission.")
            return inner(request, *args, **kwargs)

        return update_wrapper(wrapper, view)

    def password_change(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:  # type: ignore[override]
        # Passwords change in Preferences, through the audited service.
        return HttpResponseRedirect(reverse("accounts:preferences") + "#password-form")

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        if request.user.is_authenticated and not self.has_permission(request):
            raise PermissionDenied("The Django admin needs the “Settings access” permission.")
        target = request.GET.get("next") or reverse("admin:index")
        return HttpResponseRedirect(reverse("accounts:login") + "?" + urlencode({"next": target}))


class KustomerAdminConfig(AdminConfig):
    default_site = "core.admin_site.KustomerAdminSite"
