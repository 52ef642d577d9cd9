"""core.links and `{% id_url %}`: the same URLs as `reverse()` and `{% url %}`, reversed once."""

from __future__ import annotations

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import override_settings
from django.urls import NoReverseMatch, reverse, set_script_prefix

from core.links import id_url, id_url_maker


@pytest.mark.parametrize(
    "name",
    ["conversations:conversation_detail", "conversations:merge", "messaging:forward", "shortcuts:menu"],
)
def test_a_url_with_an_id_is_what_reverse_gives(name: str) -> None:
    for pk in (1, 42, 987654321, 10**12):
        assert id_url(name, pk) == reverse(name, args=[pk])
    assert id_url_maker(name)(7) == reverse(name, args=[7])


def test_a_url_without_arguments_is_what_reverse_gives() -> None:
    assert id_url("accounts:logout") == reverse("accounts:logout")


def test_a_numeric_string_is_an_id() -> None:
    assert id_url("conversations:merge", "12") == reverse("conversations:merge", args=[12])


@pytest.mark.parametrize("pk", [None, "", "12a", 1.5, True, -3, "-3"])
def test_anything_but_an_integer_id_is_refused_as_url_does(pk: object) -> None:
    with pytest.raises(NoReverseMatch):
        id_url("conversations:merge", pk)


def test_an_unknown_name_is_refused() -> None:
    with pytest.raises(NoReverseMatch):
        id_url("conversations:no_such_page", 1)


def test_each_script_prefix_gets_its_own_urls() -> None:
    try:
        set_script_prefix("/support/")
        assert id_url("conversations:merge", 5) == reverse("conversations:merge", args=[5])
        assert id_url("conversations:merge", 5).startswith("/support/")
    finally:
        set_script_prefix("/")
    assert not id_url("conversations:merge", 5).startswith("/support/")


@override_settings(ROOT_URLCONF="tests.core.urls_elsewhere")
def test_each_urlconf_gets_its_own_urls() -> None:
    assert id_url("conversations:merge", 5) == reverse("conversations:merge", args=[5])
    assert id_url("conversations:merge", 5).startswith("/elsewhere/")


class TestTemplateTag:
    def render(self, source: str, **context: object) -> str:
        return Template("{% load links %}" + source).render(Context(context))

    def test_it_prints_what_url_prints(self) -> None:
        both = self.render(
            "{% id_url 'conversations:merge' c.pk %}|{% url 'conversations:merge' c.pk %}", c={"pk": 31}
        )
        first, second = both.split("|")
        assert first == second == reverse("conversations:merge", args=[31])

    def test_it_prints_a_url_without_arguments(self) -> None:
        assert self.render("{% id_url 'accounts:logout' %}") == reverse("accounts:logout")

    def test_an_unknown_variable_fails_like_url_does(self) -> None:
        with pytest.raises(NoReverseMatch):
            self.render("{% id_url 'conversations:merge' missing.pk %}")

    def test_two_ids_are_refused(self) -> None:
        with pytest.raises(TemplateSyntaxError):
            self.render("{% id_url 'conversations:tag_remove' 1 2 %}")
