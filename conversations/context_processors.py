"""What every page's chrome needs from conversations: the Notifications badge and pop-up.

Every value is a memoised callable. The template engine calls it when a template uses the
name, so the query runs once on pages that show the badge and never on htmx fragments that
do not (their query-count tests stay exact).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from django.http import HttpRequest

from accounts.capabilities import Capability
from conversations.selectors import notification_badge_counts


def notifications(request: HttpRequest) -> dict[str, Callable[[], Any]]:
    @cache
    def counts() -> dict[str, int]:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return {"unread": 0, "last_id": 0}
        # One query for both: the badge's count and the highest id the pop-up starts after.
        unread, last_id = notification_badge_counts(user)
        return {"unread": unread, "last_id": last_id}

    @cache
    def can_edit_any_note() -> bool:
        # The feed fragment is re-rendered by a view that passes no capabilities; the note's
        # "More options" menu asks here (the note services enforce the same rule).
        user = getattr(request, "user", None)
        return bool(
            user is not None and user.is_authenticated and Capability.UPDATE_CUSTOMERS in user.capabilities
        )

    return {
        "unread_notifications": lambda: counts()["unread"],
        "notification_last_id": lambda: counts()["last_id"],
        "can_edit_any_note": can_edit_any_note,
    }
