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
from functools import cache

from django import template
from django.template.defaultfilters import date as django_date
from django.utils.dates import MONTHS_3
from django.utils.translation import get_language

register = template.Library()

_KNOWN = frozenset("MjYHi")
_ESCAPE = "\\"


@cache
def _tokens(format_string: str) -> tuple[str, ...] | None:
    """The format as tokens ("M", "j", ... or literal text), or None when `date` must do it."""
    if _ESCAPE in format_string:
        return None
    tokens: list[str] = []
    for char in format_string:
        if char.isalpha():
            if char not in _KNOWN:
                return None
            tokens.append(char)
        elif tokens and len(tokens[-1]) and not tokens[-1].isalpha():
            tokens[-1] += char
        else:
            tokens.append(char)
    return tuple(tokens)


@cache
def _months(language: str | None) -> tuple[str, ...]:
    return ("", *(str(MONTHS_3[month]).title() for month in range(1, 13)))


def _part(piece: str, value: datetime.datetime, months: tuple[str, ...]) -> str:
    if piece == "M":
        return months[value.month]
    if piece == "j":
        return str(value.day)
    if piece == "Y":
        return f"{value.year:04d}"
    if piece == "H":
        return f"{value.hour:02d}"
    if piece == "i":
        return f"{value.minute:02d}"
    return piece


@register.filter(expects_localtime=True, is_safe=False)
def local_date(value: object, format_string: str) -> str:
    tokens = _tokens(format_string)
    if tokens is None or not isinstance(value, datetime.datetime):
        return str(django_date(value, format_string))  # type: ignore[arg-type]  # it takes anything
    months = _months(get_language())
    return "".join(_part(piece, value, months) for piece in tokens)
