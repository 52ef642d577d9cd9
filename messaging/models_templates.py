"""Email templates: the HTML an email reply is wrapped in, with {{message}} where the reply
goes. Written in the shortcuts' template language (dynamic text, ifCond, dateFormat, and
[[sn.name]] in the customer's language)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

EMAIL_TEMPLATE_NAME_MAX = 100
EMAIL_TEMPLATE_MAX_LENGTH = 100_000
MESSAGE_SLOT = "{{message}}"


class EmailTemplate(models.Model):
    class Purpose(models.TextChoices):
        REPLY = "reply", "Reply"
        FORWARD = "forward", "Email Forwarding"

    name = models.CharField(max_length=EMAIL_TEMPLATE_NAME_MAX)
    purpose = models.CharField(
        max_length=10,
        choices=Purpose.choices,
        default=Purpose.REPLY,
        help_text="A reply template wraps replies; a forwarding template wraps forwarded transcripts.",
    )
    oldest_first = models.BooleanField(
        "Oldest message first",
        default=False,
        help_text="Forwarding only: the transcript lists the most recent message first unless this is on.",
    )
    html = models.TextField("Body", max_length=EMAIL_TEMPLATE_MAX_LENGTH)
    is_default = models.BooleanField(
        "Default template", default=False, help_text="Used for email replies unless the agent picks another."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = [Lower("name")]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="email_template_name_unique_ci"),
            # One default reply template and one default forwarding template.
            models.UniqueConstraint(
                fields=["purpose"], condition=Q(is_default=True), name="email_template_one_default"
            ),
        ]

    def __str__(self) -> str:
        return self.name
