from __future__ import annotations

from unittest import mock

import pytest
from django.db.utils import OperationalError
from django.test import Client

pytestmark = pytest.mark.django_db


def test_it_reports_ok_when_the_database_and_broker_answer(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True


def test_it_is_503_when_the_database_is_down(client: Client) -> None:
    with mock.patch("core.health.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {"ok": False, "error": "OperationalError"}


def test_it_is_503_when_the_broker_is_down(client: Client) -> None:
    from kombu import Connection

    from kustomer_clone.celery import app

    # A Redis broker on a port where nothing listens.
    with mock.patch.object(app, "connection_for_write", lambda: Connection("redis://127.0.0.1:1/0")):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_it_refuses_other_methods(client: Client) -> None:
    assert client.post("/healthz").status_code == 405
