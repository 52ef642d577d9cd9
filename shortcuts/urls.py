from django.urls import path

from shortcuts import views

app_name = "shortcuts"

urlpatterns = [
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
