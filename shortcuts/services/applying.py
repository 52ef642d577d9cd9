"""Applying a shortcut to a conversation: its message rendered for this customer, conversation
and agent, its attachments, and its actions performed with their events, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from accounts.models import User
from conversations.models import Conversation, Status
from conversations.reply_options import template_choices
from conversations.services.conversations import (
    conversation_assign,
    conversation_done,
    conversation_rename,
    conversation_reopen,
    conversation_set_custom,
    conversation_snooze,
    conversation_transfer,
)
from conversations.services.events import lock_conversation
from conversations.services.tags import conversation_add_tag
from core.sanitize import sanitize_editor_html
from customers.models import Customer
from shortcuts.context import recipient_language, template_context
from shortcuts.models import Shortcut, ShortcutAttachment, ShortcutStatus
from shortcuts.selectors import localization_get, snippet_resolver
from shortcuts.template_language import SnippetLookup, compile_template


@dataclass
class AppliedShortcut:
    shortcut: Shortcut
    conversation: Conversation
    html: str  # the message, rendered and sanitised, for the reply editor
    language: str  # the language its snippets were rendered in
    unknown: list[str] = field(default_factory=list)  # fields and snippets with no value
    attachments: list[ShortcutAttachment] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # what its actions changed, for the agent
    email_template: int | None = None  # to pick in the reply editor (Conversation Email Template)
    notes: list[str] = field(default_factory=list)  # what it picked without changing anything


@dataclass
class RenderedMessage:
    html: str
    unknown: list[str]
    language: str
    default_language: str
    context: dict[str, object]
    snippets: SnippetLookup


def render_message(
    shortcut: Shortcut,
    *,
    user: User,
    conversation: Conversation | None = None,
    customer: Customer | None = None,
) -> RenderedMessage:
    """A shortcut's message rendered for a conversation (or, on the timeline, a customer) and
    an agent: snippets in the customer's language when it is enabled, else the default."""
    localization = localization_get()
    default = localization.default_language
    who = conversation.customer if conversation is not None else customer
    language = recipient_language(who, default)
    if language not in localization.enabled_languages:
        language = default
    context = template_context(customer=customer, conversation=conversation, user=user)
    snippets = snippet_resolver(default)
    rendered = compile_template(shortcut.message_html).render(
        context, escape="html", snippets=snippets, language=language, default_language=default
    )
    return RenderedMessage(
        html=sanitize_editor_html(rendered.text),
        unknown=list(rendered.unknown),
        language=language,
        default_language=default,
        context=context,
        snippets=snippets,
    )


@transaction.atomic
def shortcut_apply(*, actor: User, shortcut: Shortcut, conversation: Conversation) -> AppliedShortcut:
    """Render the message and perform the actions. The caller checked that ``actor`` may use
    the shortcut (``access_shortcut_for_use``) and write to the conversation.

    The conversation is locked first, so the values rendered and the changes made belong to
    one state of it. Any action that is refused (a 21st tag, a missing permission, a queue
    turned off since) raises and rolls every change back: a shortcut applies whole or not at all.
    The status comes last, after the other changes, as an agent would set it.
    """
    conversation = lock_conversation(conversation)
    message = render_message(shortcut, user=actor, conversation=conversation)
    context = message.context
    snippets, language, default = message.snippets, message.language, message.default_language
    unknown = list(message.unknown)
    applied = AppliedShortcut(
        shortcut=shortcut,
        conversation=conversation,
        html=message.html,
        language=language,
        attachments=list(shortcut.attachments.all()),
    )

    if shortcut.subject:
        subject = compile_template(shortcut.subject).render(
            context, escape="text", snippets=snippets, language=language, default_language=default
        )
        unknown += [name for name in subject.unknown if name not in unknown]
        name = " ".join(subject.text.split())[:255]
        if name and name != conversation.name:
            conversation = conversation_rename(actor=actor, conversation=conversation, name=name)
            applied.changes.append(f"Conversation Name: {name}")
    for tag in shortcut.add_tags.all():
        conversation = conversation_add_tag(actor=actor, conversation=conversation, tag=tag)
        applied.changes.append(f"Tag: {tag.name}")
    if shortcut.queue_id:
        conversation = conversation_transfer(actor=actor, conversation=conversation, queue=shortcut.queue)
        applied.changes.append(f"Queue: {shortcut.queue}")
    if shortcut.assign_user_id or shortcut.assign_team_id:
        conversation = conversation_assign(
            actor=actor,
            conversation=conversation,
            users=[shortcut.assign_user] if shortcut.assign_user else None,
            teams=[shortcut.assign_team] if shortcut.assign_team else None,
        )
        if shortcut.assign_user:
            applied.changes.append(f"Assigned User: {shortcut.assign_user}")
        if shortcut.assign_team:
            applied.changes.append(f"Assigned Team: {shortcut.assign_team}")
    if shortcut.custom_fields:
        conversation = conversation_set_custom(
            actor=actor, conversation=conversation, values=dict(shortcut.custom_fields)
        )
        applied.changes += [f"{key}: {value}" for key, value in shortcut.custom_fields.items()]
    if shortcut.status == ShortcutStatus.DONE:
        conversation = conversation_done(actor=actor, conversation=conversation)
        applied.changes.append("Status: Done")
    elif shortcut.status == ShortcutStatus.OPEN and conversation.status != Status.OPEN:
        conversation = conversation_reopen(actor=actor, conversation=conversation)
        applied.changes.append("Status: Open")
    elif shortcut.status == ShortcutStatus.SNOOZED:
        conversation = conversation_snooze(
            actor=actor, conversation=conversation, until_customer_replies=True
        )
        applied.changes.append("Status: Snoozed until the customer replies")
    if shortcut.email_template_id is not None:
        names = dict(template_choices())
        if str(shortcut.email_template_id) in names:  # a template deleted since is left out
            applied.email_template = shortcut.email_template_id
            applied.notes.append(f"Email Template: {names[str(shortcut.email_template_id)]}")
    applied.conversation = conversation
    applied.unknown = unknown
    return applied
