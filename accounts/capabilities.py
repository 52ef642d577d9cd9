"""Named capabilities, and what the default permission sets grant.

A capability is the unit of every access check (accounts.access). Default permission sets
are defined here, in code, and brought in line on every migrate (accounts.apps).
"""

from __future__ import annotations

from django.db import models


class Capability(models.TextChoices):
    SETTINGS_ACCESS = "settings_access", "Settings access"
    MANAGE_USERS = "manage_users", "Manage users and teams"
    MANAGE_PERMISSION_SETS = "manage_permission_sets", "Manage permission sets"
    MANAGE_WORKSPACE = (
        "manage_workspace",
        "Configure the workspace (routing, statuses, spam filters, templates)",
    )
    VIEW_AUDIT_LOG = "view_audit_log", "View the audit log"
    MANAGE_API_KEYS = "manage_api_keys", "Manage API keys"
    MANAGE_SHORTCUTS = "manage_shortcuts", "Manage shortcuts and snippets"
    VIEW_ALL_CONVERSATIONS = "view_all_conversations", "View all customers and conversations"
    UPDATE_CUSTOMERS = "update_customers", "Update customers and conversations"
    SEND_MESSAGES = "send_messages", "Send messages"
    ADD_NOTES = "add_notes", "Add notes"
    MARK_SPAM = "mark_spam", "Mark spam"
    MERGE_CONVERSATIONS = "merge_conversations", "Merge conversations"
    REDACT_MESSAGES = "redact_messages", "Redact messages"
    VIEW_REPORTS = "view_reports", "View reports"
    RUN_SEARCHES = "run_searches", "Run searches"
    BULK_UPDATE = "bulk_update", "Bulk update"
    BULK_MESSAGE = "bulk_message", "Send bulk messages"


C = Capability

ADMIN = "Admin"
CONTENT_ADMINISTRATOR = "Content Administrator"
MANAGER = "Manager"
USER = "User"
COLLABORATION = "Collaboration"

_AGENT = {
    C.VIEW_ALL_CONVERSATIONS,
    C.UPDATE_CUSTOMERS,
    C.SEND_MESSAGES,
    C.ADD_NOTES,
    C.MARK_SPAM,
    C.MERGE_CONVERSATIONS,
}

# The glossary's definitions, capability by capability.
DEFAULT_PERMISSION_SETS: dict[str, tuple[str, frozenset[str]]] = {
    ADMIN: ("Full access to everything.", frozenset(C.values)),
    CONTENT_ADMINISTRATOR: (
        "Updates customers, sends messages, views reports, creates teams, users and searches, "
        "and manages shortcuts and snippets.",
        frozenset(
            _AGENT | {C.VIEW_REPORTS, C.RUN_SEARCHES, C.SETTINGS_ACCESS, C.MANAGE_USERS, C.MANAGE_SHORTCUTS}
        ),
    ),
    MANAGER: (
        "Updates customers, sends messages, and has access to reporting, searches, bulk updates, "
        "and creating teams, users and searches.",
        frozenset(
            _AGENT
            | {
                C.VIEW_REPORTS,
                C.RUN_SEARCHES,
                C.BULK_UPDATE,
                C.BULK_MESSAGE,
                C.SETTINGS_ACCESS,
                C.MANAGE_USERS,
            }
        ),
    ),
    USER: (
        "Updates customers and sends messages; no access to settings or configuration.",
        frozenset(_AGENT),
    ),
    COLLABORATION: (
        "For collaboration users: sees the conversations they are brought into and adds notes.",
        frozenset({C.ADD_NOTES}),
    ),
}

# Which capability a Django admin page needs, by app label. Higher apps add theirs
# through `register_admin_capability` in their AppConfig.ready().
_ADMIN_APP_CAPABILITY: dict[str, str] = {
    "accounts": C.MANAGE_USERS,
    "core": C.VIEW_AUDIT_LOG,
    "axes": C.MANAGE_USERS,
}


def register_admin_capability(app_label: str, capability: str) -> None:
    _ADMIN_APP_CAPABILITY[app_label] = capability


def admin_capability_for(app_label: str) -> str:
    return _ADMIN_APP_CAPABILITY.get(app_label, C.MANAGE_WORKSPACE)
