"""Writes for the shortcuts app: localization and snippets, categories and shortcuts, and
applying a shortcut to a conversation."""

from shortcuts.services.shortcuts import (
    DONE_WITH_MESSAGE_WARNING,
    SHORTCUT_ATTACHMENT_MAX_FILE,
    SHORTCUT_ATTACHMENT_MAX_TOTAL,
    SHORTCUT_ATTACHMENT_TYPES,
    SHORTCUT_NAME_SPACES_MESSAGE,
    ShortcutActions,
    category_create,
    category_delete,
    category_rename,
    shortcut_create,
    shortcut_defaults_update,
    shortcut_delete,
    shortcut_update,
)
from shortcuts.services.snippets import (
    localization_update,
    snippet_create,
    snippet_delete,
    snippet_update,
    text_key,
)

__all__ = [
    "DONE_WITH_MESSAGE_WARNING",
    "SHORTCUT_ATTACHMENT_MAX_FILE",
    "SHORTCUT_ATTACHMENT_MAX_TOTAL",
    "SHORTCUT_ATTACHMENT_TYPES",
    "SHORTCUT_NAME_SPACES_MESSAGE",
    "ShortcutActions",
    "category_create",
    "category_delete",
    "category_rename",
    "localization_update",
    "shortcut_create",
    "shortcut_defaults_update",
    "shortcut_delete",
    "shortcut_update",
    "snippet_create",
    "snippet_delete",
    "snippet_update",
    "text_key",
]
