"""Sending a forwarded conversation, on the "outbound" queue (the messaging.tasks.send_* route)."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from messaging.outbound_mail import TransientSendError


@shared_task(
    bind=True,
    name="messaging.tasks.send_forward",
    autoretry_for=(TransientSendError,),
    retry_backoff=30,
    retry_backoff_max=15 * 60,
    retry_jitter=True,
    max_retries=5,
)
def send_forward(self: Any, forward_id: int) -> str:
    from messaging.forwarding import forward_send

    forward = forward_send(forward_id=forward_id)
    return forward.state if forward else "skipped"
