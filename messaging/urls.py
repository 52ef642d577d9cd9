from django.urls import path

from messaging import views

app_name = "messaging"

urlpatterns = [
    path("hooks/email/inbound", views.email_hook, name="email_hook"),
    path("settings/channels/email/", views.email_channel_list, name="email_channel_list"),
    path("settings/channels/email/add/", views.email_channel_create, name="email_channel_create"),
    path("settings/channels/email/<int:channel_id>/", views.email_channel_edit, name="email_channel_edit"),
    path(
        "settings/channels/email/<int:channel_id>/rotate-secret/",
        views.email_channel_rotate,
        name="email_channel_rotate",
    ),
    path("settings/channels/email/failed/", views.inbound_failed_list, name="inbound_failed_list"),
    path("settings/channels/email/failed/retry-all/", views.inbound_retry_all, name="inbound_retry_all"),
    path("settings/channels/email/inbound/<int:inbound_id>.eml", views.inbound_raw, name="inbound_raw"),
    path(
        "settings/channels/email/inbound/<int:inbound_id>/retry/", views.inbound_retry, name="inbound_retry"
    ),
]

from messaging.urls_outbound import urlpatterns as outbound_urlpatterns  # noqa: E402

urlpatterns += outbound_urlpatterns
