"""Outbound email URLs, added to messaging/urls.py (same "messaging" namespace)."""

from django.urls import path

from messaging import views_forward, views_templates
from messaging import views_outbound as views

urlpatterns = [
    path("settings/administration/brands/", views.brand_list, name="brand_list"),
    path("settings/administration/brands/add/", views.brand_create, name="brand_create"),
    path("settings/administration/brands/<int:brand_id>/", views.brand_edit, name="brand_edit"),
    path("settings/administration/brands/<int:brand_id>/delete/", views.brand_delete, name="brand_delete"),
    path(
        "settings/administration/brands/<int:brand_id>/addresses/add/",
        views.sender_address_create,
        name="sender_address_create",
    ),
    path(
        "settings/administration/brands/addresses/<int:address_id>/",
        views.sender_address_edit,
        name="sender_address_edit",
    ),
    path(
        "settings/administration/brands/addresses/<int:address_id>/delete/",
        views.sender_address_delete,
        name="sender_address_delete",
    ),
    path("messages/<int:message_id>/retry-send/", views.message_retry, name="message_retry"),
    path("conversations/<int:conversation_id>/forward/", views_forward.forward, name="forward"),
    path(
        "settings/administration/email-templates/", views_templates.template_list, name="email_template_list"
    ),
    path(
        "settings/administration/email-templates/add/",
        views_templates.template_form,
        name="email_template_create",
    ),
    path(
        "settings/administration/email-templates/<int:template_id>/",
        views_templates.template_form,
        name="email_template_edit",
    ),
    path(
        "settings/administration/email-templates/<int:template_id>/preview/",
        views_templates.template_preview,
        name="email_template_preview",
    ),
    path(
        "settings/administration/email-templates/<int:template_id>/delete/",
        views_templates.template_delete,
        name="email_template_delete",
    ),
]
