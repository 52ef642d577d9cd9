"""Outbound mail work, on the "outbound" queue (settings.CELERY_TASK_ROUTES: messaging.tasks.send_*).

Imported by MessagingConfig.ready(), so every worker knows these tasks.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task

from messaging import services_outbound
from messaging.outbound_mail import TransientSendError

MAX_RETRIES = 5


@shared_task(
    bind=True,
    name="messaging.tasks.send_email_message",
    autoretry_for=(TransientSendError,),
    retry_backoff=30,  # 30 s, 1, 2, 4, 8 min (with jitter): a greylisting server lets us in by then
    retry_backoff_max=15 * 60,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
)
def send_email_message(self: Any, message_id: int) -> str:
    """Send one queued outbound email by id; safe to run twice (the claim in services_outbound)."""
    final = self.request.retries >= MAX_RETRIES
    message = services_outbound.outbound_send(message_id=message_id, final_attempt=final)
    return message.delivery_status if message else "skipped"


@shared_task(name="messaging.tasks.send_fail_interrupted")
def send_fail_interrupted() -> int:
    """Celery beat: sends interrupted by a dead worker become failed ("delivery unknown"), never re-sent;
    queued emails whose task was lost are queued again (the claim keeps that safe)."""
    for message_id in services_outbound.outbound_list_lost():
        send_email_message.delay(message_id)
    return services_outbound.outbound_fail_stale()
