"""Never twice: workers racing for the same outbound email, against real PostgreSQL."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from conversations.models import Message
from messaging import services_outbound
from messaging.models_outbound import OutboundDelivery
from tests.messaging.outbound_helpers import make_brand, make_thread, queued, smtp_server

pytestmark = pytest.mark.django_db(transaction=True)


def _race(message_id: int, workers: int) -> tuple[list[Any], list[BaseException]]:
    barrier = threading.Barrier(workers)
    results: list[Any] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait()
            results.append(services_outbound.outbound_send(message_id=message_id, final_attempt=False))
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results, errors


def test_two_workers_sending_the_same_reply_send_it_once() -> None:
    make_brand()
    message = queued(make_thread())
    with smtp_server(delay=0.3) as server:
        results, errors = _race(message.pk, 2)
    assert errors == []
    assert len(server.sent) == 1
    assert sum(1 for r in results if r is not None) == 1
    message.refresh_from_db()
    assert message.delivery_status == Message.DeliveryStatus.SENT
    delivery = OutboundDelivery.objects.get(message=message)
    assert (delivery.state, delivery.attempts) == ("sent", 1)


def test_a_burst_of_redelivered_tasks_sends_once() -> None:
    message = queued(make_thread())
    with smtp_server(delay=0.1) as server:
        results, errors = _race(message.pk, 6)
    assert errors == []
    assert len(server.sent) == 1
    assert Message.objects.get(pk=message.pk).external_id.startswith("<")
