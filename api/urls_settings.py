"""Settings > Security > API Keys, mounted at /settings/security/api-keys/."""

from django.urls import path

from api import views_settings

app_name = "api_keys"

urlpatterns = [
    path("", views_settings.api_key_list, name="api_key_list"),
    path("new/", views_settings.api_key_create, name="api_key_create"),
    path("<int:api_key_id>/revoke/", views_settings.api_key_revoke, name="api_key_revoke"),
]
