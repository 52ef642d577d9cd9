"""What messaging does when conversations announces something (connected in MessagingConfig.ready)."""

from __future__ import annotations

import logging
from typing import Any

from conversations.models import Channel
from conversations.reply_options import register_sender_choices
from conversations.signals import message_queued

logger = logging.getLogger(__name__)


def send_queued_email(sender: object, *, message_id: int, channel: str, **kwargs: Any) -> None:
    """An email reply was stored as queued (the signal fires after commit): hand it to the worker."""
    if channel != Channel.EMAIL:
        return
    from messaging.tasks_outbound import send_email_message

    try:
        send_email_message.delay(message_id)
    except Exception:
        # The reply is stored and stays "queued"; the broker being down must not turn the
        # agent's successful send into an error page.
        logger.exception("Could not queue outbound email for message %s", message_id)


def connect() -> None:
    from django.db.models.signals import post_delete, post_save

    from messaging.models_outbound import Brand, SenderAddress
    from messaging.services_outbound import forget_sender_choices, sender_choices

    message_queued.connect(send_queued_email, dispatch_uid="messaging-send-queued-email")
    register_sender_choices(sender_choices)
    for model in (Brand, SenderAddress):
        for signal in (post_save, post_delete):
            signal.connect(
                forget_sender_choices, sender=model, dispatch_uid=f"forget-senders-{model.__name__}-{signal}"
            )
