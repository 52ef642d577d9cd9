"""Outbound email: Brands and sender addresses (writes), and sending a queued reply, once.

Never twice. A send is claimed with a conditional UPDATE of its OutboundDelivery row
(queued -> sending, with a fresh claim token); whoever updates 0 rows stops. The claim is
committed before any network I/O, and our Message-ID is stored on Message.external_id before
that, so a bounce or a reply can always be matched to the message.

A worker that dies mid-send leaves the row in "sending". Nobody can tell whether the server
took the message (it may have accepted the data and timed out before answering), so the row
is never sent again automatically: after STALE_AFTER it becomes failed with "Delivery
unknown", and the agent, who can ask the customer, decides whether to retry. A duplicate
email to a customer is worse than a visible failure that a person resolves.
"""

from __future__ import annotations

import datetime
import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.capabilities import Capability
from accounts.models import User
from conversations.models import Channel, Message
from core.audit import audit_record, snapshot
from core.models import AuditEntry
from messaging import ids
from messaging.models_outbound import Brand, OutboundDelivery, SenderAddress
from messaging.outbound_mail import (
    DeliveryUnknownError,
    PermanentSendError,
    SendError,
    TransientSendError,
    build_email,
    deliver,
)

logger = logging.getLogger(__name__)

BRAND_FIELDS = ["name", "is_default"]
ADDRESS_FIELDS = ["email", "display_name", "is_default"]
UNKNOWN_REASON = "Delivery unknown: check before retrying (the send was interrupted and may have gone out)."


def stale_after() -> datetime.timedelta:
    """How long a send may stay claimed before it counts as interrupted (well past EMAIL_TIMEOUT)."""
    minutes = getattr(settings, "OUTBOUND_SENDING_STALE_MINUTES", 15)
    return datetime.timedelta(minutes=max(int(minutes), 1))


# --- Brands ----------------------------------------------------------------------------------


def _clean_brand_name(name: str, *, exclude_pk: int | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Give the brand a name."})
    clash = Brand.objects.filter(name__iexact=name)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"name": f"There is already a brand called “{name}”."})
    return name


def _lock_brands() -> None:
    # One default brand: changes that move the flag are serialised on the whole table.
    list(Brand.objects.select_for_update().values_list("pk", flat=True))


@transaction.atomic
def brand_create(*, actor: User | None, name: str, is_default: bool = False) -> Brand:
    """The first brand becomes the default. Locks the brands."""
    _lock_brands()
    is_default = is_default or not Brand.objects.exists()
    brand = Brand(name=_clean_brand_name(name), is_default=is_default)
    if is_default:
        Brand.objects.filter(is_default=True).update(is_default=False)
    brand.save()
    audit_record(
        actor=actor, action=AuditEntry.Action.CREATE, target=brand, after=snapshot(brand, BRAND_FIELDS)
    )
    return brand


@transaction.atomic
def brand_update(*, actor: User | None, brand: Brand, name: str, is_default: bool) -> Brand:
    """Rename, or make this the default (there is always one: it cannot be turned off). Locks the brands."""
    _lock_brands()
    brand = Brand.objects.get(pk=brand.pk)
    before = snapshot(brand, BRAND_FIELDS)
    if brand.is_default and not is_default:
        raise ValidationError(
            {"is_default": "One brand is always the default: make another brand the default instead."}
        )
    brand.name = _clean_brand_name(name, exclude_pk=brand.pk)
    if is_default and not brand.is_default:
        Brand.objects.filter(is_default=True).update(is_default=False)
        brand.is_default = True
    brand.save(update_fields=BRAND_FIELDS)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=brand,
        before=before,
        after=snapshot(brand, BRAND_FIELDS),
    )
    return brand


@transaction.atomic
def brand_delete(*, actor: User | None, brand: Brand) -> None:
    """Refused for the default brand (which is also the last one). Locks the brands."""
    _lock_brands()
    brand = Brand.objects.get(pk=brand.pk)
    if brand.is_default:
        raise ValidationError(
            f"“{brand.name}” is the default brand: make another brand the default before deleting it."
        )
    before = snapshot(brand, BRAND_FIELDS)
    before["addresses"] = list(brand.addresses.values_list("email", flat=True))
    audit_record(actor=actor, action=AuditEntry.Action.DELETE, target=brand, before=before)
    brand.delete()


def _clean_email(email: str, *, exclude_pk: int | None = None) -> str:
    email = email.strip()
    clash = SenderAddress.objects.filter(email__iexact=email)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"email": f"“{email}” is already a sender address."})
    return email


def _lock_addresses(brand: Brand) -> Brand:
    brand = Brand.objects.select_for_update().get(pk=brand.pk)
    list(SenderAddress.objects.select_for_update().filter(brand=brand).values_list("pk", flat=True))
    return brand


@transaction.atomic
def sender_address_create(
    *, actor: User | None, brand: Brand, email: str, display_name: str = "", is_default: bool = False
) -> SenderAddress:
    """A brand's first address becomes its default. Locks the brand, then its addresses."""
    brand = _lock_addresses(brand)
    is_default = is_default or not brand.addresses.exists()
    address = SenderAddress(
        brand=brand, email=_clean_email(email), display_name=display_name.strip(), is_default=is_default
    )
    address.full_clean(exclude=["brand", "is_default"])
    if is_default:
        brand.addresses.filter(is_default=True).update(is_default=False)
    try:
        with transaction.atomic():
            address.save()
    except IntegrityError:
        raise ValidationError({"email": f"“{email}” is already a sender address."}) from None
    audit_record(
        actor=actor, action=AuditEntry.Action.CREATE, target=address, after=snapshot(address, ADDRESS_FIELDS)
    )
    return address


@transaction.atomic
def sender_address_update(
    *, actor: User | None, address: SenderAddress, email: str, display_name: str, is_default: bool
) -> SenderAddress:
    brand = _lock_addresses(address.brand)
    address = SenderAddress.objects.select_related("brand").get(pk=address.pk)
    before = snapshot(address, ADDRESS_FIELDS)
    if address.is_default and not is_default:
        raise ValidationError(
            {"is_default": "A brand always has a default address: make another address the default instead."}
        )
    address.email = _clean_email(email, exclude_pk=address.pk)
    address.display_name = display_name.strip()
    address.full_clean(exclude=["brand", "is_default"])
    if is_default and not address.is_default:
        brand.addresses.filter(is_default=True).update(is_default=False)
        address.is_default = True
    address.save(update_fields=ADDRESS_FIELDS)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=address,
        before=before,
        after=snapshot(address, ADDRESS_FIELDS),
    )
    return address


@transaction.atomic
def sender_address_delete(*, actor: User | None, address: SenderAddress) -> None:
    """Refused for a brand's default address (which is also its last one)."""
    _lock_addresses(address.brand)
    address = SenderAddress.objects.select_related("brand").get(pk=address.pk)
    if address.is_default:
        raise ValidationError(
            f"“{address.email}” is the default address of {address.brand.name}: "
            "make another address the default before deleting it (or delete the brand)."
        )
    audit_record(
        actor=actor, action=AuditEntry.Action.DELETE, target=address, before=snapshot(address, ADDRESS_FIELDS)
    )
    address.delete()


SENDER_CHOICES_KEY = "messaging:sender-choices"


def sender_choices() -> list[tuple[str, str]]:
    """[(address, "Name <address>")] for the reply editor: the default brand's default address
    first. Cached (every conversation view shows the From select); any change to a brand or
    an address forgets it (receivers_outbound)."""
    choices = cache.get(SENDER_CHOICES_KEY)
    if choices is None:
        addresses = SenderAddress.objects.select_related("brand").order_by(
            "-brand__is_default", "brand__name", "-is_default", "email"
        )
        choices = [(a.email, a.formatted) for a in addresses]
        cache.set(SENDER_CHOICES_KEY, choices, 300)
    return list(choices)


def forget_sender_choices(**_: object) -> None:
    cache.delete(SENDER_CHOICES_KEY)
    transaction.on_commit(lambda: cache.delete(SENDER_CHOICES_KEY))


# --- sending ---------------------------------------------------------------------------------


def _sendable(message_id: int) -> Message | None:
    return (
        Message.objects.select_related("conversation", "author")
        .filter(
            pk=message_id,
            direction=Message.Direction.OUT,
            channel=Channel.EMAIL,
            delivery_status=Message.DeliveryStatus.QUEUED,
        )
        .first()
    )


@transaction.atomic
def _prepare(message: Message) -> OutboundDelivery:
    """The delivery row, and our Message-ID on the message: both committed before any sending."""
    delivery, _ = OutboundDelivery.objects.get_or_create(message_id=message.pk)
    if not message.external_id:
        sender_domain = message.from_address.rpartition("@")[2].strip(" >").lower()
        Message.objects.filter(pk=message.pk, external_id="").update(
            external_id=ids.new_message_id(sender_domain or None)
        )
        message.external_id = Message.objects.values_list("external_id", flat=True).get(pk=message.pk)
    return delivery


def _claim(delivery: OutboundDelivery) -> str:
    """Move queued -> sending with a fresh token; "" when someone else has it (or it is done)."""
    token = uuid.uuid4().hex
    now = timezone.now()
    claimed = OutboundDelivery.objects.filter(pk=delivery.pk, state=OutboundDelivery.State.QUEUED).update(
        state=OutboundDelivery.State.SENDING,
        claim_token=token,
        claimed_at=now,
        attempts=F("attempts") + 1,
        updated_at=now,
    )
    return token if claimed else ""


@transaction.atomic
def _finish(message: Message, token: str, *, state: str, reason: str = "") -> bool:
    """Record the outcome of the send this token claimed. False when the claim is no longer ours."""
    now = timezone.now()
    updated = OutboundDelivery.objects.filter(message_id=message.pk, claim_token=token).update(
        state=state, last_error=reason[:500], updated_at=now
    )
    if not updated:
        return False
    if state == OutboundDelivery.State.SENT:
        # Also over a "delivery unknown" that the sweep wrote while this send was slow: we know now.
        Message.objects.filter(pk=message.pk).update(
            delivery_status=Message.DeliveryStatus.SENT, sent_at=now, failure_reason=""
        )
    elif state == OutboundDelivery.State.FAILED:
        Message.objects.filter(pk=message.pk).update(
            delivery_status=Message.DeliveryStatus.FAILED, failure_reason=reason[:500]
        )
    else:  # back in the queue for a retry: the agent sees why it is not sent yet
        Message.objects.filter(pk=message.pk, delivery_status=Message.DeliveryStatus.QUEUED).update(
            failure_reason=f"Will retry: {reason}"[:500]
        )
    return True


def outbound_send(*, message_id: int, final_attempt: bool = True) -> Message | None:
    """Send one queued outbound email, at most once (see the module docstring).

    Returns the message as it ends up, or None when there was nothing to send here (not a
    queued email, or another worker holds the claim). Raises TransientSendError when a retry
    may succeed and this is not the final attempt: the claim is released first.
    """
    message = _sendable(message_id)
    if message is None:
        return None
    delivery = _prepare(message)
    if delivery.state == OutboundDelivery.State.SENDING:
        outbound_fail_stale()  # a re-delivered task after a crash: interrupted sends become failed
        return None
    token = _claim(delivery)
    if not token:
        return None
    try:
        email = build_email(message)
        deliver(email)
    except TransientSendError as error:
        if final_attempt:
            _finish(message, token, state=OutboundDelivery.State.FAILED, reason=error.reason)
        else:
            _finish(message, token, state=OutboundDelivery.State.QUEUED, reason=error.reason)
            raise
    except (PermanentSendError, DeliveryUnknownError) as error:
        _finish(message, token, state=OutboundDelivery.State.FAILED, reason=error.reason)
    except SendError as error:  # pragma: no cover (every SendError is one of the above)
        _finish(message, token, state=OutboundDelivery.State.FAILED, reason=error.reason)
    except Exception as error:
        # Building the email failed (a missing attachment file, ...): nothing was sent.
        logger.exception("Could not build outbound email for message %s", message.pk)
        _finish(
            message,
            token,
            state=OutboundDelivery.State.FAILED,
            reason=f"Could not prepare the email: {error}",
        )
    else:
        _finish(message, token, state=OutboundDelivery.State.SENT)
    message.refresh_from_db()
    return message


def outbound_fail_stale(*, now: datetime.datetime | None = None) -> int:
    """Interrupted sends (claimed longer ago than stale_after()) become failed, never re-sent."""
    cutoff = (now or timezone.now()) - stale_after()
    failed = 0
    stale = OutboundDelivery.objects.filter(state=OutboundDelivery.State.SENDING, claimed_at__lt=cutoff)
    for delivery in stale.only("pk", "message_id", "claim_token"):
        with transaction.atomic():
            updated = OutboundDelivery.objects.filter(
                pk=delivery.pk, state=OutboundDelivery.State.SENDING, claim_token=delivery.claim_token
            ).update(
                state=OutboundDelivery.State.FAILED, last_error=UNKNOWN_REASON, updated_at=timezone.now()
            )
            if updated:
                Message.objects.filter(
                    pk=delivery.message_id, delivery_status=Message.DeliveryStatus.QUEUED
                ).update(delivery_status=Message.DeliveryStatus.FAILED, failure_reason=UNKNOWN_REASON)
                failed += 1
    return failed


LOST_AFTER = datetime.timedelta(minutes=30)  # longer than the whole retry schedule


def outbound_list_lost(*, now: datetime.datetime | None = None, limit: int = 500) -> list[int]:
    """Queued emails nobody is working on (the broker was down when they were queued, say).

    Sending them again is safe: the worker's claim decides, and nothing in "sending" is listed.
    """
    cutoff = (now or timezone.now()) - LOST_AFTER
    rows = (
        Message.objects.filter(
            direction=Message.Direction.OUT,
            channel=Channel.EMAIL,
            delivery_status=Message.DeliveryStatus.QUEUED,
            created_at__lt=cutoff,
        )
        .filter(
            Q(outbound_delivery__isnull=True)
            | Q(
                outbound_delivery__state=OutboundDelivery.State.QUEUED,
                outbound_delivery__updated_at__lt=cutoff,
            )
        )
        .order_by("created_at", "id")
        .values_list("pk", flat=True)
    )
    return list(rows[:limit])


@transaction.atomic
def outbound_retry(*, actor: User, message: Message) -> Message:
    """The agent's Retry on a failed email: back to queued, sent again by the worker. Locks the message."""
    if Capability.SEND_MESSAGES not in actor.capabilities:
        raise PermissionDenied("This needs the “Send messages” permission.")
    message = Message.objects.select_for_update(of=("self",)).get(pk=message.pk)
    if (
        message.direction != Message.Direction.OUT
        or message.channel != Channel.EMAIL
        or message.delivery_status != Message.DeliveryStatus.FAILED
    ):
        raise ValidationError("Only a failed email can be sent again.")
    delivery, _ = OutboundDelivery.objects.select_for_update().get_or_create(message_id=message.pk)
    if delivery.state == OutboundDelivery.State.SENDING:
        raise ValidationError("This email is being sent right now.")
    # The same Message-ID: if an earlier attempt did arrive, the recipient's mail program
    # can tell the two copies are one message, and replies to either thread the same way.
    delivery.state = OutboundDelivery.State.QUEUED
    delivery.claim_token = ""
    delivery.last_error = ""
    delivery.updated_at = timezone.now()
    delivery.save(update_fields=["state", "claim_token", "last_error", "updated_at"])
    message.delivery_status = Message.DeliveryStatus.QUEUED
    message.failure_reason = ""
    message.save(update_fields=["delivery_status", "failure_reason"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        target=message,
        before={"delivery_status": "failed"},
        after={"delivery_status": "queued (retry)"},
    )
    from messaging.tasks_outbound import send_email_message

    message_pk = message.pk
    transaction.on_commit(lambda: send_email_message.delay(message_pk))
    return message
