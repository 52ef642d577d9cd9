import datetime as dt

import pytest

from shortcuts.template_language import DateFormatError, compile_template, format_moment

RESERVATION = dt.datetime(2019, 1, 18, tzinfo=dt.UTC)
AFTERNOON = dt.datetime(2019, 1, 18, 13, 5, 7, tzinfo=dt.UTC)


def date_format(arguments: str, value: object = RESERVATION) -> str:
    return compile_template("{{dateFormat d " + arguments + "}}").render({"d": value}, escape="text").text


@pytest.mark.parametrize(
    ("locale", "long", "medium"),
    [
        ("en-us", "January 18, 2019", "Jan 18, 2019"),
        ("en-gb", "18 January 2019", "18 Jan 2019"),
        ("fr", "18 janvier 2019", "18 janv. 2019"),
        ("de", "18. Januar 2019", "18. Jan. 2019"),
        ("es", "18 de enero de 2019", "18 ene 2019"),
        ("pt-br", "18 de janeiro de 2019", "18 de jan. de 2019"),
        ("ja", "2019年1月18日", "2019年1月18日"),
    ],
)
def test_it_formats_ll_and_ll_short_per_locale(locale: str, long: str, medium: str) -> None:
    assert date_format(f'locale="{locale}"') == long
    assert date_format(f'format="ll" locale="{locale}"') == medium


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("LT", "1:05 PM"),
        ("LTS", "1:05:07 PM"),
        ("L", "1/18/2019"),
        ("l", "1/18/2019"),
        ("LLL", "January 18, 2019 1:05 PM"),
        ("lll", "Jan 18, 2019 1:05 PM"),
        ("LLLL", "Friday, January 18, 2019 1:05 PM"),
        ("llll", "Fri, Jan 18, 2019 1:05 PM"),
    ],
)
def test_it_formats_localized_tokens_in_en_us(fmt: str, expected: str) -> None:
    assert format_moment(AFTERNOON, fmt) == expected


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [("LT", "13:05"), ("L", "18/01/2019"), ("LLLL", "Friday, 18 January 2019 13:05")],
)
def test_it_formats_localized_tokens_in_en_gb(fmt: str, expected: str) -> None:
    assert format_moment(AFTERNOON, fmt, locale="en-gb") == expected


def test_it_formats_de_numeric_date() -> None:
    assert format_moment(AFTERNOON, "L", locale="de") == "18.01.2019"


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("YYYY-MM-DD", "2019-01-18"),
        ("YY M D", "19 1 18"),
        ("MMMM MMM", "January Jan"),
        ("dddd ddd d", "Friday Fri 5"),
        ("Do", "18th"),
        ("HH:mm:ss", "13:05:07"),
        ("H h hh m s", "13 1 01 5 7"),
        ("A a", "PM pm"),
        ("Z ZZ z", "+00:00 +0000 UTC"),
        ("[Today is] dddd", "Today is Friday"),
        ("YYYY/%!", "2019/%!"),
    ],
)
def test_it_formats_explicit_tokens(fmt: str, expected: str) -> None:
    assert format_moment(AFTERNOON, fmt) == expected


@pytest.mark.parametrize(
    ("day", "expected"), [(1, "1st"), (2, "2nd"), (3, "3rd"), (11, "11th"), (22, "22nd")]
)
def test_it_writes_english_ordinals(day: int, expected: str) -> None:
    assert format_moment(dt.date(2019, 1, day), "Do") == expected


def test_it_uses_babel_names_for_other_locales() -> None:
    assert format_moment(AFTERNOON, "dddd D MMMM", locale="fr") == "vendredi 18 janvier"
    assert format_moment(AFTERNOON, "dddd, Do MMMM", locale="de") == "Freitag, 18. Januar"


def test_it_converts_to_the_timezone_with_offset_and_abbreviation() -> None:
    text = format_moment(RESERVATION, "YYYY-MM-DD HH:mm z Z", timezone="America/Los_Angeles")
    assert text == "2019-01-17 16:00 PST -08:00"


def test_it_uses_daylight_saving_abbreviations() -> None:
    summer = dt.datetime(2019, 7, 1, 12, tzinfo=dt.UTC)
    assert format_moment(summer, "HH:mm z", timezone="Europe/London") == "13:00 BST"


def test_it_treats_a_naive_datetime_as_utc() -> None:
    naive = dt.datetime(2019, 1, 18)  # noqa: DTZ001 - naive on purpose
    assert format_moment(naive, "LL z", timezone="America/Los_Angeles") == "January 17, 2019 PST"


def test_it_keeps_a_plain_date_on_its_day_in_any_timezone() -> None:
    assert date_format('timezone="America/Los_Angeles"', dt.date(2019, 1, 18)) == "January 18, 2019"


def test_it_reads_an_iso_date_string_as_a_calendar_date() -> None:
    assert date_format('timezone="America/Los_Angeles"', "2019-01-18") == "January 18, 2019"


def test_it_reads_an_iso_datetime_with_offset() -> None:
    assert date_format('format="LLL"', "2019-01-18T10:30:00+02:00") == "January 18, 2019 8:30 AM"


def test_it_reads_epoch_milliseconds() -> None:
    assert date_format('format="LLL"', 1547769600000) == "January 18, 2019 12:00 AM"


@pytest.mark.parametrize("value", ["not a date", True, float("nan"), 10**30, {"a": 1}, None])
def test_it_reports_values_that_are_not_dates(value: object) -> None:
    result = compile_template("{{dateFormat d}}").render({"d": value})
    assert result.text == ""
    assert result.unknown == ["d"]


@pytest.mark.parametrize("locale", ["klingon", "xx-zz", "../../etc", ""])
def test_it_rejects_unknown_locales(locale: str) -> None:
    with pytest.raises(DateFormatError):
        format_moment(RESERVATION, locale=locale)


@pytest.mark.parametrize("zone", ["Mars/Olympus", "/etc/passwd", "../UTC", "PST8PDT "])
def test_it_rejects_unknown_timezones(zone: str) -> None:
    with pytest.raises(DateFormatError):
        format_moment(RESERVATION, timezone=zone)


def test_it_accepts_locale_ids_in_any_case() -> None:
    assert format_moment(RESERVATION, locale="EN-GB") == "18 January 2019"
    assert format_moment(RESERVATION, locale="pt_BR") == "18 de janeiro de 2019"
