"""Real parts for integration tests: a Celery worker on the real broker, SMTP on loopback."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 30) -> list[Message]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.messages


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[_Inbox]:
    """An SMTP server on 127.0.0.1 that Django's SMTP backend delivers to."""
    inbox = _Inbox()
    with socket.socket() as probe:  # aiosmtpd needs a concrete port to check it started
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def celery_worker(tmp_path: Any) -> Iterator[Callable[[], None]]:
    """A real Celery worker thread consuming the real broker (Redis, or the filesystem transport)."""
    from celery.contrib.testing.worker import start_worker

    from kustomer_clone.celery import app

    saved = {
        "task_always_eager": app.conf.task_always_eager,
        "broker_transport_options": app.conf.broker_transport_options,
    }
    app.conf.task_always_eager = False
    if not settings.REDIS_URL:
        # A private queue folder, so a `make run` worker on this checkout cannot take our tasks.
        for folder in ("queue", "processed", "control"):
            (tmp_path / folder).mkdir()
        app.conf.broker_transport_options = {
            "data_folder_in": str(tmp_path / "queue"),
            "data_folder_out": str(tmp_path / "queue"),
            "processed_folder": str(tmp_path / "processed"),
            "control_folder": str(tmp_path / "control"),
        }
    _reset_connections(app)
    try:
        with start_worker(
            app,
            pool="threads",
            concurrency=2,
            perform_ping_check=False,
            queues=settings.CELERY_TASK_QUEUES_NAMES,
            shutdown_timeout=30,
        ):
            yield lambda: None
    finally:
        app.conf.update(saved)
        _reset_connections(app)


def _reset_connections(app: Any) -> None:
    """Drop pooled broker connections so the next use connects with the current settings."""
    from kombu import pools

    pools.reset()  # closes and forgets kombu's process-wide pools
    app._pool = None
    app.amqp._producer_pool = None
