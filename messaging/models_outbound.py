"""Outbound email: Brands with their sender addresses, and the delivery record of each send.

Imported at the end of messaging/models.py, so Django sees these models in the messaging app.
"""

from __future__ import annotations

from email.utils import formataddr

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone


class Brand(models.Model):
    """A name the organisation sends mail under (Settings > Administration > Brands)."""

    name = models.CharField(max_length=100)
    is_default = models.BooleanField(
        "Default brand", default=False, help_text="Replies are sent from this brand's default address."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-is_default", "name", "id"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="brand_name_unique_ci"),
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="brand_one_default"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("messaging:brand_edit", args=[self.pk])


class SenderAddress(models.Model):
    """An address replies can be sent from, with the name customers see."""

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="addresses")
    email = models.EmailField("Email address", max_length=254)
    display_name = models.CharField(
        "Display name", max_length=100, blank=True, help_text="Empty: the brand's name."
    )
    is_default = models.BooleanField("Default address", default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-is_default", "email", "id"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="sender_address_unique_ci"),
            models.UniqueConstraint(
                fields=["brand"], condition=Q(is_default=True), name="sender_address_one_default_per_brand"
            ),
        ]

    def __str__(self) -> str:
        return self.formatted

    @property
    def formatted(self) -> str:
        """ "Acme Support <support@acme.example>", as the From header shows it."""
        return formataddr((self.display_name or self.brand.name, self.email))


class OutboundDelivery(models.Model):
    """Who may send one outbound email, and how it went: the never-twice claim.

    A worker sends only after moving this row from queued to sending with a conditional
    UPDATE that carries its own claim token; a second worker (or a re-delivered task) then
    updates 0 rows and stops. A row left in "sending" (the worker died mid-send) is never
    sent again automatically: it becomes failed, "delivery unknown", for a person to check.
    Message.delivery_status stays the agent-facing state (queued / sent / failed).
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    message = models.OneToOneField(
        "conversations.Message", on_delete=models.CASCADE, related_name="outbound_delivery"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "outbound deliveries"
        indexes = [
            models.Index(
                fields=["claimed_at"], condition=Q(state="sending"), name="outbound_sending_claimed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.message_id}: {self.state}"
