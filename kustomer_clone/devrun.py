"""What `make run`, `make test`, `make bench` and `make manage` do after the venv exists.

    python -m kustomer_clone.devrun run            # migrate, demo data, web + worker + beat
    python -m kustomer_clone.devrun test -- ARGS   # pytest
    python -m kustomer_clone.devrun bench -- ARGS  # bench/run.py
    python -m kustomer_clone.devrun bench-mail -- ARGS  # bench/mail_ingest.py
    python -m kustomer_clone.devrun manage -- ARGS # manage.py ARGS

Each uses DATABASE_URL when it is set; otherwise it starts the embedded PostgreSQL under
var/ (and stops it again at the end if it started it). REDIS_URL is passed through: unset,
Celery uses the filesystem broker under var/broker (see settings.py).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from kustomer_clone import embedded

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
VENV_BIN = Path(PYTHON).parent
HOST, PORT = "127.0.0.1", int(os.environ.get("PORT", "8000"))
QUEUES = "default,inbound,outbound,bulk,routing"


def say(message: str) -> None:
    print(f"\033[1m==> {message}\033[0m", flush=True)


def prepare_environment(database: str = embedded.DEFAULT_DATABASE) -> tuple[dict[str, str], bool]:
    """The environment for child processes, and whether we started the embedded server."""
    env = dict(os.environ)
    # Importing this package ran celery.py, which sets DJANGO_SETTINGS_MODULE for this
    # process; children pick their own (pytest its test settings), so drop that default.
    if env.get("DJANGO_SETTINGS_MODULE") == "kustomer_clone.settings":
        del env["DJANGO_SETTINGS_MODULE"]
    env.setdefault("PYTHONUNBUFFERED", "1")
    started = False
    if env.get("DATABASE_URL"):
        say("Using DATABASE_URL from the environment")
    else:
        was_running = (embedded.PGDATA / "postmaster.pid").exists()
        say(
            "Starting the embedded PostgreSQL under var/postgres"
            if not was_running
            else "Embedded PostgreSQL"
        )
        env["DATABASE_URL"] = embedded.start(database)
        started = not was_running
    if env.get("REDIS_URL"):
        say("Using REDIS_URL from the environment for the broker and cache")
    else:
        say("REDIS_URL is unset: Celery uses the filesystem broker under var/broker")
    return env, started


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)


def port_is_free(host: str, port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex((host, port)) != 0


def wait_for_http(url: str, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (our own loopback server)
                return True
        except OSError:
            time.sleep(0.3)
    return False


def stop_all(processes: list[subprocess.Popen[bytes]]) -> None:
    for proc in processes:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for proc in processes:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def command_run() -> int:
    # Ctrl-C, a SIGTERM or a closed terminal stops everything. SIGINT is set explicitly: a
    # shell that starts us in the background makes us inherit it as ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGHUP, _interrupt)
    if not port_is_free(HOST, PORT):
        print(
            f"Port {PORT} on {HOST} is in use: stop what runs there, or run `PORT=8001 make run`.",
            file=sys.stderr,
        )
        return 1
    env, started_pg = prepare_environment()
    env.setdefault("DEBUG", "true")
    env.setdefault("SITE_URL", f"http://{HOST}:{PORT}")
    processes: list[subprocess.Popen[bytes]] = []
    try:
        say("Migrating")
        manage(env, "migrate", "--noinput")
        if not env.get("REDIS_URL"):
            manage(env, "createcachetable")
        say("Loading demo data")
        manage(env, "seed_demo")
        say("Starting the web server, the Celery worker and Celery beat")
        processes.append(
            subprocess.Popen([PYTHON, "manage.py", "runserver", f"{HOST}:{PORT}"], cwd=BASE_DIR, env=env)
        )
        processes.append(
            subprocess.Popen(
                [
                    str(VENV_BIN / "celery"),
                    "-A",
                    "kustomer_clone",
                    "worker",
                    "-l",
                    "info",
                    "-Q",
                    QUEUES,
                    "-c",
                    "2",
                ],
                cwd=BASE_DIR,
                env=env,
            )
        )
        processes.append(
            subprocess.Popen(
                [str(VENV_BIN / "celery"), "-A", "kustomer_clone", "beat", "-l", "info"],
                cwd=BASE_DIR,
                env=env,
            )
        )
        if wait_for_http(f"http://{HOST}:{PORT}/healthz"):
            print(
                "\n"
                f"  Kustomer Clone is running at http://{HOST}:{PORT}/\n"
                "  Demo logins (password for all: demo-password-1):\n"
                "    admin@example.com    Admin, the Org Owner\n"
                "    manager@example.com  Manager\n"
                "    agent@example.com    User (agent)\n"
                "    collab@example.com   Collaboration user\n"
                "  Press Ctrl-C to stop everything.\n",
                flush=True,
            )
        while True:
            for proc in processes:
                if proc.poll() is not None:
                    name = " ".join(str(arg) for arg in list(proc.args)[:4])  # type: ignore[arg-type]
                    say(f"{name} exited with {proc.returncode}; stopping the rest")
                    return 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        say("Stopping")
        return 0
    except subprocess.CalledProcessError as error:
        print(f"Set-up failed: {error}", file=sys.stderr)
        return 1
    finally:
        stop_all(processes)
        if started_pg:
            embedded.stop()


def command_passthrough(argv: list[str], database: str, *, debug: bool = False) -> int:
    env, started_pg = prepare_environment(database)
    if debug:
        env.setdefault("DEBUG", "true")
    try:
        return subprocess.run(argv, cwd=BASE_DIR, env=env).returncode
    except KeyboardInterrupt:
        return 130
    finally:
        if started_pg:
            embedded.stop()


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__)
        return 2
    command, rest = argv[1], argv[2:]
    if rest and rest[0] == "--":
        rest = rest[1:]
    if command == "run":
        return command_run()
    if command == "test":
        return command_passthrough([PYTHON, "-m", "pytest", *rest], embedded.DEFAULT_DATABASE)
    if command == "bench":
        return command_passthrough([PYTHON, "bench/run.py", *rest], "kustomer_bench")
    if command == "bench-mail":
        return command_passthrough([PYTHON, "bench/mail_ingest.py", *rest], "kustomer_bench_mail")
    if command == "manage":
        return command_passthrough([PYTHON, "manage.py", *rest], embedded.DEFAULT_DATABASE, debug=True)
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
