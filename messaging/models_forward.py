"""Forward Conversation: one row per forward, which is also its never-twice claim."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone

from conversations.models import Conversation


class ConversationForward(models.Model):
    """A transcript sent to other addresses. It is not a message of the conversation (its
    Message-ID is kept here, not on a Message), so a reply to it starts a new conversation."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="forwards")
    forwarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_address = models.CharField(max_length=320)
    to = ArrayField(models.CharField(max_length=320))
    intro = models.TextField("Introductory message", blank=True, max_length=10_000)
    template_id = models.PositiveIntegerField(null=True, blank=True)
    attachment_ids = ArrayField(models.PositiveBigIntegerField(), default=list, blank=True)
    message_id_header = models.CharField(max_length=998)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    claim_token = models.CharField(max_length=32, blank=True)
    failure_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Forward of {self.conversation_id} to {', '.join(self.to)}"
