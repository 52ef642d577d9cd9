"""Reads for tags: the Add Tag suggestions and Settings > Workspace > Tags."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, IntegerField, QuerySet, Value, When
from django.db.models.functions import Lower
from django.http import Http404

from conversations.models import TAG_NAME_MAX, Conversation, ConversationTag, Tag

SUGGESTION_LIMIT = 10


def tag_links_for_conversation(conversation: Conversation) -> list[ConversationTag]:
    return list(ConversationTag.objects.filter(conversation=conversation).select_related("tag"))


@dataclass
class TagSuggestions:
    query: str = ""
    tags: list[Tag] = field(default_factory=list)
    hint: str = ""


def tag_list_for_suggestions(*, conversation: Conversation, query: str) -> TagSuggestions:
    """Active tags not on the conversation, names starting with the query first; and what Tab would do."""
    query = " ".join(query.split())[: TAG_NAME_MAX * 2]
    tags = Tag.objects.filter(is_active=True).exclude(conversation_links__conversation=conversation)
    if query:
        starts = Case(
            When(name__istartswith=query, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        tags = tags.filter(name__icontains=query).annotate(starts=starts).order_by("starts", Lower("name"))
    else:
        tags = tags.order_by(Lower("name"))
    result = TagSuggestions(query=query, tags=list(tags[:SUGGESTION_LIMIT]))
    if query:
        same = Tag.objects.filter(name__iexact=query).first()
        if same is None:
            result.hint = f"Press Tab to create “{query}”."
        elif not same.is_active:
            result.hint = f"“{same.name}” is deactivated: it can't be added."
        elif same not in result.tags:
            result.hint = f"“{same.name}” is already on this conversation."
    return result


def tag_list_for_settings() -> QuerySet[Tag]:
    """Every tag, active or not, with how many conversations carry it (one query per page)."""
    return Tag.objects.annotate(conversation_count=Count("conversation_links")).order_by(Lower("name"), "id")


def access_tag_for_settings(tag_id: Any) -> Tag:
    """Callers have checked MANAGE_WORKSPACE (the decorator); every tag is theirs to manage."""
    tag = tag_list_for_settings().filter(pk=tag_id).first()
    if tag is None:
        raise Http404
    return tag
