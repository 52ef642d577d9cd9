"""Reads for shortcuts, snippets and localization, and the access checks for their settings pages."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Prefetch, Q, QuerySet, Value
from django.db.models.functions import Lower
from django.http import Http404

from accounts.access import require_capability
from accounts.capabilities import Capability
from accounts.models import Team, User
from shortcuts.models import (
    LocalizationSettings,
    Shortcut,
    ShortcutAttachment,
    ShortcutCategory,
    ShortcutQuerySet,
    Snippet,
    SnippetTranslation,
)


def localization_get() -> LocalizationSettings:
    return LocalizationSettings.load()


def access_snippet(user: Any, snippet_id: Any) -> Snippet:
    """The snippet for the Snippets settings pages: 403 without Manage shortcuts, 404 if missing."""
    require_capability(user, Capability.MANAGE_SHORTCUTS)
    try:
        return Snippet.objects.get(pk=int(snippet_id))
    except (ValueError, TypeError, Snippet.DoesNotExist):
        raise Http404 from None


def snippet_list_for_settings(*, query: str = "") -> QuerySet[Snippet]:
    """Snippets by name, each with the languages it has (one query per page, however many rows)."""
    snippets = Snippet.objects.annotate(
        languages=ArrayAgg("translations__language", distinct=True, default=Value([]))
    )
    query = query.strip()
    if query:
        snippets = snippets.filter(name__icontains=query.removeprefix("sn."))
    return snippets.order_by("name")


@dataclass(frozen=True)
class SnippetRow:
    snippet: Snippet
    languages: list[str]  # the enabled languages it has, default first, then any others
    missing: list[str]  # enabled languages without a translation


def snippet_rows(snippets: Iterable[Snippet], localization: LocalizationSettings) -> list[SnippetRow]:
    order = localization.languages_in_order
    rows = []
    for snippet in snippets:
        has = set(cast(list[str], getattr(snippet, "languages", [])))
        present = [code for code in order if code in has] + sorted(has - set(order))
        rows.append(SnippetRow(snippet, present, [code for code in order if code not in has]))
    return rows


def snippet_texts(snippet: Snippet) -> dict[str, str]:
    return dict(snippet.translations.values_list("language", "text"))


def snippet_text(name: str, language: str, default_language: str) -> str | None:
    """The snippet's text in ``language``, else in ``default_language``; None for an unknown
    snippet or one with neither."""
    found = dict(
        SnippetTranslation.objects.filter(
            snippet__name__iexact=name, language__in={language, default_language}
        ).values_list("language", "text")
    )
    return found.get(language, found.get(default_language))


def snippet_resolver(default_language: str | None = None) -> Callable[[str, str], str | None]:
    """A ``snippets`` callable for the template engine, memoised for one render (or a batch)."""
    default = default_language or localization_get().default_language
    cache: dict[tuple[str, str], str | None] = {}

    def resolve(name: str, language: str) -> str | None:
        key = (name.lower(), language)
        if key not in cache:
            cache[key] = snippet_text(name, language, default)
        return cache[key]

    return resolve


# --- Shortcuts -------------------------------------------------------------------------------


def shortcuts_visible_to(user: Any) -> ShortcutQuerySet:
    """What ``user`` may use: public shortcuts, their own private ones, and limited ones naming
    them or one of their teams. Every later use of shortcuts (the reply editor) starts here."""
    return Shortcut.objects.visible_to(user)


def shortcuts_manageable_by(user: Any) -> QuerySet[Shortcut]:
    """What Settings > Workspace > Shortcuts lists for a user with Manage shortcuts: every public
    and limited shortcut (managing them is the point of the capability, named or not), and only
    the user's own private ones. A private shortcut is its owner's alone: by choice it stays out
    of this list, and out of reach of its pages, even for admins."""
    if not getattr(user, "is_authenticated", False):
        return Shortcut.objects.none()
    return Shortcut.objects.filter(~Q(share=Shortcut.Share.PRIVATE) | Q(owner=user))


def access_shortcut(user: Any, shortcut_id: Any) -> Shortcut:
    """The shortcut for the Shortcuts settings pages: 403 without Manage shortcuts, 404 when
    missing or someone else's private shortcut."""
    require_capability(user, Capability.MANAGE_SHORTCUTS)
    try:
        return shortcuts_manageable_by(user).select_related("category", "owner").get(pk=int(shortcut_id))
    except (ValueError, TypeError, Shortcut.DoesNotExist):
        raise Http404 from None


def access_shortcut_category(user: Any, category_id: Any) -> ShortcutCategory:
    require_capability(user, Capability.MANAGE_SHORTCUTS)
    try:
        return ShortcutCategory.objects.select_related("parent").get(pk=int(category_id))
    except (ValueError, TypeError, ShortcutCategory.DoesNotExist):
        raise Http404 from None


@dataclass(frozen=True)
class CategoryNode:
    category: ShortcutCategory
    depth: int  # 0 for a top-level category
    path: str  # "Billing › Refunds"

    @property
    def indented_label(self) -> str:
        return "\u00a0\u00a0\u00a0\u00a0" * self.depth + self.category.name


def category_tree() -> list[CategoryNode]:
    """Every category depth first, each parent before its children, by name (one query)."""
    categories = list(ShortcutCategory.objects.order_by(Lower("name")))
    children: dict[int | None, list[ShortcutCategory]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    nodes: list[CategoryNode] = []

    def walk(parent_id: int | None, depth: int, prefix: str) -> None:
        for category in children.get(parent_id, []):
            path = f"{prefix} › {category.name}" if prefix else category.name
            nodes.append(CategoryNode(category, depth, path))
            walk(category.pk, depth + 1, path)

    walk(None, 0, "")
    return nodes


def category_with_descendants(tree: list[CategoryNode], category_id: int) -> list[int]:
    ids = {category_id}
    for node in tree:  # parents come before their children
        if node.category.parent_id in ids:
            ids.add(node.category.pk)
    return sorted(ids)


def shortcut_list_for_settings(
    *, user: Any, query: str = "", category_ids: list[int] | None = None
) -> QuerySet[Shortcut]:
    """Shortcuts by name, searched in the name and the message; a category takes in its
    subcategories. Teams, users and attachments come in one query each, however many rows."""
    shortcuts = shortcuts_manageable_by(user).select_related("category", "owner")
    query = query.strip()
    if query:
        shortcuts = shortcuts.filter(Q(name__icontains=query) | Q(message_html__icontains=query))
    if category_ids is not None:
        shortcuts = shortcuts.filter(category_id__in=category_ids)
    return shortcuts.prefetch_related(
        Prefetch("limited_teams", queryset=Team.objects.only("id", "name").order_by("name")),
        Prefetch("limited_users", queryset=User.objects.only("id", "display_name", "email")),
        Prefetch("attachments", queryset=ShortcutAttachment.objects.only("id", "shortcut_id")),
    ).order_by(Lower("name"))
