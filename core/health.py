"""Liveness of the parts a request depends on: the database and the broker."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection


def check_database() -> dict[str, Any]:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def check_broker() -> dict[str, Any]:
    from kustomer_clone.celery import app

    started = time.perf_counter()
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
            if conn.transport_cls == "filesystem":
                # The filesystem transport "connects" to anything: check its folder instead.
                path = Path(str(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]))
                path.mkdir(parents=True, exist_ok=True)
                # One probe file per process: web workers answer health checks concurrently.
                probe = path / f".healthz-{os.getpid()}-{threading.get_ident()}"
                probe.write_text("ok")
                probe.unlink(missing_ok=True)
    except Exception as exc:
        return {"ok": False, "error": exc.__class__.__name__}
    return {
        "ok": True,
        "ms": round((time.perf_counter() - started) * 1000, 1),
        "transport": app.conf.broker_url.split(":", 1)[0],
    }
