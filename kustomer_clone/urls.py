from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("core.urls")),
    path("", include("accounts.urls")),
    path("", include("conversations.urls")),
    path("", include("messaging.urls")),
    path("", include("shortcuts.urls")),
    path("v1/", include("api.urls")),
    path("settings/security/api-keys/", include("api.urls_settings")),
    path(settings.ADMIN_URL, admin.site.urls),
]
