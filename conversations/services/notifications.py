"""In-app notifications (the sidebar list and the pop-up) and their emails."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from conversations.models import Conversation, Note, Notification


def notify_users(
    *,
    kind: str,
    actor: User | None,
    conversation: Conversation,
    user_ids: Iterable[int],
    note: Note | None = None,
    text: str = "",
) -> list[Notification]:
    """One notification per recipient (a team mention and a direct one do not double up)."""
    ids = sorted(set(user_ids) - ({actor.pk} if actor else set()))
    recipients = User.objects.filter(pk__in=ids, is_active=True)
    created = []
    for recipient in recipients:
        notification, made = Notification.objects.get_or_create(
            recipient=recipient,
            note=note,
            kind=kind,
            conversation=conversation,
            defaults={"actor": actor, "text": text[:300]},
        )
        if made:
            created.append(notification)
    email_ids = [n.pk for n in created if _wants_email(n)]
    if email_ids:
        from conversations.tasks import send_notification_emails

        transaction.on_commit(lambda: send_notification_emails.delay(email_ids))
    return created


def _wants_email(notification: Notification) -> bool:
    recipient = notification.recipient
    if notification.kind == Notification.Kind.ASSIGNED:
        return recipient.notify_assignments_email
    return recipient.notify_mentions_email


@transaction.atomic
def notification_mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark some (or, with None, all) of the user's notifications read. Returns how many changed."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())
