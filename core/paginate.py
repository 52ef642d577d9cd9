from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest


def paginate(request: HttpRequest, queryset: Any, per_page: int = 25) -> Page:
    """One page of a list; a bad or out-of-range page number gives the nearest real page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def query_without_page(request: HttpRequest) -> str:
    """The current filters as a query string, for pagination links that keep them."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


class WindowPage:
    """A page of a list without a total count: one row more than shown tells whether a next
    page exists, so a list of half a million rows never pays for COUNT(*)."""

    def __init__(self, rows: list[Any], number: int, per_page: int) -> None:
        self.object_list = rows[:per_page]
        self.number = number
        self.has_next = len(rows) > per_page
        self.has_previous = number > 1
        self.next_page_number = number + 1
        self.previous_page_number = number - 1
        self.start_index = (number - 1) * per_page + 1 if self.object_list else 0
        self.end_index = self.start_index + len(self.object_list) - 1 if self.object_list else 0

    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def paginate_window(
    request: HttpRequest, queryset: Any, per_page: int = 25, max_page: int = 400
) -> WindowPage:
    raw = request.GET.get("page") or "1"
    number = min(max(int(raw), 1), max_page) if raw.isdigit() else 1
    offset = (number - 1) * per_page
    rows = list(queryset[offset : offset + per_page + 1])
    return WindowPage(rows, number, per_page)
