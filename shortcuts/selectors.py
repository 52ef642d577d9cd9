"""Reads for snippets and localization, and the access check for the Snippets settings pages."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import QuerySet, Value
from django.http import Http404

from accounts.access import require_capability
from accounts.capabilities import Capability
from shortcuts.models import LocalizationSettings, Snippet, SnippetTranslation


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
