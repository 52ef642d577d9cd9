"""Moment.js-style date formatting on top of Babel's CLDR data.

Localized tokens (``LT LTS L LL LLL LLLL l ll lll llll``) are mapped to Babel's
per-locale patterns, so every locale gets its own CLDR layout. Explicit tokens
(``YYYY MMMM Do`` ...) follow Moment.js, with month, day and AM/PM names from Babel.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import zoneinfo

from babel import Locale, UnknownLocaleError
from babel.dates import (
    format_date,
    format_skeleton,
    format_time,
    get_date_format,
    get_day_names,
    get_month_names,
    get_period_names,
)

DEFAULT_FORMAT = "LL"
DEFAULT_LOCALE = "en-us"
DEFAULT_TIMEZONE = "UTC"
MAX_FORMAT_LENGTH = 200

# Longest alternatives first: the regex picks the first that matches at each position.
_TOKEN_RE = re.compile(
    r"\[[^\]]*\]|LTS|LT|LLLL|LLL|LL|L|llll|lll|ll|l|YYYY|YY|MMMM|MMM|MM|M|Do|DD|D|dddd|ddd|d"
    r"|HH|H|hh|h|mm|m|ss|s|A|a|zz|z|ZZ|Z|.",
    re.DOTALL,
)
_YEAR_RE = re.compile(r"y+")
_LOCALE_RE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8}){0,2}$")
# CLDR uses narrow/no-break spaces (e.g. "12:00\u202fAM"); messages want plain spaces.
_SPACES = str.maketrans({"\u202f": " ", "\u00a0": " "})


class DateFormatError(ValueError):
    """An invalid locale, time zone or format argument."""


@functools.cache
def resolve_locale(tag: str) -> Locale:
    """Parse a Moment-style locale id ("en-us", "pt-BR", "fr") into a Babel Locale."""
    if not _LOCALE_RE.match(tag):
        raise DateFormatError(f"unknown locale {tag!r}")
    parts = re.split(r"[-_]", tag)
    parts[0] = parts[0].lower()
    parts[1:] = [p.upper() if len(p) == 2 else p.title() for p in parts[1:]]
    try:
        return Locale.parse("_".join(parts))
    except (UnknownLocaleError, ValueError) as exc:
        raise DateFormatError(f"unknown locale {tag!r}") from exc


@functools.cache
def _available_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones()) | {"UTC"}


@functools.cache
def resolve_timezone(name: str) -> zoneinfo.ZoneInfo:
    """Return the IANA zone called ``name``; only names from the tz database are accepted."""
    if name not in _available_timezones():
        raise DateFormatError(f"unknown time zone {name!r}")
    return zoneinfo.ZoneInfo(name)


def validate_format(fmt: str) -> None:
    if len(fmt) > MAX_FORMAT_LENGTH:
        raise DateFormatError(f"format is longer than {MAX_FORMAT_LENGTH} characters")


def coerce_datetime(value: object) -> dt.datetime | dt.date | None:
    """Turn a context value into an aware datetime (or a date); None when it is not a date.

    Accepts datetimes (naive means UTC), dates, ISO-8601 strings and epoch seconds or
    milliseconds (numbers above 1e11 are taken as milliseconds).
    """
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        if isinstance(value, int) and abs(value) > 10**15 or not math.isfinite(value):
            return None
        seconds = value / 1000 if abs(value) > 1e11 else value
        try:
            return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str) and 0 < len(value) <= 64:
        try:
            parsed = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return None
        if len(value.strip()) == 10:  # "2019-01-18": a calendar date, not an instant
            return parsed.date()
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)
    return None


def _localized(part: str, moment: dt.datetime, locale: Locale) -> str:
    day = moment.date()
    time = moment.time().replace(tzinfo=None)
    if part == "LT":
        return format_time(time, "short", locale=locale)
    if part == "LTS":
        return format_time(time, "medium", locale=locale)
    if part == "L":  # the short numeric date with a four-digit year, like Moment
        pattern = _YEAR_RE.sub("y", get_date_format("short", locale=locale).pattern)
        return format_date(day, pattern, locale=locale)
    if part == "l":
        return format_skeleton("yMd", day, locale=locale, fuzzy=False)
    if part in ("LL", "LLL"):
        text = format_date(day, "long", locale=locale)
    elif part == "LLLL":
        text = format_date(day, "full", locale=locale)
    elif part in ("ll", "lll"):
        text = format_skeleton("yMMMd", day, locale=locale, fuzzy=False)
    else:  # llll
        text = format_skeleton("yMMMEd", day, locale=locale, fuzzy=False)
    if part in ("LL", "ll"):
        return text
    return f"{text} {format_time(time, 'short', locale=locale)}"


_ORDINAL_SUFFIX = {"de": ".", "es": "º", "pt": "º", "it": "º", "ja": "日", "zh": "日", "ko": "일"}


def _ordinal(day: int, locale: Locale) -> str:
    if locale.language == "en":
        suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
        return f"{day}{suffix}"
    if locale.language == "fr":
        return "1er" if day == 1 else str(day)
    return f"{day}{_ORDINAL_SUFFIX.get(locale.language, '')}"


def _offset(moment: dt.datetime, sep: str) -> str:
    offset = moment.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}{sep}{mins:02d}"


def _token(part: str, moment: dt.datetime, locale: Locale) -> str:  # noqa: C901 - a flat part table
    if part.startswith("[") and part.endswith("]") and len(part) >= 2:
        return part[1:-1]
    if part[0] in "Ll":
        return _localized(part, moment, locale)
    hour12 = moment.hour % 12 or 12
    simple: dict[str, str] = {
        "YYYY": f"{moment.year:04d}",
        "YY": f"{moment.year % 100:02d}",
        "MM": f"{moment.month:02d}",
        "M": str(moment.month),
        "DD": f"{moment.day:02d}",
        "D": str(moment.day),
        "d": str((moment.weekday() + 1) % 7),  # Moment: Sunday is 0
        "HH": f"{moment.hour:02d}",
        "H": str(moment.hour),
        "hh": f"{hour12:02d}",
        "h": str(hour12),
        "mm": f"{moment.minute:02d}",
        "m": str(moment.minute),
        "ss": f"{moment.second:02d}",
        "s": str(moment.second),
    }
    if part in simple:
        return simple[part]
    if part == "MMMM":
        return str(get_month_names("wide", locale=locale)[moment.month])
    if part == "MMM":
        return str(get_month_names("abbreviated", locale=locale)[moment.month])
    if part == "dddd":
        return str(get_day_names("wide", locale=locale)[moment.weekday()])
    if part == "ddd":
        return str(get_day_names("abbreviated", locale=locale)[moment.weekday()])
    if part == "Do":
        return _ordinal(moment.day, locale)
    if part in ("A", "a"):
        key = "am" if moment.hour < 12 else "pm"
        periods = get_period_names("abbreviated", "format", locale=locale)
        period = str(periods.get(key) or key.upper())
        return period if part == "A" else period.lower()
    if part in ("z", "zz"):
        return moment.tzname() or ""
    if part == "Z":
        return _offset(moment, ":")
    if part == "ZZ":
        return _offset(moment, "")
    return part  # Moment passes characters it does not know through unchanged


def format_moment(
    value: dt.datetime | dt.date,
    fmt: str = DEFAULT_FORMAT,
    *,
    locale: str = DEFAULT_LOCALE,
    timezone: str = DEFAULT_TIMEZONE,
) -> str:
    """Format ``value`` with a Moment.js format string in ``locale`` and ``timezone``.

    An aware datetime is converted to ``timezone``; a plain date is a calendar day and is
    shown as midnight in ``timezone`` (converting it would move it to another day).
    Raises DateFormatError for an unknown locale or time zone or an over-long format.
    """
    validate_format(fmt)
    babel_locale = resolve_locale(locale)
    zone = resolve_timezone(timezone)
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
        try:
            moment = aware.astimezone(zone)
        except (OverflowError, ValueError) as exc:
            raise DateFormatError("the date is out of range in this time zone") from exc
    else:
        moment = dt.datetime(value.year, value.month, value.day, tzinfo=zone)
    text = "".join(_token(part, moment, babel_locale) for part in _TOKEN_RE.findall(fmt))
    return text.translate(_SPACES)
