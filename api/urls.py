"""REST API v1, mounted at /v1/ (kustomer_clone/urls.py). Kustomer's paths have no trailing
slash; one is accepted too."""

from django.urls import path, re_path

from api import views

app_name = "api"

urlpatterns = [
    path("conversations/<str:conversation_id>", views.conversation_detail, name="conversation_detail"),
    path("conversations/<str:conversation_id>/", views.conversation_detail),
    re_path(r"^(?P<path>.*)$", views.not_found),
]
