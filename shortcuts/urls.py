from django.urls import path

from shortcuts import views, views_editor, views_use

app_name = "shortcuts"

urlpatterns = [
    path("settings/workspace/shortcuts/", views.shortcut_list, name="shortcut_list"),
    path("settings/workspace/shortcuts/add/", views.shortcut_create, name="shortcut_create"),
    path("settings/workspace/shortcuts/<int:shortcut_id>/", views.shortcut_edit, name="shortcut_edit"),
    path(
        "settings/workspace/shortcuts/<int:shortcut_id>/delete/",
        views.shortcut_delete,
        name="shortcut_delete",
    ),
    path("settings/workspace/shortcuts/categories/", views.category_list, name="category_list"),
    path("settings/workspace/shortcuts/defaults/", views.shortcut_defaults, name="shortcut_defaults"),
    path("shortcuts/defaults/", views_use.defaults, name="defaults"),
    path(
        "settings/workspace/shortcuts/categories/<int:category_id>/rename/",
        views.category_rename,
        name="category_rename",
    ),
    path(
        "settings/workspace/shortcuts/categories/<int:category_id>/delete/",
        views.category_delete,
        name="category_delete",
    ),
    path("settings/administration/snippets/", views.snippet_list, name="snippet_list"),
    path("settings/administration/snippets/add/", views.snippet_create, name="snippet_create"),
    path("settings/administration/snippets/<int:snippet_id>/", views.snippet_edit, name="snippet_edit"),
    path(
        "settings/administration/snippets/<int:snippet_id>/delete/",
        views.snippet_delete,
        name="snippet_delete",
    ),
    path("settings/administration/localization/", views.localization, name="localization"),
    path("conversations/<int:conversation_id>/shortcuts/", views_use.menu, name="menu"),
    path("customers/<int:customer_id>/shortcuts/", views_use.customer_menu, name="customer_menu"),
    path(
        "customers/<int:customer_id>/shortcuts/<int:shortcut_id>/insert/",
        views_use.insert_for_customer,
        name="insert_for_customer",
    ),
    path(
        "conversations/<int:conversation_id>/shortcuts/<int:shortcut_id>/apply/",
        views_use.apply,
        name="apply",
    ),
    path(
        "shortcut-attachments/<int:attachment_id>/",
        views_use.attachment_download,
        name="attachment_download",
    ),
]

# Snippets & Dynamic Text, the panel of the shortcut editor and of a conversation's reply editor.
urlpatterns += [
    path(
        "settings/workspace/shortcuts/editor-panel/",
        views_editor.shortcut_panel,
        name="shortcut_editor_panel",
    ),
    path(
        "settings/workspace/shortcuts/editor-panel/snippets/",
        views_editor.shortcut_panel_snippets,
        name="shortcut_editor_panel_snippets",
    ),
    path(
        "settings/workspace/shortcuts/editor-panel/dynamic-text/",
        views_editor.shortcut_panel_dynamic_text,
        name="shortcut_editor_panel_dynamic_text",
    ),
    path(
        "conversations/<int:conversation_id>/editor-panel/",
        views_editor.reply_panel,
        name="reply_editor_panel",
    ),
    path(
        "conversations/<int:conversation_id>/editor-panel/snippets/",
        views_editor.reply_panel_snippets,
        name="reply_editor_panel_snippets",
    ),
    path(
        "conversations/<int:conversation_id>/editor-panel/dynamic-text/",
        views_editor.reply_panel_dynamic_text,
        name="reply_editor_panel_dynamic_text",
    ),
]
