"""Email channels (the addresses mail arrives at) and every inbound message, raw, as received."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from conversations.models import Conversation, Message

SECRET_PREFIX = "kin_"  # noqa: S105 (a label, not a secret)


def _hash_secret(secret: str) -> str:
    # The secret is 256 random bits: a fast hash is enough (there is nothing to brute-force),
    # and the hook must not spend 100 ms of PBKDF2 on every delivery.
    return hashlib.sha256(secret.encode()).hexdigest()


class EmailChannel(models.Model):
    """An inbound address. Mail to it (or to its plus-addresses) opens and continues conversations."""

    address = models.EmailField("Inbound address", max_length=254)
    display_name = models.CharField(
        "Sender name",
        max_length=100,
        blank=True,
        help_text="The name customers see on mail from this address.",
    )
    is_active = models.BooleanField("Active", default=True)
    secret_prefix = models.CharField(max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    secret_rotated_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["address"]
        constraints = [models.UniqueConstraint(Lower("address"), name="email_channel_address_unique_ci")]

    def __str__(self) -> str:
        return self.address

    def get_absolute_url(self) -> str:
        return reverse("messaging:email_channel_edit", args=[self.pk])

    @property
    def local_part(self) -> str:
        return self.address.rsplit("@", 1)[0]

    @property
    def domain(self) -> str:
        return self.address.rsplit("@", 1)[-1].lower()

    def set_new_secret(self) -> str:
        """A fresh secret (returned once, never stored in clear): kin_<prefix>_<random>."""
        prefix = secrets.token_hex(6)
        secret = f"{SECRET_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
        self.secret_prefix = prefix
        self.secret_hash = _hash_secret(secret)
        self.secret_rotated_at = timezone.now()
        return secret

    def check_secret(self, secret: str) -> bool:
        return hmac.compare_digest(self.secret_hash, _hash_secret(secret))


def raw_email_path(instance: InboundEmail, filename: str) -> str:
    return f"inbound/{timezone.now():%Y/%m/%d}/{uuid.uuid4().hex}.eml"


class InboundEmailQuerySet(models.QuerySet["InboundEmail"]):
    def needing_attention(self) -> InboundEmailQuerySet:
        return self.filter(status__in=[InboundEmail.Status.FAILED, InboundEmail.Status.IGNORED])


class InboundEmail(models.Model):
    """One message as it arrived, stored before anything else is done with it.

    The raw RFC 5322 bytes live in the default file storage (a FileField), not in a bytea
    column: a 30 MB message must not bloat the table, its WAL and every backup, and the same
    storage already holds attachments (S3-compatible in production). The file is written
    before the row commits, so a row never points at a missing file; an insert that fails
    leaves at worst an orphan file.
    """

    class Source(models.TextChoices):
        HOOK = "hook", "Email Hook"
        SMTP = "smtp", "SMTP"
        IMPORT = "import", "Import"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PROCESSED = "processed", "Processed"
        FAILED = "failed", "Failed"
        IGNORED = "ignored", "Ignored"

    channel = models.ForeignKey(EmailChannel, on_delete=models.PROTECT, related_name="inbound_emails")
    source = models.CharField(max_length=10, choices=Source.choices)
    raw = models.FileField(upload_to=raw_email_path, max_length=255)
    size = models.PositiveBigIntegerField()
    received_at = models.DateTimeField(default=timezone.now)
    envelope_from = models.CharField(max_length=320, blank=True)
    envelope_to = models.CharField(max_length=320, blank=True)
    message_id_header = models.CharField("Message-ID", max_length=998, blank=True)
    dedup_key = models.CharField(
        max_length=998, help_text="The Message-ID, or sha256:<hash of the raw message> when there is none."
    )
    from_address = models.CharField(max_length=320, blank=True)
    subject = models.CharField(max_length=998, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    failure_reason = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    is_auto_generated = models.BooleanField(
        default=False, help_text="An auto-reply, bulk or list mail: nothing automatic is ever sent back."
    )
    auto_reason = models.CharField(max_length=200, blank=True)
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_emails"
    )
    processed_at = models.DateTimeField(null=True, blank=True)

    objects = InboundEmailQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["channel", "dedup_key"], name="inbound_channel_key"),
            models.Index(
                fields=["-received_at", "-id"],
                condition=Q(status__in=["failed", "ignored"]),
                name="inbound_needing_attention",
            ),
        ]
        constraints = [
            # One processed copy per Message-ID and channel, whatever the workers do.
            models.UniqueConstraint(
                fields=["channel", "dedup_key"],
                condition=Q(status="processed"),
                name="inbound_processed_once",
            ),
        ]

    def __str__(self) -> str:
        return self.subject or self.message_id_header or f"Inbound email {self.pk}"


class ReplyToken(models.Model):
    """support+<token>@domain: a reply address that leads back to one conversation."""

    token = models.CharField(max_length=40, unique=True)
    # A ForeignKey, not one-to-one: a merge brings the merged-away conversation's token along,
    # so mail to either address still reaches the result.
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="reply_tokens")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.token


from messaging.models_forward import ConversationForward  # noqa: E402, F401
from messaging.models_outbound import Brand, OutboundDelivery, SenderAddress  # noqa: E402, F401
from messaging.models_templates import EmailTemplate  # noqa: E402, F401
