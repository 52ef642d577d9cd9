"""`{% id_url "conversations:merge" conversation.pk %}`: `{% url %}` for a URL with one
integer id (or none), reversed once per process (core.links). For links printed on every
page and in every row; `{% url %}` stays right for everything else."""

from __future__ import annotations

from django import template

from core import links

register = template.Library()


@register.simple_tag
def id_url(name: str, *pk: object) -> str:
    if len(pk) > 1:
        raise template.TemplateSyntaxError("id_url takes a URL name and at most one id")
    return links.id_url(name, *pk)
