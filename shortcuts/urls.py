from django.urls import path

from shortcuts import views

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
]
