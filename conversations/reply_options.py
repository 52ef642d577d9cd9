"""Choices the reply editor offers that higher apps provide (conversations never imports them).

messaging registers the organisation's sender addresses in its AppConfig.ready(); without
any registered, an email goes out from DEFAULT_FROM_EMAIL.
"""

from __future__ import annotations

from collections.abc import Callable
from email.utils import parseaddr

from django.conf import settings

SenderChoices = Callable[[], list[tuple[str, str]]]

_sender_sources: list[SenderChoices] = []


def register_sender_choices(source: SenderChoices) -> None:
    """``source()`` returns [(address, label)], the default address first."""
    if source not in _sender_sources:
        _sender_sources.append(source)


def default_sender() -> tuple[str, str]:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL
    return address, settings.DEFAULT_FROM_EMAIL


def sender_choices() -> list[tuple[str, str]]:
    """The From addresses an email reply may use, the default first (never empty)."""
    choices: list[tuple[str, str]] = []
    for source in _sender_sources:
        choices += source()
    return choices or [default_sender()]


# Email templates (messaging registers them): [(id as str, name)], the default first.
TemplateChoices = Callable[[], list[tuple[str, str]]]
_template_sources: list[TemplateChoices] = []


def register_template_choices(source: TemplateChoices) -> None:
    if source not in _template_sources:
        _template_sources.append(source)


def template_choices() -> list[tuple[str, str]]:
    """The email templates a reply may use, the default first; empty when there are none."""
    choices: list[tuple[str, str]] = []
    for source in _template_sources:
        choices += source()
    return choices
