"""Receive customer mail over SMTP: `manage.py smtp_inbound [--host 127.0.0.1] [--port 2525]`."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from messaging.smtp import make_controller


class Command(BaseCommand):
    help = "Run the SMTP receiver for inbound email (mail to unknown addresses is refused with 550)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1).")
        parser.add_argument("--port", type=int, default=2525, help="Port to listen on (default 2525).")

    def handle(self, *args: Any, **options: Any) -> None:
        controller = make_controller(options["host"], options["port"])
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        controller.start()
        self.stdout.write(f"Receiving mail on {options['host']}:{options['port']} (Ctrl-C to stop)")
        try:
            stop.wait()
        finally:
            controller.stop()
