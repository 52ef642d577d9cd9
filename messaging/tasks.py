"""Inbound mail work (routed to the "inbound" queue by settings.CELERY_TASK_ROUTES)."""

from __future__ import annotations

from celery import shared_task

from messaging import services


@shared_task(name="messaging.tasks.inbound_process")
def inbound_process(inbound_email_id: int) -> str:
    """Process one stored inbound email by id; safe to run twice (see services.inbound_process)."""
    return services.inbound_process(inbound_email_id=inbound_email_id).status


@shared_task(name="messaging.tasks.inbound_requeue_stale")
def inbound_requeue_stale() -> int:
    """Celery beat, every 5 minutes: pending inbound mail older than 10 minutes is queued again."""
    return services.inbound_requeue_stale()
