"""Email templates: writing them (Settings > Administration > Email Templates), the reply
editor's choices, and wrapping an outbound email's HTML in one.

A template is HTML in the shortcuts' template language with {{message}} where the reply goes.
It is rendered for the conversation's customer (snippets in their language), then the reply's
HTML (already sanitised) takes the slot: the reply itself is never evaluated as a template.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower

from accounts.models import User
from conversations.models import Conversation
from core.audit import audit_record, snapshot
from core.models import AuditEntry
from messaging.models_templates import (
    EMAIL_TEMPLATE_MAX_LENGTH,
    EMAIL_TEMPLATE_NAME_MAX,
    MESSAGE_SLOT,
    EmailTemplate,
)
from shortcuts.context import recipient_language, template_context
from shortcuts.selectors import localization_get, snippet_resolver
from shortcuts.template_language import TemplateError, TemplateSyntaxError, compile_template

CHOICES_KEY = "messaging:email-template-choices"
# PostgreSQL text can hold no NUL, so no stored value can ever forge the slot's marker.
_SLOT_MARKER = "\x00message\x00"
FIELDS = ["name", "purpose", "oldest_first", "html", "is_default"]
Purpose = EmailTemplate.Purpose


def _validate(*, name: str, html: str, exclude_pk: int | None) -> str:
    errors: dict[str, list[str]] = {}
    name = name.strip()
    if not name:
        errors["name"] = ["Enter a name."]
    elif len(name) > EMAIL_TEMPLATE_NAME_MAX:
        errors["name"] = [f"Use at most {EMAIL_TEMPLATE_NAME_MAX} characters."]
    else:
        clash = EmailTemplate.objects.filter(name__iexact=name)
        if exclude_pk is not None:
            clash = clash.exclude(pk=exclude_pk)
        if clash.exists():
            errors["name"] = [f"An email template named “{name}” already exists."]
    if len(html) > EMAIL_TEMPLATE_MAX_LENGTH:
        errors["html"] = [f"Use at most {EMAIL_TEMPLATE_MAX_LENGTH:,} characters."]
    elif html.count(MESSAGE_SLOT) != 1:
        errors["html"] = [f"Put {MESSAGE_SLOT} exactly once, where the reply goes."]
    else:
        try:
            compile_template(html)
        except TemplateSyntaxError as error:
            errors["html"] = [f"Line {error.line}, column {error.column}: {error.message}"]
    if errors:
        raise ValidationError(errors)
    return name


def _make_default(template: EmailTemplate) -> None:
    others = EmailTemplate.objects.filter(purpose=template.purpose, is_default=True).exclude(pk=template.pk)
    others.update(is_default=False)


def _forget_choices() -> None:
    """Now, and again after commit (a reader between the two may have cached the old list)."""
    keys = [f"{CHOICES_KEY}:{purpose}" for purpose in Purpose.values]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


@transaction.atomic
def email_template_create(
    *,
    actor: Any,
    name: str,
    html: str,
    is_default: bool = False,
    purpose: str = Purpose.REPLY,
    oldest_first: bool = False,
) -> EmailTemplate:
    """The first template of its purpose becomes that purpose's default."""
    name = _validate(name=name, html=html, exclude_pk=None)
    if purpose not in Purpose.values:
        raise ValidationError({"purpose": ["Choose Reply or Email Forwarding."]})
    list(EmailTemplate.objects.select_for_update().filter(purpose=purpose, is_default=True))
    first = not EmailTemplate.objects.filter(purpose=purpose).exists()
    template = EmailTemplate(
        name=name,
        html=html,
        purpose=purpose,
        oldest_first=oldest_first and purpose == Purpose.FORWARD,
        is_default=is_default or first,
    )
    if template.is_default:
        _make_default(template)
    template.save()
    audit_record(
        actor=actor, action=AuditEntry.Action.CREATE, target=template, after=snapshot(template, FIELDS)
    )
    _forget_choices()
    return template


@transaction.atomic
def email_template_update(
    *,
    actor: Any,
    template: EmailTemplate,
    name: str,
    html: str,
    is_default: bool,
    oldest_first: bool = False,
    purpose: str | None = None,
) -> EmailTemplate:
    """The purpose stays what it was (replies and forwards read templates of their own kind)."""
    template = EmailTemplate.objects.select_for_update().get(pk=template.pk)
    name = _validate(name=name, html=html, exclude_pk=template.pk)
    if template.is_default and not is_default:
        raise ValidationError({"is_default": ["Make another template the default first."]})
    before = snapshot(template, FIELDS)
    template.name, template.html, template.is_default = name, html, is_default
    template.oldest_first = oldest_first and template.purpose == Purpose.FORWARD
    if is_default:
        _make_default(template)
    template.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=template,
        before=before,
        after=snapshot(template, FIELDS),
    )
    _forget_choices()
    return template


@transaction.atomic
def email_template_delete(*, actor: Any, template: EmailTemplate) -> None:
    template = EmailTemplate.objects.select_for_update().get(pk=template.pk)
    if template.is_default and EmailTemplate.objects.filter(purpose=template.purpose).count() > 1:
        raise ValidationError("Make another template the default before deleting this one.")
    audit_record(
        actor=actor, action=AuditEntry.Action.DELETE, target=template, before=snapshot(template, FIELDS)
    )
    template.delete()
    _forget_choices()


def _choices(purpose: str) -> list[tuple[str, str]]:
    """[(id, name)] of one purpose, the default first (cached: the conversation view reads it)."""
    key = f"{CHOICES_KEY}:{purpose}"
    choices = cache.get(key)
    if choices is None:
        rows = (
            EmailTemplate.objects.filter(purpose=purpose)
            .order_by("-is_default", Lower("name"))
            .values_list("pk", "name")
        )
        choices = [(str(pk), name) for pk, name in rows]
        cache.set(key, choices, 300)
    return list(choices)


def template_choices() -> list[tuple[str, str]]:
    """For the reply editor's Template select."""
    return _choices(Purpose.REPLY)


def forwarding_template_choices() -> list[tuple[str, str]]:
    """For Forward Conversation's Template select."""
    return _choices(Purpose.FORWARD)


def render_email_html(
    template: EmailTemplate, message_html: str, *, conversation: Conversation | None, user: User | None
) -> str:
    """``message_html`` (sanitised) in the template, rendered for the conversation's customer."""
    localization = localization_get()
    default = localization.default_language
    customer = conversation.customer if conversation is not None else None
    language = recipient_language(customer, default)
    if language not in localization.enabled_languages:
        language = default
    context = template_context(conversation=conversation, user=user) if conversation is not None else {}
    context["message"] = _SLOT_MARKER
    try:
        rendered = compile_template(template.html).render(
            context,
            escape="html",
            snippets=snippet_resolver(default),
            language=language,
            default_language=default,
        )
    except TemplateError:
        return message_html  # a template that broke since it was saved must not stop the reply
    return rendered.text.replace(_SLOT_MARKER, message_html, 1)


def template_for(message_options: dict[str, Any], purpose: str = Purpose.REPLY) -> EmailTemplate | None:
    """The template a message asked for, else the default one of its purpose, else none."""
    chosen = message_options.get("email_template") if isinstance(message_options, dict) else None
    templates = EmailTemplate.objects.filter(purpose=purpose)
    if chosen:
        template = templates.filter(pk=chosen).first()
        if template is not None:
            return template
    return templates.filter(is_default=True).first()
