"""Conversation side effects. Ids in; each task is safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from conversations.models import Notification
from conversations.services.notifications import wants_email


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_notification_emails(notification_ids: list[int]) -> int:
    """Email each notification once: the row is claimed (emailed_at set) before the mail goes."""
    sent = 0
    for pk in notification_ids:
        with transaction.atomic():
            notification = (
                Notification.objects.select_related("recipient", "actor", "conversation", "note")
                .filter(pk=pk, emailed_at__isnull=True)
                .first()
            )
            if notification is None or not wants_email(notification):
                continue
            # The claim is a conditional update: of two workers running this task, one wins.
            claimed = Notification.objects.filter(pk=pk, emailed_at__isnull=True).update(
                emailed_at=timezone.now()
            )
            if not claimed:
                continue
            link = settings.SITE_URL + notification.conversation.get_absolute_url()
            if notification.note_id:
                link += f"#note-{notification.note_id}"
            context = {"notification": notification, "link": link}
            message = EmailMultiAlternatives(
                subject=f"[Kustomer Clone] {notification.text or notification.get_kind_display()}",
                body=render_to_string("conversations/email/notification.txt", context),
                to=[notification.recipient.email],
                headers={"Auto-Submitted": "auto-generated"},
            )
            # Sent inside the claim: if sending fails the claim rolls back and a retry sends it.
            message.send()
            sent += 1
    return sent


@shared_task
def wake_snoozed_conversations() -> int:
    from conversations.services.conversations import conversation_wake_snoozed

    return conversation_wake_snoozed()
