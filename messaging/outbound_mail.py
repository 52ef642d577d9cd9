"""Building one outbound email from a Message, and handing it to the configured backend.

`deliver` says how a failure happened, because that decides whether sending again is safe:
before the server took the message (connection refused, a 4xx/5xx reply) it is; once the
message data has been sent and no reply came (a timeout, a dropped connection), the server
may have accepted it, so it is not (see services_outbound).
"""

from __future__ import annotations

import contextlib
import re
import smtplib
from dataclasses import dataclass
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from conversations.models import Channel, Message
from core.sanitize import text_to_html
from messaging.email_templates import render_email_html, template_for
from messaging.ids import reply_address
from messaging.models import EmailChannel
from messaging.models_outbound import SenderAddress

MAX_REFERENCES = 20
_RE_PREFIX = re.compile(r"^\s*((re|aw|sv|fw|fwd)(\[\d+\])?\s*:\s*)+", re.IGNORECASE)


class SendError(Exception):
    """A failed send, with a reason an agent can read."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason[:450]


class TransientSendError(SendError):
    """The server did not take the message and may later (refused connection, timeout, 4xx)."""


class PermanentSendError(SendError):
    """The server refused the message for good (5xx, a bad address): retrying will not help."""


class DeliveryUnknownError(SendError):
    """The message data went out but no answer came: the server may have accepted it."""


def _one_line(value: str) -> str:
    return " ".join((value or "").split())


def reply_subject(subject: str, *, is_reply: bool) -> str:
    """ "Re: " once, whatever prefixes the subject already carries ("Re: Re:", "RE:", "Aw:")."""
    subject = _one_line(subject)
    if not is_reply:
        return subject
    base = _RE_PREFIX.sub("", subject)
    return f"Re: {base}" if base else "Re:"


def _earlier_email_messages(message: Message) -> list[Message]:
    """The conversation's earlier email messages that carry a Message-ID, oldest first."""
    return list(
        Message.objects.filter(conversation_id=message.conversation_id, channel=Channel.EMAIL)
        .exclude(pk=message.pk)
        .filter(created_at__lte=message.created_at, external_id__startswith="<")
        .order_by("created_at", "id")
        .only("external_id", "subject", "created_at")
    )


def _from_header(message: Message) -> str:
    address = parseaddr(message.from_address)[1]
    if not address:
        return settings.DEFAULT_FROM_EMAIL
    sender = SenderAddress.objects.select_related("brand").filter(email__iexact=address).first()
    return sender.formatted if sender else formataddr(parseaddr(message.from_address))


def _reply_to(message: Message, from_header: str) -> str:
    """support+<token>@... when the From address is also an inbound address: replies find their way back."""
    address = parseaddr(from_header)[1]
    channel = EmailChannel.objects.filter(address__iexact=address, is_active=True).first()
    return reply_address(channel, message.conversation) if channel else ""


def _signature(message: Message) -> tuple[str, str]:
    signature = (getattr(message.author, "email_signature", "") or "").strip()
    if not signature:
        return "", ""
    return f"\n\n-- \n{signature}", f'<div class="signature">{text_to_html(signature)}</div>'


def build_email(message: Message, *, connection: Any = None) -> EmailMultiAlternatives:
    """The email for an outbound Message, whose Message-ID is already stored on external_id."""
    earlier = _earlier_email_messages(message)
    ids = [m.external_id for m in earlier]
    subject_source = message.subject or next(
        (m.subject for m in reversed(earlier) if m.subject), message.conversation.name
    )
    headers = {"Message-ID": message.external_id}
    if ids:
        headers["In-Reply-To"] = ids[-1]
        # The first (the thread's root) and the most recent, as RFC 5322 suggests when trimming.
        kept = ids if len(ids) <= MAX_REFERENCES else [ids[0], *ids[-(MAX_REFERENCES - 1) :]]
        headers["References"] = " ".join(kept)
    if message.author_id is None:
        headers["Auto-Submitted"] = "auto-generated"  # only automatic mail (RFC 3834)
    from_header = _from_header(message)
    reply_to = _reply_to(message, from_header)
    text_signature, html_signature = _signature(message)
    email = EmailMultiAlternatives(
        subject=reply_subject(subject_source, is_reply=bool(earlier)),
        body=(message.body_text or "") + text_signature,
        from_email=from_header,
        to=list(message.to),
        cc=list(message.cc),
        reply_to=[reply_to] if reply_to else None,
        headers=headers,
        connection=connection,
    )
    if message.body_html:
        # body_html was sanitised (nh3) when it was stored; the email template (the one the
        # agent chose, else the default) wraps it, rendered for the customer.
        html = message.body_html + html_signature
        template = template_for(message.channel_options)
        if template is not None:
            html = render_email_html(template, html, conversation=message.conversation, user=message.author)
        email.attach_alternative(html, "text/html")
    for attachment in message.attachments.all():
        with attachment.file.open("rb") as handle:
            email.attach(attachment.filename, handle.read(), attachment.content_type or None)
    return email


@dataclass
class _Progress:
    data_started: bool = False
    data_accepted: bool = False


def _watch_data(smtp: Any, progress: _Progress) -> None:
    """Record when smtplib starts the DATA phase and when the server accepts it."""
    original = smtp.data

    def data(msg: Any) -> Any:
        progress.data_started = True
        reply = original(msg)  # raises SMTPDataError unless the server answered 250
        progress.data_accepted = True
        return reply

    smtp.data = data


def _text(value: Any) -> str:
    return _one_line(value.decode(errors="replace") if isinstance(value, bytes) else str(value))


def _response_error(error: smtplib.SMTPResponseException) -> SendError:
    reason = f"The mail server answered {error.smtp_code} {_text(error.smtp_error)}"
    return PermanentSendError(reason) if error.smtp_code >= 500 else TransientSendError(reason)


def _recipients_error(error: smtplib.SMTPRecipientsRefused) -> SendError:
    refused = [f"{address} ({code} {_text(text)})" for address, (code, text) in error.recipients.items()]
    reason = "The mail server refused " + ", ".join(refused)
    if all(code >= 500 for code, _ in error.recipients.values()):
        return PermanentSendError(reason)
    return TransientSendError(reason)


def classify(error: BaseException, progress: _Progress) -> SendError:
    if isinstance(error, SendError):
        return error
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return _recipients_error(error)
    if isinstance(error, smtplib.SMTPResponseException):
        # The server answered with a refusal, so it did not take the message.
        return _response_error(error)
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return PermanentSendError(f"The mail server does not support what we need: {error}")
    if isinstance(error, (ValueError, UnicodeError)):
        return PermanentSendError(f"An address cannot be used: {_one_line(str(error))}")
    detail = _one_line(str(error)) or type(error).__name__
    if progress.data_started:
        return DeliveryUnknownError(
            f"Delivery unknown: the connection failed after the message was handed over ({detail}). "
            "Check with the recipient before retrying."
        )
    if isinstance(error, (OSError, smtplib.SMTPException)):
        return TransientSendError(f"Could not reach the mail server: {detail}")
    return DeliveryUnknownError(f"Delivery unknown: {detail}. Check with the recipient before retrying.")


def deliver(email: EmailMultiAlternatives) -> None:
    """Send over the configured EMAIL_BACKEND; raise a SendError saying what kind of failure it was."""
    progress = _Progress()
    connection = email.connection or get_connection()
    try:
        connection.open()
    except Exception as error:
        if isinstance(error, smtplib.SMTPResponseException):
            raise _response_error(error) from error
        raise TransientSendError(
            f"Could not reach the mail server: {_one_line(str(error)) or type(error).__name__}"
        ) from error
    smtp = getattr(connection, "connection", None)
    if smtp is not None and hasattr(smtp, "data"):
        _watch_data(smtp, progress)
    try:
        sent = connection.send_messages([email])
    except Exception as error:
        if progress.data_accepted:
            return  # accepted: a failure after that (QUIT) does not matter
        raise classify(error, progress) from error
    finally:
        # The message is sent or has failed already: closing does not change that.
        with contextlib.suppress(Exception):
            connection.close()
    if not sent and not progress.data_accepted:
        raise PermanentSendError("The mail server took none of the recipients.")
