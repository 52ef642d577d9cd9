"""Reads for the inbox, the timeline, the conversation view, notes, tags and the workspace.

`access_*` return the object or raise Http404 (missing and not-yours look the same), and
raise PermissionDenied when it is visible but the user may not change it.
"""

from conversations.selectors.conversations import (
    INBOX_VIEWS,
    ROW_FIELDS,
    SORTS,
    FeedItem,
    InboxFilters,
    TimelineEntry,
    access_attachment,
    access_conversation,
    access_customer,
    conversation_feed,
    conversation_list_for_inbox,
    customer_events,
    customer_list,
    customers_visible_to,
    details_choices,
    inbox_filter_choices,
    timeline_conversations,
    timeline_entries,
    unread_notification_count,
    user_suggestions,
    with_list_relations,
)
from conversations.selectors.notes import (
    MENTION_SUGGESTIONS,
    access_note,
    mention_candidates,
    notifications_for,
)
from conversations.selectors.tags import (
    SUGGESTION_LIMIT,
    TagSuggestions,
    access_tag_for_settings,
    tag_links_for_conversation,
    tag_list_for_settings,
    tag_list_for_suggestions,
)
from conversations.selectors.workspace import (
    access_sub_status_for_settings,
    sub_status_counts,
    sub_status_list_for_settings,
)

__all__ = [
    "access_conversation",
    "customers_visible_to",
    "access_customer",
    "access_attachment",
    "INBOX_VIEWS",
    "SORTS",
    "InboxFilters",
    "conversation_list_for_inbox",
    "ROW_FIELDS",
    "with_list_relations",
    "inbox_filter_choices",
    "timeline_conversations",
    "customer_events",
    "TimelineEntry",
    "timeline_entries",
    "FeedItem",
    "conversation_feed",
    "details_choices",
    "customer_list",
    "unread_notification_count",
    "user_suggestions",
    "MENTION_SUGGESTIONS",
    "access_note",
    "mention_candidates",
    "notifications_for",
    "SUGGESTION_LIMIT",
    "tag_links_for_conversation",
    "TagSuggestions",
    "tag_list_for_suggestions",
    "tag_list_for_settings",
    "access_tag_for_settings",
    "sub_status_list_for_settings",
    "sub_status_counts",
    "access_sub_status_for_settings",
]
