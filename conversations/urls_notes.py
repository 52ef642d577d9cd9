"""Notes, @mentions and notifications; spliced into conversations/urls.py (namespace "conversations")."""

from django.urls import URLPattern, path

from conversations.views import notes

urlpatterns: list[URLPattern] = [
    path(
        "customers/<int:customer_id>/notes/new/",
        notes.timeline_note_create,
        name="timeline_note_create",
    ),
    path("notes/<int:note_id>/", notes.note_detail, name="note_detail"),
    path("notes/<int:note_id>/edit/", notes.note_update, name="note_update"),
    path("notes/<int:note_id>/delete/", notes.note_delete, name="note_delete"),
    path("mentions/suggest/", notes.mention_suggest, name="mention_suggest"),
    path("notifications/", notes.notification_list, name="notifications"),
    path("notifications/read/", notes.notifications_read, name="notifications_read"),
    path("notifications/poll/", notes.notification_poll, name="notification_poll"),
    path("notifications/<int:pk>/open/", notes.notification_open, name="notification_open"),
]
