"""URLs reversed once per process: for links printed many times a page.

`reverse()` matches the arguments against the URL pattern on every call: 15-40 µs, and a
conversation page prints about fifty links. A URL whose only argument is an integer id is
reversed once with a stand-in id, split around it, and filled in afterwards; a URL without
arguments is reversed once. Both are keyed by the script prefix and the URLconf in use, so
a test's `override_settings(ROOT_URLCONF=...)` or a sub-path deployment gets its own.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

_STAND_IN_ID = 987654321


def _urlconf() -> str:
    # A request's own URLconf (request.urlconf), else the setting, which tests may override.
    return str(get_urlconf() or settings.ROOT_URLCONF)


@cache
def _parts(name: str, with_id: bool, script_prefix: str, urlconf: str) -> tuple[str, str]:
    if not with_id:
        return reverse(name, urlconf=urlconf), ""
    url = reverse(name, urlconf=urlconf, args=[_STAND_IN_ID])
    head, found, tail = url.partition(str(_STAND_IN_ID))
    if not found or str(_STAND_IN_ID) in tail:
        raise NoReverseMatch(f"{name} does not print its id once as it is: reverse() it instead")
    return head, tail


def id_url_maker(name: str) -> Callable[[int], str]:
    """A function from an id to `reverse(name, args=[id])`, for a URL with one integer argument."""
    head, tail = _parts(name, True, get_script_prefix(), _urlconf())
    return lambda pk: f"{head}{int(pk)}{tail}"


_NO_ID = object()


def id_url(name: str, pk: object = _NO_ID) -> str:
    """`reverse(name, args=[pk])`, or `reverse(name)` without a pk, reversed once per process.

    A pk that is not an integer (None, an unknown template variable) raises NoReverseMatch,
    as `{% url %}` does."""
    if pk is _NO_ID:
        return _parts(name, False, get_script_prefix(), _urlconf())[0]
    if isinstance(pk, bool) or not isinstance(pk, int | str):
        raise NoReverseMatch(f"{name} needs an integer id, not {pk!r}")
    try:
        number = int(pk)
    except ValueError:
        number = -1
    if number < 0:  # as the paths' <int:...> converters, which take digits only
        raise NoReverseMatch(f"{name} needs an integer id, not {pk!r}")
    head, tail = _parts(name, True, get_script_prefix(), _urlconf())
    return f"{head}{number}{tail}"
