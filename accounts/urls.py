from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.sign_in, name="login"),
    path("logout/", views.sign_out, name="logout"),
    path("password-reset/", views.password_reset, name="password_reset"),
    path("password-reset/sent/", views.password_reset_done, name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("password-reset/complete/", views.password_reset_complete, name="password_reset_complete"),
    path("settings/", views.settings_index, name="settings"),
    path("settings/personal/preferences/", views.preferences, name="preferences"),
    path("settings/personal/password/", views.password_change, name="password_change"),
    path("settings/users/", views.user_list, name="user_list"),
    path("settings/users/new/", views.user_create, name="user_create"),
    path("settings/users/<int:user_id>/", views.user_edit, name="user_edit"),
    path(
        "settings/users/<int:user_id>/deactivate/",
        views.user_set_active,
        {"active": False},
        name="user_deactivate",
    ),
    path(
        "settings/users/<int:user_id>/reactivate/",
        views.user_set_active,
        {"active": True},
        name="user_reactivate",
    ),
    path("settings/teams/", views.team_list, name="team_list"),
    path("settings/teams/new/", views.team_create, name="team_create"),
    path("settings/teams/<int:team_id>/", views.team_edit, name="team_edit"),
    path("settings/teams/<int:team_id>/delete/", views.team_delete, name="team_delete"),
    path("settings/permission-sets/", views.permission_set_list, name="permission_set_list"),
    path("settings/permission-sets/new/", views.permission_set_create, name="permission_set_create"),
    path(
        "settings/permission-sets/<int:permission_set_id>/",
        views.permission_set_edit,
        name="permission_set_edit",
    ),
    path(
        "settings/permission-sets/<int:permission_set_id>/delete/",
        views.permission_set_delete,
        name="permission_set_delete",
    ),
    path("settings/security/audit-log/", views.audit_log, name="audit_log"),
]
