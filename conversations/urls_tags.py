"""Tags on conversations, and Settings > Workspace > Tags and Conversation Status."""

from django.urls import URLPattern, path

from conversations.views import tags, workspace

urlpatterns: list[URLPattern] = [
    # The tag card on a conversation
    path("conversations/<int:conversation_id>/tags/suggest/", tags.tag_suggest, name="tag_suggest"),
    path("conversations/<int:conversation_id>/tags/add/", tags.tag_add, name="tag_add"),
    path(
        "conversations/<int:conversation_id>/tags/<int:tag_id>/remove/",
        tags.tag_remove,
        name="tag_remove",
    ),
    # Settings > Workspace > Tags
    path("settings/workspace/tags/", tags.settings_tags, name="settings_tags"),
    path("settings/workspace/tags/add/", tags.settings_tag_create, name="settings_tag_create"),
    path("settings/workspace/tags/<int:tag_id>/", tags.settings_tag_row, name="settings_tag_row"),
    path("settings/workspace/tags/<int:tag_id>/edit/", tags.settings_tag_edit, name="settings_tag_edit"),
    path(
        "settings/workspace/tags/<int:tag_id>/deactivate/",
        tags.settings_tag_set_active,
        {"active": False},
        name="settings_tag_deactivate",
    ),
    path(
        "settings/workspace/tags/<int:tag_id>/reactivate/",
        tags.settings_tag_set_active,
        {"active": True},
        name="settings_tag_reactivate",
    ),
    # Settings > Workspace > Conversation Status
    path(
        "settings/workspace/conversation-status/",
        workspace.settings_conversation_status,
        name="settings_conversation_status",
    ),
    path(
        "settings/workspace/conversation-status/add/",
        workspace.settings_sub_status_create,
        name="settings_sub_status_create",
    ),
    path(
        "settings/workspace/conversation-status/notes-default/",
        workspace.settings_notes_default,
        name="settings_notes_default",
    ),
    path(
        "settings/workspace/conversation-status/<int:sub_status_id>/",
        workspace.settings_sub_status_row,
        name="settings_sub_status_row",
    ),
    path(
        "settings/workspace/conversation-status/<int:sub_status_id>/edit/",
        workspace.settings_sub_status_edit,
        name="settings_sub_status_edit",
    ),
    path(
        "settings/workspace/conversation-status/<int:sub_status_id>/deactivate/",
        workspace.settings_sub_status_set_active,
        {"active": False},
        name="settings_sub_status_deactivate",
    ),
    path(
        "settings/workspace/conversation-status/<int:sub_status_id>/reactivate/",
        workspace.settings_sub_status_set_active,
        {"active": True},
        name="settings_sub_status_reactivate",
    ),
    path(
        "settings/workspace/conversation-status/<int:sub_status_id>/delete/",
        workspace.settings_sub_status_delete,
        name="settings_sub_status_delete",
    ),
]
