"""Writes for the email channel: store an inbound message, process it, manage addresses.

One pipeline for every way in (hook, SMTP, import): `inbound_store` keeps the raw bytes
and commits, then `messaging.tasks.inbound_process` runs `inbound_process` by id. Nothing
is lost when processing fails: the row stays, marked failed with its reason, and Settings
> Channels > Email > Failed inbound can retry it.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, Subquery
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import User
from conversations.models import (
    ATTACHMENT_MAX_FILE,
    ATTACHMENT_MAX_TOTAL,
    Channel,
    Conversation,
    ConversationEvent,
    Message,
)
from conversations.services.conversations import conversation_create
from conversations.services.events import record_event
from conversations.services.messages import message_receive, save_attachments
from core.audit import audit_record, snapshot
from core.models import AuditEntry
from core.sanitize import html_to_text, sanitize_html
from customers.models import ContactType, Customer, CustomerEmail
from customers.services import customer_create
from messaging import conf
from messaging import html as email_html
from messaging.ids import conversation_for_token, split_plus_address
from messaging.models import EmailChannel, InboundEmail
from messaging.parsing import (
    ParsedEmail,
    addresses,
    header,
    normalise_message_id,
    parse_email,
    parse_headers,
)

logger = logging.getLogger(__name__)

CHANNEL_FIELDS = ["address", "display_name", "is_active"]
HEAD_BYTES = 128 * 1024


class InboundRejected(Exception):
    """Processing stops here, on purpose: the message is kept, failed or ignored, with this reason."""

    def __init__(self, reason: str, *, status: str = InboundEmail.Status.FAILED) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


# --- channels ------------------------------------------------------------------------------


def _clean_address(address: str, *, exclude_pk: int | None = None) -> str:
    address = address.strip().lower()
    base, token = split_plus_address(address)
    if token:
        raise ValidationError({"address": "Use the address without a +tag: replies use those."})
    clash = EmailChannel.objects.filter(address__iexact=address)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"address": f"“{address}” is already an inbound address."})
    return address


@transaction.atomic
def email_channel_create(
    *, actor: User | None, address: str, display_name: str = "", is_active: bool = True
) -> tuple[EmailChannel, str]:
    """A new inbound address and its hook secret, which is returned here and never again."""
    channel = EmailChannel(
        address=_clean_address(address), display_name=display_name.strip(), is_active=is_active
    )
    secret = channel.set_new_secret()
    channel.full_clean(exclude=["secret_prefix", "secret_hash"])
    channel.save()
    audit_record(
        actor=actor, action=AuditEntry.Action.CREATE, target=channel, after=snapshot(channel, CHANNEL_FIELDS)
    )
    return channel, secret


@transaction.atomic
def email_channel_update(
    *, actor: User | None, channel: EmailChannel, address: str, display_name: str, is_active: bool
) -> EmailChannel:
    channel = EmailChannel.objects.select_for_update().get(pk=channel.pk)
    before = snapshot(channel, CHANNEL_FIELDS)
    channel.address = _clean_address(address, exclude_pk=channel.pk)
    channel.display_name = display_name.strip()
    channel.is_active = is_active
    channel.full_clean(exclude=["secret_prefix", "secret_hash"])
    channel.save(update_fields=CHANNEL_FIELDS)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=channel,
        before=before,
        after=snapshot(channel, CHANNEL_FIELDS),
    )
    return channel


@transaction.atomic
def email_channel_rotate_secret(*, actor: User | None, channel: EmailChannel) -> tuple[EmailChannel, str]:
    """A new hook secret; the old one stops working at once."""
    channel = EmailChannel.objects.select_for_update().get(pk=channel.pk)
    secret = channel.set_new_secret()
    channel.save(update_fields=["secret_prefix", "secret_hash", "secret_rotated_at"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=channel,
        before={"secret": "(previous)"},
        after={"secret": f"rotated {channel.secret_rotated_at:%Y-%m-%d %H:%M} UTC"},
    )
    return channel, secret


def email_channel_for_secret(secret: str) -> EmailChannel | None:
    """The active channel whose hook secret this is, compared in constant time."""
    prefix = ""
    if secret.startswith("kin_") and secret.count("_") >= 2:
        prefix = secret[4:].split("_", 1)[0]
    channel = EmailChannel.objects.filter(secret_prefix=prefix, is_active=True).first() if prefix else None
    if channel is None:
        # Same work either way, so a wrong prefix answers no faster than a wrong secret.
        EmailChannel(secret_hash="0" * 64).check_secret(secret)
        return None
    return channel if channel.check_secret(secret) else None


def email_channel_for_address(address: str) -> EmailChannel | None:
    """The active channel mail to this address (or to its +tag) arrives at."""
    base, _ = split_plus_address(address)
    return (
        EmailChannel.objects.alias(address_lower=Lower("address"))
        .filter(address_lower=base.lower(), is_active=True)
        .first()
    )


# --- storing -------------------------------------------------------------------------------


def _key_and_headers(raw: IO[bytes]) -> tuple[str, str, str, str]:
    """(dedup key, Message-ID, From, Subject) read from the head; the hash covers the whole message."""
    raw.seek(0)
    head = raw.read(HEAD_BYTES)
    headers = parse_headers(head)
    message_id = normalise_message_id(header(headers, "Message-ID"))
    senders = addresses(headers, "From")
    sender = senders[0][1] if senders else header(headers, "From")
    subject = header(headers, "Subject")
    if message_id:
        key = (
            message_id
            if len(message_id) <= 990
            else "sha256:" + hashlib.sha256(message_id.encode()).hexdigest()
        )
    else:
        digest = hashlib.sha256()
        raw.seek(0)
        for chunk in iter(lambda: raw.read(1024 * 1024), b""):
            digest.update(chunk)
        key = f"sha256:{digest.hexdigest()}"
    raw.seek(0)
    return key, message_id[:998], sender[:320], subject[:998]


def _enqueue_on_commit(inbound_email_id: int) -> None:
    """Queue processing once the row is committed.

    robust=True: the message is stored, so a broker outage must not turn into an error for
    the sender (who would only send it again); `inbound_requeue_stale` picks it up later.
    """
    from messaging.tasks import inbound_process as task

    transaction.on_commit(lambda: task.delay(inbound_email_id), robust=True)


@transaction.atomic
def inbound_requeue_stale(*, older_than: datetime.timedelta = datetime.timedelta(minutes=10)) -> int:
    """Queue again what has waited too long as pending (a lost task, a broker that was down)."""
    cutoff = timezone.now() - older_than
    ids = list(
        InboundEmail.objects.filter(status=InboundEmail.Status.PENDING, received_at__lt=cutoff)
        .order_by("received_at")
        .values_list("pk", flat=True)[:1000]
    )
    for pk in ids:
        _enqueue_on_commit(pk)
    return len(ids)


def inbound_store(
    *,
    channel: EmailChannel,
    raw: bytes | IO[bytes],
    source: str,
    envelope_from: str = "",
    envelope_to: str = "",
    received_at: datetime.datetime | None = None,
    enqueue: bool = True,
) -> InboundEmail:
    """Keep the raw message durably, commit, then hand it to the inbound worker by id."""
    fileobj: IO[bytes] = ContentFile(raw) if isinstance(raw, bytes) else raw
    fileobj.seek(0, 2)
    size = fileobj.tell()
    try:
        key, message_id, sender, subject = _key_and_headers(fileobj)
    except Exception:  # headers we cannot read still get stored, keyed by content
        digest = hashlib.sha256()
        fileobj.seek(0)
        for chunk in iter(lambda: fileobj.read(1024 * 1024), b""):
            digest.update(chunk)
        key, message_id, sender, subject = f"sha256:{digest.hexdigest()}", "", "", ""
        fileobj.seek(0)
    with transaction.atomic():
        inbound = InboundEmail(
            channel=channel,
            source=source,
            size=size,
            received_at=received_at or timezone.now(),
            envelope_from=envelope_from[:320],
            envelope_to=envelope_to[:320],
            message_id_header=message_id,
            dedup_key=key,
            from_address=sender,
            subject=subject,
        )
        inbound.raw.save("message.eml", File(fileobj), save=False)
        inbound.save()
        if enqueue:
            _enqueue_on_commit(inbound.pk)
    return inbound


# --- processing ----------------------------------------------------------------------------


def _advisory_lock(key: str) -> None:
    """Serialise the workers handling one Message-ID (two deliveries can arrive at once).

    Keyed on the Message-ID alone, not per address: Message.external_id is unique across
    addresses, so a mail sent to two of our addresses must serialise too.
    """
    digest = hashlib.sha256(f"inbound:{key}".encode()).digest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest[:8], "big", signed=True)])


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


_FINAL = (InboundEmail.Status.PROCESSED, InboundEmail.Status.IGNORED)
# What processing learns about a message, kept on the row even when processing fails.
_FINDINGS = ["is_auto_generated", "auto_reason", "from_address", "subject", "message_id"]


def _locked(inbound_email_id: int) -> InboundEmail:
    return (
        InboundEmail.objects.select_for_update(of=("self",))
        .select_related("channel")
        .get(pk=inbound_email_id)
    )


def inbound_process(*, inbound_email_id: int) -> InboundEmail:
    """Parse, find or make the customer, thread, and record the message. Safe to run twice.

    Locks the InboundEmail row (so two runs of the same task wait for each other), then a
    transaction-level advisory lock on its Message-ID (so two copies of the same message,
    delivered to two workers at once, make one Message; the unique constraint on
    (channel, external_id) backs it up). When processing stops, everything it wrote is
    rolled back and a second transaction marks the row failed or ignored, with the reason.
    """
    inbound: InboundEmail | None = None
    try:
        with transaction.atomic():
            inbound = _locked(inbound_email_id)
            if inbound.status in _FINAL:
                return inbound
            inbound.attempts += 1
            _process(inbound)
            inbound.processed_at = timezone.now()
            inbound.save()
            return inbound
    except InboundRejected as rejected:
        status, reason = rejected.status, rejected.reason
    except Exception as error:  # kept for replay: a bug or an outage must not drop a message
        logger.exception("Inbound email %s failed", inbound_email_id)
        status = InboundEmail.Status.FAILED
        reason = f"Processing failed: {type(error).__name__}: {error}"
    with transaction.atomic():
        row = _locked(inbound_email_id)
        if row.status in _FINAL:  # another worker finished it in the meantime
            return row
        if inbound is not None:
            for name in _FINDINGS:
                setattr(row, name, getattr(inbound, name))
        row.attempts += 1
        row.status = status
        row.failure_reason = reason[:500]
        row.processed_at = timezone.now()
        row.save()
        return row


def _read_raw(inbound: InboundEmail) -> bytes:
    with inbound.raw.open("rb") as handle:
        return bytes(handle.read())


def _process(inbound: InboundEmail) -> None:
    limit = conf.max_bytes()
    if inbound.size > limit:
        raise InboundRejected(
            f"The message is {_mb(inbound.size)}, more than the {_mb(limit)} that can be processed; "
            "it is kept as received (download the .eml)."
        )
    try:
        raw = _read_raw(inbound)
    except Exception as error:
        raise InboundRejected(f"The stored message cannot be read: {error}") from error
    try:
        parsed = parse_email(raw, envelope_from=inbound.envelope_from or None)
    except Exception as error:
        raise InboundRejected(f"The message cannot be parsed: {type(error).__name__}: {error}") from error
    inbound.is_auto_generated = bool(parsed.auto_reason)
    inbound.auto_reason = parsed.auto_reason[:200]
    inbound.from_address = (parsed.from_address or inbound.from_address)[:320]
    inbound.subject = parsed.subject or inbound.subject
    _advisory_lock(inbound.dedup_key)
    _check_duplicate(inbound)
    if parsed.report is not None:
        _apply_delivery_report(inbound, parsed)
        return
    if not parsed.from_address:
        raise InboundRejected("The message has no From address, so there is no customer to file it under.")
    customer = customer_for_sender(address=parsed.from_address, name=parsed.from_name)
    _check_loop(inbound, parsed, customer)
    conversation = _conversation_for(inbound, parsed, customer)
    inbound.message = _record_message(inbound, parsed, conversation)
    inbound.status = InboundEmail.Status.PROCESSED
    inbound.failure_reason = ""


def _check_duplicate(inbound: InboundEmail) -> None:
    """Ignore a copy of something already filed (one query, under the advisory lock)."""
    earlier = InboundEmail.objects.filter(
        channel_id=inbound.channel_id, dedup_key=inbound.dedup_key, status=InboundEmail.Status.PROCESSED
    ).exclude(pk=inbound.pk)
    found = (
        InboundEmail.objects.filter(pk=inbound.pk)
        .annotate(
            earlier_pk=Subquery(earlier.values("pk")[:1]),
            earlier_message=Subquery(earlier.values("message_id")[:1]),
            message_pk=Subquery(
                Message.objects.filter(channel=Channel.EMAIL, external_id=inbound.dedup_key).values("pk")[:1]
            ),
        )
        .values_list("earlier_pk", "earlier_message", "message_pk")
        .get()
    )
    earlier_pk, earlier_message, message_pk = found
    if earlier_pk is None and message_pk is None:
        return
    inbound.message_id = message_pk or earlier_message
    where = f"inbound email {earlier_pk}" if earlier_pk else f"message {message_pk}"
    raise InboundRejected(
        f"Duplicate: this message was already received ({where}).", status=InboundEmail.Status.IGNORED
    )


def _check_loop(inbound: InboundEmail, parsed: ParsedEmail, customer: Customer) -> None:
    if not parsed.auto_reason:
        return
    since = timezone.now() - datetime.timedelta(hours=1)
    # Through the customer's messages (indexed by customer), not a scan of every inbound row.
    recent = (
        InboundEmail.objects.filter(
            message__customer=customer,
            message__direction=Message.Direction.IN,
            channel_id=inbound.channel_id,
            is_auto_generated=True,
            status=InboundEmail.Status.PROCESSED,
            received_at__gte=since,
        )
        .exclude(pk=inbound.pk)
        .count()
    )
    if recent >= conf.AUTO_LOOP_LIMIT:
        raise InboundRejected(
            f"Auto-reply loop: more than {conf.AUTO_LOOP_LIMIT} automatic messages from "
            f"{parsed.from_address} within an hour ({parsed.auto_reason}).",
            status=InboundEmail.Status.IGNORED,
        )


def _apply_delivery_report(inbound: InboundEmail, parsed: ParsedEmail) -> None:
    report = parsed.report
    if report is None:
        return
    if not report.is_failure:
        raise InboundRejected(
            f"Delivery report ({report.action or 'no action'} {report.status}): nothing failed.",
            status=InboundEmail.Status.IGNORED,
        )
    original = None
    if report.original_message_id:
        original = (
            Message.objects.select_for_update(of=("self",))
            .select_related("conversation")
            .filter(
                channel=Channel.EMAIL,
                direction=Message.Direction.OUT,
                external_id=report.original_message_id,
            )
            .first()
        )
    if original is None:
        raise InboundRejected(
            "Bounce for a message we did not send "
            f"({report.original_message_id or 'no original Message-ID'}): {report.reason}",
            status=InboundEmail.Status.IGNORED,
        )
    original.delivery_status = Message.DeliveryStatus.FAILED
    original.failure_reason = report.reason[:500]
    original.save(update_fields=["delivery_status", "failure_reason"])
    # The message shows "Failed: <reason>" in the feed; the event keeps it in the audit trail.
    record_event(
        conversation=original.conversation,
        actor=None,
        kind=ConversationEvent.Kind.MESSAGE,
        data={
            "message_id": original.pk,
            "direction": "out",
            "channel": Channel.EMAIL,
            "delivery_status": Message.DeliveryStatus.FAILED,
            "reason": original.failure_reason,
            "inbound_email_id": inbound.pk,
        },
    )
    inbound.message = original
    inbound.status = InboundEmail.Status.PROCESSED
    inbound.failure_reason = ""


def _customer_email(address: str) -> CustomerEmail | None:
    # lower(email) = lower(...) uses the unique index customer_email_unique_ci; Django's
    # __iexact compiles to UPPER(...) and would scan every address.
    return (
        CustomerEmail.objects.select_related("customer")
        .alias(email_lower=Lower("email"))
        .filter(email_lower=address.lower())
        .first()
    )


def customer_for_sender(*, address: str, name: str) -> Customer:
    """The customer with this address (ignoring case), or a new one named from the From header."""
    address = address.strip()
    found = _customer_email(address)
    if found is not None:
        return found.customer
    try:
        with transaction.atomic():
            return customer_create(actor=None, name=name[:255], emails=[(address, ContactType.HOME)])
    except (IntegrityError, ValidationError) as error:
        # Another worker created them a moment ago, or the address is not one we can keep.
        found = _customer_email(address)
        if found is not None:
            return found.customer
        raise InboundRejected(f"The From address “{address}” is not a valid email address.") from error


def _recipients(inbound: InboundEmail, parsed: ParsedEmail) -> Iterable[str]:
    yield from parsed.delivered_to
    if inbound.envelope_to:
        yield inbound.envelope_to
    yield from parsed.to
    yield from parsed.cc


def _conversation_for(inbound: InboundEmail, parsed: ParsedEmail, customer: Customer) -> Conversation:
    """The conversation a reply belongs to, by our reply token or a Message-ID we know; never by subject.

    A reference only counts when the sender is that conversation's customer: a forged
    In-Reply-To from a stranger opens a new conversation for the stranger.
    """
    candidates: list[Conversation] = []
    channel_base = inbound.channel.address.lower()
    for address in _recipients(inbound, parsed):
        base, token = split_plus_address(address)
        if token and base == channel_base:
            found = conversation_for_token(token)
            if found is not None:
                candidates.append(found)
    referenced = parsed.referenced_ids
    if referenced:
        messages = (
            Message.objects.filter(channel=Channel.EMAIL, external_id__in=referenced)
            .select_related("conversation")
            .only("external_id", "conversation")
        )
        by_id = {m.external_id: m.conversation for m in messages}
        candidates += [by_id[mid] for mid in referenced if mid in by_id]
    for conversation in candidates:
        if conversation.customer_id == customer.pk:
            return conversation
    return conversation_create(
        actor=None, customer=customer, name=parsed.subject[:255], channel=Channel.EMAIL
    )


def _kept_attachments(parsed: ParsedEmail) -> tuple[list[Any], list[str]]:
    """The attachments within the limits (5 MB each, 9.5 MB in all); notes for those dropped."""
    kept: list[Any] = []
    notes: list[str] = []
    total = 0
    for attachment in parsed.attachments:
        size = len(attachment.data)
        if size > ATTACHMENT_MAX_FILE:
            notes.append(
                f"“{attachment.filename}” ({_mb(size)}) was not kept: attachments can be at most 5 MB. "
                "The original email is kept in Settings › Channels › Email."
            )
            continue
        if total + size > ATTACHMENT_MAX_TOTAL:
            notes.append(
                f"“{attachment.filename}” ({_mb(size)}) was not kept: a message's attachments can add up "
                "to at most 9.5 MB. The original email is kept in Settings › Channels › Email."
            )
            continue
        total += size
        upload = SimpleUploadedFile(attachment.filename, attachment.data, attachment.content_type)
        kept.append((attachment, upload))
    return kept, notes


def _record_message(inbound: InboundEmail, parsed: ParsedEmail, conversation: Conversation) -> Message:
    text = parsed.text.strip() or html_to_text(sanitize_html(parsed.html))
    if not text and not parsed.html.strip() and not parsed.attachments:
        text = "(This email has no text.)"
    received = parsed.date if inbound.source == InboundEmail.Source.IMPORT and parsed.date else None
    message = message_receive(
        conversation=conversation,
        channel=Channel.EMAIL,
        body_text=text,
        subject=parsed.subject,
        from_address=parsed.from_address[:320],
        to=[a[:320] for a in parsed.to],
        cc=[a[:320] for a in parsed.cc],
        external_id=inbound.dedup_key,
        received_at=received or inbound.received_at,
    )
    kept, notes = _kept_attachments(parsed)
    saved = save_attachments([upload for _, upload in kept], uploaded_by=None, message=message)
    cid_urls = {
        source.content_id: attachment.get_absolute_url()
        for (source, _), attachment in zip(kept, saved, strict=True)
        if source.content_id
    }
    message.body_html = email_html.body_html(
        html_part=parsed.html, text_part=parsed.text or text, cid_urls=cid_urls, notes=notes
    )
    Message.objects.filter(pk=message.pk).update(body_html=message.body_html)
    return message


# --- retrying ------------------------------------------------------------------------------


@transaction.atomic
def inbound_retry(*, actor: User | None, inbound: InboundEmail) -> InboundEmail:
    """Back to pending and into the queue again (after a fix, or to re-check a duplicate)."""
    updated = InboundEmail.objects.filter(
        pk=inbound.pk, status__in=[InboundEmail.Status.FAILED, InboundEmail.Status.IGNORED]
    ).update(status=InboundEmail.Status.PENDING, failure_reason="")
    if updated:
        _enqueue_on_commit(inbound.pk)
    inbound.refresh_from_db()
    return inbound


@dataclass
class RetryResult:
    queued: int


@transaction.atomic
def inbound_retry_many(*, actor: User | None, inbound_ids: Iterable[int]) -> RetryResult:
    ids = list(
        InboundEmail.objects.filter(
            Q(pk__in=list(inbound_ids)),
            status__in=[InboundEmail.Status.FAILED, InboundEmail.Status.IGNORED],
        ).values_list("pk", flat=True)[:1000]
    )
    InboundEmail.objects.filter(pk__in=ids).update(status=InboundEmail.Status.PENDING, failure_reason="")
    for pk in ids:
        _enqueue_on_commit(pk)
    return RetryResult(queued=len(ids))
