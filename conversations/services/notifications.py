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
    """One notification per recipient, in three queries however many recipients there are.

    For a note, nobody is notified twice of the same kind (a team mention and a direct one do
    not double up, and an edit notifies only the newly mentioned); the database's unique
    constraint says the same. Callers hold the conversation's lock, so two edits of one note
    cannot race here.
    """
    ids = sorted(set(user_ids) - ({actor.pk} if actor else set()))
    if not ids:
        return []
    recipients = list(User.objects.filter(pk__in=ids, is_active=True))
    if note is not None:
        already = set(
            Notification.objects.filter(note=note, kind=kind, recipient_id__in=ids).values_list(
                "recipient_id", flat=True
            )
        )
        recipients = [r for r in recipients if r.pk not in already]
    now = timezone.now()
    created = Notification.objects.bulk_create(
        [
            Notification(
                recipient=recipient,
                kind=kind,
                actor=actor,
                conversation=conversation,
                note=note,
                text=text[:300],
                created_at=now,
            )
            for recipient in recipients
        ]
    )
    email_ids = [n.pk for n in created if wants_email(n)]
    if email_ids:
        from conversations.tasks import send_notification_emails

        # By id, after commit: the worker must find the rows, and a rollback sends nothing.
        transaction.on_commit(lambda: send_notification_emails.delay(email_ids))
    return created


def wants_email(notification: Notification) -> bool:
    """The recipient's settings (Settings > Personal > Preferences). The email task asks again
    at send time, as the setting may change between the mention and the send."""
    recipient = notification.recipient
    if not recipient.is_active:
        return False
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
