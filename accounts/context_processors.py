"""The navigation a signed-in user sees: built from capabilities, so templates decide nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import get_script_prefix, get_urlconf, reverse

from accounts.capabilities import Capability


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url: str
    section: str = ""


@dataclass(frozen=True)
class _MainEntry:
    order: int
    key: str
    label: str
    url_name: str
    capability: str | None


_MAIN_ENTRIES: list[_MainEntry] = []


@dataclass(frozen=True)
class _SettingsEntry:
    order: int
    key: str
    label: str
    url_name: str
    section: str
    capability: str


_SETTINGS_ENTRIES: list[_SettingsEntry] = []


def register_settings_item(
    *, order: int, key: str, label: str, url_name: str, section: str, capability: str
) -> None:
    """Higher apps add Settings pages (e.g. Workspace > Tags) in AppConfig.ready().

    The page shows for users with Settings access and the given capability; order places it
    among the built-in pages (Users 10-30, Security 40, Administration 90).
    """
    if all(entry.key != key for entry in _SETTINGS_ENTRIES):
        _SETTINGS_ENTRIES.append(_SettingsEntry(order, key, label, url_name, section, capability))
        _SETTINGS_ENTRIES.sort(key=lambda entry: entry.order)


def register_nav_item(
    *, order: int, key: str, label: str, url_name: str, capability: str | None = None
) -> None:
    """Higher apps add their left-navigation entries (Inbox, Customers, ...) in AppConfig.ready()."""
    if all(entry.key != key for entry in _MAIN_ENTRIES):
        _MAIN_ENTRIES.append(_MainEntry(order, key, label, url_name, capability))
        _MAIN_ENTRIES.sort(key=lambda entry: entry.order)


def settings_items(user: Any) -> list[NavItem]:
    """Settings pages in the order of Kustomer's Settings menu, those the user may open."""
    items = [NavItem("preferences", "Preferences", reverse("accounts:preferences"), "Personal")]
    caps = user.capabilities
    if Capability.SETTINGS_ACCESS not in caps:
        return items
    built_in = [
        _SettingsEntry(10, "users", "Users", "accounts:user_list", "Users", Capability.MANAGE_USERS),
        _SettingsEntry(20, "teams", "Teams", "accounts:team_list", "Users", Capability.MANAGE_USERS),
        _SettingsEntry(
            30,
            "permission_sets",
            "Permission Sets",
            "accounts:permission_set_list",
            "Users",
            Capability.MANAGE_PERMISSION_SETS,
        ),
        _SettingsEntry(
            40, "audit_log", "Audit Log", "accounts:audit_log", "Security", Capability.VIEW_AUDIT_LOG
        ),
        _SettingsEntry(
            90, "admin", "Django admin", "admin:index", "Administration", Capability.SETTINGS_ACCESS
        ),
    ]
    for entry in sorted([*built_in, *_SETTINGS_ENTRIES], key=lambda e: e.order):
        if entry.capability in caps:
            items.append(NavItem(entry.key, entry.label, reverse(entry.url_name), entry.section))
    return items


def main_items(user: Any) -> list[NavItem]:
    """The left navigation: the registered entries the user may open, then Settings."""
    items = [NavItem("home", "Home", reverse("accounts:home"))]
    caps = user.capabilities
    items += [
        NavItem(entry.key, entry.label, reverse(entry.url_name))
        for entry in _MAIN_ENTRIES
        if entry.capability is None or entry.capability in caps
    ]
    items.append(NavItem("settings", "Settings", reverse("accounts:settings")))
    return items


# The menus depend only on the capabilities (and the URL prefix): built once per process for
# each combination, not on every render (the 5-second polls render templates too).
_NAVIGATION: dict[tuple[frozenset[str], str, str | None], dict[str, Any]] = {}


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    key = (frozenset(user.capabilities), get_script_prefix(), get_urlconf())
    built = _NAVIGATION.get(key)
    if built is None:
        settings_nav = settings_items(user)
        sections: dict[str, list[NavItem]] = {}
        for item in settings_nav:
            sections.setdefault(item.section, []).append(item)
        built = {"main_nav": main_items(user), "settings_nav": settings_nav, "settings_sections": sections}
        if len(_NAVIGATION) < 256:  # a handful of permission-set combinations in practice
            _NAVIGATION[key] = built
    return built
