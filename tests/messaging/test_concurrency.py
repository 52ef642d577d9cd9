"""Two workers, the same Message-ID, at the same moment, against real PostgreSQL: one message."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from conversations.models import Message
from customers.models import Customer
from messaging import services
from messaging.models import InboundEmail
from tests.messaging.conftest import SUPPORT, build

pytestmark = pytest.mark.django_db(transaction=True)


def _race(ids: list[int]) -> list[BaseException]:
    barrier = threading.Barrier(len(ids))
    errors: list[BaseException] = []

    def work(pk: int) -> None:
        try:
            barrier.wait()
            services.inbound_process(inbound_email_id=pk)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(pk,)) for pk in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


def test_two_deliveries_processed_at_once_make_one_message() -> None:
    channel = services.email_channel_create(actor=None, address=SUPPORT)[0]
    raw = build(message_id="<race-1@customer.example>")
    ids = [
        services.inbound_store(channel=channel, raw=raw, source="smtp", enqueue=False).pk for _ in range(4)
    ]
    assert _race(ids) == []
    assert Message.objects.filter(external_id="<race-1@customer.example>").count() == 1
    assert Customer.objects.count() == 1
    statuses = sorted(InboundEmail.objects.values_list("status", flat=True))
    assert statuses == ["ignored", "ignored", "ignored", "processed"]


def test_the_same_task_run_twice_at_once_processes_once() -> None:
    channel = services.email_channel_create(actor=None, address=SUPPORT)[0]
    inbound = services.inbound_store(channel=channel, raw=build(), source="hook", enqueue=False)
    assert _race([inbound.pk, inbound.pk]) == []
    inbound.refresh_from_db()
    assert (inbound.status, inbound.attempts) == ("processed", 1)
    assert Message.objects.count() == 1


def test_two_new_messages_from_one_new_sender_at_once_make_one_customer() -> None:
    channel = services.email_channel_create(actor=None, address=SUPPORT)[0]
    ids = [
        services.inbound_store(
            channel=channel, raw=build(message_id=f"<new-{i}@customer.example>"), source="hook", enqueue=False
        ).pk
        for i in range(3)
    ]
    assert _race(ids) == []
    assert Customer.objects.count() == 1
    assert Message.objects.count() == 3
