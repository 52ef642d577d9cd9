"""Forward Conversation (the seed article): a transcript of the messages (never the notes),
with an introductory message, chosen attachments (9.5 MB in all) and an Email Forwarding
template, sent to one or more addresses; the conversation records who forwarded, to whom,
and the introductory message."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from email.utils import formataddr, parseaddr

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.capabilities import Capability
from accounts.models import User
from conversations.models import Attachment, Conversation, ConversationEvent, Message
from conversations.reply_options import sender_choices
from conversations.services.events import record_event
from core.sanitize import text_to_html
from messaging.email_templates import render_email_html, template_for
from messaging.ids import new_message_id
from messaging.models_forward import ConversationForward
from messaging.models_templates import EmailTemplate
from messaging.outbound_mail import SendError, TransientSendError, deliver

MAX_RECIPIENTS = 20
FORWARD_ATTACHMENTS_MAX = int(9.5 * 1024 * 1024)


def parse_recipients(value: str) -> list[str]:
    """Comma-separated addresses, each checked; the first bad one is named."""
    addresses: list[str] = []
    for raw in value.replace(";", ",").split(","):
        raw = raw.strip()
        if not raw:
            continue
        address = parseaddr(raw)[1] or raw
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError({"to": [f"“{raw[:100]}” is not an email address."]}) from None
        if address.lower() not in (a.lower() for a in addresses):
            addresses.append(address)
    if not addresses:
        raise ValidationError({"to": ["Enter at least one address to forward to."]})
    if len(addresses) > MAX_RECIPIENTS:
        raise ValidationError({"to": [f"Forward to at most {MAX_RECIPIENTS} addresses at once."]})
    return addresses


def forwardable_attachments(conversation: Conversation) -> list[Attachment]:
    """The files exchanged between agents and the customer: on messages, never on notes."""
    return list(
        Attachment.objects.filter(message__conversation=conversation)
        .select_related("message")
        .order_by("message__created_at", "id")
    )


@transaction.atomic
def conversation_forward(
    *,
    actor: User,
    conversation: Conversation,
    from_address: str,
    to: str,
    intro: str = "",
    template: EmailTemplate | None = None,
    attachments: Sequence[Attachment] = (),
) -> ConversationForward:
    """Record the forward and its event, and queue the mail (sent after commit)."""
    if Capability.SEND_MESSAGES not in actor.capabilities:
        raise PermissionDenied("This needs the “Send messages” permission.")
    errors: dict[str, list[str]] = {}
    try:
        recipients = parse_recipients(to)
    except ValidationError as error:
        errors |= error.message_dict
        recipients = []
    if from_address not in dict(sender_choices()):
        errors["from_address"] = ["Choose one of your organisation's addresses."]
    if len(intro) > 10_000:
        errors["intro"] = ["Use at most 10,000 characters."]
    if template is not None and template.purpose != EmailTemplate.Purpose.FORWARD:
        errors["template"] = ["Choose an Email Forwarding template."]
    allowed = {a.pk: a for a in forwardable_attachments(conversation)}
    if any(a.pk not in allowed for a in attachments):
        errors["attachments"] = ["Only files exchanged with the customer can be forwarded (never a note's)."]
    elif sum(a.size for a in attachments) > FORWARD_ATTACHMENTS_MAX:
        errors["attachments"] = ["The chosen files add up to more than 9.5 MB, the most a forward can carry."]
    if errors:
        raise ValidationError(errors)
    forward = ConversationForward.objects.create(
        conversation=conversation,
        forwarded_by=actor,
        from_address=from_address,
        to=recipients,
        intro=intro.strip(),
        template_id=template.pk if template else None,
        attachment_ids=[a.pk for a in attachments],
        message_id_header=new_message_id(from_address.rpartition("@")[2] or None),
    )
    record_event(
        conversation=conversation,
        actor=actor,
        kind=ConversationEvent.Kind.FORWARDED,
        data={
            "forward_id": forward.pk,
            "to": recipients,
            "after": ", ".join(recipients),
            "intro": intro.strip()[:500],
        },
    )
    from messaging.tasks_forward import send_forward

    forward_id = forward.pk
    transaction.on_commit(lambda: send_forward.delay(forward_id))
    return forward


def transcript(conversation: Conversation, *, oldest_first: bool) -> list[Message]:
    """Every message (never a note), most recent first unless the template says otherwise."""
    order = ("created_at", "id") if oldest_first else ("-created_at", "-id")
    return list(
        Message.objects.filter(conversation=conversation)
        .select_related("customer", "author")
        .order_by(*order)
    )


def build_forward(forward: ConversationForward) -> EmailMultiAlternatives:
    conversation = forward.conversation
    template = template_for({"email_template": forward.template_id}, EmailTemplate.Purpose.FORWARD)
    messages = transcript(conversation, oldest_first=bool(template and template.oldest_first))
    context = {
        "forward": forward,
        "conversation": conversation,
        "messages": messages,
        "intro_html": text_to_html(forward.intro),
    }
    html: str = str(render_to_string("messaging/email/forward.html", context))
    if template is not None:
        html = render_email_html(template, html, conversation=conversation, user=forward.forwarded_by)
    text = render_to_string("messaging/email/forward.txt", context)
    label = dict(sender_choices()).get(forward.from_address, forward.from_address)
    email = EmailMultiAlternatives(
        subject=f"Fwd: {conversation.name or (messages[0].subject if messages else '') or 'Conversation'}",
        body=text,
        from_email=label if "<" in label else formataddr(("", forward.from_address)),
        to=list(forward.to),
        headers={"Message-ID": forward.message_id_header},
    )
    email.attach_alternative(html, "text/html")
    for attachment in Attachment.objects.filter(
        pk__in=forward.attachment_ids, message__conversation=conversation
    ):
        with attachment.file.open("rb") as handle:
            email.attach(attachment.filename, handle.read(), attachment.content_type or None)
    return email


def forward_send(*, forward_id: int) -> ConversationForward | None:
    """Claim, send, record: the same never-twice rule as replies (a second worker finds the
    row claimed and stops; an interrupted send is not repeated)."""
    token = secrets.token_hex(16)
    claimed = ConversationForward.objects.filter(
        pk=forward_id, state=ConversationForward.State.QUEUED
    ).update(state=ConversationForward.State.SENDING, claim_token=token)
    if not claimed:
        return None
    forward = ConversationForward.objects.select_related(
        "conversation", "conversation__customer", "forwarded_by"
    ).get(pk=forward_id)
    try:
        deliver(build_forward(forward))
    except TransientSendError:
        ConversationForward.objects.filter(pk=forward_id, claim_token=token).update(
            state=ConversationForward.State.QUEUED, claim_token=""
        )
        raise
    except SendError as error:
        ConversationForward.objects.filter(pk=forward_id, claim_token=token).update(
            state=ConversationForward.State.FAILED, failure_reason=error.reason
        )
    else:
        ConversationForward.objects.filter(pk=forward_id, claim_token=token).update(
            state=ConversationForward.State.SENT, sent_at=timezone.now()
        )
    forward.refresh_from_db()
    return forward
