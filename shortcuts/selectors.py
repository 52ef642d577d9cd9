"""Reads for shortcuts, snippets and localization, and the access checks for their settings pages."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.contrib.postgres.aggregates import ArrayAgg
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Case, Exists, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Lower
from django.http import Http404

from accounts.access import require_capability
from accounts.capabilities import Capability
from accounts.models import Team, User
from conversations.attachment_sources import AttachmentRef
from conversations.models import Conversation
from core.sanitize import html_to_text
from shortcuts.context import DynamicText, dynamic_text_options, template_context
from shortcuts.models import (
    LocalizationSettings,
    Shortcut,
    ShortcutAttachment,
    ShortcutCategory,
    ShortcutQuerySet,
    Snippet,
    SnippetTranslation,
    language_choices,
)
from shortcuts.template_language import TemplateError, compile_template


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
    uses: SnippetUses | None = None  # the shortcuts using it (snippet_uses), when asked for


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


# --- Using shortcuts (the # menu and Insert Shortcut) ----------------------------------------

MENU_LIMIT = 20


def access_shortcut_for_use(user: Any, shortcut_id: Any) -> Shortcut:
    """A shortcut ``user`` may apply, with what applying it needs; 404 when missing or not
    theirs to use (a private one of someone else's, a team one of a team they are not in)."""
    try:
        return (
            shortcuts_visible_to(user)
            .select_related("queue", "assign_user", "assign_team")
            .prefetch_related("add_tags", "attachments")
            .get(pk=int(shortcut_id))
        )
    except (ValueError, TypeError, Shortcut.DoesNotExist):
        raise Http404 from None


@dataclass(frozen=True)
class MenuItem:
    shortcut: Shortcut
    label: str  # the name, with its snippets in the agent's language
    category: str  # "Billing › Refunds", or ""
    preview: str


def _snippet_lookup(names: Iterable[str], languages: Iterable[str]) -> Callable[[str, str], str | None]:
    """One query for every snippet a page of shortcuts names, in the languages asked for."""
    wanted = {name.lower() for name in names}
    texts: dict[tuple[str, str], str] = {}
    if wanted:
        rows = SnippetTranslation.objects.annotate(lower_name=Lower("snippet__name")).filter(
            lower_name__in=wanted, language__in=set(languages)
        )
        for lower_name, language, text in rows.values_list("lower_name", "language", "text"):
            texts[(lower_name, language)] = text
    return lambda name, language: texts.get((name.lower(), language))


def shortcut_menu(*, user: User, query: str = "", limit: int = MENU_LIMIT) -> list[MenuItem]:
    """The shortcuts ``user`` may use whose name or message holds ``query`` (a snippet's text
    counts as part of the name and message that use it); names starting with it first.
    A fixed number of queries however many match: shortcuts, then their snippets' texts."""
    query = query.strip().lstrip("#").strip()[:100]
    localization = localization_get()
    languages = {user.language, localization.default_language}
    # Categories come from one small query below, not joined in: a join before the sort
    # would touch every matching shortcut, the sort and LIMIT only twenty.
    shortcuts = shortcuts_visible_to(user).only("id", "name", "message_html", "category_id", "snippet_names")
    if query:
        snippet_names = (
            SnippetTranslation.objects.filter(text__icontains=query, language__in=languages)
            .annotate(lower_name=Lower("snippet__name"))
            .values_list("lower_name", flat=True)[:50]
        )
        shortcuts = shortcuts.filter(
            Q(search_text__contains=query.lower()) | Q(snippet_names__overlap=list(snippet_names))
        ).annotate(starts=Case(When(name__istartswith=query, then=Value(0)), default=Value(1)))
        shortcuts = shortcuts.order_by("starts", Lower("name"))
    else:
        shortcuts = shortcuts.order_by(Lower("name"))
    found = list(shortcuts[:limit])
    paths = (
        {node.category.pk: node.path for node in category_tree()} if any(s.category_id for s in found) else {}
    )
    lookup = _snippet_lookup({n for s in found for n in s.snippet_names}, languages)
    items = []
    for shortcut in found:
        label = shortcut.name
        if "[[" in label:
            try:
                label = (
                    compile_template(label)
                    .render(
                        {},
                        escape="text",
                        snippets=lookup,
                        language=user.language,
                        default_language=localization.default_language,
                    )
                    .text.strip()
                    or shortcut.name
                )
            except TemplateError:
                label = shortcut.name
        preview = " ".join(html_to_text(shortcut.message_html).split())
        items.append(MenuItem(shortcut, label, paths.get(shortcut.category_id or 0, ""), preview[:140]))
    return items


def shortcut_attachment_for(user: Any, attachment_id: Any) -> ShortcutAttachment | None:
    """A shortcut's file, for someone who may use the shortcut or manage it in Settings."""
    try:
        pk = int(attachment_id)
    except (TypeError, ValueError):
        return None
    if not getattr(user, "is_authenticated", False):
        return None
    capabilities = user.capabilities
    shortcuts: QuerySet[Shortcut] = Shortcut.objects.none()
    if Capability.SEND_MESSAGES in capabilities or Capability.ADD_NOTES in capabilities:
        shortcuts = shortcuts_visible_to(user)  # they write replies and notes: they use shortcuts
    if Capability.MANAGE_SHORTCUTS in capabilities:
        shortcuts = shortcuts | shortcuts_manageable_by(user)
    return ShortcutAttachment.objects.filter(pk=pk, shortcut__in=shortcuts.values("pk")).first()


def shortcut_attachment_ref(user: User, key: str) -> AttachmentRef | None:
    """The reply editor's resolver for ``shortcut:<id>``: only files of shortcuts the user may use."""
    attachment = ShortcutAttachment.objects.filter(
        pk=int(key) if key.isdigit() else 0, shortcut__in=shortcuts_visible_to(user).values("pk")
    ).first()
    if attachment is None:
        return None

    def open_file() -> UploadedFile:
        return UploadedFile(
            file=attachment.file.open("rb"),
            name=attachment.filename,
            content_type=attachment.content_type,
            size=attachment.size,
        )

    return AttachmentRef(
        ref=f"shortcut:{attachment.pk}",
        filename=attachment.filename,
        size=attachment.size,
        content_type=attachment.content_type,
        open=open_file,
    )


# --- Snippet ↔ shortcut links ----------------------------------------------------------------


@dataclass(frozen=True)
class SnippetUses:
    """The shortcuts that use a snippet: those the viewer may manage, and a count of the rest
    (other people's private shortcuts, never named)."""

    shortcuts: tuple[Shortcut, ...] = ()
    hidden: int = 0

    @property
    def total(self) -> int:
        return len(self.shortcuts) + self.hidden


NO_USES = SnippetUses()


def snippet_uses(*, user: Any, names: Iterable[str]) -> dict[str, SnippetUses]:
    """For each snippet name (keyed lower case), the shortcuts using it; one query for a whole
    page of snippets. Whether the viewer may manage each one is asked of
    shortcuts_manageable_by (a correlated EXISTS), so the rule lives in one place."""
    wanted = sorted({name.lower() for name in names})
    if not wanted:
        return {}
    manageable = shortcuts_manageable_by(user).filter(pk=OuterRef("pk"))
    shortcuts = (
        Shortcut.objects.filter(snippet_names__overlap=wanted)
        .annotate(manageable=Exists(manageable))
        .only("id", "name", "snippet_names")
        .order_by(Lower("name"))
    )
    named: dict[str, list[Shortcut]] = {name: [] for name in wanted}
    hidden: dict[str, int] = dict.fromkeys(wanted, 0)
    for shortcut in shortcuts:
        for name in shortcut.snippet_names:
            if name not in named:
                continue
            if getattr(shortcut, "manageable", False):
                named[name].append(shortcut)
            else:
                hidden[name] += 1
    return {name: SnippetUses(tuple(named[name]), hidden[name]) for name in wanted}


# --- Snippets & Dynamic Text, the editors' panel ---------------------------------------------

EDITOR_PANEL_SNIPPET_LIMIT = 20


def _text_html(text: str) -> str:
    """A snippet's plain text as the HTML the editor inserts: escaped, line breaks kept."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "<br>".join(html.escape(line, quote=True) for line in lines)


@dataclass(frozen=True)
class SnippetTextChoice:
    language: str
    label: str
    html: str


@dataclass(frozen=True)
class EditorSnippet:
    snippet: Snippet
    texts: list[SnippetTextChoice]  # the enabled languages it has, the default first
    chosen: SnippetTextChoice | None  # what inserting puts in
    has_default: bool


def snippet_list_for_editor(
    *, query: str = "", localization: LocalizationSettings, language: str | None = None
) -> list[EditorSnippet]:
    """The Snippets tab: snippets by name ("sn." optional in the search), each with its texts
    (one query for the snippets and one for their texts, however many). ``language`` is the
    recipient's: a snippet inserts in it when it is enabled and the snippet has it, else in
    the default language (else, for a snippet missing its default text, the first it has).
    Texts in languages no longer enabled are kept by the settings but never offered."""
    needle = query.strip()
    if needle.lower().startswith("sn."):
        needle = needle[3:]
    snippets = Snippet.objects.prefetch_related(
        Prefetch("translations", queryset=SnippetTranslation.objects.order_by("language"))
    ).order_by(Lower("name"))
    if needle:
        snippets = snippets.filter(name__icontains=needle)
    order = localization.languages_in_order
    labels = dict(language_choices())
    rows = []
    for snippet in snippets[:EDITOR_PANEL_SNIPPET_LIMIT]:
        by_language = {t.language: t.text for t in snippet.translations.all()}
        codes = [c for c in order if c in by_language]
        texts = [SnippetTextChoice(c, labels.get(c, c), _text_html(by_language[c])) for c in codes]
        chosen_code = next(
            (c for c in (language, localization.default_language) if c in codes),
            codes[0] if codes else None,
        )
        chosen = next((t for t in texts if t.language == chosen_code), None)
        rows.append(EditorSnippet(snippet, texts, chosen, localization.default_language in by_language))
    return rows


DYNAMIC_TEXT_GROUPS = ("Customer", "Conversation", "Current User", "Custom attributes")


@dataclass(frozen=True)
class DynamicTextRow:
    option: DynamicText
    value_html: str | None = None  # this conversation's value (reply editor), escaped HTML
    value_text: str = ""  # the same as plain text, for the list


@dataclass(frozen=True)
class DynamicTextGroup:
    name: str
    rows: list[DynamicTextRow]


def dynamic_text_for_editor(
    *, conversation: Conversation | None = None, user: Any = None, query: str = ""
) -> list[DynamicTextGroup]:
    """The Dynamic Text tab, grouped. In the shortcut editor (no conversation): every option,
    to insert as a token. In the reply editor: Customer and Conversation options only (the
    seed's timeline rule), each with its value for this conversation rendered by the template
    engine, so what is inserted is exactly what is sent. The queries do not grow with the
    options: the context is built once (a few lazy queries) and every value read from it."""
    options = dynamic_text_options(conversation=conversation, timeline=conversation is not None, query=query)
    context = template_context(conversation=conversation, user=user) if conversation is not None else None
    groups: dict[str, list[DynamicTextRow]] = {name: [] for name in DYNAMIC_TEXT_GROUPS}
    for option in options:
        row = DynamicTextRow(option)
        if context is not None:
            template = compile_template(option.token)
            value = template.render(context, escape="html").text
            value_html = value.replace("\r\n", "\n").replace("\n", "<br>")
            row = DynamicTextRow(option, value_html, template.render(context, escape="text").text)
        group = "Custom attributes" if ".custom." in option.path else option.group
        groups.setdefault(group, []).append(row)
    return [DynamicTextGroup(name, rows) for name, rows in groups.items() if rows]
