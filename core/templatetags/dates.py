"""`{{ value|local_date:"M j, H:i" }}`: Django's `date` filter, faster, for the formats
pages print in every row.

`date` re-reads the format, builds a DateFormat and translates the month name on every call
(~14 µs); the inbox prints 25 dates a page and the conversation view about 20, every poll
included. This filter splits a format once, translates the twelve month names once per
language, and hands any format character it does not know to `date`, so its output is
always `date`'s (tests/core/test_dates.py compares them).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import cache

from django import template
from django.template.defaultfilters import date as django_date
from django.utils.dates import MONTHS_3
from django.utils.translation import get_language

register = template.Library()

# The format characters this filter prints itself, and how; any other goes to `date`.
_PRINTERS: dict[str, Callable[[datetime.datetime, tuple[str, ...]], str]] = {
    "M": lambda value, months: months[value.month],
    "j": lambda value, months: str(value.day),
    "Y": lambda value, months: f"{value.year:04d}",
    "H": lambda value, months: f"{value.hour:02d}",
    "i": lambda value, months: f"{value.minute:02d}",
}


@cache
def _tokens(format_string: str) -> tuple[str, ...] | None:
    """The format as tokens (a format character, or a run of literal text), or None when
    `date` must print it (an escape, or a format character not in _PRINTERS)."""
    if "\\" in format_string:
        return None
    tokens: list[str] = []
    for char in format_string:
        if char.isalpha():
            if char not in _PRINTERS:
                return None
            tokens.append(char)
        elif tokens and not tokens[-1].isalpha():
            tokens[-1] += char  # literal text continues
        else:
            tokens.append(char)
    return tuple(tokens)


@cache
def _months(language: str | None) -> tuple[str, ...]:
    # Keyed by the active language, which str() of the lazy month names translates to.
    return ("", *(str(MONTHS_3[month]).title() for month in range(1, 13)))


@register.filter(expects_localtime=True, is_safe=False)
def local_date(value: object, format_string: str) -> str:
    tokens = _tokens(format_string)
    if tokens is None or not isinstance(value, datetime.datetime):
        return str(django_date(value, format_string))  # type: ignore[arg-type]  # it takes anything
    months = _months(get_language())
    return "".join(_PRINTERS[t](value, months) if t in _PRINTERS else t for t in tokens)
