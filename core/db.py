"""Database helpers shared by services."""

from __future__ import annotations

import zlib

from django.db import connection


def advisory_xact_lock(name: str) -> None:
    """Serialise a critical section across processes until the current transaction ends.

    Used where a rule spans rows that may not exist yet (a count limit), so there is no
    row to lock with SELECT ... FOR UPDATE.
    """
    key = zlib.crc32(name.encode())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
