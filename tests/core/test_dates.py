"""`|local_date` prints what Django's `|date` prints, in any language and time zone."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from core.templatetags.dates import local_date

FORMATS = ["M j, H:i", "M j, Y", "M j, Y H:i", "D, j M Y H:i T", "D, j M Y H:i:s O", r"j \d\e M", "N j"]
MOMENTS = [
    datetime.datetime(2026, 1, 5, 0, 7, tzinfo=datetime.UTC),
    datetime.datetime(2026, 5, 31, 23, 59, tzinfo=datetime.UTC),  # the next day east of UTC
    datetime.datetime(2026, 9, 12, 9, 30, 15, tzinfo=datetime.UTC),
    datetime.datetime(999, 12, 31, 12, 0, tzinfo=datetime.UTC),  # a year of three digits
]


def both(value: object, format_string: str) -> tuple[str, str]:
    source = "{% load dates %}{{ value|local_date:fmt }}|{{ value|date:fmt }}"
    first, second = Template(source).render(Context({"value": value, "fmt": format_string})).split("|")
    return first, second


@pytest.mark.parametrize("language", ["en", "fr", "de", "ja"])
@pytest.mark.parametrize("zone", ["UTC", "Asia/Tokyo", "America/Los_Angeles"])
def test_it_matches_the_date_filter(language: str, zone: str) -> None:
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
        for moment in MOMENTS:
            for format_string in FORMATS:
                mine, djangos = both(moment, format_string)
                assert mine == djangos, (language, zone, moment, format_string)


def test_it_shows_the_month_of_the_active_language() -> None:
    moment = datetime.datetime(2026, 2, 3, 10, 0, tzinfo=datetime.UTC)
    with translation.override("en"):
        english = local_date(moment, "M j")
    with translation.override("fr"):
        french = local_date(moment, "M j")
    assert english == "Feb 3"
    assert french == "Fév 3"


@pytest.mark.parametrize("value", [None, "", "not a date", datetime.date(2026, 3, 4)])
def test_anything_but_a_datetime_goes_to_the_date_filter(value: object) -> None:
    mine, djangos = both(value, "M j, Y")
    assert mine == djangos
